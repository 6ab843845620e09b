/** `knownValue`: a value from a list the provider gives (Alchemy's card segments). Undecided without the list. */
import fc from 'fast-check';
import { NA, of, textOf } from '../spec/evaluate.ts';
import type { CheckKind, Mutation } from './types.ts';

export const knownValue: CheckKind<'knownValue'> = {
  kind: 'knownValue',
  describe: 'the value is one the provider lists',
  expected({ check, path, ctx }) {
    const list = ctx?.knownValues?.[check.of];
    return `${path} one of the provider's ${check.of}${list ? ` (${list.join(', ')})` : ''}`;
  },
  scope: 'value',
  holds: ({ check, value, ctx }) => {
    const s = textOf(value);
    const list = ctx.knownValues?.[check.of];
    return s === undefined || !list ? NA : of(list.includes(s));
  },
  edges: ({ check, path, g }) => (g.knownValues?.[check.of] ?? []).map((v) => ({ value: v, note: `${path} = ${v} (from ${check.of})` })),
  values: {
    rank: 5,
    arbitrary: ({ check, g }) => {
      const list = g.knownValues?.[check.of];
      return list && list.length > 0 ? fc.constantFrom(...list) : undefined;
    },
  },
  repair: null,
  mutators({ check, path, text, g, with: w }) {
    const list = g.knownValues?.[check.of] ?? [];
    const out: Mutation[] = [];
    const other = text === text.toLowerCase() ? text.toUpperCase() : text.toLowerCase();
    if (text && other !== text && !list.includes(other))
      out.push(
        w(other, `${path} = ${JSON.stringify(other)} (a listed value in the other letter case)`, 'unknownValue', { variant: 'case' }),
      );
    out.push(w('ZZZ', `${path} = "ZZZ" (not in ${check.of})`, 'unknownValue', { variant: 'outside' }));
    return out;
  },
};
