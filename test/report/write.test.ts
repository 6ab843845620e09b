/**
 * The four report files from one report: written whole into the directory (no temporary file left), the
 * JSON read back by the exported schema, the JUnit file counted and valid against the common XSD with
 * hostile text in it, the Markdown cut under GitHub's 1 MiB with a pointer, the step summary appended,
 * every file redacted; and `readReportFile`'s one-line errors.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Evidence, Finding } from '../../src/conformance/findings.ts';
import { xmlEscape } from '../../src/report/junit.ts';
import { renderMarkdown, STEP_SUMMARY_LIMIT } from '../../src/report/markdown.ts';
import { conformanceReportSchema, readReportFile } from '../../src/report/schema.ts';
import { REPORT_FILES, writeReports } from '../../src/report/write.ts';
import { catalogue } from '../../src/spec/catalogue.ts';
import { maskPan, withCheckDigit } from '../../src/wire/luhn.ts';
import { HAS_XMLLINT, validateJunit, XMLLINT_MISSING, xpath } from '../helpers/xmllint.ts';
import { failing, passAll, report, ruleIds, usageLine } from './sample.ts';

const tmp = (name: string) => mkdtempSync(join(tmpdir(), `cc-${name}-`));
const SECRET = 'canary-write-secret-91';
const PAN = withCheckDigit('438357123456789');
const HOSTILE = `quote " apostrophe ' end ]]> tag <b> & amp \u0001 bell \u0007 esc \u001b nul \u0000 ffff \uFFFF lone \uD800 done`;

const [MUST_A, MUST_B, MUST_C, MUST_D] = ruleIds('alchemy', 'MUST', 4);
const [SHOULD] = ruleIds('gep', 'SHOULD');
const [INFO] = ruleIds('gep', 'INFO');
const hostile: Evidence = {
  message: `broken: ${HOSTILE}`,
  expected: 'a "quoted" answer',
  received: { msg: HOSTILE, cardNo: PAN, note: `key ${SECRET}` },
  reproduction: `curl -sS -X POST 'http://127.0.0.1:9/open/api/card/create' --data-raw '{"a":"]]>"}'`,
  seed: 7,
  path: '3:1:0',
};

/** One rule in each verdict: pass, fail (hostile evidence), flaky, error, skipped, waived, and an INFO failure. */
const everyVerdict = () =>
  report(
    [
      ...passAll().filter((f) => f.ruleId !== MUST_D),
      failing(MUST_A!, [hostile]),
      {
        ruleId: SHOULD!,
        verdict: 'flaky',
        checks: 1,
        evidence: [{ message: 'first 1' }, { message: 'then 2' }],
        reason: 'answered differently',
      },
      { ruleId: MUST_B!, verdict: 'error', checks: 0, evidence: [], reason: `the suite crashed: ${HOSTILE}` },
      failing(MUST_C!),
      failing(INFO!),
    ] as Finding[],
    {
      gate: {
        failOn: 'should',
        waivers: [{ rule: MUST_C!, reason: 'vendor ticket "VC-12" <open>', owner: 'cards', expires: '2026-12-31' }],
      },
    },
  );

