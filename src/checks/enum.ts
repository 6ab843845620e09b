/**
 * `enum`: one of the listed values (compared as text, so a lenient numeric string equals its number).
 * Mutators: the adjacent values first (max + 1, min − 1 of a numeric list), then a far value, then the
 * other letter case of a textual one. A valid value in the wrong JSON type is the `type` kind's.
 */
import fc from 'fast-check';
import { of, textOf } from '../spec/evaluate.ts';
import type { CheckKind, Mutation } from './types.ts';

export const enumKind: CheckKind<'enum'> = {
  kind: 'enum',
  describe: 'the value is one of the listed values',
  expected: ({ check, path }) => `${path} one of ${check.values.join(', ')}`,
  scope: 'value',
  holds: ({ check, value }) => {
    const s = textOf(value);
    return s === undefined ? { holds: 'n/a' } : of(check.values.includes(s));
  },
  edges: ({ check, path, typed }) => check.values.map((v) => ({ value: typed(v), note: `${path} = ${v}` })),
  values: { rank: 10, arbitrary: ({ check, typed }) => fc.constantFrom(...check.values).map(typed) },
  repair: null,
  mutators(site) {
    const { check, path, typed, with: w } = site;
    const numeric = check.values.every((v) => /^-?\d+$/.test(v));
    const out: Mutation[] = [];
    const add = (v: string, what: string, variant: string) => {
      if (check.values.includes(v) || out.some((m) => m.note.startsWith(`${path} = ${v} `))) return;
      if (site.brokenOwn(typed(v)).length > 0) return;
      out.push(w(typed(v), `${path} = ${v} (${what}; allowed: ${check.values.join(', ')})`, 'enum', { variant }));
    };
    if (numeric) {
      const ns = check.values.map(Number);
      add(String(Math.max(...ns) + 1), 'one above the largest', 'above');
      add(String(Math.min(...ns) - 1), 'one below the smallest', 'below');
      add('99', 'a far value', 'above');
    } else {
      for (const v of check.values)
        if (v.toUpperCase() !== v || v.toLowerCase() !== v)
          add(v === v.toUpperCase() ? v.toLowerCase() : v.toUpperCase(), 'the other letter case', 'case');
      add('x', 'a value outside the list', 'outside');
    }
    return out;
  },
};
