/**
 * `amountRange`: a whole number of minor units between the document's minimum and maximum. Edges: the
 * minimum and the maximum. Mutators: min − 1 and zero (below), max + 1 and a far amount (above).
 */
import fc from 'fast-check';
import { textOf } from '../spec/evaluate.ts';
import type { CheckKind, Mutation } from './types.ts';

export const amountRange: CheckKind<'amountRange'> = {
  kind: 'amountRange',
  describe: 'the amount lies between the minimum and the maximum (minor units)',
  expected: ({ check, path }) => `${path} between ${check.min} and ${check.max} minor units`,
  scope: 'value',
  holds: ({ check, value }) => {
    const s = textOf(value);
    if (s === undefined || !/^\d+$/.test(s)) return { holds: 'n/a' };
    const n = BigInt(s);
    if (n < BigInt(check.min)) return { holds: false, way: 'below' };
    if (n > BigInt(check.max)) return { holds: false, way: 'above' };
    return { holds: true };
  },
  edges: ({ check, path }) => [
    { value: check.min, note: `${path} = ${check.min} (the minimum)` },
    { value: check.max, note: `${path} = ${check.max} (the maximum)` },
  ],
  values: { rank: 20, arbitrary: ({ check }) => fc.bigInt({ min: BigInt(check.min), max: BigInt(check.max) }).map(String) },
  repair: null,
  mutators({ check, path, with: w }) {
    const below = (BigInt(check.min) - 1n).toString();
    const above = (BigInt(check.max) + 1n).toString();
    const far = (BigInt(check.max) * 10n).toString();
    const out: Mutation[] = [
      w(below, `${path} = "${below}" (min − 1)`, 'amount', { way: 'below' }),
      w(above, `${path} = "${above}" (max + 1)`, 'amount', { way: 'above' }),
      w(far, `${path} = "${far}" (ten times the maximum)`, 'amount', { way: 'above' }),
    ];
    if (BigInt(check.min) > 1n) out.push(w('0', `${path} = "0" (zero)`, 'amount', { way: 'below' }));
    return out;
  },
};
