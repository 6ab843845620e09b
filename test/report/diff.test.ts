/**
 * `diff`: two reports rule by rule. Regressions (held → fails) fail the diff at the levels the new
 * report's gate fails on; recovered, appeared, vanished and changed evidence are listed; bad input is
 * one line, exit 2. The reports are built by `buildReport` from findings, as a run builds them.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffCommand } from '../../src/cli/diff.ts';
import { Findings } from '../../src/conformance/findings.ts';
import type { SessionSummary } from '../../src/conformance/session.ts';
import { buildReport, type ConformanceReport } from '../../src/report/conformance.ts';
import { diffReports, diffText } from '../../src/report/diff.ts';
import { catalogue } from '../../src/spec/catalogue.ts';
import type { Level } from '../../src/spec/registry.ts';
import { cli } from '../helpers/cli.ts';

const session = { settings: { seed: 1, runs: 1, mode: 'lenient', deviate: [] }, target: {}, control: {} } as unknown as SessionSummary;
const ids = catalogue()
  .rules.filter((r) => r.provider === 'alchemy')
  .map((r) => r.id);
const ofLevel = (l: Level) => catalogue().rules.find((r) => r.provider === 'alchemy' && r.level === l)!.id;
const [MUST, SHOULD, INFO] = [ofLevel('MUST'), ofLevel('SHOULD'), ofLevel('INFO')];
/** A rule that is none of the three above. */
const OTHER = ids.find((id) => ![MUST, SHOULD, INFO].includes(id))!;

/** Every alchemy rule passes, except those `tweak` decides otherwise. */
function report(tweak: (f: Findings) => void = () => {}, only: readonly string[] = ids): ConformanceReport {
  const f = new Findings();
  for (const id of only) f.pass(id);
  tweak(f);
  return buildReport({
    findings: f.list(),
    crashed: [],
    cases: 1,
    requests: 1,
    session,
    problems: [],
    startedAt: new Date(),
    durationMs: 1,
    testsMs: 1,
    providers: ['alchemy'],
  });
}
/** `r` as a report of a catalogue without rule `id` (another document version). */
const drop = (r: ConformanceReport, id: string) => ({ ...r, rules: r.rules.filter((x) => x.id !== id) });
const withGate = (r: ConformanceReport, failOn: string) => ({ ...r, gate: { failOn } }) as ConformanceReport;

const dir = mkdtempSync(join(tmpdir(), 'cc-diff-'));
const file = (name: string, r: unknown) => {
  const p = join(dir, name);
  writeFileSync(p, typeof r === 'string' ? r : JSON.stringify(r));
  return p;
};

