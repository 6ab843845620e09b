/**
 * The values rules are decided on: paths into an object, absence, effective values with defaults,
 * conditions, calendar dates and "today" in a time zone, the JSON types of the tables. What each kind of
 * rule means is in `src/checks/<kind>.ts`; this module is what they all read values with.
 */
import type { FieldDefault, Rule } from './catalogue.ts';
import type { SchemaMode } from './registry.ts';
import type { Condition } from './types.ts';

export interface EvalContext {
  mode: SchemaMode;
  /** Today's calendar date in the provider's time zone, `yyyy-MM-dd`. */
  today: string;
  /** Field defaults of the operation's request (GEP's channelType and BIN). */
  defaults: Record<string, FieldDefault>;
  /** Values a `knownValue` rule accepts, by list name (`segmentList`); a missing list leaves it undecided. */
  knownValues?: Record<string, readonly string[]>;
  /** The request an answer belongs to, for response rules that compare with it. */
  request?: Record<string, unknown>;
  /** Return codes of the provider catalogue, for `codeInCatalogue`. */
  codes?: ReadonlySet<string>;
  /** GEP outcome (2): card elements may still be missing. */
  allowIncomplete?: boolean;
}

/** `holds`, `broken` (with the way it was broken, for rules with a code per way), or `n/a` when undecided here. */
export type Verdict = { holds: true } | { holds: false; way?: string } | { holds: 'n/a' };
export const HOLDS: Verdict = { holds: true };
export const BROKEN: Verdict = { holds: false };
export const NA: Verdict = { holds: 'n/a' };
export const of = (ok: boolean): Verdict => (ok ? HOLDS : BROKEN);

export const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Absent for presence rules: missing, null or the empty string. */
export const isAbsent = (v: unknown): boolean => v === undefined || v === null || v === '';
/** Absent for value rules: strict mode checks an empty string as a value; lenient treats it as absent. */
export const absentForValue = (v: unknown, mode: SchemaMode): boolean => v === undefined || v === null || (mode === 'lenient' && v === '');

/** Paths cut at their dots, kept (the catalogue's paths are a few hundred; every case reads them many times). */
const pathParts = new Map<string, readonly string[]>();
const PATHS_KEPT = 4096;
export function partsOf(path: string): readonly string[] {
  let parts = pathParts.get(path);
  if (!parts) {
    parts = path.split('.');
    if (pathParts.size < PATHS_KEPT) pathParts.set(path, parts);
  }
  return parts;
}

export function getPath(root: unknown, path: string): unknown {
  let cur: unknown = root;
  for (const part of partsOf(path)) {
    if (!isPlainObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/** The path a rule's field has inside the object it is checked against (responses drop `response.`). */
export const relativePath = (rule: Rule): string =>
  rule.field.startsWith('response.') ? rule.field.slice('response.'.length) : rule.field;

export function effectiveValue(root: unknown, field: string, defaults: Record<string, FieldDefault>): string | undefined {
  const v = getPath(root, field);
  if (!isAbsent(v)) return String(v);
  const d = defaults[field];
  if (!d) return undefined;
  if (d.value !== undefined) return d.value;
  if (d.by) {
    const key = effectiveValue(root, d.by.field, defaults);
    return key === undefined ? undefined : d.by.values[key];
  }
  return undefined;
}

export function conditionHolds(root: unknown, cond: Condition, defaults: Record<string, FieldDefault>): boolean {
  const v = effectiveValue(root, cond.field, defaults);
  const match = cond.in.includes('*') ? v !== undefined : v !== undefined && cond.in.includes(v);
  return match && (cond.and ? conditionHolds(root, cond.and, defaults) : true);
}

export const NUMERIC = /^-?\d+(\.\d+)?$/;
export const INTEGER = /^-?\d+$/;
const regexCache = new Map<string, RegExp>();
export const fullMatch = (pattern: string): RegExp => {
  let re = regexCache.get(pattern);
  if (!re) {
    re = new RegExp(`^(?:${pattern})$`, 'u');
    regexCache.set(pattern, re);
  }
  return re;
};

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** The ASCII digits of `s` from `at` to `end` as a number, or -1 if one is not a digit. */
function digitsAt(s: string, at: number, end: number): number {
  let n = 0;
  for (let i = at; i < end; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/**
 * `yyyy-MM-dd` naming a day of the Gregorian calendar, from year 100 on (years 0–99 are not calendar
 * dates here: `Date.UTC` reads them as 1900–1999). Arithmetic on the characters: every generated case,
 * check and mock validation asks it several times.
 */
export function isCalendarDate(s: string): boolean {
  if (s.length !== 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return false;
  const y = digitsAt(s, 0, 4);
  const m = digitsAt(s, 5, 7);
  const d = digitsAt(s, 8, 10);
  if (y < 100 || m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= (m === 2 && leap ? 29 : DAYS_IN_MONTH[m - 1]!);
}

/**
 * A zone's wall clock changes date and offset only on a whole UTC minute (every offset since 1972 is whole minutes), so
 * what a formatter says of one instant holds for its whole minute: the last minute's answer is kept per
 * zone, and a case asks Intl once a minute instead of several times a request.
 */
interface MinuteMemo<T> {
  format: Intl.DateTimeFormat;
  minute: number;
  value: T;
}
const MINUTE_MS = 60_000;
function perMinute<T>(make: (timeZone: string) => Intl.DateTimeFormat, read: (text: string) => T) {
  const memos = new Map<string, MinuteMemo<T>>();
  return (timeZone: string, now: Date): T => {
    const minute = Math.floor(now.getTime() / MINUTE_MS);
    let m = memos.get(timeZone);
    if (!m) {
      m = { format: make(timeZone), minute: Number.NaN, value: undefined as T };
      memos.set(timeZone, m);
    }
    if (m.minute !== minute) {
      m.value = read(m.format.format(new Date(minute * MINUTE_MS)));
      m.minute = minute;
    }
    return m.value;
  };
}

/** The calendar date in a time zone, `yyyy-MM-dd`. */
export const todayIn: (timeZone: string, now: Date) => string = perMinute(
  (timeZone) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }),
  (text) => text,
);

/** Milliseconds since midnight in a time zone at the start of the UTC minute (the wall clock there). */
const minuteSinceMidnightIn = perMinute(
  (timeZone) => new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
  (text) => {
    const [h, m] = text.split(':').map(Number) as [number, number];
    return (h * 60 + m) * MINUTE_MS;
  },
);

/** Milliseconds since midnight in a time zone (the wall clock there). */
export function msSinceMidnightIn(timeZone: string, now: Date): number {
  return minuteSinceMidnightIn(timeZone, now) + (((now.getTime() % MINUTE_MS) + MINUTE_MS) % MINUTE_MS);
}

/** The text of a scalar value (a number as its decimal text); `undefined` for anything else. */
export const textOf = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
