/**
 * The HTML report: one self-contained page a person reads at a glance. Inline CSS and JS only, and a
 * Content-Security-Policy that forbids every fetch (no font, image, script or favicon from anywhere), so
 * the page opens the same from a CI artefact, a mail attachment or a machine without a network.
 *
 * One run: the run's verdict, headline, target, seed and counts, then every rule grouped provider →
 * operation → field with its level and verdict (colour and a text label), counts per group, a filter box
 * (text and verdict toggles), and each rule expandable to its quoted source and evidence: expected vs
 * received, the (shrunk) request, the redacted curl, the seed and path, and the replay line.
 * Several runs: an Autobahn-style matrix, rules × runs, one column per run, each cell expandable to that
 * run's evidence; the rows are the union of the runs' rules ("—" where a run has no such rule).
 *
 * Everything from a report is escaped (`esc`): evidence is the provider's text and must never become markup.
 * The page holds no data as script: the filter reads the rows' data attributes.
 */
import { type Evidence, MAX_EVIDENCE } from '../conformance/findings.ts';
import type { ConformanceReport, ReportVerdict, RuleResult } from './conformance.ts';

export interface HtmlOptions {
  title?: string;
  /** The report files the runs came from, in the same order (for the replay line); default conformance.json. */
  files?: string[];
}

/** Verdicts in the order a reader wants them: the problems first. */
export const VERDICT_ORDER: readonly ReportVerdict[] = ['fail', 'flaky', 'error', 'waived', 'skipped', 'pass'];
const LABEL: Record<ReportVerdict, string> = {
  fail: 'FAIL',
  flaky: 'FLAKY',
  error: 'ERROR',
  waived: 'WAIVED',
  skipped: 'SKIPPED',
  pass: 'PASS',
};
const RUN_LABEL: Record<ConformanceReport['verdict'], string> = { pass: 'PASS', fail: 'FAIL', error: 'ERROR' };
/** The longest text shown for one value of the evidence (a request, an answer, a curl); the JSON report has it whole. */
export const MAX_SHOWN = 4000;

/** Text as HTML text or a double-quoted attribute value: nothing in it can open a tag or close an attribute. */
export function esc(value: unknown): string {
  return String(value).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c as '&' | '<' | '>' | '"' | "'"],
  );
}

const capped = (text: string): string =>
  text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}… (${text.length - MAX_SHOWN} more characters in the JSON report)` : text;
const shown = (v: unknown): string => capped(typeof v === 'string' ? v : (JSON.stringify(v, null, 2) ?? String(v)));
const pre = (v: unknown, cls = ''): string => `<pre${cls ? ` class="${cls}"` : ''}>${esc(shown(v))}</pre>`;
const badge = (v: ReportVerdict): string => `<span class="badge v-${v}">${LABEL[v]}</span>`;
const level = (l: string): string => `<span class="lvl l-${esc(l)}">${esc(l)}</span>`;

/** Counts of each verdict, problems first, as chips (empty verdicts left out unless `all`). */
function counts(rules: readonly { verdict: ReportVerdict }[], all = false): string {
  const n = countOf(rules);
  return `<span class="counts">${VERDICT_ORDER.filter((v) => all || n[v] > 0)
    .map((v) => `<span class="chip v-${v}" title="${LABEL[v]}">${n[v]} ${v}</span>`)
    .join('')}</span>`;
}
function countOf(rules: readonly { verdict: ReportVerdict }[]): Record<ReportVerdict, number> {
  const n = Object.fromEntries(VERDICT_ORDER.map((v) => [v, 0])) as Record<ReportVerdict, number>;
  for (const r of rules) n[r.verdict]++;
  return n;
}

/** `first → [items]` preserving first appearance. */
function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const t of items) {
    const k = key(t);
    const list = out.get(k);
    if (list) list.push(t);
    else out.set(k, [t]);
  }
  return out;
}

const targetText = (run: ConformanceReport): string =>
  Object.entries(run.target)
    .map(([p, t]) => {
      const kind = (t as { kind?: string }).kind;
      return `${p}: ${t.embedded ? 'embedded mock' : t.url}${kind && kind !== 'mock' ? ` (${kind})` : ''}`;
    })
    .join(', ') || 'none (the run did not start)';

/** What a rule's row carries for the filter: its id, title, field, level and the evidence's first line, lower-cased. */
const filterText = (r: RuleResult): string =>
  [r.id, r.title, r.provider, r.operation, r.field, r.level, r.evidence[0]?.message ?? r.reason ?? ''].join(' ').toLowerCase();

function evidenceItem(e: Evidence, i: number, n: number): string {
  const facts: [string, string][] = [];
  if (e.note) facts.push(['case', esc(e.note)]);
  if (e.status !== undefined) facts.push(['HTTP status', esc(e.status)]);
  if (e.at) facts.push(['at', esc(e.at)]);
  if (e.target) facts.push(['target', esc(e.target)]);
  if (e.ids && Object.keys(e.ids).length)
    facts.push([
      'provider ids',
      Object.entries(e.ids)
        .map(([k, v]) => `${esc(k)} <code>${esc(v)}</code>`)
        .join(', '),
    ]);
  if (e.document) facts.push(['document', esc(e.document)]);
  const sentHeading = e.shrunk
    ? `request sent — the smallest failing case, ${esc(e.shrunk.steps)} shrinking step(s) from path ${esc(e.shrunk.from)} (${esc(e.shrunk.tries)} tries)`
    : 'request sent';
  const replay =
    e.seed !== undefined
      ? `<p class="replay">seed <code>${esc(e.seed)}</code>${e.path ? ` · path <code>${esc(e.path)}</code>` : ''}</p>`
      : '';
  return `<article class="case">
