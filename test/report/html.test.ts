/**
 * The HTML page's structure, on reports built from findings (`buildReport`, the run's own path): the
 * single-run grouping provider → operation → field with counts that match the rows, every verdict with a
 * text label, the filter markup, failures' evidence (source, expected, received, shrunk request, curl,
 * seed and path, replay line), skipped reasons and waivers; the rules × runs matrix (one column per run,
 * the union of rules, "—" where a run lacks one); escaping of everything a report carries; the caps; and
 * a page that names nothing outside itself. (The page in a real browser: test/run/report-html.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { type Evidence, Findings, MAX_EVIDENCE } from '../../src/conformance/findings.ts';
import type { SessionSummary } from '../../src/conformance/session.ts';
import { buildReport, type ConformanceReport } from '../../src/report/conformance.ts';
import { esc, MAX_SHOWN, renderHtml, VERDICT_ORDER } from '../../src/report/html.ts';
import { catalogue } from '../../src/spec/catalogue.ts';

const session = (seed: number) =>
  ({
    settings: { seed, runs: 7, mode: 'lenient', deviate: ['gep-accepts-past-start-date'] },
    target: { alchemy: { url: 'http://127.0.0.1:1', embedded: true }, gep: { url: 'http://127.0.0.1:1', embedded: true } },
    control: { alchemy: { ok: true }, gep: { ok: true } },
  }) as unknown as SessionSummary;

const rules = catalogue().rules.filter((r) => r.provider === 'alchemy' || r.provider === 'gep');
const gep = rules.filter((r) => r.provider === 'gep');
const [FAIL, FLAKY, ERROR, SKIP, WAIVED] = [gep[3]!.id, gep[5]!.id, gep[7]!.id, gep[9]!.id, gep[11]!.id];

const evidence = (rule: string, extra: Partial<Evidence> = {}): Evidence => ({
  message: `startDate = 2026-11-28: accepted; expected a refusal`,
  rule,
  expected: 'a refusal, since the rule wants startDate on or after today',
  note: 'startDate = 2026-11-28 (yesterday)',
  sent: { userReqNo: 'u1', startDate: '2026-11-28' },
  received: { success: true, result: { cardNo: '222929******1142' } },
  status: 200,
  at: '2026-11-29T00:00:00.000Z',
  ids: { userReqNo: 'u1' },
  target: 'http://127.0.0.1:1',
  document: 'gep-card-apply.original.txt (rules 00000000)',
  reproduction: "curl -sS -X POST 'http://127.0.0.1:1/api/vas/card/apply' --data-raw 'x=1'",
  call: "card-conformance call gep apply --data '{}'",
  reproductionNote: 'the curl replays the sealed bytes as sent',
  seed: 42,
  path: '0:1:2',
  shrunk: { steps: 2, tries: 5, from: '0' },
  ...extra,
});

/** A report as `run` builds it: every rule passes except the ones given a verdict here. */
function report(seed: number, overrides: Record<string, 'fail' | 'flaky' | 'error' | 'skipped' | 'waived'> = {}): ConformanceReport {
  const f = new Findings();
  for (const r of rules) {
    const v = overrides[r.id];
    if (v === undefined) f.pass(r.id, 3);
    else if (v === 'fail' || v === 'waived') f.fail(r.id, evidence(r.id));
    else if (v === 'flaky') f.flaky(r.id, [evidence(r.id, { message: 'first answer' }), evidence(r.id, { message: 'second answer' })]);
    else if (v === 'error') f.error(r.id, 'the target answered HTTP 502');
    else f.skip(r.id, 'decided in strict schema mode only');
  }
  const rep = buildReport({
    findings: f.list(),
    crashed: [],
    cases: 10,
    requests: 12,
    session: session(seed),
    problems: [],
    startedAt: new Date(Date.UTC(2026, 10, 20 + seed)),
    durationMs: 1234,
    testsMs: 1000,
    providers: ['alchemy', 'gep'],
  });
  // a waiver is applied after the verdicts (R1's gate); here set as the report would carry it
  for (const r of rep.rules)
    if (overrides[r.id] === 'waived')
      Object.assign(r, { verdict: 'waived', waiver: { reason: 'vendor ticket 123', owner: 'team-a', expires: '2027-01-31' } });
  return rep;
}

