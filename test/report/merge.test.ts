/**
 * `merge`: shard reports joined into the report of the whole run. Built from findings by `buildReport`
 * on both sides: the merged report has the verdict of every rule that one report of all the findings
 * has; slices of different runs are refused with one line. (test/run/shards.test.ts does the same with
 * real `run --shard` processes.)
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args.ts';
import { mergeCommand } from '../../src/cli/merge.ts';
import { type Finding, Findings } from '../../src/conformance/findings.ts';
import type { SessionSummary } from '../../src/conformance/session.ts';
import { buildReport, type ConformanceReport, UNDECIDED } from '../../src/report/conformance.ts';
import { keptIdentifiers, mergeShards } from '../../src/report/merge.ts';
import { catalogue } from '../../src/spec/catalogue.ts';
import { withCheckDigit } from '../../src/wire/luhn.ts';

const control = { gep: { ok: true, accepted: 2, sent: 2 } };
const session = (over: Partial<SessionSummary> = {}) =>
  ({
    settings: { seed: 7, runs: 2, mode: 'lenient', deviate: [] },
    target: { gep: { url: 'http://127.0.0.1:1', embedded: true, kind: 'mock' } },
    control,
    ...over,
  }) as unknown as SessionSummary;
const ids = catalogue()
  .rules.filter((r) => r.provider === 'gep')
  .map((r) => r.id);
/** B: a MUST rule (its failure fails the run); A, C, D: three others. */
const B = catalogue().rules.find((r) => r.provider === 'gep' && r.level === 'MUST')!.id;
const [A, C, D] = ids.filter((id) => id !== B) as [string, string, string];

function report(findings: Finding[], shard?: { index: number; count: number }, s = session()): ConformanceReport {
  return buildReport({
    findings,
    crashed: [],
    cases: 3,
    requests: 5,
    session: s,
    problems: [],
    startedAt: new Date('2026-11-29T01:00:00Z'),
    durationMs: 1000,
    testsMs: 900,
    providers: ['gep'],
    ...(shard ? { shard } : {}),
  });
}
const shard = (index: number, count: number, f: Findings, s?: SessionSummary) => ({
  path: `s${index}/conformance.json`,
  report: report(f.list(), { index, count }, s),
});
const verdicts = (r: ConformanceReport) => Object.fromEntries(r.rules.map((x) => [x.id, x.verdict]));

/** Two slices of one run's findings: each rule decided where its suite ran. */
function slices() {
  const one = new Findings();
  const two = new Findings();
  one.pass(A, 3);
  one.fail(B, { message: 'accepted a broken request' });
  two.pass(B, 2);
  two.pass(C, 4);
  two.skip(D, 'decided in strict schema mode only (--schema-mode strict)');
  return { one, two, all: [...one.list(), ...two.list()] };
}