<h5>case ${i + 1} of ${n}</h5>
<p class="msg">${esc(e.message)}</p>
${e.expected ? `<div class="exp"><span class="k">expected</span> ${esc(e.expected)}</div>` : ''}
${facts.length ? `<dl class="facts">${facts.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>` : ''}
<div class="pair">
<div><h6>${sentHeading}</h6>${e.sent !== undefined ? pre(e.sent) : '<p class="muted">not recorded</p>'}</div>
<div><h6>received</h6>${e.received !== undefined ? pre(e.received) : '<p class="muted">not recorded</p>'}</div>
</div>
${e.reproduction ? `<h6>reproduce (redacted curl)</h6>${pre(e.reproduction, 'cmd')}` : ''}
${e.reproductionNote ? `<p class="muted">${esc(e.reproductionNote)}</p>` : ''}
${e.call ? `<h6>the same request, signed or sealed again with your key</h6>${pre(e.call, 'cmd')}` : ''}
${replay}
</article>`;
}

/** A rule's detail: quoted source, reason or waiver, its evidence (capped) and the lines that replay it. */
function ruleDetail(r: RuleResult, run: ConformanceReport, file: string): string {
  const list = r.evidence.slice(0, MAX_EVIDENCE);
  const failed = PROBLEMS.includes(r.verdict);
  const replay = failed
    ? `<h6>replay</h6><pre class="cmd">${esc(`card-conformance replay ${file} ${r.id}`)}\n${esc(
        `card-conformance run --provider ${r.provider} --seed ${run.seed} --runs ${run.runs}${run.deviations.map((d) => ` --deviate ${d}`).join('')}`,
      )}</pre>`
    : '';
  return `<blockquote class="src"><span class="k">source</span> ${esc(r.source)}</blockquote>
<p class="muted">${esc(r.checks)} check(s) decided it${r.evidence.length > list.length ? `; ${r.evidence.length - list.length} more case(s) in the JSON report` : ''}</p>
${r.waiver ? `<p class="waiver"><span class="k">waived</span> ${esc(r.waiver.reason)} — owner ${esc(r.waiver.owner)}, expires ${esc(r.waiver.expires)}</p>` : ''}
${r.reason ? `<p class="reason"><span class="k">${r.verdict === 'skipped' ? 'why skipped' : 'reason'}</span> ${esc(r.reason)}</p>` : ''}
${list.map((e, i) => evidenceItem(e, i, list.length)).join('\n')}
${replay}`;
}

function ruleRow(r: RuleResult, run: ConformanceReport, file: string): string {
  const open = PROBLEMS.includes(r.verdict);
  const note =
    r.verdict === 'skipped' && r.reason
      ? `<span class="why">skipped: ${esc(r.reason)}</span>`
      : r.verdict === 'waived' && r.waiver
        ? `<span class="why">waived: ${esc(r.waiver.reason)} (${esc(r.waiver.owner)}, until ${esc(r.waiver.expires)})</span>`
        : open && (r.evidence[0]?.message ?? r.reason)
          ? `<span class="why">${esc(r.evidence[0]?.message ?? r.reason)}</span>`
          : '';
  return `<li class="rule v-${r.verdict}" data-verdicts="${r.verdict}" data-text="${esc(filterText(r))}" id="${esc(`rule-${r.id}`)}">
