/**
 * Valid objects for one side of an operation, from its rules alone: each field's value arbitrary comes
 * from its value rules, presence from its presence rules, and the cross-field rules are then satisfied
 * by a deterministic repair pass. The result is checked against every rule before it is handed out.
 */
import fc from 'fast-check';
import type { Rule } from '../src/spec/catalogue.ts';
import {
  conditionHolds,
  type EvalContext,
  effectiveValue,
  evaluate,
  FORMAT_TESTS,
  fullMatch,
  getPath,
  isAbsent,
  isPlainObject,
  relativePath,
} from '../src/spec/evaluate.ts';
import type { SchemaMode } from '../src/spec/registry.ts';
import { withCheckDigit } from '../src/wire/luhn.ts';
import type { FieldPlan, OperationPlan } from './plan.ts';

export interface GenContext {
  mode: SchemaMode;
  /** Today in the provider's time zone, `yyyy-MM-dd`. */
  today: string;
  knownValues?: EvalContext['knownValues'];
  /** For answers: the request they answer. */
  request?: Record<string, unknown>;
}

/** Fixed values (`path → value`), fields that must be present, and fields that must be absent. */
export interface Constraints {
  set?: Record<string, unknown>;
  present?: string[];
  absent?: string[];
}

const ALPHABET = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_'];
const text = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...ALPHABET), minLength: min, maxLength: Math.max(min, max) });

export const addDays = (date: string, days: number): string => {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};

/** A value written as the field's type asks: numbers as JSON numbers in strict mode, numeric strings in lenient. */
export function asType(f: FieldPlan, v: string, mode: SchemaMode): unknown {
  const type = f.check('type')?.type;
  if ((type === 'number' || type === 'long') && mode === 'strict') return Number(v);
  if (type === 'boolean') return v === 'true';
  return v;
}

/** A card number: the BIN, random digits, the Luhn check digit. */
export function makePan(bin: string, length: number, digits: number[]): string {
  let body = bin;
  for (let i = 0; body.length < length - 1; i++) body += String(digits[i % digits.length]! % 10);
  return withCheckDigit(body);
}

const SHAPE_KINDS = new Set(['type', 'maxLength', 'pattern', 'format', 'enum']);

const leafCache = new WeakMap<FieldPlan, Map<string, fc.Arbitrary<unknown>>>();

/** The arbitrary of one leaf field's valid values, from its value rules (built once per field and context). */
export function leafValue(f: FieldPlan, g: GenContext): fc.Arbitrary<unknown> {
  const key = `${g.mode}|${g.today}|${JSON.stringify(g.knownValues ?? {})}`;
  let byKey = leafCache.get(f);
  if (!byKey) {
    byKey = new Map();
    leafCache.set(f, byKey);
  }
  let arb = byKey.get(key);
  if (!arb) {
    arb = buildLeafValue(f, g);
    byKey.set(key, arb);
  }
  return arb;
}

function buildLeafValue(f: FieldPlan, g: GenContext): fc.Arbitrary<unknown> {
  const type = f.check('type')?.type ?? 'string';
  const max = f.check('maxLength')?.max;
  // Only the field's own shape is checked here; relational rules (Luhn, BIN, echo) are met by repair().
  const own = f.rules.filter((r) => SHAPE_KINDS.has(r.check.kind));
  const fits = (s: string) =>
    (max === undefined || s.length <= max) &&
    own.every((r) => evaluate(r, setAt({}, f.path, asType(f, s, g.mode)), ctxOf(g)).holds !== false);
  const en = f.check('enum');
  if (en) return fc.constantFrom(...en.values).map((v) => asType(f, v, g.mode));
  const known = f.check('knownValue');
  const list = known ? g.knownValues?.[known.of] : undefined;
  if (list && list.length > 0) return fc.constantFrom(...list);
  const named = f.row?.named?.filter(fits);
  if (named && named.length > 0 && f.check('format') === undefined) return fc.constantFrom(...named).map((v) => asType(f, v, g.mode));
  if (type === 'boolean') return fc.boolean();
  const range = f.check('amountRange');
  if (range) return fc.bigInt({ min: BigInt(range.min), max: BigInt(range.max) }).map(String);
  if (f.check('decimalPositive')) {
    return fc
      .tuple(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 0, max: 99 }), fc.boolean())
      .map(([i, c, whole]) => asType(f, whole ? String(i) : `${i}.${String(c).padStart(2, '0')}`, g.mode));
  }
  const format = f.check('format')?.format ?? f.rules.find((r) => r.check.kind === 'format' && r.side !== 'behaviour')?.check;
  const fmt = typeof format === 'string' ? format : format && 'format' in format ? format.format : undefined;
  if (fmt === 'date') return fc.integer({ min: 0, max: 3 * 366 }).map((n) => addDays(g.today, n));
  if (fmt === 'monthYear')
    return fc
      .tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 2025, max: 2040 }))
      .map(([m, y]) => `${String(m).padStart(2, '0')}/${y}`);
  if (fmt === 'url') {
    return fc
      .tuple(fc.constantFrom('https', 'http'), fc.domain(), text(0, 24))
      .map(([s, d, p]) => `${s}://${d}/${p}`)
      .filter((u) => fits(u) && FORMAT_TESTS.url!(u));
  }
  if (fmt === 'hex32') return fc.stringMatching(/^[0-9a-f]{32}$/);
  const patterns = f.rules.flatMap((r) => (r.check.kind === 'pattern' ? [r.check.pattern] : []));
  if (patterns.length > 0) return fc.stringMatching(fullMatch(patterns[0]!)).filter(fits);
  if (type === 'number' || type === 'long') return fc.integer({ min: 0, max: 9999 }).map((n) => asType(f, String(n), g.mode));
  return text(1, Math.min(max ?? 32, 64)).filter(fits);
}

