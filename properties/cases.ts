/**
 * Test cases for one operation, derived from the catalogue through the kind modules: the edges of every
 * rule first (max length in ASCII and in the document example's characters, min and max amount,
 * startDate = today, endDate = startDate, leap days, every enum value, each condition met), then the
 * edges of two rules at once (pairwise), then each absence that takes a default, then random valid
 * cases; for each rule, its mutations by violation class and random ones. Every case says which rules
 * it decides.
 */
import fc from 'fast-check';
import { evaluate, kindOf } from '../src/checks/registry.ts';
import type { CheckKind, Edge, ViolationClass } from '../src/checks/types.ts';
import type { Catalogue, Rule, RuleCheck } from '../src/spec/catalogue.ts';
import { getPath, isCalendarDate, relativePath } from '../src/spec/evaluate.ts';
import type { Provider } from '../src/spec/registry.ts';
import { addDays, clone, constraintsFor, ctxOf, deleteAt, type GenContext, setAt, validObject } from './generate.ts';
import { type Mutation, mutate } from './mutate.ts';
import { type OperationPlan, planOf } from './plan.ts';
import { mutationSiteOf } from './sites.ts';

export interface Case {
  /** The request body (usually an object; a broken `jsonObject` case is not). */
  value: unknown;
  /** Rule ids this case decides. */
  rules: string[];
  note: string;
  /** For a violation: how the rule was broken (`below`, `above`, `sign`). */
  way?: string;
  /** For a violation: its class (`format`, `length`, …). */
  cls?: ViolationClass;
  /** For a violation: the side or sub-class of its class it tries (`absent`, `separators`, …). */
  variant?: string;
  /** For a violation: other rules of the same field the value breaks too (named in the mutation). */
  overlaps?: string[];
  seed: number;
  /** fast-check's path of a random case, for replay. */
  path?: string;
  /** Which mutation of the rule (index into `mutate`'s list), for replay and shrinking. */
  mutation?: number;
  /** Smoke sends it whatever the answers before it decided (a class of its own, not another try). */
  always?: true;
}

const holdsAll = (plan: OperationPlan, g: GenContext, obj: Record<string, unknown>) => {
  const ctx = { ...ctxOf(g, plan.cat.operation(plan.provider, plan.operation).defaults) };
  return plan.rules.every((r) => r.check.kind === 'noUntabledFields' || evaluate(r, obj, ctx).holds !== false);
};

/** The valid values at a rule's edges, from its kind module. */
export function edgesOf(rule: Rule, base: Record<string, unknown>, plan: OperationPlan, g: GenContext): Edge[] {
  const kind = kindOf(rule.check) as CheckKind<RuleCheck['kind']>;
  return kind.edges(mutationSiteOf(rule, plan, g, base));
}

/** `base` with an edge applied (an `undefined` value removes the field). */
function applyEdge(base: Record<string, unknown>, path: string, edge: Edge): Record<string, unknown> {
  const obj = clone(base);
  if (edge.value === undefined) deleteAt(obj, path);
  else setAt(obj, path, edge.value);
  for (const [p, v] of Object.entries(edge.also ?? {})) setAt(obj, p, v);
  return obj;
}

interface EdgeCase {
  rule: Rule;
  edge: Edge;
  value: Record<string, unknown>;
}

/** Valid requests: edges first (each deciding its rule and acceptsValid), pairs of edges, default absences, then `runs` random ones. */
export function validCases(provider: Provider, operation: string, g: GenContext, runs: number, seed: number, cat?: Catalogue): Case[] {
  const plan = planOf(provider, operation, 'request', cat);
  const accepts = plan.rules.find((r) => r.check.kind === 'acceptsValid')!.id;
  const out: Case[] = [];
  const edges: EdgeCase[] = [];
  for (const rule of plan.rules) {
    const c = constraintsFor(rule, plan, g.mode);
    const [base] = fc.sample(validObject(plan, g, c), { numRuns: 1, seed: seed + out.length });
    if (!base) continue;
    for (const edge of edgesOf(rule, base, plan, g)) {
      const obj = applyEdge(base, relativePath(rule), edge);
      if (!holdsAll(plan, g, obj)) continue;
      out.push({ value: obj, rules: [rule.id, accepts], note: edge.note, seed });
      edges.push({ rule, edge, value: obj });
    }
  }
  out.push(...pairwise(plan, g, edges, accepts, seed));
  out.push(...defaultAbsences(plan, g, accepts, seed));
  out.push(...minimalValid(plan, g, accepts, seed));
  const random = fc.sample(validObject(plan, g), { numRuns: runs, seed });
  for (const [i, value] of random.entries())
    out.push({ value, rules: [accepts], note: `random valid request #${i}`, seed, path: String(i) });
  return out;
}