describe('mergeShards', () => {
  it('the merged verdict of every rule is the one report of all findings would give, with checks summed', () => {
    const { one, two, all } = slices();
    const merged = mergeShards([shard(2, 2, two), shard(1, 2, one)]);
    const whole = report(all);
    expect(verdicts(merged)).toEqual(verdicts(whole));
    // not a vacuous agreement: a failure, passes, an explained skip and undecided rules are all in it
    expect(verdicts(merged)).toMatchObject({ [A]: 'pass', [B]: 'fail', [C]: 'pass', [D]: 'skipped' });
    expect(merged.rules.find((r) => r.id === D)!.reason).toMatch(/strict schema mode/);
    expect(merged.rules.find((r) => r.id === ids.at(-1))!.reason).toBe(UNDECIDED);
    expect(merged.rules.find((r) => r.id === B)!.checks).toBe(3);
    expect(merged.summary).toEqual({ ...whole.summary, cases: 6, requests: 10 });
    expect([merged.verdict, merged.exitCode, merged.headline]).toEqual([whole.verdict, whole.exitCode, whole.headline]);
    expect(merged.exitCode).toBe(1);
    expect(merged.positiveControl).toEqual({ gep: { ok: true, accepted: 4, sent: 4 } });
    expect(merged.shard).toBeUndefined();
  });

  it("a rule one shard skipped as undecided takes the other shard's verdict; a failed control anywhere makes the run untestable", () => {
    const { one, two } = slices();
    const a = shard(1, 2, one);
    expect(a.report.rules.find((r) => r.id === C)).toMatchObject({ verdict: 'skipped', reason: UNDECIDED });
    expect(verdicts(mergeShards([a, shard(2, 2, two)]))[C]).toBe('pass');
    const failedControl = session({ control: { gep: { ok: false, reason: 'no valid request accepted', accepted: 0, sent: 2 } } });
    const merged = mergeShards([a, shard(2, 2, two, failedControl)]);
    expect(merged.positiveControl.gep).toMatchObject({ ok: false });
    // the failure still counts (fail outranks a failed control), as in one run
    expect(merged.verdict).toBe(report([...one.list(), ...two.list()], undefined, failedControl).verdict);
  });

  it('refuses, with one line, slices of different runs, an incomplete or repeated set, and reports that are not shards', () => {
    const { one, two } = slices();
    const refusal = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        expect(err).toBeInstanceOf(UsageError);
        const line = (err as Error).message;
        expect(line.split('\n')).toHaveLength(1);
        return line;
      }
      throw new Error('not refused');
    };
    expect(
      refusal(() =>
        mergeShards([
          shard(1, 2, one),
          shard(2, 2, two, session({ settings: { seed: 8, runs: 2, mode: 'lenient', deviate: [] } } as never)),
        ]),
      ),
    ).toMatch(/seed 8 vs 7/);
    expect(refusal(() => mergeShards([shard(1, 3, one), shard(2, 3, two)]))).toMatch(/shard 3\/3 missing/);
    expect(refusal(() => mergeShards([shard(1, 2, one), shard(1, 2, two)]))).toMatch(/shard 1\/2 given twice/);
    expect(refusal(() => mergeShards([shard(1, 2, one), shard(2, 3, two)]))).toMatch(/shard count/);
    expect(refusal(() => mergeShards([shard(1, 2, one), { path: 'x', report: report(two.list()) }]))).toMatch(/x: not a shard report/);
    const otherVersion = shard(2, 2, two);
    otherVersion.report = { ...otherVersion.report, specVersions: { gep: 'gep-2027' } };
    expect(refusal(() => mergeShards([shard(1, 2, one), otherVersion]))).toMatch(/document versions/);
    const sandbox = session({ target: { gep: { url: 'https://sandbox.example.test', embedded: false, kind: 'sandbox' } } });
    expect(refusal(() => mergeShards([shard(1, 2, one), shard(2, 2, two, sandbox)]))).toMatch(/target/);
    // the positive case of the same checks: the two right slices merge
    expect(mergeShards([shard(1, 2, one), shard(2, 2, two)]).rules).toHaveLength(ids.length);
  });

  it('keeps the identifiers a shard left unmasked (its configured merchant numbers), and nothing else', () => {
    const merchant = withCheckDigit('621234567890123456');
    const r = { ...report([]), headline: `userNo=${merchant} and a masked 438357******7441` } as ConformanceReport;
    expect(keptIdentifiers([r])).toEqual([merchant]);
  });
});

describe('card-conformance merge', () => {
  it('writes the merged conformance.json and exits with its exit code; a directory without a report is one line, exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-merge-'));
    const { one, two } = slices();
    for (const s of [shard(1, 2, one), shard(2, 2, two)]) {
      const d = join(dir, `shard-${s.report.shard!.index}`);
      mkdirSync(d);
      writeFileSync(join(d, 'conformance.json'), JSON.stringify(s.report));
    }
    let text = '';
    const out = join(dir, 'merged');
    expect(mergeCommand([join(dir, 'shard-1'), join(dir, 'shard-2'), '--out', out], (s) => (text += s))).toBe(1);
    const merged = JSON.parse(readFileSync(join(out, 'conformance.json'), 'utf8')) as ConformanceReport;
    expect(verdicts(merged)[B]).toBe('fail');
    expect(text).toContain('2 shards of seed 7');
    expect(() => mergeCommand([join(dir, 'shard-1'), join(dir, 'nowhere')], () => {})).toThrow(/nowhere\/conformance\.json does not exist/);
  });
});