export const ctxOf = (g: GenContext, defaults: EvalContext['defaults'] = {}): EvalContext => ({
  mode: g.mode,
  today: g.today,
  defaults,
  ...(g.knownValues ? { knownValues: g.knownValues } : {}),
  ...(g.request ? { request: g.request } : {}),
});

export function setAt(root: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const parts = path.split('.');
  let cur = root;
  for (const p of parts.slice(0, -1)) {
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

export const clone = <T>(v: T): T => structuredClone(v);

interface Draw {
  present: boolean;
  value: unknown;
}

/**
 * Repair the cross-field rules, in a fixed order, until nothing changes: dates in order, conditional
 * requirements met, forbidden fields dropped, conditional values set, relational answer fields derived.
 */
function repair(
  plan: OperationPlan,
  obj: Record<string, unknown>,
  build: (path: string) => unknown,
  g: GenContext,
  c: Constraints,
  spare: number[],
): Record<string, unknown> {
  const defaults = plan.side === 'request' ? plan.cat.operation(plan.provider, plan.operation).defaults : {};
  const fixed = new Set(Object.keys(c.set ?? {}));
  const byPath = new Map(plan.fields.map((f) => [f.path, f]));
  for (let round = 0; round < 4; round++) {
    const before = JSON.stringify(obj);
    for (const r of plan.rules) {
      const path = relativePath(r);
      if (fixed.has(path)) continue;
      const f = byPath.get(path);
      const ch = r.check;
      const v = getPath(obj, path);
      switch (ch.kind) {
        case 'requiredWhen':
          if (conditionHolds(obj, ch.when, defaults) && isAbsent(v)) setAt(obj, path, build(path));
          break;
        case 'forbiddenWhen':
          if (conditionHolds(obj, ch.when, defaults)) deleteAt(obj, path);
          break;
        case 'valueWhen':
          if (conditionHolds(obj, ch.when, defaults) && !isAbsent(v) && !ch.values.includes(String(v)) && f)
            setAt(obj, path, asType(f, ch.values[0]!, g.mode));
          break;
        case 'dateNotBefore': {
          const other = getPath(obj, ch.other);
          if (typeof v === 'string' && typeof other === 'string' && v < other) setAt(obj, path, other);
          break;
        }
        case 'successCode':
          if (typeof obj[ch.success] === 'boolean' && obj[ch.success] === true && f)
            setAt(obj, ch.code, asType(byPath.get(ch.code)!, ch.value, g.mode));
          break;
        case 'oppositeFlags':
          if (typeof obj[ch.success] === 'boolean') obj[ch.error] = !obj[ch.success];
          break;
        case 'echo':
          if (!isAbsent(v) && g.request) setAt(obj, path, getPath(g.request, ch.requestField));
          break;
        case 'monthYearOf': {
          const d = g.request ? getPath(g.request, ch.dateField) : undefined;
          if (!isAbsent(v) && typeof d === 'string') setAt(obj, path, `${d.slice(5, 7)}/${d.slice(0, 4)}`);
          break;
        }
        case 'startsWithBin':
          if (!isAbsent(v) && g.request) {
            const reqDefaults = plan.cat.operation(plan.provider, plan.operation).defaults;
            const bin = effectiveValue(g.request, ch.binField, reqDefaults) ?? '';
            const realBin = /^0+$/.test(bin) ? `4${spare.slice(0, 5).join('')}` : bin;
            setAt(obj, path, makePan(realBin, Math.min(16, f?.check('maxLength')?.max ?? 16), spare));
          }
          break;
        case 'codeInCatalogue': {
          const codes = plan.cat.profiles[plan.provider].codes
            .map((x) => x.code)
            .filter((x) => x !== plan.cat.profiles[plan.provider].successCode && x !== '0');
          if (obj['success'] === false && f) setAt(obj, path, asType(f, codes[spare[0]! % codes.length]!, g.mode));
          break;
        }
        default:
          break;
      }
    }
    if (JSON.stringify(obj) === before) break;
  }
  return obj;
}

/** Valid objects for one side of an operation, honouring the constraints. */
export function validObject(plan: OperationPlan, g: GenContext, c: Constraints = {}): fc.Arbitrary<Record<string, unknown>> {
  const defaults = plan.side === 'request' ? plan.cat.operation(plan.provider, plan.operation).defaults : {};
  const ctx = { ...ctxOf(g, defaults), codes: new Set(plan.cat.profiles[plan.provider].codes.map((x) => x.code)) };
  const rules = plan.rules.filter((r) => r.check.kind !== 'noUntabledFields' || g.mode === 'strict');
  return draftObject(plan, g, c).filter((obj) => rules.every((r) => evaluate(r, obj, ctx).holds !== false));
}

/** The objects before the final check: every draw repaired, not yet filtered (for diagnosis). */
export function draftObject(plan: OperationPlan, g: GenContext, c: Constraints = {}): fc.Arbitrary<Record<string, unknown>> {
  const leaves = plan.fields.filter((f) => f.children.length === 0);
  const drawArb = fc.record(
    Object.fromEntries(leaves.map((f) => [f.path, fc.record({ present: fc.boolean(), value: leafValue(f, g) })])) as Record<
      string,
      fc.Arbitrary<Draw>
    >,
  );
  const spareArb = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 24, maxLength: 24 });
  const parentsPresent = fc.record(
    Object.fromEntries(plan.fields.filter((f) => f.children.length > 0).map((f) => [f.path, fc.boolean()])) as Record<
      string,
      fc.Arbitrary<boolean>
    >,
  );
  return fc.tuple(drawArb, parentsPresent, spareArb).map(([drawRec, parents, spare]) => {
    const draws = new Map(Object.entries(drawRec));
    const wanted = (f: FieldPlan) => (c.present ?? []).some((p) => p === f.path || p.startsWith(`${f.path}.`));
    const materialise = (f: FieldPlan): unknown => {
      if (f.children.length === 0) return draws.get(f.path)!.value;
      const o: Record<string, unknown> = {};
      for (const child of f.children)
        if (child.required || draws.get(child.path)?.present || parents[child.path] || wanted(child))
          o[child.path.slice(f.path.length + 1)] = materialise(child);
      return o;
    };
    const obj: Record<string, unknown> = {};
    for (const f of plan.roots) if (f.required || draws.get(f.path)?.present || parents[f.path] || wanted(f)) obj[f.path] = materialise(f);
    for (const [path, value] of Object.entries(c.set ?? {})) setAt(obj, path, value);
    for (const path of c.absent ?? []) deleteAt(obj, path);
    const build = (path: string) => {
      const f = plan.fields.find((x) => x.path === path);
      return f ? materialise(f) : undefined;
    };
    return repair(plan, obj, build, g, c, spare);
  });
}

/** Constraints under which a rule applies: its parent present, its condition met. */
export function constraintsFor(rule: Rule, plan: OperationPlan, mode: SchemaMode): Constraints {
  const path = relativePath(rule);
  const set: Record<string, unknown> = {};
  const present = [path];
  const ch = rule.check;
  const when = ch.kind === 'requiredWhen' || ch.kind === 'forbiddenWhen' || ch.kind === 'valueWhen' ? ch.when : undefined;
  for (let w = when; w; w = w.and) {
    if (w.in.includes('*')) continue;
    const f = plan.fields.find((x) => x.path === w.field);
    set[w.field] = f ? asType(f, w.in[0]!, mode) : w.in[0];
  }
  if (ch.kind === 'dateNotBefore') present.push(ch.other);
  return { set, present };
}

export type { Rule };
