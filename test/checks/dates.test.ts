/** "Today" in the provider's zone, the guard band around its midnight, and cases moved to the day they are sent. */
import { describe, expect, it } from 'vitest';
import { invalidCases, shiftDates, validCases } from '../../properties/cases.ts';
import { msSinceMidnightIn, todayIn } from '../../src/spec/evaluate.ts';

const SHANGHAI = 'Asia/Shanghai';

describe("the provider's wall clock", () => {
  it('is 8 hours ahead of UTC in Asia/Shanghai: 16:00:30 UTC is 00:00:30 of the next day there', () => {
    const t = new Date('2027-03-01T16:00:30.250Z');
    expect(todayIn(SHANGHAI, t)).toBe('2027-03-02');
    expect(todayIn('UTC', t)).toBe('2027-03-01');
    expect(msSinceMidnightIn(SHANGHAI, t)).toBe(30_250);
    expect(msSinceMidnightIn(SHANGHAI, new Date('2027-03-01T15:59:00Z'))).toBe(86_340_000);
  });

  it('agrees with Intl to the millisecond around midnights and offset changes, asked in any order (the answer is kept a minute)', () => {
    const direct = (zone: string, t: Date) => {
      const day = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(t);
      const clock = new Intl.DateTimeFormat('en-GB', {
        timeZone: zone,
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hourCycle: 'h23',
      });
      const [h, m, s] = clock.format(t).split(':').map(Number) as [number, number, number];
      return { day, ms: ((h * 60 + m) * 60 + s) * 1000 + t.getUTCMilliseconds() };
    };
    // New York and London change by an hour, Lord Howe by half an hour, Chatham sits at +12:45/+13:45
    const instants: [string, string][] = [
      ['America/New_York', '2026-03-08T07:00:00.000Z'],
      ['America/New_York', '2026-11-01T06:00:00.000Z'],
      ['Europe/London', '2026-03-29T01:00:00.000Z'],
      ['Australia/Lord_Howe', '2026-04-04T15:00:00.000Z'],
      ['Pacific/Chatham', '2026-09-26T14:00:00.000Z'],
      [SHANGHAI, '2027-03-01T16:00:00.000Z'],
    ];
    let asked = 0;
    for (const [zone, iso] of instants)
      for (const delta of [-60_001, -1, 0, 1, 59_999, 60_000, -1, 0, 3_600_000, -3_600_001]) {
        const t = new Date(Date.parse(iso) + delta);
        const want = direct(zone, t);
        expect({ day: todayIn(zone, t), ms: msSinceMidnightIn(zone, t) }, `${zone} ${t.toISOString()}`).toEqual(want);
        asked++;
      }
    expect(asked).toBe(60);
  });
});

describe('the guard band around midnight', async () => {
  // the harness needs vitest's injected session only when it is used, not to import this pure function
  const { guardWaitMs } = await import('../../src/conformance/harness.ts');
  const GUARD = 120_000;
  it('waits until two minutes past midnight when a case would be sent in the two minutes before or after it', () => {
    expect(guardWaitMs(86_400_000 - 60_000, GUARD)).toBe(180_000);
    expect(guardWaitMs(30_000, GUARD)).toBe(90_000);
    expect(guardWaitMs(GUARD, GUARD)).toBe(0);
    expect(guardWaitMs(43_200_000, GUARD)).toBe(0);
    expect(guardWaitMs(5, 0)).toBe(0);
  });
});

describe('a case sent on another day than it was made', () => {
  const g = { mode: 'lenient' as const, today: '2027-02-27' };
  it('moves every calendar date by the days between, so today stays today and the order holds', () => {
    const edge = validCases('gep', 'apply', g, 0, 1).find((c) => c.note.startsWith('startDate = today'))!;
    const moved = shiftDates('gep', 'apply', edge.value, 2) as Record<string, string>;
    expect(moved['startDate']).toBe('2027-03-01');
    const before = edge.value as Record<string, string>;
    expect(moved['endDate']! >= moved['startDate']!).toBe(true);
    expect(before['startDate']).toBe('2027-02-27');
  });
  it('moves yesterday to the new yesterday, and leaves a malformed date as it was', () => {
    const cases = invalidCases('gep', 'apply', g, 1, 1).filter((c) => c.rules[0] === 'gep.apply.startDate.notBeforeToday');
    const yesterday = cases.find((c) => c.note.includes('yesterday'))!;
    expect((shiftDates('gep', 'apply', yesterday.value, 1) as Record<string, string>)['startDate']).toBe('2027-02-27');
    const slashes = invalidCases('gep', 'apply', g, 1, 1).find((c) => c.note.includes('slashes'))!;
    const kept = shiftDates('gep', 'apply', slashes.value, 1) as Record<string, string>;
    expect(kept['startDate']).toBe((slashes.value as Record<string, string>)['startDate']);
  });
});
