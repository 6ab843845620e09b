/**
 * One report, not two: pact results become findings per rule id and merge with an earlier `run` of the
 * same target in the same report directory; a run against another target is not merged.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SessionSummary } from '../../src/conformance/session.ts';
import { readSettings } from '../../src/conformance/settings.ts';
import type { InteractionResult } from '../../src/pact/verify.ts';
import { buildReport } from '../../src/report/conformance.ts';
import { buildPactReport, earlierReport, pactFindings } from '../../src/report/pact.ts';
import { writeReports } from '../../src/report/write.ts';

const session = (url: string, embedded: boolean): SessionSummary => ({
  settings: { ...readSettings({}), providers: ['gep'] },
  target: { gep: { url, embedded, kind: embedded ? 'mock' : 'sandbox' } },
  control: { gep: { ok: true, accepted: 1, sent: 1 } },
});
const FAILED = 'gep.apply.response.result.orderId.required';
const results: InteractionResult[] = [
  {
    provider: 'gep',
    description: `gep apply: a valid request opens a complete card [gep.apply.request.acceptsValid, ${FAILED}]`,
    ruleIds: ['gep.apply.request.acceptsValid', FAILED],
    verdict: 'fail',
    mismatches: [{ path: '$.result', message: 'Actual map is missing the following keys: orderId' }],
    failed: [FAILED],
  },
  {
    provider: 'gep',
    description: 'gep apply: pending [gep.apply.outcome.pendingResolves]',
    ruleIds: ['gep.apply.outcome.pendingResolves'],
    verdict: 'skipped',
    reason: 'needs the admin surface',
    mismatches: [],
    failed: [],
  },
];

describe('pact results in conformance.json', () => {
  it('each named rule gets a finding: the blamed one fails with the interaction named, the others pass, a skip keeps its reason', () => {
    const byId = new Map(pactFindings(results).map((f) => [f.ruleId, f]));
    expect(byId.get(FAILED)?.verdict).toBe('fail');
    expect(byId.get(FAILED)?.evidence[0]?.message).toContain(
      'pact interaction "gep apply: a valid request opens a complete card" failed: $.result',
    );
    expect(byId.get('gep.apply.request.acceptsValid')?.verdict).toBe('pass');
    // a skipped interaction is a planned exclusion: listed, its rule never a pass
    expect(byId.get('gep.apply.outcome.pendingResolves')).toMatchObject({
      verdict: 'skipped',
      excluded: true,
      reason: expect.stringContaining('needs the admin surface'),
    });
  });

  it('merges with an earlier run of the same target, and not with one of another target', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-pact-report-'));
    const earlier = buildReport({
      findings: [{ ruleId: 'gep.apply.startDate.notBeforeToday', verdict: 'pass', checks: 7, evidence: [] }],
      cards: [{ provider: 'gep', orderNo: 'o-run-1', amount: '1', outcome: 'opened' }],
      budgets: {
        limits: { maxRequests: 500 },
        used: { requests: 7, spend: {}, released: {}, timeMs: 10 },
        exhausted: null,
        refused: 0,
        retryAfter: { count: 0, waitedMs: 0 },
      } as never,
      crashed: [],
      cases: 7,
      requests: 7,
      session: {
        ...session('http://127.0.0.1:1', true),
        runId: 'run-earlier-1',
        settings: { ...session('x', true).settings, profile: 'smoke' },
      },
      problems: [],
      startedAt: new Date(),
      durationMs: 1,
      testsMs: 1,
      providers: ['gep'],
    });
    writeReports(dir, earlier, []);
    const merged = buildPactReport({
      results,
      providers: ['gep'],
      session: session('http://127.0.0.1:2', true),
      problems: [],
      startedAt: new Date(),
      durationMs: 1,
      earlier: earlierReport(dir, { gep: { url: 'http://127.0.0.1:2', embedded: true, kind: 'mock' } })!,
    });
    // every field of the run stays: its profile, budgets, run id, cards and requests
    expect(merged).toMatchObject({ profile: 'smoke', runId: 'run-earlier-1', cards: earlier.cards, budgets: earlier.budgets });
    expect(merged.summary.requestsByProvider).toEqual(earlier.summary.requestsByProvider);
    expect(merged.startedAt).toBe(earlier.startedAt);
    const rule = (id: string) => merged.rules.find((r) => r.id === id)!;
    expect(rule('gep.apply.startDate.notBeforeToday')).toMatchObject({ verdict: 'pass', checks: 7 });
    expect(rule(FAILED).verdict).toBe('fail');
    expect(merged.exitCode).toBe(1);
    expect(merged.pacts).toHaveLength(2);
    expect(earlierReport(dir, { gep: { url: 'https://sandbox.example', embedded: false, kind: 'sandbox' } })).toBeUndefined();
  });
});
