/**
 * What `replay` sends: the recorded cases that can be sent again (a generated case, a JSON body, nothing
 * the report hides), once each; dates moved by the days since the case was sent, in the provider's time
 * zone; a fresh order number every time.
 */
import { describe, expect, it } from 'vitest';
import { addDays } from '../../properties/generate.ts';
import type { Evidence } from '../../src/conformance/findings.ts';
import { bodyToday, casesOf } from '../../src/conformance/replay.ts';

const CASE = { property: 'rejection' as const, rules: ['gep.apply.startDate.notBeforeToday'] };
const sent = { userReqNo: 'f5v9s3sn19', localCurrency: 'USD', startDate: '2026-11-28', endDate: '2026-12-03', authLimitAmount: '1.00' };
const ev = (over: Partial<Evidence>): Evidence => ({ message: 'm', case: CASE, sent, at: new Date().toISOString(), ...over });

describe('casesOf', () => {
  it('keeps each generated JSON case once, and says why the others cannot be replayed', () => {
    const { cases, skipped } = casesOf([
      ev({ note: 'yesterday' }),
      ev({ note: 'yesterday, sent again (flaky)' }),
      ev({ case: undefined }),
      ev({ sent: 'dataContent=…' }),
      ev({ sent: { ...sent, cardUserId: '438357******7441' } }),
      ev({ sent: { ...sent, secret: '[REDACTED]' } }),
    ]);
    expect(cases.map((c) => [c.index, c.note])).toEqual([[1, 'yesterday']]);
    expect(skipped.map((s) => s.index)).toEqual([3, 4, 5, 6]);
    expect(skipped[0]!.why).toMatch(/not a generated case/);
    expect(skipped[1]!.why).toMatch(/raw bytes/);
    expect(skipped[2]!.why).toMatch(/hides cardUserId/);
    expect(skipped[3]!.why).toMatch(/hides secret/);
  });
});

describe('bodyToday', () => {
  it('moves the dates by the days since the case was sent (provider zone) and never reuses the order number', () => {
    const [c] = casesOf([ev({ at: new Date(Date.now() - 3 * 86_400_000).toISOString() })]).cases;
    const body = bodyToday('gep', 'apply', c!, 'replay0001');
    expect(body['startDate']).toBe(addDays('2026-11-28', 3));
    expect(body['endDate']).toBe(addDays('2026-12-03', 3));
    expect(body['userReqNo']).not.toBe(sent.userReqNo);
    expect(String(body['userReqNo'])).toHaveLength(sent.userReqNo.length);
    expect(bodyToday('gep', 'apply', c!, 'replay0002')['userReqNo']).not.toBe(body['userReqNo']);
    // sent today: the dates stay, relative to today as they were
    const [same] = casesOf([ev({})]).cases;
    expect(bodyToday('gep', 'apply', same!, 'replay0003')['startDate']).toBe('2026-11-28');
  });
});
