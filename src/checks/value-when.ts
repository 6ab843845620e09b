/** `valueWhen`: when the condition holds, the field (if present) takes one of the listed values. */
import { conditionHolds, isAbsent, NA, of, textOf } from '../spec/evaluate.ts';
import type { CheckKind, Mutation } from './types.ts';
import { conditionText, setAt } from './util.ts';

export const valueWhen: CheckKind<'valueWhen'> = {
  kind: 'valueWhen',
  describe: 'when the condition holds, the field is one of the listed values or absent',
  expected: ({ check, path }) => `${path} ${check.values.join(' or ')} (or absent) when ${conditionText(check.when)}`,
  scope: 'object',
  holds: ({ check, rule, root, value, ctx }) => {
    const s = textOf(value);
    // a value that is not a scalar is the type rule's to judge
    if (!conditionHolds(root, check.when, rule.side === 'request' ? ctx.defaults : {}) || isAbsent(value) || s === undefined) return NA;
    return of(check.values.includes(s));
  },
  edges: ({ check, path, typed, rule }) => [
    ...check.values.map((v) => ({ value: typed(v), note: `${rule.title}: ${path} = ${v}` })),
    { value: undefined, note: `${rule.title}: ${path} absent` },
  ],
  values: null,
  repair({ check, path, obj, value, defaults, typed }) {
    if (conditionHolds(obj, check.when, defaults) && !isAbsent(value) && !check.values.includes(String(value)))
      setAt(obj, path, typed(check.values[0]!));
  },
  mutators(site) {
    const { check, path, typed, with: w } = site;
    const out: Mutation[] = [];
    const numeric = check.values.every((v) => /^\d+$/.test(v));
    const candidates = numeric
      ? [String(Number(check.values[0]) + 1), String(Number(check.values[0]) - 1), '1']
      : ['x', check.values[0]!.toLowerCase(), check.values[0]!.toUpperCase()];
    for (const c of [...new Set(candidates)]) {
      if (check.values.includes(c) || site.brokenOwn(typed(c)).length > 0) continue;
      out.push(w(typed(c), `${path} = ${c} (must be ${check.values.join(' or ')} here)`, 'conditional'));
    }
    return out;
  },
};