describe('writeReports', () => {
  const dir = tmp('write');
  const rep = everyVerdict();
  const paths = writeReports(dir, rep, [SECRET], [], {});
  const text = Object.fromEntries(Object.entries(REPORT_FILES).map(([k, f]) => [k, readFileSync(join(dir, f), 'utf8')]));

  it('writes the four report files and cards.json, nothing else (no temporary file left), returning their paths', () => {
    expect(readdirSync(dir).sort()).toEqual(['cards.json', 'conformance.html', 'conformance.json', 'conformance.md', 'junit.xml']);
    expect(paths).toEqual({
      json: join(dir, 'conformance.json'),
      junit: join(dir, 'junit.xml'),
      markdown: join(dir, 'conformance.md'),
      html: join(dir, 'conformance.html'),
      cards: join(dir, 'cards.json'),
    });
    expect(rep.rules.map((r) => r.verdict)).toEqual(expect.arrayContaining(['pass', 'fail', 'flaky', 'error', 'skipped', 'waived']));
  });

  it('the JSON parses with the exported schema, every verdict and the gate included', () => {
    const back = readReportFile(paths.json);
    expect(back).toEqual(JSON.parse(text['json']!));
    expect(back.schemaVersion).toBe(1);
    expect(back.gate).toEqual({ failOn: 'should' });
    expect(back.waivers.applied).toEqual([MUST_C]);
    const rule = back.rules.find((r) => r.id === MUST_A)!;
    const cat = catalogue().rules.find((r) => r.id === MUST_A)!;
    expect([rule.operation, rule.field]).toEqual([cat.operation, cat.field]);
    expect(conformanceReportSchema.safeParse(rep).success).toBe(true);
  });

  it('no configured secret and no whole card number in any file; the card shows masked', () => {
    for (const [k, t] of Object.entries(text)) {
      expect(t.includes(SECRET), k).toBe(false);
      expect(t.includes(PAN), k).toBe(false);
    }
    expect(text['json']).toContain(maskPan(PAN));
    expect(text['junit']).toContain(maskPan(PAN));
    expect(text['markdown']).toContain(maskPan(PAN));
  });

  it('junit.xml: one testcase per rule, classname provider.operation, name id and title, counts that add up', () => {
    const xml = text['junit']!;
    const cases = [...xml.matchAll(/<testcase classname="([^"]+)" name="([^"]+)"/g)];
    expect(cases).toHaveLength(rep.rules.length);
    const a = rep.rules.find((r) => r.id === MUST_A)!;
    expect(xml).toContain(`<testcase classname="alchemy.${a.operation}" name="${xmlEscape(`${a.id} ${a.title}`, true)}">`);
    const count = (tag: string) => (xml.match(new RegExp(`<${tag}[ >/]`, 'g')) ?? []).length;
    // fail and flaky fail the gate: failures; the MUST error: an error; skipped, waived and the INFO failure: skipped
    const skipped = rep.rules.filter((r) => r.verdict === 'skipped').length + 2;
    expect([count('failure'), count('error'), count('skipped')]).toEqual([2, 1, skipped]);
    expect(xml).toMatch(new RegExp(`<testsuites name="card-conformance" tests="${rep.rules.length}" failures="2" errors="1"`));
    for (const p of ['alchemy', 'gep'] as const) {
      const n = rep.rules.filter((r) => r.provider === p).length;
      expect(xml).toMatch(
        new RegExp(`<testsuite name="${p}" tests="${n}" failures="1" errors="${p === 'alchemy' ? 1 : 0}" skipped="\\d+"`),
      );
    }
    // the waiver's reason is the skip message; the INFO failure says why it does not fail
    expect(xml).toContain('type="waived" message="waived until 2026-12-31 by cards: vendor ticket &quot;VC-12&quot; &lt;open&gt;"');
    expect(xml).toMatch(/type="fail" message="INFO fail, not failing the gate \(--fail-on should\)/);
  });

  it('junit.xml escapes markup, quotes, ]]> and characters XML cannot carry', () => {
    expect(xmlEscape('a < b & c > d ]]> "q" \'s\'', true)).toBe('a &lt; b &amp; c &gt; d ]]&gt; &quot;q&quot; &apos;s&apos;');
    expect(xmlEscape('line\nnext\ttab', true)).toBe('line&#10;next&#9;tab');
    expect(xmlEscape('line\nnext', false)).toBe('line\nnext');
    expect(xmlEscape('\u0000\u0001\u001b\uFFFE\uD800x\uDC00')).toBe('\\u0000\\u0001\\u001b\\ufffe\\ud800x\\udc00');
    // a surrogate pair is a character XML carries
    expect(xmlEscape('😀')).toBe('😀');
    expect(text['junit']).not.toContain(']]>');
    expect(text['junit']).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/);
  });

  it.skipIf(!HAS_XMLLINT)(`junit.xml validates against the JUnit XSD, and the escaped text reads back${XMLLINT_MISSING}`, () => {
    const v = validateJunit(paths.junit);
    expect(v.status, v.output).toBe(0);
    expect(v.output).toContain('validates');
    const a = rep.rules.find((r) => r.id === MUST_A)!;
    const message = xpath(paths.junit, `string(//testcase[@name="${a.id} ${a.title}"]/failure/@message)`);
    expect(message).toBe(
      `broken: quote " apostrophe ' end ]]> tag <b> & amp \\u0001 bell \\u0007 esc \\u001b nul \\u0000 ffff \\uffff lone \\ud800 done`,
    );
    const body = xpath(paths.junit, `string(//testcase[@name="${a.id} ${a.title}"]/failure)`);
    expect(body).toContain(`reproduce: curl -sS -X POST 'http://127.0.0.1:9/open/api/card/create' --data-raw '{"a":"]]>"}'`);
    expect(body).toContain('replay: card-conformance run --seed 7 (fast-check path 3:1:0)');
    expect(body).toContain(`source: ${a.source}`);
    expect(body).toContain('expected: a "quoted" answer');
  });

  it('the negative case: xmllint refuses a junit.xml that breaks the XSD (the check can fail)', { skip: !HAS_XMLLINT }, () => {
    const bad = join(tmp('junit-bad'), 'junit.xml');
    writeFileSync(bad, text['junit']!.replace('<testsuite name="alchemy"', '<testsuite'));
    expect(validateJunit(bad).status).not.toBe(0);
  });

  it('conformance.md: headline, counts by provider and level, the failure with expected, received and source, waivers, skips', () => {
    const md = text['markdown']!;
    expect(md).toContain('## ❌ card-conformance: FAIL');
    expect(md).toContain('| provider | level | pass | fail | flaky | error | waived | skipped |');
    expect(md).toMatch(/\| alchemy \| MUST \| \d+ \| 1 \| 0 \| 1 \| 1 \| 1 \|/);
    expect(md).toContain(`\`${MUST_A}\``);
    expect(md).toContain('expected: a "quoted" answer');
    expect(md).toContain('received: {"msg":"quote');
    expect(md).toContain(`- applied: \`${MUST_C}\``);
    expect(md).toMatch(/### \d+ skipped\n\n- \d+ × /);
  });
});

describe('conformance.md and the step summary under 1 MiB', () => {
  // every rule fails with five large evidence entries: far over the limit whole
  const big = (id: string): Finding =>
    failing(
      id,
      Array.from({ length: 5 }, (_, i) => ({
        message: `${id} broken #${i}`,
        received: { blob: 'x'.repeat(3900) },
        sent: { y: 'y'.repeat(3900) },
      })),
    );
  const rep = report(catalogue().rules.map((r) => big(r.id)));

  it('small: whole, no truncation note (positive case first)', () => {
    const md = renderMarkdown(report([...passAll(), failing(MUST_A!)]), { maxBytes: STEP_SUMMARY_LIMIT });
    expect(md).not.toContain('not shown');
    expect(renderMarkdown(rep)).not.toContain('not shown');
    expect(Buffer.byteLength(renderMarkdown(rep))).toBeGreaterThan(STEP_SUMMARY_LIMIT);
  });

  it('many failures: cut at a failure under 1 MiB, fences balanced, with a pointer to the full report', () => {
    const dir = tmp('md-big');
    const summary = join(dir, 'step-summary.md');
    writeFileSync(summary, '# earlier step\n');
    const paths = writeReports(join(dir, 'report'), rep, [], [], { GITHUB_STEP_SUMMARY: summary });
    const md = readFileSync(paths.markdown, 'utf8');
    expect(Buffer.byteLength(md)).toBeLessThan(STEP_SUMMARY_LIMIT);
    expect(Buffer.byteLength(md)).toBeGreaterThan(STEP_SUMMARY_LIMIT - 64 * 1024);
    expect(md).toMatch(/_… \d+ more failing rules not shown \(size limit\): the full report is `[^`]*conformance\.html`\._\n$/);
    const shown = (md.match(/^#### /gm) ?? []).length;
    expect(md).toContain(`${rep.rules.length - shown} more failing rules not shown`);
    expect((md.match(/^`{3,}/gm) ?? []).length % 2).toBe(0);
    // the step summary: appended after what was there, the whole file within the limit
    expect(paths.stepSummary).toEqual({ path: summary });
    const s = readFileSync(summary, 'utf8');
    expect(s.startsWith('# earlier step\n## ❌ card-conformance: FAIL')).toBe(true);
    expect(statSync(summary).size).toBeLessThan(STEP_SUMMARY_LIMIT);
  });

  it('a step summary already full is left alone, and the reason returned', () => {
    const dir = tmp('md-full');
    const summary = join(dir, 'step-summary.md');
    writeFileSync(summary, 'z'.repeat(STEP_SUMMARY_LIMIT - 100));
    const paths = writeReports(join(dir, 'report'), rep, [], [], { GITHUB_STEP_SUMMARY: summary });
    expect(paths.stepSummary?.error).toMatch(/already holds/);
    expect(statSync(summary).size).toBe(STEP_SUMMARY_LIMIT - 100);
  });
});

