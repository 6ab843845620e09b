/**
 * One predicate per rule kind: does a rule hold for a request or an answer? The zod schemas, the mock's
 * validation, the generators' self-checks and the suites' response checks all call these, so a rule has
 * exactly one meaning everywhere.
 */
import { luhnValid } from '../wire/luhn.ts';
import type { FieldDefault, Rule, RuleCheck } from './catalogue.ts';
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
const HOLDS: Verdict = { holds: true };
const BROKEN: Verdict = { holds: false };
const NA: Verdict = { holds: 'n/a' };
const of = (ok: boolean): Verdict => (ok ? HOLDS : BROKEN);

export const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Absent for presence rules: missing, null or the empty string. */
export const isAbsent = (v: unknown): boolean => v === undefined || v === null || v === '';
/** Absent for value rules: strict mode checks an empty string as a value; lenient treats it as absent. */
const absentForValue = (v: unknown, mode: SchemaMode): boolean => v === undefined || v === null || (mode === 'lenient' && v === '');

export function getPath(root: unknown, path: string): unknown {
  let cur: unknown = root;
  for (const part of path.split('.')) {
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

const NUMERIC = /^-?\d+(\.\d+)?$/;
const INTEGER = /^-?\d+$/;
const regexCache = new Map<string, RegExp>();
export const fullMatch = (pattern: string): RegExp => {
  let re = regexCache.get(pattern);
  if (!re) {
    re = new RegExp(`^(?:${pattern})$`, 'u');
    regexCache.set(pattern, re);
  }
  return re;
};

export function isCalendarDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const [y, m, d] = s.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

export const FORMAT_TESTS: Record<string, (s: string) => boolean> = {
  date: isCalendarDate,
  monthYear: (s) => /^(0[1-9]|1[0-2])\/\d{4}$/.test(s),
  url: (s) => {
    try {
      const u = new URL(s);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.host !== '';
    } catch {
      return false;
    }
  },
  hex32: (s) => /^[0-9a-f]{32}$/.test(s),
  digits: (s) => /^\d+$/.test(s),
  decimal: (s) => NUMERIC.test(s),
};

/** The calendar date in a time zone, `yyyy-MM-dd`. */
const dayFormats = new Map<string, Intl.DateTimeFormat>();
export function todayIn(timeZone: string, now: Date): string {
  let f = dayFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, f);
  }
  return f.format(now);
}

export function typeHolds(type: string, v: unknown, mode: SchemaMode): boolean {
  switch (type) {
    case 'string':
      return typeof v === 'string';
    case 'number':
      return (typeof v === 'number' && Number.isFinite(v)) || (mode === 'lenient' && typeof v === 'string' && NUMERIC.test(v));
    case 'long':
      return (typeof v === 'number' && Number.isInteger(v)) || (mode === 'lenient' && typeof v === 'string' && INTEGER.test(v));
    case 'boolean':
      return typeof v === 'boolean';
    case 'object':
      return isPlainObject(v);
    default:
      return false;
  }
}

/** Kinds decided on the field's own value; the others need the whole object (or more). */
export const VALUE_KINDS: ReadonlySet<RuleCheck['kind']> = new Set([
  'type',
  'maxLength',
  'pattern',
  'format',
  'enum',
  'amountMinorUnits',
  'amountRange',
  'decimalPositive',
  'dateNotBeforeToday',
  'knownValue',
  'luhn',
]);