describe('diffReports', () => {
  it('the positive case: a report against itself has no change and no gating regression', () => {
    const a = report();
    const d = diffReports(a, a);
    expect(d.gatingRegressions).toBe(0);
    expect([d.regressed, d.recovered, d.appeared, d.vanished, d.changed].every((x) => x.length === 0)).toBe(true);
    expect(diffText(d, 'a', 'b')).toContain('no change in any rule');
  });

  it('a MUST rule that passed and now fails is a regression that fails the gate, quoting the new evidence', () => {
    const d = diffReports(
      report(),
      report((f) => f.fail(MUST, { message: 'accepted a broken request' })),
    );
    expect(d.regressed).toEqual([expect.objectContaining({ id: MUST, level: 'MUST', from: 'pass', to: 'fail', gating: true })]);
    expect(d.regressed[0]!.why).toBe('accepted a broken request');
    expect(d.gatingRegressions).toBe(1);
    expect(diffText(d, 'old', 'new')).toMatch(new RegExp(`regressed \\(1\\):\\n  ✗ MUST   ${MUST.replaceAll('.', '\\.')}: pass → fail`));
  });

  it('skipped → flaky and pass → error are regressions too', () => {
    const old = report(
      (f) => f.skip(SHOULD, 'strict only'),
      ids.filter((id) => id !== SHOULD),
    );
    const d = diffReports(
      old,
      report((f) => {
        f.flaky(SHOULD, [{ message: 'a' }]);
        f.error(MUST, 'target failure');
      }),
    );
    expect(d.regressed.map((c) => [c.id, c.from, c.to]).sort()).toEqual(
      [
        [MUST, 'pass', 'error'],
        [SHOULD, 'skipped', 'flaky'],
      ].sort(),
    );
    expect(d.gatingRegressions).toBe(2);
  });

  it("an INFO regression is listed but fails the diff only under the new report's --fail-on info", () => {
    const bad = report((f) => f.fail(INFO, { message: 'info finding' }));
    const d = diffReports(report(), bad);
    expect(d.regressed).toEqual([expect.objectContaining({ id: INFO, gating: false })]);
    expect(d.gatingRegressions).toBe(0);
    expect(diffText(d, 'a', 'b')).toContain('(below the gate)');
    expect(diffReports(report(), withGate(bad, 'info')).gatingRegressions).toBe(1);
    // --fail-on must: a SHOULD regression does not fail it, a MUST one does
    const should = report((f) => f.fail(SHOULD, { message: 's' }));
    expect(diffReports(report(), withGate(should, 'must')).gatingRegressions).toBe(0);
    expect(diffReports(report(), withGate(should, 'should')).gatingRegressions).toBe(1);
  });

  it('a waived failure holds: waived → fail regresses, fail → waived recovers', () => {
    const failing = report((f) => f.fail(MUST, { message: 'x' }));
    const waived = { ...failing, rules: failing.rules.map((r) => (r.id === MUST ? { ...r, verdict: 'waived' } : r)) } as ConformanceReport;
    expect(diffReports(waived, failing).regressed.map((c) => c.id)).toEqual([MUST]);
    expect(diffReports(failing, waived).recovered.map((c) => [c.id, c.to])).toEqual([[MUST, 'waived']]);
  });

  it('recovered, appeared, vanished and a failing rule whose evidence count changed', () => {
    const old = report((f) => {
      f.fail(MUST, { message: 'one' });
      f.fail(SHOULD, { message: 'one' });
    });
    const now = report((f) => {
      f.fail(SHOULD, { message: 'one' });
      f.fail(SHOULD, { message: 'two' });
    });
    const d = diffReports(drop(old, INFO), drop(now, OTHER));
    expect(d.recovered.map((c) => [c.id, c.from, c.to])).toEqual([[MUST, 'fail', 'pass']]);
    expect(d.appeared.map((c) => c.id)).toEqual([INFO]);
    expect(d.vanished.map((c) => c.id)).toEqual([OTHER]);
    expect(d.changed).toEqual([expect.objectContaining({ id: SHOULD, from: 'fail', to: 'fail', evidence: [1, 2] })]);
    expect(d.gatingRegressions).toBe(0);
  });

  it('run-level differences are noted (seed, deviations)', () => {
    const b = { ...report(), seed: 9, deviations: ['alchemy-omits-trace-id'] };
    expect(diffReports(report(), b).context).toEqual(['seed: 1 → 9', 'deviations: [] → ["alchemy-omits-trace-id"]']);
  });
});

describe('card-conformance diff', () => {
  const clean = file('clean.json', report());
  const regressed = file(
    'regressed.json',
    report((f) => f.fail(MUST, { message: 'broken' })),
  );

  it('exit 0 with no regression, 1 with one (text and --json), in process', () => {
    let text = '';
    expect(diffCommand([clean, clean], (s) => (text += s))).toBe(0);
    expect(text).toContain('no change in any rule');
    text = '';
    expect(diffCommand([clean, regressed], (s) => (text += s))).toBe(1);
    expect(text).toContain(`✗ MUST   ${MUST}: pass → fail`);
    text = '';
    expect(diffCommand([clean, regressed, '--json'], (s) => (text += s))).toBe(1);
    expect(JSON.parse(text)).toMatchObject({ gatingRegressions: 1, regressed: [{ id: MUST }] });
    // the other way round it recovered: exit 0
    expect(diffCommand([regressed, clean, '--json'], () => {})).toBe(0);
  });

  it('as a process: exit 1 on a regression, 2 with one line on a missing file, bad JSON or a wrong number of files', async () => {
    const [reg, missing, bad, one] = await Promise.all([
      cli(['diff', clean, regressed]),
      cli(['diff', clean, join(dir, 'nope.json')]),
      cli(['diff', file('bad.json', '{"tool": '), clean]),
      cli(['diff', clean]),
    ]);
    expect(reg.code).toBe(1);
    expect(reg.stdout).toContain('regressed (1)');
    for (const r of [missing, bad, one]) {
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(missing.stderr).toMatch(/nope\.json/);
    expect(bad.stderr).toMatch(/bad\.json/);
  });
});
