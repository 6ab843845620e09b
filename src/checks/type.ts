/**
 * `type`: the JSON type the table writes. Strict mode is the table literally (`Number` is a JSON number,
 * `long` a whole one, `String` a JSON string). Lenient mode judges a scalar by its value: a numeric string
 * is a number and a number is a string (GEP's own example sends Numbers as strings; no document says a
 * provider refuses either), so only an object, array or boolean where a scalar is tabled (null is
 * `presence`'s) — or a string that is no number where a Number is tabled — is a type violation there.
 */
import fc from 'fast-check';
import { INTEGER, isPlainObject, NUMERIC, of } from '../spec/evaluate.ts';
import type { SchemaMode } from '../spec/registry.ts';
import type { CheckKind, Mutation } from './types.ts';
import { charsOf } from './util.ts';

const ALPHABET = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_'];

export function typeHolds(type: string, v: unknown, mode: SchemaMode): boolean {
  switch (type) {
    case 'string':
      return typeof v === 'string' || (mode === 'lenient' && typeof v === 'number' && Number.isFinite(v));
    case 'number':
      return (typeof v === 'number' && Number.isFinite(v)) || (mode === 'lenient' && typeof v === 'string' && NUMERIC.test(v));
    case 'long':
      return (typeof v === 'number' && Number.isInteger(v)) || (mode === 'lenient' && typeof v === 'string' && INTEGER.test(v));
    case 'boolean':
      return typeof v === 'boolean';
    case 'object':
      return isPlainObject(v);
    default:
      throw new Error(`unknown field type ${type}`);
  }
}

const jsonType = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);

/** Wrong values per table type: the other JSON types, then the near misses (a fraction for a long). */
const WRONG: Record<string, unknown[]> = {
  string: [true, {}, [], 12345],
  number: [true, {}, [], 'abc'],
  long: [true, {}, [], 'abc', '1.5', 1.5],
  boolean: ['true', 1, {}],
  object: ['x', 1, [], true],
};

export const type: CheckKind<'type'> = {
  kind: 'type',
  describe: 'the value has the JSON type the table writes (lenient mode: scalars by value, number and numeric string alike)',
  expected: ({ check, path, ctx }) =>
    `${path} a JSON ${check.type}${
      ctx?.mode === 'lenient' && (check.type === 'number' || check.type === 'long')
        ? ' (or a numeric string, lenient mode)'
        : ctx?.mode === 'lenient' && check.type === 'string'
          ? ' (or a number, lenient mode)'
          : ''
    }`,
  scope: 'value',
  holds: ({ check, value, ctx }) => of(typeHolds(check.type, value, ctx.mode)),
  // the type's edge values are the other kinds' edges (lengths, ranges, enum values)
  edges: () => [],
  values: {
    rank: 90,
    arbitrary({ check, field, typed }) {
      const max = field?.check('maxLength')?.max;
      switch (check.type) {
        case 'boolean':
          return fc.boolean();
        case 'number':
        case 'long':
          return fc.integer({ min: 0, max: 9999 }).map((n) => typed(String(n)));
        case 'string': {
          // the document example's own characters too (GEP's Chinese card alias, the hyphen of its serial numbers)
          const units = [...new Set([...ALPHABET, ...charsOf(field?.row?.example ?? '')])];
          return fc.string({ unit: fc.constantFrom(...units), minLength: 1, maxLength: Math.min(max ?? 32, 64) });
        }
        default:
          return undefined; // objects are built from their children
      }
    },
  },
  repair: null,
  mutators(site) {
    const { check, path, field, g, value, with: w } = site;
    const out: Mutation[] = [];
    const candidates = [...(WRONG[check.type] ?? [])];
    const en = field?.check('enum');
    // a valid enum value in the other JSON type: "1" where a number is wanted (strict), 1 where a string is
    // (the value it has, so that no condition on it changes)
    if (en && check.type === 'string' && /^\d+$/.test(site.text)) candidates.push(Number(site.text));
    if ((check.type === 'number' || check.type === 'long') && g.mode === 'strict' && typeof value === 'number')
      candidates.push(String(value));
    for (const c of candidates) {
      if (typeHolds(check.type, c, g.mode)) continue;
      // keep only values the field's other rules leave alone: the type alone is what is wrong
      if (site.brokenOwn(c).length > 0) continue;
      out.push(
        w(c, `${path} = ${JSON.stringify(c)} (a JSON ${jsonType(c)} where the table says ${check.type})`, 'type', { variant: jsonType(c) }),
      );
    }
    return out;
  },
};