/** A rule on a field's own value. Absent values are `n/a`: presence is a rule of its own. */
export function holdsValue(check: RuleCheck, v: unknown, ctx: EvalContext): Verdict {
  if (absentForValue(v, ctx.mode)) return NA;
  const s = typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
  switch (check.kind) {
    case 'type':
      return of(typeHolds(check.type, v, ctx.mode));
    case 'maxLength':
      return s === undefined ? NA : of(s.length <= check.max);
    case 'pattern':
      return s === undefined ? NA : of(fullMatch(check.pattern).test(s));
    case 'format':
      return s === undefined ? NA : of(FORMAT_TESTS[check.format]!(s));
    case 'enum':
      return s === undefined ? NA : of(check.values.includes(s));
    case 'amountMinorUnits':
      return s === undefined ? NA : of(/^\d+$/.test(s));
    case 'amountRange': {
      if (s === undefined || !/^\d+$/.test(s)) return NA;
      const n = BigInt(s);
      if (n < BigInt(check.min)) return { holds: false, way: 'below' };
      if (n > BigInt(check.max)) return { holds: false, way: 'above' };
      return HOLDS;
    }
    case 'decimalPositive':
      return s === undefined ? NA : of(NUMERIC.test(s) && Number(s) > 0);
    case 'dateNotBeforeToday':
      return s === undefined || !isCalendarDate(s) ? NA : of(check.exclusive ? s > ctx.today : s >= ctx.today);
    case 'knownValue': {
      const list = ctx.knownValues?.[check.of];
      return s === undefined || !list ? NA : of(list.includes(s));
    }
    case 'luhn':
      return s === undefined || !/^\d+$/.test(s) ? NA : of(luhnValid(s));
    default:
      return NA;
  }
}

/** Any rule, against the whole object it belongs to (the request, or the decoded answer). */
export function evaluate(rule: Rule, root: unknown, ctx: EvalContext): Verdict {
  const check = rule.check;
  const path = relativePath(rule);
  if (check.kind === 'jsonObject') return of(isPlainObject(root));
  if (!isPlainObject(root)) return NA;
  if (VALUE_KINDS.has(check.kind)) return holdsValue(check, getPath(root, path), ctx);
  const v = getPath(root, path);
  const defaults = rule.side === 'request' ? ctx.defaults : {};
  switch (check.kind) {
    case 'noUntabledFields':
      return NA; // decided by the schema, which knows the tabled paths
    case 'required':
      if (check.parent !== undefined && !isPlainObject(getPath(root, check.parent))) return NA;
      if (check.mayArriveLater && ctx.allowIncomplete && isAbsent(v)) return NA;
      return of(!isAbsent(v));
    case 'requiredWhen':
      if (!conditionHolds(root, check.when, defaults)) return NA;
      if (check.mayArriveLater && ctx.allowIncomplete && isAbsent(v)) return NA;
      return of(!isAbsent(v));
    case 'dateNotBefore': {
      const other = getPath(root, check.other);
      if (typeof v !== 'string' || typeof other !== 'string' || !isCalendarDate(v) || !isCalendarDate(other)) return NA;
      return of(check.exclusive ? v > other : v >= other);
    }
    case 'forbiddenWhen':
      return conditionHolds(root, check.when, defaults) ? of(isAbsent(v)) : NA;
    case 'valueWhen':
      return !conditionHolds(root, check.when, defaults) || isAbsent(v) ? NA : of(check.values.includes(String(v)));
    case 'startsWithBin': {
      if (typeof v !== 'string' || isAbsent(v) || !ctx.request) return NA;
      const bin = effectiveValue(ctx.request, check.binField, ctx.defaults);
      // 000000 asks for a random BIN: any prefix will do.
      return bin === undefined || /^0+$/.test(bin) ? NA : of(v.startsWith(bin));
    }
    case 'monthYearOf': {
      const date = ctx.request ? getPath(ctx.request, check.dateField) : undefined;
      if (typeof v !== 'string' || isAbsent(v) || typeof date !== 'string' || !isCalendarDate(date)) return NA;
      return of(v === `${date.slice(5, 7)}/${date.slice(0, 4)}`);
    }
    case 'echo': {
      const sent = ctx.request ? getPath(ctx.request, check.requestField) : undefined;
      return isAbsent(v) || isAbsent(sent) ? NA : of(String(v) === String(sent));
    }
    case 'successCode': {
      const success = root[check.success];
      const code = root[check.code];
      if (typeof success !== 'boolean' || isAbsent(code)) return NA;
      return of(success === (String(code) === check.value));
    }
    case 'oppositeFlags': {
      const s = root[check.success];
      const e = root[check.error];
      return typeof s !== 'boolean' || typeof e !== 'boolean' ? NA : of(s !== e);
    }
    case 'codeInCatalogue': {
      if (!ctx.codes || root['success'] !== false || isAbsent(v)) return NA;
      return of(ctx.codes.has(String(v)));
    }
    default:
      return NA; // codeMatchesRule and behaviours are decided by the suites
  }
}
