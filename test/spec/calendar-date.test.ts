/** `isCalendarDate` by arithmetic agrees with the Date-based reading it replaced, and `addDays` with its memo. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays } from '../../src/checks/util.ts';
import { isCalendarDate } from '../../src/spec/evaluate.ts';

/** The reading before: a pattern, then a round trip through Date.UTC. */
function byDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const [y, m, d] = s.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

const digits = (n: number) => fc.array(fc.constantFrom(...'0123456789'), { minLength: n, maxLength: n }).map((a) => a.join(''));

describe('isCalendarDate', () => {
  it('agrees with the Date-based reading on dates, near-dates and noise', () => {
    const dateLike = fc.tuple(digits(4), digits(2), digits(2)).map(([y, m, d]) => `${y}-${m}-${d}`);
    const nearDate = fc
      .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }))
      .map(([y, m, d]) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
    const noise = fc.string({ maxLength: 12 });
    const mangled = fc
      .tuple(nearDate, fc.nat(9), fc.string({ minLength: 1, maxLength: 1 }))
      .map(([s, i, c]) => s.slice(0, i) + c + s.slice(i + 1));
    fc.assert(
      fc.property(fc.oneof(dateLike, nearDate, noise, mangled), (s) => isCalendarDate(s) === byDate(s)),
      { numRuns: 20_000, seed: 11 },
    );
  });

  it('knows leap years, month ends and the years Date.UTC cannot name', () => {
    const cases = [
      '2024-02-29',
      '2023-02-29',
      '2000-02-29',
      '1900-02-29',
      '2100-02-29',
      '2026-04-31',
      '2026-12-31',
      '2026-13-01',
      '2026-00-10',
      '2026-01-00',
      '0099-01-01',
      '0100-01-01',
      '9999-12-31',
      '2026-1-01',
      '2026/01/01',
      '2026-01-01 ',
      '２０２６-01-01',
    ];
    for (const s of cases) expect(isCalendarDate(s), s).toBe(byDate(s));
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2023-02-29')).toBe(false);
  });
});

describe('addDays', () => {
  it('gives the same date the first time and from its memo, across month, year and leap-day ends', () => {
    const fresh = (date: string, days: number) => {
      const d = new Date(`${date}T00:00:00Z`);
      d.setUTCDate(d.getUTCDate() + days);
      return d.toISOString().slice(0, 10);
    };
    for (const date of ['2024-02-28', '2024-02-29', '2023-12-31', '2026-11-29', '2100-02-28'])
      for (const days of [-400, -31, -1, 0, 1, 2, 30, 365, 366]) {
        expect(addDays(date, days)).toBe(fresh(date, days));
        expect(addDays(date, days)).toBe(fresh(date, days));
      }
  });
});
