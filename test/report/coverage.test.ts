/**
 * Coverage is the share of MUST rules decided (pass, fail, flaky); skipped and error are not decided.
 * `--min-coverage` fails a run that would pass (exit 1, the headline says so), adds its line to a run
 * that already fails, and leaves an untestable run untestable (exit 3).
 */
import { describe, expect, it } from 'vitest';
import { Findings } from '../../src/conformance/findings.ts';
import type { SessionSummary } from '../../src/conformance/session.ts';
import { buildReport } from '../../src/report/conformance.ts';
import { coverageGate, coverageOf, minCoverageProblem, parseMinCoverage } from '../../src/report/coverage.ts';
import { catalogue } from '../../src/spec/catalogue.ts';

const rule = (level: 'MUST' | 'SHOULD' | 'INFO', verdict: string) => ({ level, verdict });

describe('coverageOf', () => {
  it('counts pass, fail and flaky MUST rules as decided; skipped and error not; SHOULD and INFO not at all', () => {
    const c = coverageOf([
      rule('MUST', 'pass'),
      rule('MUST', 'fail'),
      rule('MUST', 'flaky'),
      rule('MUST', 'skipped'),
      rule('MUST', 'error'),
      rule('MUST', 'waived'),
      rule('SHOULD', 'skipped'),
      rule('INFO', 'pass'),
    ]);
    expect(c).toEqual({ must: 6, decided: 3, percent: 50 });
  });
  it('rounds down to one decimal (never claims more than was decided), 100 when every MUST rule is decided', () => {
    expect(coverageOf([rule('MUST', 'pass'), rule('MUST', 'pass'), rule('MUST', 'skipped')]).percent).toBe(66.6);
    expect(coverageOf([rule('MUST', 'pass'), rule('SHOULD', 'skipped')]).percent).toBe(100);
    expect(coverageOf([rule('SHOULD', 'pass')])).toEqual({ must: 0, decided: 0, percent: 100 });
  });
});

describe('coverageGate and --min-coverage', () => {
  const two = coverageOf([rule('MUST', 'pass'), rule('MUST', 'pass'), rule('MUST', 'skipped')]);
  it('is met with no minimum, at or below the exact share; not above it, and says by how much', () => {
    expect(coverageGate(two, undefined)).toEqual({ met: true });
    expect(coverageGate(two, 66).met).toBe(true);
    expect(coverageGate(two, 0).met).toBe(true);
    // the exact share is 66.67 %: 66.6 is met, 66.7 is not, whatever the rounding of the printed percentage
    expect(coverageGate(two, 66.6).met).toBe(true);
    const below = coverageGate(two, 66.7);
    expect(below.met).toBe(false);
    expect(below.line).toBe('coverage 66.6% (2 of 3 MUST rules decided) is below --min-coverage 66.7%');
  });
  it('takes a percentage from 0 to 100, with or without %, and names anything else', () => {
    for (const ok of ['0', '90', '99.5', '100', '80%']) expect(minCoverageProblem(ok)).toBeUndefined();
    expect(parseMinCoverage('80%')).toBe(80);
    for (const bad of ['', 'abc', '-1', '101', '1e2', '50 percent'])
      expect(minCoverageProblem(bad)).toMatch(/must be a percentage from 0 to 100/);
  });
});

describe('the report', () => {
  const must = catalogue()
    .rulesFor('gep')
    .filter((r) => r.level === 'MUST');
  const session = {
    settings: { seed: 1, runs: 1, mode: 'lenient', deviate: [], profile: 'smoke' },
    target: {},
    control: {},
  } as unknown as SessionSummary;
  const report = (f: Findings, minCoverage?: number, control?: SessionSummary['control']) =>
    buildReport({
      findings: f.list(),
      crashed: [],
      cases: 1,
      requests: 2,
      session: control ? { ...session, control } : session,
      problems: [],
      startedAt: new Date(),
      durationMs: 1,
      testsMs: 1,
      providers: ['gep'],
      ...(minCoverage !== undefined ? { minCoverage } : {}),
      requestsByProvider: { gep: 7 },
      ruleRequests: { [must[0]!.id]: 5 },
    });
  // every MUST rule but the last decided (passed); the last skipped
  const mostly = () => {
    const f = new Findings();
    for (const r of must.slice(0, -1)) f.pass(r.id);
    f.skip(must.at(-1)!.id, 'the target cannot be made to exercise it');
    return f;
  };
  const expected = Math.floor(((must.length - 1) / must.length) * 1000) / 10;

  it('states coverage, the profile, requests per provider and per rule; without a minimum the run passes', () => {
    const r = report(mostly());
    expect(r.summary.coverage).toBe(expected);
    expect(r.profile).toBe('smoke');
    expect(r.summary.requestsByProvider).toEqual({ gep: 7 });
    expect(r.rules.find((x) => x.id === must[0]!.id)!.requests).toBe(5);
    expect(r.rules.find((x) => x.id === must[1]!.id)!.requests).toBe(0);
    expect(r.summary.minCoverage).toBeUndefined();
    expect(r.exitCode).toBe(0);
    expect(r.verdict).toBe('pass');
  });
  it('a minimum at or below the coverage passes; above it fails the gate with exit 1 and says so in the headline', () => {
    const below = report(mostly(), Math.floor(expected));
    expect(below.exitCode).toBe(0);
    expect(below.summary.minCoverage).toBe(Math.floor(expected));
    const above = report(mostly(), 100);
    expect(above.exitCode).toBe(1);
    expect(above.verdict).toBe('fail');
    expect(above.headline).toBe(
      `not conformant: coverage ${expected}% (${must.length - 1} of ${must.length} MUST rules decided) is below --min-coverage 100%`,
    );
    // the rules themselves are as they were: only the gate failed
    expect(above.summary.failedMust).toBe(0);
  });
  it('a failing run keeps its headline and adds the coverage line; an untestable run stays exit 3', () => {
    const f = mostly();
    f.fail(must[0]!.id, { message: 'broken' });
    const failing = report(f, 100);
    expect(failing.exitCode).toBe(1);
    expect(failing.headline).toMatch(/^not conformant: 1 MUST and 0 SHOULD rules fail; coverage .* below --min-coverage 100%$/);
    const untestable = report(new Findings(), 50, { gep: { ok: false, accepted: 0, sent: 1, reason: 'valid request refused' } });
    expect(untestable.summary.coverage).toBe(0);
    expect(untestable.exitCode).toBe(3);
    expect(untestable.headline).toMatch(/^could not be tested: positive control failed .*; coverage 0% .* below --min-coverage 50%$/);
  });
});

