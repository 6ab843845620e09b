/**
 * `maxLength`: at most N characters (UTF-16 code units, as the providers' Java `String(N)` counts). Edges:
 * exactly N in ASCII and in the character set of the document's own example (multi-byte where it is).
 * Mutators: N + 1 in ASCII and in multi-byte characters, each keeping the field's pattern and format
 * where the data allows; where a pattern or format fixes the length, the overlap is named.
 */
import { of, textOf } from '../spec/evaluate.ts';
import type { CheckKind, Edge, Mutation, MutationSite } from './types.ts';
import { charsOf } from './util.ts';

/** `base` grown (or cut) to `length` with `filler`. */
const grow = (base: string, length: number, filler: string) =>
  base.length >= length ? base.slice(0, length) : base + filler.repeat(length - base.length);

const MULTI_BYTE = ['卡', 'é', 'ß'];

function fillers(site: MutationSite<'maxLength'>): { ascii: string[]; wide: string[] } {
  const example = site.field?.row?.example ?? '';
  const own = charsOf(site.text);
  const ascii = [...own, ...charsOf(example), 'a', 'A', '1', 'Z', '0'].filter((c) => c.charCodeAt(0) < 128);
  const wide = [...charsOf(example), ...own, ...MULTI_BYTE].filter((c) => c.charCodeAt(0) >= 128 && c.length === 1);
  return { ascii: [...new Set(ascii)], wide: [...new Set(wide)] };
}

export const maxLength: CheckKind<'maxLength'> = {
  kind: 'maxLength',
  describe: 'the value is at most N characters',
  expected: ({ check, path }) => `${path} at most ${check.max} characters`,
  scope: 'value',
  holds: ({ check, value }) => {
    const s = textOf(value);
    return s === undefined ? { holds: 'n/a' } : of(s.length <= check.max);
  },
  edges(site) {
    const { check, path, text, typed } = site;
    const out: Edge[] = [];
    // a field whose document names its values (currencies, BINs, airlines) is tried with those alone:
    // any other value of that length is one the provider need not know
    const named = site.field?.row?.named;
    if (named) {
      return named
        .filter((v) => v.length === check.max && site.brokenOwn(typed(v)).length === 0)
        .map((v) => ({ value: typed(v), note: `${path} = ${v}, a value the document names, of the maximum length ${check.max}` }));
    }
    const { ascii, wide } = fillers(site);
    const fitting = (fs: string[]) => fs.map((f) => grow(text, check.max, f)).find((v) => site.brokenOwn(typed(v)).length === 0);
    const a = fitting(ascii);
    if (a !== undefined) out.push({ value: typed(a), note: `${path} is exactly ${check.max} characters` });
    const example = site.field?.row?.example;
    if (example) {
      const ex = grow('', check.max, example);
      if (site.brokenOwn(typed(ex)).length === 0)
        out.push({ value: typed(ex), note: `${path} is ${check.max} characters of the document example's own characters` });
    }
    // multi-byte at full length only where the document's own example is (a Chinese card alias): a
    // provider need not take characters its document never shows
    const exampleWide = wide.filter((c) => (site.field?.row?.example ?? '').includes(c));
    const m = fitting(exampleWide);
    if (m !== undefined && /[^\x00-\x7f]/.test(m))
      out.push({ value: typed(m), note: `${path} is exactly ${check.max} characters, multi-byte` });
    return out;
  },
  values: null,
  repair: null,
  mutators(site) {
    const { check, path, text, typed, with: w } = site;
    const out: Mutation[] = [];
    const { ascii, wide } = fillers(site);
    const over = (fs: string[]) => fs.map((f) => typed(grow(text, check.max + 1, f)));
    // a number written in digits is made longer by leading zeros first: the same amount, so a provider that
    // wrongly took it moves no more than the valid one would (a spend budget can afford the case)
    const padded = /^\d+$/.test(text) ? typed('0'.repeat(check.max + 1 - text.length) + text) : undefined;
    const exactAscii = [...(padded !== undefined && text.length <= check.max ? [padded] : []), ...over(ascii)].find(
      (v) => site.brokenOwn(v).length === 0,
    );
    if (exactAscii !== undefined)
      out.push(w(exactAscii, `${path} is ${check.max + 1} characters (max + 1)`, 'length', { variant: 'ascii' }));
    else {
      // the field's own pattern or format bounds the length: breaking one breaks the other, named
      const v = over(ascii)[0]!;
      const also = site.brokenOwn(v);
      out.push(
        w(v, `${path} is ${check.max + 1} characters (max + 1)`, 'length', {
          variant: 'ascii',
          overlaps: { ids: also.map((r) => r.id), why: `${also.map((r) => r.title).join('; ')}: fixes or bounds the length` },
        }),
      );
    }
    const exactWide = over(wide).find((v) => site.brokenOwn(v).length === 0);
    if (exactWide !== undefined)
      out.push(w(exactWide, `${path} is ${check.max + 1} characters, multi-byte (max + 1)`, 'length', { variant: 'wide' }));
    return out;
  },
};
