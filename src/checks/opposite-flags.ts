/** `oppositeFlags`: the envelope's error flag is the opposite of its success flag. */
import { isPlainObject, NA, of } from '../spec/evaluate.ts';
import type { CheckKind } from './types.ts';
import { clone } from './util.ts';

export const oppositeFlags: CheckKind<'oppositeFlags'> = {
  kind: 'oppositeFlags',
  describe: 'the error flag is the opposite of the success flag',
  expected({ check, root }) {
    const s = isPlainObject(root) ? root[check.success] : undefined;
    return typeof s === 'boolean'
      ? `${check.error} = ${!s}, the opposite of ${check.success} = ${s}`
      : `${check.error} the opposite of ${check.success}`;
  },
  scope: 'object',
  holds({ check, root }) {
    const r = root as Record<string, unknown>;
    const s = r[check.success];
    const e = r[check.error];
    return typeof s !== 'boolean' || typeof e !== 'boolean' ? NA : of(s !== e);
  },
  edges: () => [],
  values: null,
  repair({ check, obj }) {
    if (typeof obj[check.success] === 'boolean') obj[check.error] = !obj[check.success];
  },
  mutators({ check, valid }) {
    const o = clone(valid);
    o[check.error] = o[check.success];
    return [{ value: o, note: `${check.error} equals ${check.success}`, cls: 'relation' }];
  },
};
