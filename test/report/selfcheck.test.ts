/** The selfcheck's verdict: a deviation caught on every seed is a kill; one that survives a seed, or a faithful failure, fails the check. */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/conformance/findings.ts';
import { DEVIATIONS, deviationKind } from '../../src/mock/deviations.ts';
import { mutationReport } from '../../src/report/selfcheck.ts';

const d = DEVIATIONS.find((x) => x.name === 'alchemy-accepts-long-order-no')!;
const e = DEVIATIONS.find((x) => x.name === 'gep-no-debit')!;
const finding = (ruleId: string, verdict: Finding['verdict']): Finding => ({
  ruleId,
  verdict,
  checks: 1,
  evidence: [{ message: `${ruleId} ${verdict}` }],
});
const targets = (entries: [string, Finding[]][]) => new Map(entries.map(([label, fs]) => [label, new Map(fs.map((f) => [f.ruleId, f]))]));
const opts = { seeds: [1, 2], runs: 4, deviations: [d.name, e.name] };

describe('the selfcheck verdict', () => {
  it('every deviation caught by its own rule on every seed, faithful clean: kill rate 1, exit 0', () => {
    const r = mutationReport(
      targets([
        ['faithful@1', [finding(d.ruleId, 'pass')]],
        ['faithful@2', [finding(d.ruleId, 'pass')]],
        [`${d.name}@1`, [finding(d.ruleId, 'fail')]],
        [`${d.name}@2`, [finding(d.ruleId, 'fail')]],
        [`${e.name}@1`, [finding(e.ruleId, 'fail')]],
        [`${e.name}@2`, [finding(e.ruleId, 'fail'), finding('gep.apply.request.acceptsValid', 'fail')]],
      ]),
      opts,
      [],
      10,
    );
    expect(r.exitCode).toBe(0);
    expect(r.killRate).toBe(1);
    expect(r.byKind[deviationKind(d)]).toEqual({ killed: 2, total: 2, rate: 1 });
    expect(r.deviations.find((x) => x.name === e.name)!.caughtBy['2']).toEqual([e.ruleId, 'gep.apply.request.acceptsValid']);
  });

  it('a deviation caught only by another rule, or whose rule ended in error, survives: exit 1, named with its verdicts', () => {
    const r = mutationReport(
      targets([
        ['faithful@1', []],
        ['faithful@2', []],
        [`${d.name}@1`, [finding(d.ruleId, 'fail')]],
        [`${d.name}@2`, [finding(d.ruleId, 'error'), finding('alchemy.create.request.acceptsValid', 'fail')]],
        [`${e.name}@1`, [finding(e.ruleId, 'fail')]],
        [`${e.name}@2`, [finding(e.ruleId, 'fail')]],
      ]),
      opts,
      [],
      10,
    );
    expect(r.exitCode).toBe(1);
    expect(r.killRate).toBe(3 / 4);
    expect(r.survivors).toEqual([{ name: d.name, ruleId: d.ruleId, seeds: [2], verdicts: { '2': 'error' } }]);
  });

  it('a rule failing on the faithful mock is a false positive: exit 1', () => {
    const r = mutationReport(
      targets([
        ['faithful@1', [finding('gep.apply.request.acceptsValid', 'fail')]],
        ['faithful@2', []],
        [`${d.name}@1`, [finding(d.ruleId, 'fail')]],
        [`${d.name}@2`, [finding(d.ruleId, 'fail')]],
        [`${e.name}@1`, [finding(e.ruleId, 'fail')]],
        [`${e.name}@2`, [finding(e.ruleId, 'fail')]],
      ]),
      opts,
      [],
      10,
    );
    expect(r.exitCode).toBe(1);
    expect(r.falsePositives).toEqual([
      { seed: 1, ruleId: 'gep.apply.request.acceptsValid', verdict: 'fail', message: 'gep.apply.request.acceptsValid fail' },
    ]);
  });
});