<details${open ? ' class="problem"' : ''}><summary>${badge(r.verdict)}${level(r.level)}<code class="id">${esc(r.id)}</code><span class="title">${esc(r.title)}</span>${note}</summary>
<div class="detail">${ruleDetail(r, run, file)}</div></details></li>`;
}

const toolbar = (rules: readonly { verdict: ReportVerdict }[], total: number, matrix: boolean): string => {
  const n = countOf(rules);
  return `<div class="toolbar" role="search">
<input id="q" type="search" placeholder="filter: rule id, title, field, message…" aria-label="filter rules" autocomplete="off">
<span class="toggles" role="group" aria-label="verdicts shown">${VERDICT_ORDER.map(
    (v) => `<label class="tog v-${v}"><input type="checkbox" data-verdict="${v}" checked> ${LABEL[v]} <b>${n[v]}</b></label>`,
  ).join('')}</span>
${matrix ? '<label class="tog"><input type="checkbox" id="differs"> only rules that differ between runs</label>' : ''}
<button type="button" id="problems">problems only</button><button type="button" id="everything">show all</button>
<span id="shown" aria-live="polite">${total} of ${total} rules shown</span>
</div>`;
};

const PROBLEMS: readonly ReportVerdict[] = ['fail', 'flaky', 'error', 'waived'];

/** The rules that need a reader, first: each links to its row (an in-page anchor, never a fetch). */
function attention(rules: readonly RuleResult[]): string {
  const list = rules.filter((r) => PROBLEMS.includes(r.verdict)).sort((a, b) => PROBLEMS.indexOf(a.verdict) - PROBLEMS.indexOf(b.verdict));
  if (!list.length) return '';
  const shownList = list.slice(0, 50);
  return `<nav class="attention" aria-label="rules that need attention"><h2>Needs attention ${counts(list)}</h2><ul>${shownList
    .map(
      (r) =>
        `<li>${badge(r.verdict)}${level(r.level)}<a href="#${esc(`rule-${r.id}`)}"><code class="id">${esc(r.id)}</code></a> <span class="muted">${esc(
          r.verdict === 'waived' && r.waiver ? `waived: ${r.waiver.reason}` : (r.evidence[0]?.message ?? r.reason ?? r.title),
        )}</span></li>`,
    )
    .join(
      '',
    )}</ul>${list.length > shownList.length ? `<p class="muted">… and ${list.length - shownList.length} more below</p>` : ''}</nav>`;
}

function singleRun(run: ConformanceReport, file: string): string {
  const n = countOf(run.rules);
  const meta: [string, string][] = [
    ['target', esc(targetText(run))],
    [
      'seed',
      `<code>${esc(run.seed)}</code> · ${esc(run.runs)} random cases per property · ${esc(run.schemaMode)} schemas${
        run.deviations.length ? ` · deviations: ${run.deviations.map((d) => `<code>${esc(d)}</code>`).join(' ')}` : ''
      }`,
    ],
    [
      'documents',
      Object.entries(run.specVersions)
        .map(([p, v]) => `${esc(p)} <code>${esc(v)}</code>`)
        .join(', '),
    ],
    ['started', `${esc(run.startedAt)} · ${esc((run.durationMs / 1000).toFixed(1))} s`],
    ['work', `${esc(run.summary.checks)} checks over ${esc(run.summary.cases)} generated cases (${esc(run.summary.requests)} requests)`],
    [
      'failed by level',
      `MUST ${esc(run.summary.failedMust)} · SHOULD ${esc(run.summary.failedShould)} · INFO ${esc(run.summary.failedInfo)}`,
    ],
  ];
  const control = Object.entries(run.positiveControl ?? {});
  if (control.length)
    meta.push([
      'positive control',
      control.map(([p, c]) => `${esc(p)} ${c.ok ? 'ok' : `<strong>failed</strong>${c.reason ? `: ${esc(c.reason)}` : ''}`}`).join(', '),
    ]);
  const problems = run.problems.length ? `<ul class="problems">${run.problems.map((p) => `<li>${esc(p)}</li>`).join('')}</ul>` : '';
  const body = [...groupBy(run.rules, (r) => r.provider)]
    .map(
      ([provider, pr]) => `<section class="group provider"><h2>${esc(provider)} ${counts(pr)}</h2>
