/**
 * `decimalPositive`: a positive decimal amount in the card currency (GEP's authorised limit is not in
 * minor units). Edges: the smallest cent, a whole amount as the document's example sends. Mutators:
 * zero, zero with decimals, a negative amount.
 */
import fc from 'fast-check';
import { NUMERIC, of, textOf } from '../spec/evaluate.ts';
import type { CheckKind, Mutation } from './types.ts';

export const decimalPositive: CheckKind<'decimalPositive'> = {
  kind: 'decimalPositive',
  describe: 'the amount is a positive decimal number',
  expected: ({ path }) => `${path} a positive decimal number`,
  scope: 'value',
  holds: ({ value }) => {
    const s = textOf(value);
    return s === undefined ? { holds: 'n/a' } : of(NUMERIC.test(s) && Number(s) > 0);
  },
  edges: ({ path, typed }) => [
    { value: typed('0.01'), note: `${path} = 0.01 (smallest positive)` },
    { value: typed('100'), note: `${path} = 100 (a whole amount, as the document's example)` },
  ],
  values: {
    rank: 20,
    arbitrary: ({ typed }) =>
      fc
        .tuple(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 0, max: 99 }), fc.boolean())
        .map(([i, c, whole]) => typed(whole ? String(i) : `${i}.${String(c).padStart(2, '0')}`)),
  },
  repair: null,
  mutators({ path, typed, with: w }) {
    const out: Mutation[] = [];
    const seen = new Set<string>();
    for (const [v, what] of [
      ['0', 'zero'],
      ['0.00', 'zero with decimals'],
      ['-1', 'negative'],
      ['-0.01', 'one cent below zero'],
    ] as const) {
      const t = typed(v);
      if (seen.has(JSON.stringify(t))) continue;
      seen.add(JSON.stringify(t));
      out.push(w(t, `${path} = ${JSON.stringify(t)} (${what})`, 'amount'));
    }
    return out;
  },
};