/**
 * The edges of two rules of different fields in one request: each edge case of one rule with each edge
 * of the other applied on top, kept where every rule still holds. A provider that takes each boundary
 * alone but not two together is seen here.
 */
function pairwise(plan: OperationPlan, g: GenContext, edges: EdgeCase[], accepts: string, seed: number): Case[] {
  const out: Case[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < edges.length; i++) {
    for (let j = i + 1; j < edges.length; j++) {
      const a = edges[i]!;
      const b = edges[j]!;
      const pa = relativePath(a.rule);
      const pb = relativePath(b.rule);
      if (pa === pb || a.edge.also?.[pb] !== undefined || b.edge.also?.[pa] !== undefined) continue;
      const obj = applyEdge(a.value, pb, b.edge);
      const key = JSON.stringify(obj);
      if (seen.has(key) || !holdsAll(plan, g, obj)) continue;
      seen.add(key);
      out.push({ value: obj, rules: [a.rule.id, b.rule.id, accepts], note: `${a.edge.note}, with ${b.edge.note}`, seed });
    }
  }
  return out;
}

/**
 * The smallest valid request: every optional (`O`) row of the table left out, the conditional ones only
 * where their condition asks for them. A provider must take a request with only what its table requires.
 */
export function minimalValid(plan: OperationPlan, g: GenContext, accepts: string, seed: number): Case[] {
  const rows = plan.cat.operation(plan.provider, plan.operation).spec.request;
  const topOf = (presence: string) =>
    rows
      .filter((r) => r.presence === presence && !rows.some((o) => o.presence === presence && r.path.startsWith(`${o.path}.`)))
      .map((r) => r.path);
  const draw = (absent: string[]) => fc.sample(validObject(plan, g, { absent }), { numRuns: 1, seed: seed + 11 })[0];
  const absent: string[] = [];
  // the optional rows, then each conditional one its condition lets go (a draw that cannot leave it out throws)
  for (const path of [...topOf('O'), ...topOf('C')]) {
    try {
      if (draw([...absent, path])) absent.push(path);
    } catch {
      // a rule needs it here: it stays
    }
  }
  if (absent.length === 0) return [];
  const obj = draw(absent);
  return obj ? [{ value: obj, rules: [accepts], note: `only what the table requires (${absent.join(', ')} left out)`, seed }] : [];
}

/** For every field with a default, a valid request without it: the provider must assume the default. */
function defaultAbsences(plan: OperationPlan, g: GenContext, accepts: string, seed: number): Case[] {
  const { defaults } = plan.cat.operation(plan.provider, plan.operation);
  const out: Case[] = [];
  for (const [path, d] of Object.entries(defaults)) {
    const [obj] = fc.sample(validObject(plan, g, { absent: [path] }), { numRuns: 1, seed: seed + out.length + 7 });
    if (!obj) continue;
    const what = d.value !== undefined ? `default ${d.value}` : `default by ${d.by?.field}`;
    out.push({ value: obj, rules: [accepts], note: `${path} left out (the provider assumes its ${what})`, seed });
  }
  return out;
}

/** Requests that break one rule each: the rule's mutations by class, then `runs` random ones per rule. */
export function invalidCases(
  provider: Provider,
  operation: string,
  g: GenContext,
  runs: number,
  seed: number,
  mode = g.mode,
  cat?: Catalogue,
): Case[] {
  const plan = planOf(provider, operation, 'request', cat);
  const out: Case[] = [];
  const decidable = plan.rules.filter(
    (r) => kindOf(r.check).scope !== 'suite' && (r.check.kind !== 'noUntabledFields' || mode === 'strict'),
  );
  // Rules of one field ask for the same constraints, so for the very same bases (one seed): drawn once per
  // constraints and shared (read only: every mutation is a copy, sites.ts `with`). Half the draws or fewer.
  const basesBy = new Map<string, Record<string, unknown>[]>();
  for (const rule of decidable) {
    const c = constraintsFor(rule, plan, g.mode);
    const key = JSON.stringify(c);
    let bases = basesBy.get(key);
    if (!bases) {
      bases = fc.sample(validObject(plan, g, c), { numRuns: Math.max(1, runs), seed });
      basesBy.set(key, bases);
    }
    for (const [i, base] of bases.entries()) {
      const muts: Mutation[] = mutate(rule, base, plan, g);
      // the first base gives every mutation (every class); the others one each, in turn
      const chosen = i === 0 ? muts.map((_, k) => k) : muts.length ? [i % muts.length] : [];
      for (const k of chosen) {
        const m = muts[k]!;
        out.push({
          value: m.value,
          rules: [rule.id],
          note: m.note,
          cls: m.cls,
          ...(m.way ? { way: m.way } : {}),
          ...(m.variant ? { variant: m.variant } : {}),
          ...(m.overlaps ? { overlaps: m.overlaps.ids } : {}),
          seed,
          path: String(i),
          mutation: k,
        });
      }
    }
  }
  return out;
}

