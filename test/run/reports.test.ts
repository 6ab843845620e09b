/**
 * Whole `card-conformance run`s write the four report files, and the gate's flags work end to end:
 * - a deviation's failure waived (and a second waiver matching nothing): exit 0, the rule `waived` in
 *   every file, the stale waiver reported, the step summary appended;
 * - the same failure under an expired waiver with `--fail-on must`: exit 1, the headline naming it;
 * every conformance.json read back by the exported schema, every junit.xml valid against the JUnit XSD.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ConformanceReport } from '../../src/report/conformance.ts';
import { readReportFile } from '../../src/report/schema.ts';
import { cli } from '../helpers/cli.ts';
import { HAS_XMLLINT, validateJunit, XMLLINT_MISSING, xpath } from '../helpers/xmllint.ts';

const DEVIATION = 'alchemy-omits-trace-id';
const BROKEN = 'alchemy.create.response.traceId.required';
const PASSING = 'alchemy.create.deposit.range';
const FAST = { CARD_CONFORMANCE_WORKERS: '1' };
const dir = mkdtempSync(join(tmpdir(), 'cc-reports-'));
const FILES = ['conformance.json', 'junit.xml', 'conformance.md', 'conformance.html'];

const waivers = (list: { rule: string; expires: string }[]) => {
  const p = join(dir, `waivers-${list.map((w) => w.expires).join('-')}.json`);
  writeFileSync(p, JSON.stringify({ waivers: list.map((w) => ({ ...w, reason: `vendor ticket for ${w.rule}`, owner: 'cards-team' })) }));
  return p;
};
const read = (d: string) => Object.fromEntries(FILES.map((f) => [f, readFileSync(join(d, f), 'utf8')]));

const waived = {
  out: join(dir, 'waived'),
  summary: join(dir, 'step-summary.md'),
  code: -1,
  stdout: '',
  files: {} as Record<string, string>,
};
const expired = { out: join(dir, 'expired'), code: -1, stdout: '', files: {} as Record<string, string> };
let reportOf: { waived?: ConformanceReport; expired?: ConformanceReport } = {};

beforeAll(async () => {
  const base = ['run', '--provider', 'alchemy', '--runs', '4', '--deviate', DEVIATION];
  const [a, b] = await Promise.all([
    cli(
      [
        ...base,
        '--report-dir',
        waived.out,
        '--waivers',
        waivers([
          { rule: BROKEN, expires: '2999-12-31' },
          { rule: PASSING, expires: '2999-12-30' },
        ]),
      ],
      { ...FAST, GITHUB_STEP_SUMMARY: waived.summary },
    ),
    cli([...base, '--report-dir', expired.out, '--fail-on', 'must', '--waivers', waivers([{ rule: BROKEN, expires: '2020-01-31' }])], FAST),
  ]);
  Object.assign(waived, { code: a.code, stdout: a.stdout });
  Object.assign(expired, { code: b.code, stdout: b.stdout });
  if (existsSync(join(waived.out, 'conformance.json'))) waived.files = read(waived.out);
  if (existsSync(join(expired.out, 'conformance.json'))) expired.files = read(expired.out);
  reportOf = {
    waived: readReportFile(join(waived.out, 'conformance.json')),
    expired: readReportFile(join(expired.out, 'conformance.json')),
  };
}, 280_000);

describe('run writes four files and applies the gate', () => {
  it('a waived failure: exit 0, waived in the JSON with its waiver, the other waiver stale', () => {
    expect(waived.code, waived.stdout.slice(-2000)).toBe(0);
    const r = reportOf.waived!;
    expect(r.schemaVersion).toBe(1);
    expect(r.gate).toEqual({ failOn: 'should' });
    const rule = r.rules.find((x) => x.id === BROKEN)!;
    expect(rule.verdict).toBe('waived');
    expect(rule.waiver).toEqual({ reason: `vendor ticket for ${BROKEN}`, owner: 'cards-team', expires: '2999-12-31' });
    // the evidence of the failure stays (the deviation really broke it)
    expect(rule.evidence[0]?.message).toMatch(/traceId/);
    expect(r.waivers).toMatchObject({ applied: [BROKEN], expired: [], stale: [{ id: PASSING, owner: 'cards-team' }] });
    expect(r.waivers.file).toMatch(/waivers-2999-12-31-2999-12-30\.json$/);
    expect(r.summary.waived).toBe(1);
    expect(waived.stdout).toContain(`stale waiver ${PASSING}`);
  });

  it('waived in every file: JUnit skipped with the waiver, Markdown and HTML name it; the step summary appended', () => {
    expect(Object.keys(waived.files).sort()).toEqual([...FILES].sort());
    expect(waived.files['junit.xml']).toMatch(
      new RegExp(
        `name="${BROKEN.replace(/\./g, '\\.')} [^"]*">\\s*<skipped type="waived" message="waived until 2999-12-31 by cards-team: vendor ticket`,
      ),
    );
    expect(waived.files['conformance.md']).toContain(`- applied: \`${BROKEN}\``);
    expect(waived.files['conformance.md']).toContain(`- stale (no failure to waive): \`${PASSING}\``);
    expect(waived.files['conformance.html']).toMatch(new RegExp(`${BROKEN.replace(/\./g, '\\.')}[\\s\\S]*?waived`));
    const summary = readFileSync(waived.summary, 'utf8');
    expect(summary).toBe(waived.files['conformance.md']!.concat('\n'));
  });

  it('an expired waiver with --fail-on must: exit 1, the headline names it, the failure not waived in any file', () => {
    expect(expired.code, expired.stdout.slice(-2000)).toBe(1);
    const r = reportOf.expired!;
    expect(r.gate).toEqual({ failOn: 'must' });
    expect(r.headline).toContain(`expired waiver for ${BROKEN} (cards-team, expired 2020-01-31)`);
    expect(r.rules.find((x) => x.id === BROKEN)!.verdict).toBe('fail');
    expect(r.waivers.expired).toEqual([{ id: BROKEN, owner: 'cards-team', expires: '2020-01-31' }]);
    expect(expired.files['junit.xml']).toMatch(new RegExp(`name="${BROKEN.replace(/\./g, '\\.')} [^"]*">\\s*<failure type="MUST fail"`));
    expect(expired.files['conformance.md']).toContain(`**expired** (fails the gate): \`${BROKEN}\``);
    expect(expired.stdout).toContain(`expired waiver ${BROKEN}`);
  });

  it.skipIf(!HAS_XMLLINT)(`each run's junit.xml validates against the JUnit XSD${XMLLINT_MISSING}`, () => {
    for (const d of [waived.out, expired.out]) {
      const v = validateJunit(join(d, 'junit.xml'));
      expect(v.status, v.output).toBe(0);
      const rules = (d === waived.out ? reportOf.waived : reportOf.expired)!.rules.length;
      expect(Number(xpath(join(d, 'junit.xml'), 'count(//testcase)'))).toBe(rules);
      expect(xpath(join(d, 'junit.xml'), 'string(/testsuites/@tests)')).toBe(String(rules));
    }
  });

  it('bad gate flags end in one line and exit 2 before anything runs', async () => {
    const bad = await cli(['run', '--fail-on', 'never'], FAST);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('card-conformance run: --fail-on must be one of must, should, info (got "never")');
    const file = join(dir, 'unknown.json');
    writeFileSync(file, JSON.stringify({ waivers: [{ rule: 'alchemy.create.nope', reason: 'r', owner: 'o', expires: '2999-01-01' }] }));
    const unknown = await cli(['run', '--waivers', file], FAST);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toContain(`waivers file ${file}: waivers[0].rule: unknown rule id "alchemy.create.nope"`);
  });
});
