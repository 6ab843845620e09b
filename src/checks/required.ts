/** `required`: an M row is present (whenever its parent object is). Absent means missing, null or "". */
import { getPath, isAbsent, isPlainObject, NA, of } from '../spec/evaluate.ts';
import { presenceMutations } from './presence.ts';
import type { CheckKind } from './types.ts';

export const required: CheckKind<'required'> = {
  kind: 'required',
  describe: 'the field is present (whenever its parent object is)',
  expected: ({ path }) => `${path} present (not missing, null or "")`,
  scope: 'object',
  holds({ check, root, value, ctx }) {
    if (check.parent !== undefined && !isPlainObject(getPath(root, check.parent))) return NA;
    if (check.mayArriveLater && ctx.allowIncomplete && isAbsent(value)) return NA;
    return of(!isAbsent(value));
  },
  // presence has no edge values: every valid object has the field
  edges: () => [],
  values: null,
  // the generator always draws M rows
  repair: null,
  mutators: presenceMutations,
};