describe('readReportFile', () => {
  const dir = tmp('read');
  const good = writeReports(join(dir, 'good'), report(passAll()), [], [], {}).json;
  const variant = (name: string, edit: (j: Record<string, unknown>) => unknown) => {
    const p = join(dir, name);
    writeFileSync(p, typeof edit === 'function' ? JSON.stringify(edit(JSON.parse(readFileSync(good, 'utf8')))) : '');
    return p;
  };
  const problem = (p: string): string => usageLine(readReportFile, p);

  it('reads a written report (positive case first), keeping fields a later version adds', () => {
    expect(readReportFile(good).verdict).toBe('pass');
    expect((readReportFile(variant('later.json', (j) => ({ ...j, runId: 'r1' }))) as unknown as { runId: string }).runId).toBe('r1');
  });

  it('missing, a directory, not JSON, another tool, another version, a mismatch: one line naming the file and the problem', () => {
    expect(problem(join(dir, 'absent.json'))).toMatch(/does not exist/);
    expect(problem(dir)).toMatch(/is a directory/);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"tool": "card-conformance",');
    expect(problem(broken)).toMatch(/is not JSON/);
    expect(problem(variant('other.json', (j) => ({ ...j, tool: 'other' })))).toMatch(/is not a card-conformance report/);
    expect(problem(variant('v2.json', (j) => ({ ...j, schemaVersion: 2 })))).toMatch(
      /has schemaVersion 2; this card-conformance reads version 1/,
    );
    expect(problem(variant('v0.json', ({ schemaVersion: _, ...j }) => j))).toMatch(/has schemaVersion null/);
    expect(
      problem(
        variant('verdict.json', (j) => ({
          ...j,
          rules: (j['rules'] as object[]).map((r, i) => (i === 3 ? { ...r, verdict: 'great' } : r)),
        })),
      ),
    ).toMatch(/does not match the report schema: rules\[3\]\.verdict: /);
    expect(problem(variant('summary.json', ({ summary: _, ...j }) => j))).toMatch(/summary: /);
  });
});
