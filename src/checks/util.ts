/** Small helpers the kind modules and the generators share: paths, dates, typed values, card numbers. */
import { getPath, isPlainObject, partsOf } from '../spec/evaluate.ts';
import type { SchemaMode } from '../spec/registry.ts';
import { withCheckDigit } from '../wire/luhn.ts';
import type { FieldView } from './types.ts';

export function setAt(root: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const parts = partsOf(path);
  let cur = root;
  for (let i = 0; i < parts.length - 1; i++) {
    const p = parts[i]!;
    if (!isPlainObject(cur[p])) cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts.at(-1)!] = value;
  return root;
}

export function deleteAt(root: Record<string, unknown>, path: string): void {
  const parts = path.split('.');
  const parent = parts.length === 1 ? root : getPath(root, parts.slice(0, -1).join('.'));
  if (isPlainObject(parent)) delete parent[parts.at(-1)!];
}

export { clone } from '../spec/clone.ts';

/** Dates `addDays` worked out, by date and days (a run asks for the same few hundred again and again). */
const shifted = new Map<string, string>();
const SHIFTS_KEPT = 4096;
export const addDays = (date: string, days: number): string => {
  const key = `${date}|${days}`;
  let out = shifted.get(key);
  if (out === undefined) {
    const d = new Date(`${date}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + days);
    out = d.toISOString().slice(0, 10);
    if (shifted.size < SHIFTS_KEPT) shifted.set(key, out);
  }
  return out;
};

/** Days from `a` to `b` (both `yyyy-MM-dd`). */
export const daysBetween = (a: string, b: string): number =>
  Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);

/** A value written as the field's type asks: numbers as JSON numbers in strict mode, numeric strings in lenient. */
export function asType(f: FieldView | undefined, v: string, mode: SchemaMode): unknown {
  const type = f?.check('type')?.type;
  if ((type === 'number' || type === 'long') && mode === 'strict') return Number(v);
  if (type === 'boolean') return v === 'true';
  return v;
}

/** A card number: the BIN, digits, the Luhn check digit. */
export function makePan(bin: string, length: number, digits: readonly number[]): string {
  let body = bin;
  for (let i = 0; body.length < length - 1; i++) body += String(digits[i % digits.length]! % 10);
  return withCheckDigit(body);
}

/** `base` repeated or cut to exactly `length` characters (code points, so a multi-byte unit stays whole). */
export function ofLength(base: string, length: number): string {
  const units = [...(base.length > 0 ? base : 'a')];
  const out: string[] = [];
  for (let i = 0; out.length < length; i++) out.push(units[i % units.length]!);
  return out.join('');
}

/** The distinct characters of a text, in order of first appearance. */
export const charsOf = (s: string): string[] => [...new Set(s)];

/** A condition in words: `channelType is 1`, `binRangeId is present and channelType is 2`. */
export function conditionText(cond: { field: string; in: readonly string[]; and?: { field: string; in: readonly string[] } }): string {
  const one = (c: { field: string; in: readonly string[] }) =>
    c.in.includes('*') ? `${c.field} is present` : `${c.field} is ${c.in.join(' or ')}`;
  return cond.and ? `${one(cond)} and ${one(cond.and)}` : one(cond);
}
