/**
 * `pattern`: the whole value matches a regular expression. Mutators put one foreign character of each
 * class (digit, space, punctuation, non-ASCII letter, the other letter case where the pattern tells
 * cases apart) at the start, the middle and the end, replacing a character so the length is kept.
 */
import fc from 'fast-check';
import { fullMatch, of, textOf } from '../spec/evaluate.ts';
import type { CheckKind, Mutation } from './types.ts';

const CLASSES: { name: string; chars: string[] }[] = [
  { name: 'a digit', chars: ['7', '0'] },
  { name: 'a space', chars: [' '] },
  { name: 'punctuation', chars: ['-', '!', '.'] },
  { name: 'a non-ASCII letter', chars: ['é', '卡'] },
];

const flipCase = (c: string) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase());

export const pattern: CheckKind<'pattern'> = {
  kind: 'pattern',
  describe: 'the whole value matches the pattern',
  expected: ({ check, path }) => `${path} matching ${check.pattern} as a whole`,
  scope: 'value',
  holds: ({ check, value }) => {
    const s = textOf(value);
    return s === undefined ? { holds: 'n/a' } : of(fullMatch(check.pattern).test(s));
  },
  edges({ check, path, text, typed, brokenOwn }) {
    // the shortest value: one character of the generated one
    const one = [...text][0];
    if (one === undefined || !fullMatch(check.pattern).test(one) || brokenOwn(typed(one)).length > 0) return [];
    return [{ value: typed(one), note: `${path} is one character (the shortest ${check.pattern} allows)` }];
  },
  values: {
    rank: 40,
    arbitrary: ({ check }) => fc.stringMatching(fullMatch(check.pattern)),
  },
  repair: null,
  mutators(site) {
    const { check, path, text, typed, with: w } = site;
    const re = fullMatch(check.pattern);
    const chars = [...text];
    if (chars.length === 0) return [];
    const positions = [...new Set([0, Math.floor(chars.length / 2), chars.length - 1])];
    const where = (i: number) => (i === 0 ? 'start' : i === chars.length - 1 ? 'end' : 'middle');
    const out: Mutation[] = [];
    const seen = new Set<string>();
    const tryAt = (i: number, c: string, what: string) => {
      const cand = chars.map((x, k) => (k === i ? c : x)).join('');
      if (seen.has(cand) || re.test(cand)) return false;
      const v = typed(cand);
      if (site.brokenOwn(v).length > 0) return false;
      seen.add(cand);
      out.push(
        w(v, `${path} = ${JSON.stringify(cand)} (${what} at the ${where(i)}; breaks ${check.pattern})`, 'pattern', { variant: what }),
      );
      return true;
    };
    for (const cls of CLASSES) for (const i of positions) cls.chars.some((c) => tryAt(i, c, cls.name));
    // the other case, where the pattern tells cases apart
    for (const i of positions) {
      const c = chars[i]!;
      if (flipCase(c) !== c) tryAt(i, flipCase(c), 'the other letter case');
    }
    return out;
  },
};
