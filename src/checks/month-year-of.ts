/** `monthYearOf`: an expiry MM/yyyy equals the month and year of a request date (`endDate`). */
import { getPath, isAbsent, isCalendarDate, NA, of } from '../spec/evaluate.ts';
import type { CheckKind } from './types.ts';
import { setAt } from './util.ts';

export const monthYearOf: CheckKind<'monthYearOf'> = {
  kind: 'monthYearOf',
  describe: 'the month and year equal those of a request date',
  expected({ check, path, ctx }) {
    const date = ctx?.request ? getPath(ctx.request, check.dateField) : undefined;
    if (typeof date !== 'string' || !isCalendarDate(date)) return `${path} MM/yyyy of ${check.dateField}`;
    return `${path} MM/yyyy of ${check.dateField} ${date} → ${date.slice(5, 7)}/${date.slice(0, 4)}`;
  },
  scope: 'object',
  holds({ check, value, ctx }) {
    const date = ctx.request ? getPath(ctx.request, check.dateField) : undefined;
    if (typeof value !== 'string' || isAbsent(value) || typeof date !== 'string' || !isCalendarDate(date)) return NA;
    return of(value === `${date.slice(5, 7)}/${date.slice(0, 4)}`);
  },
  edges: () => [],
  values: null,
  repair({ check, path, obj, value, g }) {
    const d = g.request ? getPath(g.request, check.dateField) : undefined;
    if (!isAbsent(value) && typeof d === 'string') setAt(obj, path, `${d.slice(5, 7)}/${d.slice(0, 4)}`);
  },
  mutators({ path, text, with: w }) {
    if (!/^\d{2}\//.test(text)) return [];
    const other = `${String((Number(text.slice(0, 2)) % 12) + 1).padStart(2, '0')}${text.slice(2)}`;
    return [w(other, `${path} = ${other} (another month)`, 'relation')];
  },
};
