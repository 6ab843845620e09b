/** `luhn`: a card number passes the Luhn check. Mutator: the check digit changed. */
import { NA, of, textOf } from '../spec/evaluate.ts';
import { luhnValid } from '../wire/luhn.ts';
import type { CheckKind } from './types.ts';

export const luhn: CheckKind<'luhn'> = {
  kind: 'luhn',
  describe: 'the card number passes the Luhn check',
  expected: ({ path }) => `${path} passes the Luhn check`,
  scope: 'value',
  holds: ({ value }) => {
    const s = textOf(value);
    return s === undefined || !/^\d+$/.test(s) ? NA : of(luhnValid(s));
  },
  // a card number has no edge of its own: its length and BIN are other rules'
  edges: () => [],
  // card numbers are made by `startsWithBin`'s repair, which completes them with the check digit
  values: null,
  repair: null,
  mutators({ path, text, with: w }) {
    if (!/^\d+$/.test(text)) return [];
    const last = (Number(text.at(-1)) + 1) % 10;
    return [w(text.slice(0, -1) + last, `${path} check digit changed (fails Luhn)`, 'relation')];
  },
};