${[...groupBy(pr, (r) => r.operation)]
  .map(
    ([op, or]) => `<details class="group op" open><summary><h3>${esc(provider)} · ${esc(op)}</h3> ${counts(or)}</summary>
${[...groupBy(or, (r) => r.field)]
  .map(
    ([field, fr]) => `<div class="group field"><h4><code>${esc(field)}</code> ${counts(fr)}</h4>
<ul class="rules">${fr.map((r) => ruleRow(r, run, file)).join('\n')}</ul></div>`,
  )
  .join('\n')}</details>`,
  )
  .join('\n')}</section>`,
    )
    .join('\n');
  return `<header class="run r-${run.verdict}">
<div class="big">${RUN_LABEL[run.verdict]}</div>
<div><p class="headline">${esc(run.headline)}</p>
<dl class="meta">${meta.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl></div>
</header>
<p class="summary">${esc(run.summary.rules)} rules: ${VERDICT_ORDER.filter((v) => n[v] > 0)
    .map((v) => `${badge(v)} ${n[v]}`)
    .join(' ')}</p>
${problems}
${attention(run.rules)}
${toolbar(run.rules, run.rules.length, false)}
<main>${body}</main>
${extras(run)}`;
}

/** What the verdict rests on beyond the rules: assumptions, the documents' own disagreements, pact interactions. */
function extras(run: ConformanceReport): string {
  const out: string[] = [];
  const pacts = run.pacts ?? [];
  if (pacts.length) {
    const failed = pacts.filter((p) => p.verdict !== 'pass').length;
    out.push(`<details class="extra"${failed ? ' open' : ''}><summary><h2>Pact interactions <span class="muted">${pacts.length}, ${failed} not passed</span></h2></summary>
<table class="plain"><thead><tr><th>verdict</th><th>provider</th><th>interaction</th><th>rules it failed</th><th>reason</th></tr></thead><tbody>${pacts
      .map(
        (p) =>
          `<tr><td>${badge(p.verdict)}</td><td>${esc(p.provider)}</td><td>${esc(p.description)}</td><td>${p.failed
            .map((id) => `<code>${esc(id)}</code>`)
            .join(' ')}</td><td>${esc(p.reason ?? '')}</td></tr>`,
      )
      .join('')}</tbody></table></details>`);
  }
  if (run.assumptions.length)
    out.push(`<details class="extra"><summary><h2>Assumptions this verdict relies on <span class="muted">${run.assumptions.length}: facts no public source settles</span></h2></summary>
<table class="plain"><thead><tr><th>provider</th><th>what</th><th>choice</th><th>origin</th></tr></thead><tbody>${run.assumptions
      .map((a) => `<tr><td>${esc(a.provider)}</td><td>${esc(a.what)}</td><td>${esc(a.choice)}</td><td>${esc(a.origin)}</td></tr>`)
      .join('')}</tbody></table></details>`);
  if (run.specFindings.length)
    out.push(`<details class="extra"><summary><h2>Where the documents disagree with themselves <span class="muted">${run.specFindings.length} INFO findings, never failures (lint-spec)</span></h2></summary>
<ul class="findings">${run.specFindings
      .map(
        (f) =>
          `<li><span class="lvl l-INFO">INFO</span> ${esc(f.provider)} ${f.ruleId ? `<code>${esc(f.ruleId)}</code> ` : ''}${esc(f.message)}${f.rows
            .map((r) => `<blockquote class="src">${esc(r)}</blockquote>`)
            .join('')}</li>`,
      )
      .join('')}</ul></details>`);
  return out.join('\n');
}

interface MatrixRow {
  rule: RuleResult;
  cells: (RuleResult | undefined)[];
}

function matrixCell(r: RuleResult | undefined, run: ConformanceReport, file: string): string {
  if (!r) return '<td class="cell v-missing" title="this run has no such rule">—</td>';
  const expandable = r.verdict !== 'pass' || r.evidence.length > 0;
  if (!expandable) return `<td class="cell v-${r.verdict}">${LABEL[r.verdict]} <small>${esc(r.checks)}</small></td>`;
  return `<td class="cell v-${r.verdict}"><details><summary>${LABEL[r.verdict]}${r.evidence.length ? ` <small>${r.evidence.length}</small>` : ''}</summary>
<div class="detail">${ruleDetail(r, run, file)}</div></details></td>`;
}

function matrix(runs: readonly ConformanceReport[], files: readonly string[]): string {
  const rows = new Map<string, MatrixRow>();
  runs.forEach((run, i) => {
    for (const r of run.rules) {
      let row = rows.get(r.id);
      if (!row) {
        row = { rule: r, cells: runs.map(() => undefined) };
        rows.set(r.id, row);
      }
      row.cells[i] = r;
    }
  });
  const all = [...rows.values()];
  const head = runs
    .map(
      (
        run,
        i,
      ) => `<th class="run r-${run.verdict}" scope="col"><div class="runno">run ${i + 1} · <span class="rv">${RUN_LABEL[run.verdict]}</span></div>
<div>${esc(run.startedAt)}</div><div class="muted">${esc(targetText(run))}</div><div class="muted">seed <code>${esc(run.seed)}</code> · ${esc(files[i])}</div>
<div>${counts(run.rules)}</div></th>`,
    )
    .join('');
  const groups = [...groupBy(all, (row) => `${row.rule.provider} · ${row.rule.operation}`)]
    .map(
      ([
        name,
        list,
      ]) => `<tbody class="group"><tr class="gh"><th colspan="${runs.length + 2}" scope="rowgroup">${esc(name)} <span class="muted">${list.length} rules</span></th></tr>
${list
  .map((row) => {
    const verdicts = row.cells.map((c) => c?.verdict ?? 'missing');
    const differs = new Set(verdicts).size > 1;
    return `<tr class="rule" data-verdicts="${[...new Set(verdicts)].join(' ')}" data-text="${esc(filterText(row.rule))}"${differs ? ' data-differs="1"' : ''}>
<th scope="row" class="rulecell">${level(row.rule.level)}<code class="id">${esc(row.rule.id)}</code><div class="title">${esc(row.rule.title)}</div></th>
<td class="field"><code>${esc(row.rule.field)}</code></td>
${row.cells.map((c, i) => matrixCell(c, runs[i]!, files[i]!)).join('')}</tr>`;
  })
  .join('\n')}</tbody>`,
    )
    .join('\n');
  const cellVerdicts = all.flatMap((row) => row.cells.filter((c): c is RuleResult => c !== undefined));
  return `<header class="matrixhead"><p class="headline">${esc(runs.length)} runs side by side: ${esc(all.length)} rules (the union of the runs'), ${esc(
    all.filter((row) => new Set(row.cells.map((c) => c?.verdict ?? 'missing')).size > 1).length,
  )} of them differ between runs</p>
