/** A rule answered differently for the same request is `flaky`: a failure for the gate, both answers kept as evidence. */
import { describe, expect, it } from 'vitest';
import { Findings } from '../../src/conformance/findings.ts';
import type { SessionSummary } from '../../src/conformance/session.ts';
import { buildReport } from '../../src/report/conformance.ts';

const RULE = 'gep.apply.response.errorCode.inCatalogue';
const session = { settings: { seed: 1, runs: 1, mode: 'lenient', deviate: [] }, target: {}, control: {} } as unknown as SessionSummary;
const report = (f: Findings) =>
  buildReport({
    findings: f.list(),
    crashed: [],
    cases: 1,
    requests: 2,
    session,
    problems: [],
    startedAt: new Date(),
    durationMs: 1,
    testsMs: 1,
    providers: ['gep'],
  });

describe('flaky', () => {
  it('the positive case: the same rule passed is a pass, exit 0', () => {
    const f = new Findings();
    f.pass(RULE);
    const r = report(f);
    expect(r.rules.find((x) => x.id === RULE)!.verdict).toBe('pass');
    expect([r.verdict, r.exitCode]).toEqual(['pass', 0]);
  });
  it('flaky outranks pass and fails the gate (exit 1), with both answers as evidence and the reason', () => {
    const f = new Findings();
    f.pass(RULE);
    f.flaky(RULE, [{ message: 'first: 999999' }, { message: 'again: 110001' }]);
    const r = report(f);
    const rule = r.rules.find((x) => x.id === RULE)!;
    expect(rule.verdict).toBe('flaky');
    expect(rule.evidence.map((e) => e.message)).toEqual(['first: 999999', 'again: 110001']);
    expect(rule.reason).toMatch(/answered differently/);
    expect(r.exitCode).toBe(1);
    expect(r.summary.flaky).toBe(1);
    expect(r.headline).toMatch(/flaky/);
  });
  it('a failure outranks flaky', () => {
    const f = new Findings();
    f.flaky(RULE, [{ message: 'a' }]);
    f.fail(RULE, { message: 'b' });
    expect(report(f).rules.find((x) => x.id === RULE)!.verdict).toBe('fail');
  });
});
