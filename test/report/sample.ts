/** Reports built by the real report builder from findings the tests choose (no run needed). */
import { expect } from 'vitest';
import type { Evidence, Finding } from '../../src/conformance/findings.ts';
import type { SessionSummary } from '../../src/conformance/session.ts';
import { readSettings } from '../../src/conformance/settings.ts';
import { buildReport, type ConformanceReport, type ReportInput } from '../../src/report/conformance.ts';
import { catalogue } from '../../src/spec/catalogue.ts';
import type { Level, Provider } from '../../src/spec/registry.ts';
import { UsageError } from '../../src/wire/errors.ts';

export const session: SessionSummary = {
  settings: readSettings({}),
  target: {
    alchemy: { url: 'http://127.0.0.1:1', embedded: true, kind: 'mock' },
    gep: { url: 'http://127.0.0.1:2', embedded: true, kind: 'mock' },
  },
  control: {},
};

/** The first rule ids of a provider at a level. */
export const ruleIds = (p: Provider, l: Level, n = 1): string[] =>
  catalogue()
    .rulesFor(p)
    .filter((r) => r.level === l)
    .slice(0, n)
    .map((r) => r.id);

export const passAll = (providers: Provider[] = ['alchemy', 'gep']): Finding[] =>
  catalogue()
    .rules.filter((r) => providers.includes(r.provider))
    .map((r) => ({ ruleId: r.id, verdict: 'pass', checks: 1, evidence: [] }));

export const failing = (ruleId: string, evidence: Evidence[] = [{ message: `${ruleId} broken` }]): Finding => ({
  ruleId,
  verdict: 'fail',
  checks: 1,
  evidence,
});

export function report(findings: Finding[], more: Partial<ReportInput> = {}): ConformanceReport {
  return buildReport({
    findings,
    crashed: [],
    cases: 3,
    requests: 4,
    session,
    problems: [],
    startedAt: new Date('2026-03-01T12:00:00Z'),
    durationMs: 1234,
    testsMs: 1000,
    providers: ['alchemy', 'gep'],
    ...more,
  });
}

/** The one-line usage error `read(p)` throws for a bad file `p` (naming it), or a failure when it reads. */
export function usageLine(read: (p: string) => unknown, p: string): string {
  try {
    read(p);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    const m = (e as Error).message;
    expect(m, 'one line').not.toContain('\n');
    expect(m).toContain(p);
    return m;
  }
  throw new Error(`${p} was read`);
}
