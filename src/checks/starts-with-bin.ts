/** `startsWithBin`: the card number starts with the requested (or default) BIN; `000000` asks for any BIN. */
import { effectiveValue, isAbsent, NA, of } from '../spec/evaluate.ts';
import { withCheckDigit } from '../wire/luhn.ts';
import type { CheckKind } from './types.ts';
import { makePan, setAt } from './util.ts';

const randomBin = (bin: string) => /^0+$/.test(bin);

export const startsWithBin: CheckKind<'startsWithBin'> = {
  kind: 'startsWithBin',
  describe: 'the card number starts with the requested BIN',
  expected({ check, path, ctx }) {
    const bin = ctx?.request ? effectiveValue(ctx.request, check.binField, ctx.defaults) : undefined;
    return `${path} starting with the requested ${check.binField}${bin === undefined ? '' : ` ${bin}`}`;
  },
  scope: 'object',
  holds({ check, value, ctx }) {
    if (typeof value !== 'string' || isAbsent(value) || !ctx.request) return NA;
    const bin = effectiveValue(ctx.request, check.binField, ctx.defaults);
    return bin === undefined || randomBin(bin) ? NA : of(value.startsWith(bin));
  },
  edges: () => [],
  values: null,
  repair({ check, path, obj, value, field, g, requestDefaults, spare }) {
    if (isAbsent(value) || !g.request) return;
    const bin = effectiveValue(g.request, check.binField, requestDefaults) ?? '';
    const real = randomBin(bin) ? `4${spare.slice(0, 5).join('')}` : bin;
    setAt(obj, path, makePan(real, Math.min(16, field?.check('maxLength')?.max ?? 16), spare));
  },
  mutators({ path, text, value, with: w }) {
    if (isAbsent(value) || !/^\d+$/.test(text)) return [];
    const first = text[0] === '9' ? '8' : '9';
    // Luhn stays valid: only the prefix is wrong
    return [w(withCheckDigit(first + text.slice(1, -1)), `${path} starts with ${first} (another BIN)`, 'relation')];
  },
};