const single = report(42, { [FAIL]: 'fail', [FLAKY]: 'flaky', [ERROR]: 'error', [SKIP]: 'skipped', [WAIVED]: 'waived' });
const html = renderHtml([single]);

/** The rows of a page: rule id → the verdicts its data attribute carries. */
const rows = (page: string) =>
  new Map(
    [...page.matchAll(/<li class="rule v-(\w+)" data-verdicts="([\w ]+)" data-text="[^"]*" id="rule-([^"]+)">/g)].map((m) => [
      m[3]!,
      m[2]!,
    ]),
  );
/** The detail of one rule's row: from its <li> to the next row. */
const rowOf = (page: string, id: string) => {
  const start = page.indexOf(`id="rule-${id}"`);
  expect(start, id).toBeGreaterThan(0);
  const end = page.indexOf('<li class="rule ', start);
  return page.slice(start, end < 0 ? undefined : end);
};
const chips = (segment: string) =>
  Object.fromEntries([...segment.matchAll(/<span class="chip v-(\w+)" title="\w+">(\d+) \w+<\/span>/g)].map((m) => [m[1]!, Number(m[2])]));
const tally = (verdicts: readonly string[]) => {
  const out: Record<string, number> = {};
  for (const v of verdicts) out[v] = (out[v] ?? 0) + 1;
  return out;
};

describe('single run', () => {
  it('the report has the verdicts this test planted (positive case first)', () => {
    const by = new Map(single.rules.map((r) => [r.id, r.verdict]));
    expect([FAIL, FLAKY, ERROR, SKIP, WAIVED].map((id) => by.get(id))).toEqual(['fail', 'flaky', 'error', 'skipped', 'waived']);
    expect(single.verdict).toBe('fail');
  });

  it('one row per rule, each carrying its verdict, with a text label beside the colour', () => {
    const r = rows(html);
    expect(r.size).toBe(single.rules.length);
    for (const rule of single.rules) {
      expect(r.get(rule.id), rule.id).toBe(rule.verdict);
      expect(rowOf(html, rule.id)).toContain(`<span class="badge v-${rule.verdict}">${rule.verdict.toUpperCase()}</span>`);
      expect(rowOf(html, rule.id)).toContain(`<span class="lvl l-${rule.level}">${rule.level}</span>`);
    }
  });

  it('the header names the verdict, headline, target, seed, documents and counts', () => {
    const header = html.slice(html.indexOf('<header'), html.indexOf('</header>'));
    expect(header).toContain('<div class="big">FAIL</div>');
    expect(header).toContain(esc(single.headline));
    expect(header).toContain('alchemy: embedded mock, gep: embedded mock');
    expect(header).toContain('<code>42</code>');
    for (const [p, v] of Object.entries(single.specVersions)) expect(header).toContain(`${p} <code>${v}</code>`);
    const summary = html.slice(html.indexOf('<p class="summary">'), html.indexOf('</p>', html.indexOf('<p class="summary">')));
    for (const v of ['fail', 'flaky', 'error', 'waived', 'skipped'] as const) expect(summary).toContain(`${v.toUpperCase()}</span> 1`);
    expect(summary).toContain(`PASS</span> ${single.rules.length - 5}`);
  });

  it('rules are grouped provider → operation → field, and each group counts exactly the rows it holds', () => {
    // provider sections and operation groups in the catalogue's order
    const ops = [...new Set(single.rules.map((r) => `${r.provider} · ${r.operation}`))];
    expect([...html.matchAll(/<h3>([^<]+)<\/h3>/g)].map((m) => m[1])).toEqual(ops);
    expect([...html.matchAll(/<section class="group provider"><h2>(\w+) /g)].map((m) => m[1])).toEqual(['alchemy', 'gep']);
    // each field group's chips equal the rows that follow it, and those rows are that field's rules
    const segments = html.split('<div class="group field">').slice(1);
    let seen = 0;
    for (const seg of segments) {
      const field = /^<h4><code>([^<]+)<\/code>/.exec(seg)![1]!;
      const ids = [...rows(seg).keys()];
      expect(ids.length).toBeGreaterThan(0);
      const want = single.rules.filter((r) => ids.includes(r.id));
      expect(new Set(want.map((r) => r.field))).toEqual(new Set([field.replace(/&#39;/g, "'")]));
      expect(chips(seg.slice(0, seg.indexOf('</h4>')))).toEqual(tally(want.map((r) => r.verdict)));
      seen += ids.length;
    }
    expect(seen).toBe(single.rules.length);
    // each operation's and provider's chips equal the report's counts for it
    for (const op of ops) {
      const at = html.indexOf(`<h3>${op}</h3>`);
      const want = single.rules.filter((r) => `${r.provider} · ${r.operation}` === op).map((r) => r.verdict);
      expect(chips(html.slice(at, html.indexOf('</summary>', at))), op).toEqual(tally(want));
    }
    const gepHead = html.slice(html.indexOf('<h2>gep '), html.indexOf('</h2>', html.indexOf('<h2>gep ')));
    expect(chips(gepHead)).toEqual(tally(single.rules.filter((r) => r.provider === 'gep').map((r) => r.verdict)));
  });

  it('a failure expands to its quoted source, expected vs received, the shrunk request, the curl, seed and path, and the replay line', () => {
    const row = rowOf(html, FAIL);
    const rule = single.rules.find((r) => r.id === FAIL)!;
    expect(row).toContain('<details class="problem">');
    expect(row).toContain(`<blockquote class="src"><span class="k">source</span> ${esc(rule.source)}</blockquote>`);
    expect(row).toContain('<span class="k">expected</span> a refusal, since the rule wants startDate on or after today');
    expect(row).toContain(esc(JSON.stringify({ success: true, result: { cardNo: '222929******1142' } }, null, 2)));
    expect(row).toContain('request sent — the smallest failing case, 2 shrinking step(s) from path 0 (5 tries)');
    expect(row).toContain(esc(JSON.stringify({ userReqNo: 'u1', startDate: '2026-11-28' }, null, 2)));
    expect(row).toContain(esc("curl -sS -X POST 'http://127.0.0.1:1/api/vas/card/apply' --data-raw 'x=1'"));
    expect(row).toContain('seed <code>42</code> · path <code>0:1:2</code>');
    expect(row).toContain(`card-conformance replay conformance.json ${FAIL}`);
    expect(row).toContain(`card-conformance run --provider gep --seed 42 --runs 7 --deviate gep-accepts-past-start-date`);
    // the files the runs came from name the replay line
    expect(renderHtml([single], { files: ['reports/mon/conformance.json'] })).toContain(
      `card-conformance replay reports/mon/conformance.json ${FAIL}`,
    );
  });

  it('flaky shows both answers, an error its reason, a skipped rule its reason, a waived one its waiver', () => {
    expect(rowOf(html, FLAKY)).toContain('first answer');
    expect(rowOf(html, FLAKY)).toContain('second answer');
    expect(rowOf(html, FLAKY)).toContain('the same request was answered differently twice');
    expect(rowOf(html, ERROR)).toContain('the target answered HTTP 502');
    expect(rowOf(html, SKIP)).toContain('<span class="why">skipped: decided in strict schema mode only</span>');
    expect(rowOf(html, WAIVED)).toContain('waived: vendor ticket 123 (team-a, until 2027-01-31)');
    expect(rowOf(html, WAIVED)).toContain(
      '<p class="waiver"><span class="k">waived</span> vendor ticket 123 — owner team-a, expires 2027-01-31</p>',
    );
    // a pass has no problem detail and no replay line
    const pass = single.rules.find((r) => r.verdict === 'pass')!;
    expect(rowOf(html, pass.id)).not.toContain('class="problem"');
    expect(rowOf(html, pass.id)).not.toContain('card-conformance replay');
  });

  it('the rules needing attention are listed first, linking to their rows', () => {
    const nav = html.slice(html.indexOf('<nav class="attention"'), html.indexOf('</nav>'));
    const linked = [...nav.matchAll(/<a href="#rule-([^"]+)">/g)].map((m) => m[1]);
    expect(linked).toEqual([FAIL, FLAKY, ERROR, WAIVED]);
    expect(renderHtml([report(1)])).not.toContain('<nav class="attention"');
  });

  it('the filter box: a search input, one toggle per verdict with its count, the shown counter and the script that reads them', () => {
    expect(html).toContain('<input id="q" type="search"');
    const toggles = [
      ...html.matchAll(/<label class="tog v-(\w+)"><input type="checkbox" data-verdict="(\w+)" checked> (\w+) <b>(\d+)<\/b><\/label>/g),
    ];
    expect(toggles.map((m) => m[2])).toEqual([...VERDICT_ORDER]);
    const n = tally(single.rules.map((r) => r.verdict));
    for (const m of toggles) {
      expect(m[1]).toBe(m[2]);
      expect(m[3]).toBe(m[2]!.toUpperCase());
      expect(Number(m[4])).toBe(n[m[2]!] ?? 0);
    }
    expect(html).toContain(`<span id="shown" aria-live="polite">${single.rules.length} of ${single.rules.length} rules shown</span>`);
    expect(html).toContain("getElementById('q')");
    expect(html).toContain("getAttribute('data-verdicts')");
    expect(html).not.toContain('id="differs"');
  });
});

describe('what the verdict rests on beyond the rules', () => {
  it('the assumptions and the documents’ own disagreements are listed (collapsed), each one', () => {
    expect(single.assumptions.length).toBeGreaterThan(0);
    expect(single.specFindings.length).toBeGreaterThan(0);
    expect(html).toContain(`Assumptions this verdict relies on <span class="muted">${single.assumptions.length}:`);
    for (const a of single.assumptions) expect(html).toContain(`<td>${esc(a.what)}</td><td>${esc(a.choice)}</td><td>${esc(a.origin)}</td>`);
    expect(html).toContain(`${single.specFindings.length} INFO findings, never failures`);
    for (const f of single.specFindings) {
      expect(html).toContain(esc(f.message));
      for (const r of f.rows) expect(html).toContain(`<blockquote class="src">${esc(r)}</blockquote>`);
    }
    expect(html).not.toContain('Pact interactions');
  });

  it('a verify-pacts report lists its interactions, open when one did not pass', () => {
    const page = renderHtml([
      { ...single, pacts: [{ provider: 'gep', description: 'an apply <b>x</b>', verdict: 'fail', failed: [FAIL], reason: 'status 500' }] },
    ]);
    expect(page).toContain('<details class="extra" open><summary><h2>Pact interactions <span class="muted">1, 1 not passed</span>');
    expect(page).toContain(
      `<tr><td><span class="badge v-fail">FAIL</span></td><td>gep</td><td>an apply &lt;b&gt;x&lt;/b&gt;</td><td><code>${FAIL}</code></td><td>status 500</td></tr>`,
    );
  });
});

describe('several runs: the rules × runs matrix', () => {
  const a = report(1, { [FAIL]: 'fail' });
  const b = report(2);
  const c = report(3, { [FLAKY]: 'flaky' });
  // run 3 follows another document version: one rule gone, one new
  const gone = c.rules.findIndex((r) => r.id === ERROR);
  const extra = { ...c.rules[0]!, id: 'gep.apply.newField.required', field: 'newField', operation: 'apply', provider: 'gep' as const };
  c.rules.splice(gone, 1);
  c.rules.push(extra);
  const page = renderHtml([a, b, c], { files: ['a.json', 'b.json', 'c.json'] });
  const trs = [
    ...page.matchAll(
      /<tr class="rule" data-verdicts="([\w ]+)" data-text="[^"]*"( data-differs="1")?>\s*<th scope="row" class="rulecell">.*?<code class="id">([^<]+)<\/code>/g,
    ),
  ];
  const rowHtml = (id: string) => {
    const at = page.indexOf(`<code class="id">${id}</code>`);
    return page.slice(at, page.indexOf('</tr>', at));
  };
  const cells = (id: string) => [...rowHtml(id).matchAll(/<td class="cell v-(\w+)"/g)].map((m) => m[1]);

  it('one column per run, its header naming startedAt, target, seed and verdict', () => {
    const heads = [...page.matchAll(/<th class="run r-(\w+)" scope="col">(.*?)<\/th>/gs)];
    expect(heads.map((m) => m[1])).toEqual([a.verdict, b.verdict, c.verdict]);
    [a, b, c].forEach((run, i) => {
      const h = heads[i]![2]!;
      expect(h).toContain(`run ${i + 1} · <span class="rv">${run.verdict.toUpperCase()}</span>`);
      expect(h).toContain(run.startedAt);
      expect(h).toContain(`seed <code>${run.seed}</code>`);
      expect(h).toContain('alchemy: embedded mock, gep: embedded mock');
      expect(h).toContain(['a.json', 'b.json', 'c.json'][i]);
    });
    expect(a.verdict).toBe('fail');
    expect(b.verdict).toBe('pass');
  });

  it('the rows are the union of the runs’ rules, each with one cell per run; "—" where a run lacks the rule', () => {
    const union = new Set([...a.rules, ...b.rules, ...c.rules].map((r) => r.id));
    expect(trs.length).toBe(union.size);
    expect(new Set(trs.map((m) => m[3]))).toEqual(union);
    expect(cells(FAIL)).toEqual(['fail', 'pass', 'pass']);
    expect(cells(FLAKY)).toEqual(['pass', 'pass', 'flaky']);
    expect(cells(ERROR)).toEqual(['pass', 'pass', 'missing']);
    expect(cells(extra.id)).toEqual(['missing', 'missing', 'pass']);
    expect(rowHtml(ERROR)).toContain('<td class="cell v-missing" title="this run has no such rule">—</td>');
    // every row has as many cells as there are runs
    for (const m of trs) expect(cells(m[3]!).length, m[3]).toBe(3);
  });

  it('a cell expands to that run’s evidence; rows that differ between runs are marked for the filter', () => {
    const failCell = rowHtml(FAIL).slice(rowHtml(FAIL).indexOf('<td class="cell v-fail">'));
    expect(failCell).toMatch(/^<td class="cell v-fail"><details><summary>FAIL <small>1<\/small><\/summary>/);
    expect(failCell).toContain('card-conformance replay a.json');
    expect(failCell).toContain('seed <code>42</code>');
    const differs = new Map(trs.map((m) => [m[3]!, m[2] !== undefined]));
    expect(differs.get(FAIL)).toBe(true);
    expect(differs.get(ERROR)).toBe(true);
    expect(differs.get(rules.find((r) => ![FAIL, FLAKY, ERROR].includes(r.id))!.id)).toBe(false);
    expect(trs.find((m) => m[3] === FAIL)![1]).toBe('fail pass');
    expect(page).toContain('<input type="checkbox" id="differs">');
    expect(page).toContain(`${union().size} of ${union().size} rules shown`);
    function union() {
      return new Set([...a.rules, ...b.rules, ...c.rules].map((r) => r.id));
    }
  });

  it('groups rows by provider · operation with a header row each', () => {
    expect([...page.matchAll(/<tr class="gh"><th colspan="5" scope="rowgroup">([^<]+) </g)].map((m) => m[1])).toEqual([
      ...new Set(a.rules.map((r) => `${r.provider} · ${r.operation}`)),
    ]);
  });
});

describe('escaping and self-containment', () => {
  const attack = '<script>alert(1)</script><img src=x onerror=alert(2)>" onmouseover="alert(3)\' x=\'';
  const evil = report(5, { [FAIL]: 'fail', [SKIP]: 'skipped' });
  const fail = evil.rules.find((r) => r.id === FAIL)!;
  fail.title = attack;
  fail.source = attack;
  fail.evidence = [
    evidence(FAIL, {
      message: attack,
      expected: attack,
      note: attack,
      sent: { x: attack },
      received: attack,
      reproduction: attack,
      call: attack,
      path: attack,
      ids: { [attack]: attack },
      target: attack,
    }),
  ];
  evil.rules.find((r) => r.id === SKIP)!.reason = attack;
  evil.headline = attack;
  evil.problems = [attack];
  evil.deviations = [attack];
  const pages = [
    renderHtml([evil], { title: attack, files: [attack] }),
    renderHtml([evil, report(6)], { title: attack, files: [attack, attack] }),
  ];

  it.each([0, 1])('page %i: every planted string is shown as text, none became markup', (i) => {
    const page = pages[i]!;
    // positive: the text is on the page, escaped
    expect(page).toContain(esc(attack));
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // negative: no tag, attribute or event handler came through. Escaped text holds no '<' and no '"', so
    // every tag of the page is one the renderer wrote: none is an img, and none has an on* attribute
    const tags = [...page.matchAll(/<([a-zA-Z][\w-]*)((?:\s+[\w-]+(?:="[^"]*")?)*)\s*>/g)];
    expect(tags.length).toBeGreaterThan(1000);
    expect(page.replace(/<([a-zA-Z][\w-]*)((?:\s+[\w-]+(?:="[^"]*")?)*)\s*>/g, '').match(/<[a-zA-Z]/g)).toBeNull();
    expect(new Set(tags.map((t) => t[1]!.toLowerCase())).has('img')).toBe(false);
    const attributes = tags.flatMap((t) => [...t[2]!.replace(/="[^"]*"/g, '').matchAll(/\s+([\w-]+)/g)].map((m) => m[1]!.toLowerCase()));
    expect(attributes).toContain('data-text');
    expect(attributes.filter((a) => a.startsWith('on'))).toEqual([]);
    expect(page).not.toContain('<script>alert');
    expect(page.match(/<script>/g)).toHaveLength(1);
    expect(page.match(/<\/script>/g)).toHaveLength(1);
  });

  it('esc covers the five characters that can open markup or close an attribute', () => {
    expect(esc(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('the page names nothing outside itself: a CSP that forbids every fetch, a data: favicon, only in-page links', () => {
    for (const page of [html, ...pages]) {
      expect(page).toContain(
        `<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;; script-src &#39;unsafe-inline&#39;; img-src data:">`,
      );
      expect(page).toContain('<link rel="icon" href="data:,">');
      const refs = [...page.matchAll(/\s(src|href|srcset|action|formaction|poster|background)\s*=\s*"([^"]*)"/gi)].map((m) => m[2]!);
      expect(refs.length).toBeGreaterThan(0);
      for (const ref of refs) expect(ref, ref).toMatch(/^(data:|#)/);
      expect(page).not.toMatch(/url\(|@import|<link rel="stylesheet"|<iframe|<object|<embed/i);
    }
  });
});

describe('caps: the page stays small', () => {
  it(`at most ${MAX_EVIDENCE} cases per rule, and each value at most ${MAX_SHOWN} characters with a pointer to the JSON`, () => {
    const rep = report(7, { [FAIL]: 'fail' });
    const rule = rep.rules.find((r) => r.id === FAIL)!;
    rule.evidence = Array.from({ length: MAX_EVIDENCE + 4 }, (_, i) =>
      evidence(FAIL, { message: `case number ${i}`, received: 'y'.repeat(50_000) }),
    );
    const page = renderHtml([rep]);
    const row = rowOf(page, FAIL);
    expect(row).toContain(`case number ${MAX_EVIDENCE - 1}`);
    expect(row).not.toContain(`case number ${MAX_EVIDENCE}<`);
    expect(row).toContain(`4 more case(s) in the JSON report`);
    expect(row).toContain(`${'y'.repeat(MAX_SHOWN)}… (${50_000 - MAX_SHOWN} more characters in the JSON report)`);
    expect(row).not.toContain('y'.repeat(MAX_SHOWN + 1));
  });
});
