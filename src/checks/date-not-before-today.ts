/**
 * `dateNotBeforeToday`: a calendar date on or after today, in the provider's time zone. "Today" is the
 * context's (taken per case when it is sent). Edge: today. Mutators: yesterday, and a year before.
 */
import { isCalendarDate, NA, of, textOf } from '../spec/evaluate.ts';
import type { CheckKind } from './types.ts';
import { addDays } from './util.ts';

export const dateNotBeforeToday: CheckKind<'dateNotBeforeToday'> = {
  kind: 'dateNotBeforeToday',
  describe: "the date is today or later in the provider's time zone",
  expected: ({ check, path, ctx }) =>
    `${path} ${check.exclusive ? 'after' : 'on or after'} today in the provider's zone${ctx ? ` (${ctx.today})` : ''}`,
  scope: 'value',
  holds: ({ check, value, ctx }) => {
    const s = textOf(value);
    return s === undefined || !isCalendarDate(s) ? NA : of(check.exclusive ? s > ctx.today : s >= ctx.today);
  },
  edges: ({ path, g }) => [{ value: g.today, note: `${path} = today (${g.today}) in the provider's zone` }],
  values: null,
  repair: null,
  mutators({ path, g, with: w }) {
    const y = addDays(g.today, -1);
    const year = addDays(g.today, -365);
    return [
      w(y, `${path} = ${y} (yesterday in the provider's zone)`, 'dateWindow'),
      w(year, `${path} = ${year} (a year ago)`, 'dateWindow'),
    ];
  },
};