<p class="muted">Each column is one run, oldest first as given; each cell is that run's verdict, expandable to its evidence. — : the run has no such rule.</p></header>
${toolbar(cellVerdicts, all.length, true)}
<main><table class="matrix"><thead><tr><th scope="col" class="rulecell">rule</th><th scope="col">field</th>${head}</tr></thead>
${groups}</table></main>`;
}

const CSS = `
:root{--pass:#1a7f37;--fail:#cf222e;--flaky:#bc4c00;--error:#8250df;--skipped:#6e7781;--waived:#0969da;--missing:#afb8c1;--bg:#fff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--soft:#f6f8fa}
*{box-sizing:border-box}
[hidden]{display:none!important}
body{margin:0;padding:1rem 1.5rem 4rem;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:var(--fg);background:var(--bg)}
h1{font-size:1.3rem;margin:0 0 .75rem}
h2{font-size:1.15rem;margin:1.5rem 0 .5rem;display:flex;gap:.75rem;align-items:center;text-transform:uppercase;letter-spacing:.03em}
h3{display:inline;font-size:1rem;margin:0}
h4{font-size:.9rem;margin:.75rem 0 .25rem;display:flex;gap:.5rem;align-items:center;font-weight:600}
h5{margin:.25rem 0;font-size:.8rem;color:var(--muted);text-transform:uppercase}
h6{margin:.6rem 0 .2rem;font-size:.8rem;color:var(--muted)}
code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace}
pre{background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:.5rem;margin:0;white-space:pre-wrap;word-break:break-all;max-height:24rem;overflow:auto}
pre.cmd{background:#0d1117;color:#e6edf3;border-color:#0d1117}
.muted{color:var(--muted)}
.k{font-weight:600;font-size:.75rem;text-transform:uppercase;color:var(--muted);margin-right:.4rem}
header.run{display:flex;gap:1.25rem;align-items:flex-start;border:1px solid var(--line);border-left:8px solid var(--skipped);border-radius:8px;padding:1rem;margin-bottom:.75rem}
header.r-pass{border-left-color:var(--pass)}header.r-fail{border-left-color:var(--fail)}header.r-error{border-left-color:var(--error)}
.big{font-size:2rem;font-weight:800;min-width:6.5rem;text-align:center;border-radius:8px;padding:.4rem .6rem;color:#fff;background:var(--skipped)}
.r-pass .big{background:var(--pass)}.r-fail .big{background:var(--fail)}.r-error .big{background:var(--error)}
.headline{font-size:1.1rem;font-weight:600;margin:0 0 .5rem}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:0}
dl.meta dt{color:var(--muted)}dl.meta dd{margin:0}
.summary{margin:.5rem 0;display:flex;gap:.4rem;align-items:center;flex-wrap:wrap}
ul.problems{border:1px solid var(--error);border-radius:6px;padding:.5rem 1.5rem;color:var(--error)}
.toolbar{position:sticky;top:0;z-index:3;background:var(--bg);display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;padding:.5rem 0;border-bottom:1px solid var(--line)}
.toolbar input[type=search]{flex:1 1 18rem;padding:.4rem .6rem;font-size:14px;border:1px solid var(--line);border-radius:6px}
.toggles{display:flex;gap:.3rem;flex-wrap:wrap}
.tog{display:inline-flex;gap:.25rem;align-items:center;border:1px solid var(--line);border-radius:999px;padding:.1rem .55rem;font-size:.8rem;cursor:pointer;user-select:none}
.tog b{font-variant-numeric:tabular-nums}
button{font:inherit;font-size:.8rem;border:1px solid var(--line);background:var(--soft);border-radius:6px;padding:.2rem .6rem;cursor:pointer}
#shown{color:var(--muted);font-size:.85rem;margin-left:auto}
.badge{display:inline-block;min-width:4.6rem;text-align:center;font-weight:700;font-size:.72rem;letter-spacing:.04em;border-radius:4px;padding:.1rem .3rem;color:#fff;background:var(--skipped)}
.v-pass .badge,.badge.v-pass{background:var(--pass)}.badge.v-fail{background:var(--fail)}.badge.v-flaky{background:var(--flaky)}.badge.v-error{background:var(--error)}.badge.v-waived{background:var(--waived)}.badge.v-skipped{background:var(--skipped)}
.chip{display:inline-block;font-size:.72rem;font-weight:600;border-radius:999px;padding:0 .5rem;margin-right:.25rem;border:1px solid currentColor;text-transform:none;letter-spacing:0}
.chip.v-pass,.tog.v-pass{color:var(--pass)}.chip.v-fail,.tog.v-fail{color:var(--fail)}.chip.v-flaky,.tog.v-flaky{color:var(--flaky)}.chip.v-error,.tog.v-error{color:var(--error)}.chip.v-waived,.tog.v-waived{color:var(--waived)}.chip.v-skipped,.tog.v-skipped{color:var(--skipped)}
.lvl{display:inline-block;min-width:3.6rem;text-align:center;font-size:.68rem;font-weight:700;border-radius:4px;padding:.05rem .25rem;border:1px solid var(--line);color:var(--muted)}
.l-MUST{color:#9a6700;border-color:#d4a72c}.l-SHOULD{color:#0550ae;border-color:#54aeff}.l-INFO{color:var(--muted)}
details.op{border:1px solid var(--line);border-radius:8px;padding:.25rem .75rem .5rem;margin:.5rem 0}
details.op>summary{cursor:pointer;padding:.35rem 0;display:flex;gap:.75rem;align-items:center}
ul.rules{list-style:none;margin:0;padding:0}
li.rule{border-top:1px solid var(--soft)}
li.rule>details>summary{display:flex;gap:.5rem;align-items:baseline;padding:.2rem .25rem;cursor:pointer;list-style:none;flex-wrap:wrap}
li.rule>details>summary::-webkit-details-marker{display:none}
li.rule>details>summary::before{content:"\\25B8";color:var(--muted);width:.8rem}
li.rule>details[open]>summary::before{content:"\\25BE"}
li.rule.v-fail,li.rule.v-flaky,li.rule.v-error{background:#fff5f5}
li.rule.v-waived{background:#f3f8ff}
code.id{font-weight:600}
.title{color:var(--fg)}
.why{flex-basis:100%;padding-left:11.5rem;color:var(--muted);font-size:.82rem;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.v-fail .why,.v-flaky .why,.v-error .why{color:#82071e}
.detail{padding:.25rem .5rem .75rem 1.3rem}
blockquote.src{margin:.25rem 0;padding:.35rem .75rem;border-left:4px solid var(--line);background:var(--soft)}
article.case{border:1px solid var(--line);border-radius:6px;padding:.5rem .75rem;margin:.5rem 0;background:#fff}
.msg{font-weight:600;margin:.2rem 0}
.exp{margin:.2rem 0;padding:.25rem .5rem;border-left:4px solid var(--pass);background:#f0fff4}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:0 1rem;margin:.35rem 0;font-size:.85rem}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;word-break:break-all}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:.75rem}
.replay{font-size:.85rem;overflow-wrap:anywhere}
.waiver{color:var(--waived)}.reason{margin:.25rem 0}
table.matrix{border-collapse:separate;border-spacing:0;width:100%;margin-top:.5rem}
table.matrix th,table.matrix td{border-bottom:1px solid var(--line);padding:.25rem .4rem;vertical-align:top;text-align:left}
table.matrix thead th{background:var(--bg);border-bottom:2px solid var(--fg);font-weight:400;font-size:.8rem}
th.run{border-top:6px solid var(--skipped);min-width:11rem;overflow-wrap:anywhere}th.r-pass{border-top-color:var(--pass)}th.r-fail{border-top-color:var(--fail)}th.r-error{border-top-color:var(--error)}
.runno{font-weight:700}.r-pass .rv{color:var(--pass)}.r-fail .rv{color:var(--fail)}.r-error .rv{color:var(--error)}
tr.gh th{background:var(--soft);font-size:.95rem;padding:.4rem}
th.rulecell{font-weight:400;min-width:22rem;max-width:34rem}
th.rulecell .lvl{margin-right:.4rem}
th.rulecell .title{font-size:.82rem;color:var(--muted)}
td.field{font-size:.8rem;min-width:9rem;max-width:14rem;overflow-wrap:anywhere}
td.cell{font-weight:700;font-size:.78rem;letter-spacing:.03em;color:#fff;background:var(--skipped);min-width:6rem}
td.cell small{font-weight:400;opacity:.85}
td.cell.v-pass{background:var(--pass)}td.cell.v-fail{background:var(--fail)}td.cell.v-flaky{background:var(--flaky)}td.cell.v-error{background:var(--error)}td.cell.v-waived{background:var(--waived)}td.cell.v-missing{background:#eaeef2;color:var(--muted);text-align:center}
td.cell summary{cursor:pointer}
td.cell details[open]{color:var(--fg);font-weight:400;letter-spacing:0;font-size:14px}
td.cell details[open]>summary{color:#fff;font-weight:700;font-size:.78rem}
td.cell details[open]>.detail{background:#fff;border-radius:6px;padding:.5rem;margin-top:.3rem;width:min(55vw,44rem)}
nav.attention{border:1px solid var(--fail);border-radius:8px;padding:.25rem 1rem .5rem;margin:.5rem 0}
nav.attention h2{margin:.5rem 0;font-size:1rem}
nav.attention ul{list-style:none;margin:0;padding:0}
nav.attention li{display:flex;gap:.5rem;align-items:baseline;padding:.15rem 0;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
nav.attention li .muted{overflow:hidden;text-overflow:ellipsis}
li.rule:target{outline:2px solid var(--waived)}
details.extra{margin:1rem 0 0}
details.extra>summary{cursor:pointer}
details.extra>summary h2{display:inline-flex;font-size:1rem;text-transform:none;letter-spacing:0;margin:.5rem 0}
table.plain{border-collapse:collapse;width:100%;font-size:.85rem}
table.plain th,table.plain td{border-bottom:1px solid var(--line);padding:.25rem .5rem;text-align:left;vertical-align:top}
ul.findings{list-style:none;padding:0}
ul.findings li{margin:.5rem 0}
footer{margin-top:2rem;color:var(--muted);font-size:.8rem}
@media (max-width:800px){.pair{grid-template-columns:1fr}.why{padding-left:0}}
`;

/** The filter: text (every word must match) and verdict toggles; groups with no shown rule hide too. */
const JS = `
(function(){
  var q=document.getElementById('q'),shown=document.getElementById('shown'),differs=document.getElementById('differs');
  var boxes=Array.prototype.slice.call(document.querySelectorAll('input[data-verdict]'));
  var rules=Array.prototype.slice.call(document.querySelectorAll('.rule'));
  var groups=Array.prototype.slice.call(document.querySelectorAll('.group')).reverse();
  function apply(){
    var words=q.value.toLowerCase().split(/\\s+/).filter(Boolean),on={},n=0;
    boxes.forEach(function(b){on[b.getAttribute('data-verdict')]=b.checked;});
    rules.forEach(function(r){
      var text=r.getAttribute('data-text');
      var ok=words.every(function(w){return text.indexOf(w)>=0;})&&r.getAttribute('data-verdicts').split(' ').some(function(v){return on[v];})&&(!differs||!differs.checked||r.hasAttribute('data-differs'));
      r.hidden=!ok;if(ok)n++;
    });
    groups.forEach(function(g){g.hidden=!g.querySelector('.rule:not([hidden])');});
    shown.textContent=n+' of '+rules.length+' rules shown';
  }
  function only(list){boxes.forEach(function(b){b.checked=list.indexOf(b.getAttribute('data-verdict'))>=0;});apply();}
  q.addEventListener('input',apply);
  boxes.forEach(function(b){b.addEventListener('change',apply);});
  if(differs)differs.addEventListener('change',apply);
  document.getElementById('problems').addEventListener('click',function(){only(${JSON.stringify(PROBLEMS)});});
  document.getElementById('everything').addEventListener('click',function(){q.value='';if(differs)differs.checked=false;only(${JSON.stringify(VERDICT_ORDER)});});
  function reveal(){var el=location.hash&&document.getElementById(decodeURIComponent(location.hash.slice(1)));if(el){var d=el.querySelector('details');if(d)d.open=true;}}
  window.addEventListener('hashchange',reveal);
  apply();reveal();
})();
`;

const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

/** One self-contained page: the single-run view for one report, the rules × runs matrix for several. */
export function renderHtml(runs: ConformanceReport[], opts?: HtmlOptions): string {
  const files = runs.map((_, i) => opts?.files?.[i] ?? 'conformance.json');
  const title =
    opts?.title ??
    (runs.length === 1
      ? `card-conformance: ${RUN_LABEL[runs[0]!.verdict]} — ${runs[0]!.startedAt}`
      : `card-conformance: ${runs.length} runs side by side`);
  const body =
    runs.length === 0
      ? '<p class="headline">No runs were given.</p>'
      : runs.length === 1
        ? singleRun(runs[0]!, files[0]!)
        : matrix(runs, files);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${esc(title)}</h1>
${body}
<footer>card-conformance report${runs.length ? ` · report schema ${esc(runs[0]!.schemaVersion ?? 1)}` : ''} · this page fetches nothing: the evidence is redacted as in the JSON report.</footer>
${runs.length ? `<script>${JS}</script>` : ''}
</body>
</html>
`;
}
