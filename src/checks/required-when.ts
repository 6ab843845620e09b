/** `requiredWhen`: a C row is present when its condition holds on the effective values (defaults included). */
import { conditionHolds, isAbsent, NA, of } from '../spec/evaluate.ts';
import { presenceMutations } from './presence.ts';
import type { CheckKind } from './types.ts';
import { conditionText, setAt } from './util.ts';

export const requiredWhen: CheckKind<'requiredWhen'> = {
  kind: 'requiredWhen',
  describe: 'the field is present when its condition holds (defaults count)',
  expected: ({ check, path }) => `${path} present when ${conditionText(check.when)}`,
  scope: 'object',
  holds({ check, rule, root, value, ctx }) {
    if (!conditionHolds(root, check.when, rule.side === 'request' ? ctx.defaults : {})) return NA;
    if (check.mayArriveLater && ctx.allowIncomplete && isAbsent(value)) return NA;
    return of(!isAbsent(value));
  },
  // the object drawn under the condition, with the field present, is the edge
  edges: ({ value, rule }) => [{ value, note: `${rule.title}: condition met, field present` }],
  values: null,
  repair({ check, path, obj, value, defaults, build }) {
    if (conditionHolds(obj, check.when, defaults) && isAbsent(value)) setAt(obj, path, build(path));
  },
  mutators: presenceMutations,
};
