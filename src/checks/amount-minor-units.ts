/**
 * `amountMinorUnits`: an amount written as a whole number of minor units (cents), digits only.
 * Mutators: decimals (the same amount in major units, or cents with a fraction), an exponent, a sign.
 * Leading zeros are not a violation: "01000" is still a whole number of cents and neither the document
 * nor the profile forbids it. Zero and the range's edges belong to `amountRange`; empty to presence.
 */
import { textOf } from '../spec/evaluate.ts';
import type { CheckKind, Mutation } from './types.ts';

export const amountMinorUnits: CheckKind<'amountMinorUnits'> = {
  kind: 'amountMinorUnits',
  describe: 'the amount is a whole number of minor units (digits only)',
  expected: ({ path }) => `${path} a whole number of minor units, digits only (no point, exponent or sign)`,
  scope: 'value',
  holds: ({ value }) => {
    const s = textOf(value);
    if (s === undefined) return { holds: 'n/a' };
    if (/^\d+$/.test(s)) return { holds: true };
    // the way it is broken, for the codes the profile admits per way
    return { holds: false, way: /^[+-]/.test(s) ? 'sign' : /e/i.test(s) ? 'exponent' : s.includes('.') ? 'decimal' : 'other' };
  },
  // the range's minimum and maximum are its edges
  edges: () => [],
  values: null,
  repair: null,
  mutators(site) {
    const { path, with: w } = site;
    if (!/^\d+$/.test(site.text)) return [];
    const out: Mutation[] = [];
    // broken around the range's smallest amount where there is one: a provider that wrongly took the case
    // moves as little as a valid request can (a spend budget affords it)
    const range = site.siblings.find((r) => r.field === site.rule.field && r.check.kind === 'amountRange')?.check;
    const text = range?.kind === 'amountRange' && /^\d+$/.test(range.min) ? range.min : site.text;
    const major = text.length > 2 ? `${text.slice(0, -2)}.${text.slice(-2)}` : `0.${text.padStart(2, '0')}`;
    out.push(w(major, `${path} = "${major}" (the amount in major units, with a decimal point)`, 'amount', { way: 'decimal' }));
    out.push(w(`${text}.00`, `${path} = "${text}.00" (cents with a fraction)`, 'amount', { way: 'decimal' }));
    // an exponent that a number parser would read as an amount inside the range
    let exp = '1e3';
    if (range?.kind === 'amountRange') {
      for (let k = 0; k < 24; k++) {
        const n = 10n ** BigInt(k);
        if (n >= BigInt(range.min) && n <= BigInt(range.max)) {
          exp = `1e${k}`;
          break;
        }
      }
    }
    out.push(w(exp, `${path} = "${exp}" (an exponent)`, 'amount', { way: 'exponent' }));
    out.push(w(`+${text}`, `${path} = "+${text}" (a plus sign)`, 'amount', { way: 'sign' }));
    out.push(w(`-${text}`, `${path} = "-${text}" (a minus sign)`, 'amount', { way: 'sign' }));
    return out;
  },
};