describe('verdicts that cannot pass by accident', () => {
  const must = catalogue()
    .rulesFor('gep')
    .filter((r) => r.level === 'MUST');
  const should = catalogue()
    .rulesFor('gep')
    .filter((r) => r.level === 'SHOULD');
  const sessionFor = (embedded: boolean) =>
    ({
      settings: { seed: 1, runs: 1, mode: 'lenient', deviate: [], profile: 'smoke' },
      target: {
        gep: { url: embedded ? 'http://127.0.0.1:1' : 'https://sandbox.example.test', embedded, kind: embedded ? 'mock' : 'sandbox' },
      },
      control: { gep: { ok: true, accepted: 1, sent: 1 } },
    }) as unknown as SessionSummary;
  const report = (f: Findings, embedded = true) =>
    buildReport({
      findings: f.list(),
      crashed: [],
      cases: 1,
      requests: 1,
      session: sessionFor(embedded),
      problems: [],
      startedAt: new Date(),
      durationMs: 1,
      testsMs: 1,
      providers: ['gep'],
    });

  it('the positive case: every MUST rule decided and passing passes, on the mock and on a sandbox', () => {
    const f = new Findings();
    for (const r of must) f.pass(r.id);
    expect([report(f).exitCode, report(f, false).exitCode]).toEqual([0, 0]);
  });

  it('a run that decided no MUST rule could not be tested (exit 3), whatever else passed', () => {
    const f = new Findings();
    for (const r of should) f.pass(r.id);
    for (const r of must) f.skip(r.id, 'not reached');
    const r = report(f);
    expect([r.verdict, r.exitCode]).toEqual(['error', 3]);
    expect(r.headline).toBe(`could not be tested: no MUST rule was decided (${must.length} skipped, e.g. not reached)`);
  });

  it('a rule with no check is skipped, never pass', () => {
    const f = new Findings();
    for (const r of must) f.pass(r.id);
    f.pass(must[0]!.id, 0);
    const none = new Findings();
    for (const r of must.slice(1)) none.pass(r.id);
    none.pass(must[0]!.id, 0);
    expect(report(none).rules.find((x) => x.id === must[0]!.id)).toMatchObject({ verdict: 'skipped', checks: 0 });
    // a check elsewhere decides it
    expect(report(f).rules.find((x) => x.id === must[0]!.id)).toMatchObject({ verdict: 'pass', checks: 1 });
  });

  it('against a sandbox a MUST rule of the plan left undecided cuts the run short (exit 3); an exclusion is listed instead', () => {
    const f = new Findings();
    for (const r of must.slice(1)) f.pass(r.id);
    f.skip(must[0]!.id, 'an answer that decided nothing');
    const cut = report(f, false);
    expect([cut.verdict, cut.exitCode]).toEqual(['error', 3]);
    expect(cut.headline).toBe(`cut short: 1 MUST rule(s) of the plan left undecided (${must[0]!.id}: an answer that decided nothing)`);
    // on the embedded mock the same is a coverage matter, not a cut
    expect(report(f).exitCode).toBe(0);
    const g = new Findings();
    for (const r of must) g.pass(r.id);
    g.exclude(must[0]!.id, 'needs 5,000 USD');
    const excluded = report(g, false);
    expect(excluded.exitCode).toBe(0);
    expect(excluded.rules.find((x) => x.id === must[0]!.id)).toMatchObject({
      verdict: 'skipped',
      excluded: true,
      reason: 'needs 5,000 USD',
    });
    expect(excluded.exclusions).toEqual([{ id: must[0]!.id, level: 'MUST', reason: 'needs 5,000 USD' }]);
    expect(excluded.headline).toMatch(new RegExp(`; 1 excluded by plan \\(${must[0]!.id.replace(/\./g, '\\.')}: needs 5,000 USD\\)$`));
  });

  it('an excluded class outweighs a pass of the same rule, never a failure', () => {
    const f = new Findings();
    f.pass(must[0]!.id);
    f.exclude(must[0]!.id, 'the amount/above case needs 5,000.01 USD');
    f.fail(must[1]!.id, { message: 'broken' });
    f.exclude(must[1]!.id, 'another class excluded');
    const byId = new Map(f.list().map((x) => [x.ruleId, x]));
    expect(byId.get(must[0]!.id)).toMatchObject({ verdict: 'skipped', excluded: true, checks: 1 });
    expect(byId.get(must[1]!.id)).toMatchObject({ verdict: 'fail', excluded: true });
  });
});
