/** `forbiddenWhen`: the field is absent when its condition holds (GEP: no airline code on a subsidiary card). */
import { conditionHolds, isAbsent, NA, of } from '../spec/evaluate.ts';
import type { CheckKind } from './types.ts';
import { conditionText, deleteAt } from './util.ts';

export const forbiddenWhen: CheckKind<'forbiddenWhen'> = {
  kind: 'forbiddenWhen',
  describe: 'the field is absent when its condition holds',
  expected: ({ check, path }) => `${path} absent when ${conditionText(check.when)}`,
  scope: 'object',
  holds: ({ check, rule, root, value, ctx }) =>
    conditionHolds(root, check.when, rule.side === 'request' ? ctx.defaults : {}) ? of(isAbsent(value)) : NA,
  edges: ({ rule }) => [{ value: undefined, note: `${rule.title}: condition met, field absent` }],
  values: null,
  repair({ check, path, obj, defaults }) {
    if (conditionHolds(obj, check.when, defaults)) deleteAt(obj, path);
  },
  mutators({ path, field, typed, with: w }) {
    const named = field?.row?.named ?? [];
    const value = named[0] ?? 'x';
    return [w(typed(value), `${path} = ${JSON.stringify(value)} although the condition forbids it`, 'conditional')];
  },
};