/** Whether an operation's request has dates judged against "today" (they must be sent on the day they were made for). */
export const hasDateWindow = (provider: Provider, operation: string): boolean =>
  planOf(provider, operation, 'request').rules.some((r) => r.check.kind === 'dateNotBeforeToday');

/**
 * A case moved to another day: every calendar date of a date field shifted by `days`, so that "today",
 * "yesterday" and the order of the dates mean what they meant when the case was made. Malformed dates
 * stay as they are (their lenient reading is in the future either way).
 */
export function shiftDates(provider: Provider, operation: string, value: unknown, days: number): unknown {
  if (days === 0 || typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const out = clone(value as Record<string, unknown>);
  for (const r of planOf(provider, operation, 'request').rules) {
    if (r.check.kind !== 'format' || r.check.format !== 'date') continue;
    const path = relativePath(r);
    const v = getPath(out, path);
    if (typeof v === 'string' && isCalendarDate(v)) setAt(out, path, addDays(v, days));
  }
  return out;
}

/**
 * The arbitrary a random case was drawn from, so that fast-check can replay it (seed and path) and
 * shrink it to the smallest request that still fails: valid requests for `acceptsValid`, the rule's
 * valid base mapped through the same mutation for a violation.
 */
export function caseArbitrary(provider: Provider, operation: string, g: GenContext, c: Case): fc.Arbitrary<unknown> | undefined {
  if (c.path === undefined) return undefined;
  const plan = planOf(provider, operation, 'request');
  const rule = plan.cat.byId.get(c.rules[0]!);
  if (!rule) return undefined;
  if (rule.check.kind === 'acceptsValid') return validObject(plan, g);
  if (c.mutation === undefined) return undefined;
  const k = c.mutation;
  return validObject(plan, g, constraintsFor(rule, plan, g.mode))
    .map((base) => mutate(rule, base, plan, g)[k]?.value)
    .filter((v) => v !== undefined);
}

/**
 * One valid request that shows as many rule edges at once as hold together: each rule in `rules`, in
 * turn, has its first edge (its `nth + 1`-th) applied that keeps every rule, unless an edge already applied set that field;
 * `fixed` fields are left as they are. Returns the request and the rules whose edge it shows (checked
 * on the result: the rule applies and holds, and applying one of its edges again changes nothing), with
 * their notes.
 */
export function combinedEdges(
  plan: OperationPlan,
  g: GenContext,
  base: Record<string, unknown>,
  rules: readonly Rule[],
  fixed: readonly string[] = [],
  nth: number | ((rule: Rule) => number) = 0,
): { value: Record<string, unknown>; rules: string[]; notes: string[] } {
  let obj = clone(base);
  const taken = new Set(fixed);
  for (const rule of rules) {
    const path = relativePath(rule);
    if (taken.has(path)) continue;
    // `nth`: the rule's edges that hold here are passed over this many times (a second request shows the others)
    let skip = typeof nth === 'number' ? nth : nth(rule);
    for (const edge of edgesOf(rule, obj, plan, g)) {
      if (Object.keys(edge.also ?? {}).some((p) => taken.has(p))) continue;
      const next = applyEdge(obj, path, edge);
      if (!holdsAll(plan, g, next)) continue;
      if (skip-- > 0) continue;
      obj = next;
      for (const p of [path, ...Object.keys(edge.also ?? {})]) taken.add(p);
      break;
    }
  }
  const same = JSON.stringify(obj);
  const ctx = ctxOf(g, plan.cat.operation(plan.provider, plan.operation).defaults);
  const shown = rules.flatMap((rule) => {
    // an edge the request shows, of a rule that applies to it (a condition not met shows nothing)
    if (evaluate(rule, obj, ctx).holds !== true) return [];
    const edge = edgesOf(rule, obj, plan, g).find((e) => JSON.stringify(applyEdge(obj, relativePath(rule), e)) === same);
    return edge ? [{ id: rule.id, note: edge.note }] : [];
  });
  return { value: obj, rules: shown.map((s) => s.id), notes: shown.map((s) => s.note) };
}
