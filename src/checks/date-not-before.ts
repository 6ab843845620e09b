/** `dateNotBefore`: a date on or after another date field of the same object (`endDate` ≥ `startDate`). */
import { getPath, isCalendarDate, NA, of } from '../spec/evaluate.ts';
import type { CheckKind } from './types.ts';
import { addDays, setAt } from './util.ts';

export const dateNotBefore: CheckKind<'dateNotBefore'> = {
  kind: 'dateNotBefore',
  describe: 'the date is on or after another date of the same object',
  expected({ check, path, root }) {
    const other = root === undefined ? undefined : getPath(root, check.other);
    return `${path} ${check.exclusive ? 'after' : 'on or after'} ${check.other}${typeof other === 'string' ? ` (${other})` : ''}`;
  },
  scope: 'object',
  holds({ check, root, value }) {
    const other = getPath(root, check.other);
    if (typeof value !== 'string' || typeof other !== 'string' || !isCalendarDate(value) || !isCalendarDate(other)) return NA;
    return of(check.exclusive ? value > other : value >= other);
  },
  edges({ check, path, valid }) {
    const other = getPath(valid, check.other);
    return typeof other === 'string' ? [{ value: other, note: `${path} equals ${check.other}` }] : [];
  },
  values: null,
  repair({ check, path, obj, value }) {
    const other = getPath(obj, check.other);
    if (typeof value === 'string' && typeof other === 'string' && value < other) setAt(obj, path, other);
  },
  mutators({ check, path, valid, with: w }) {
    const other = getPath(valid, check.other);
    if (typeof other !== 'string' || !isCalendarDate(other)) return [];
    const day = addDays(other, -1);
    const year = addDays(other, -366);
    return [
      w(day, `${path} = ${day} (one day before ${check.other})`, 'dateWindow'),
      w(year, `${path} = ${year} (a year before ${check.other})`, 'dateWindow'),
    ];
  },
};
