/** `successCode`: the envelope's code is the success value exactly when its success flag is true. */
import { isAbsent, NA, of } from '../spec/evaluate.ts';
import type { CheckKind } from './types.ts';
import { clone, setAt } from './util.ts';

export const successCode: CheckKind<'successCode'> = {
  kind: 'successCode',
  describe: 'the code is the success value exactly when the success flag is true',
  expected: ({ check }) => `${check.code} = ${JSON.stringify(check.value)} exactly when ${check.success} is true`,
  scope: 'object',
  holds({ check, root }) {
    const r = root as Record<string, unknown>;
    const success = r[check.success];
    const code = r[check.code];
    if (typeof success !== 'boolean' || isAbsent(code)) return NA;
    return of(success === (String(code) === check.value));
  },
  edges: () => [],
  values: null,
  repair({ check, obj, fieldAt, g }) {
    if (obj[check.success] === true) {
      const f = fieldAt(check.code);
      const type = f?.check('type')?.type;
      setAt(obj, check.code, (type === 'long' || type === 'number') && g.mode === 'strict' ? Number(check.value) : check.value);
    }
  },
  mutators({ check, valid, fieldAt, g }) {
    const o = clone(valid);
    const type = fieldAt(check.code)?.check('type')?.type;
    const numeric = (type === 'long' || type === 'number') && g.mode === 'strict';
    const v = o[check.success] === true ? '1' : check.value;
    o[check.code] = numeric ? Number(v) : v;
    return [{ value: o, note: `${check.code} contradicts ${check.success}`, cls: 'relation' }];
  },
};
