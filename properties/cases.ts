/**
 * Test cases for one operation, derived from the catalogue: explicit boundary values first (max
 * length, min and max amount, startDate = today, endDate = startDate, leap days, every enum value),
 * then random valid cases; for each rule, its boundary violations (min − 1, max + 1, one over the
 * length, yesterday) and random violations. Every case says which rules it decides.
 */
import fc from 'fast-check';
import type { Rule } from '../src/spec/catalogue.ts';
import { evaluate, fullMatch, getPath, relativePath } from '../src/spec/evaluate.ts';
import type { Provider } from '../src/spec/registry.ts';
import { addDays, asType, clone, constraintsFor, ctxOf, type GenContext, setAt, validObject } from './generate.ts';
import { type Mutation, mutate } from './mutate.ts';
import { type OperationPlan, planOf } from './plan.ts';

export interface Case {
  /** The request body (usually an object; a broken `jsonObject` case is not). */
  value: unknown;
  /** Rule ids this case decides. */
  rules: string[];
  note: string;
  /** For a violation: how the rule was broken (`below`, `above`). */
  way?: string;
  seed: number;
  /** fast-check's path of a random case, for replay. */
  path?: string;
  /** Which mutation of the rule (index into `mutate`'s list), for replay and shrinking. */
  mutation?: number;
}

const holdsAll = (plan: OperationPlan, g: GenContext, obj: Record<string, unknown>) => {
  const ctx = { ...ctxOf(g, plan.cat.operation(plan.provider, plan.operation).defaults) };
  return plan.rules.every((r) => r.check.kind === 'noUntabledFields' || evaluate(r, obj, ctx).holds !== false);
};

/** Values of a field at the edges its rule allows. */
function edgeValues(
  rule: Rule,
  base: Record<string, unknown>,
  plan: OperationPlan,
  g: GenContext,
): { value: unknown; note: string; also?: Record<string, unknown> }[] {
  const path = relativePath(rule);
  const f = plan.fields.find((x) => x.path === path);
  const ch = rule.check;
  const cur = getPath(base, path);
  switch (ch.kind) {
    case 'maxLength': {
      const pattern = f?.rules.find((r) => r.check.kind === 'pattern')?.check;
      const candidates = [String(cur ?? 'a'), 'a', 'A', '1', 'Z'].map((u) =>
        u.repeat(Math.ceil(ch.max / Math.max(1, u.length))).slice(0, ch.max),
      );
      const fit = candidates.find((c) => pattern?.kind !== 'pattern' || fullMatch(pattern.pattern).test(c));
      return fit ? [{ value: asType(f!, fit, g.mode), note: `${path} is exactly ${ch.max} characters` }] : [];
    }
    case 'amountRange':
      return [
        { value: ch.min, note: `${path} = ${ch.min} (the minimum)` },
        { value: ch.max, note: `${path} = ${ch.max} (the maximum)` },
      ];
    case 'dateNotBeforeToday':
      return [{ value: g.today, note: `${path} = today (${g.today}) in the provider's zone` }];
    case 'dateNotBefore': {
      const other = getPath(base, ch.other);
      return typeof other === 'string' ? [{ value: other, note: `${path} equals ${ch.other}` }] : [];
    }
    case 'format':
      if (ch.format !== 'date') return [];
      {
        const leap = nextLeapDay(g.today);
        return [
          {
            value: leap,
            note: `${path} on a leap day (${leap})`,
            also: Object.fromEntries(
              plan.rules.filter((r) => r.check.kind === 'format' && r.check.format === 'date').map((r) => [relativePath(r), leap]),
            ),
          },
        ];
      }
    case 'enum':
      return ch.values.map((v) => ({ value: asType(f!, v, g.mode), note: `${path} = ${v}` }));
    case 'knownValue':
      return (g.knownValues?.[ch.of] ?? []).map((v) => ({ value: v, note: `${path} = ${v} (from ${ch.of})` }));
    case 'decimalPositive':
      return [{ value: asType(f!, '0.01', g.mode), note: `${path} = 0.01 (smallest positive)` }];
    default:
      return [];
  }
}

function nextLeapDay(today: string): string {
  for (let y = Number(today.slice(0, 4)); ; y++) {
    if ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0) {
      const d = `${y}-02-29`;
      if (d >= today) return d;
    }
  }
}

/** Valid requests: boundary cases first (each deciding its rule and acceptsValid), then `runs` random ones. */
export function validCases(provider: Provider, operation: string, g: GenContext, runs: number, seed: number): Case[] {
  const plan = planOf(provider, operation, 'request');
  const accepts = plan.rules.find((r) => r.check.kind === 'acceptsValid')!.id;
  const out: Case[] = [];
  for (const rule of plan.rules) {
    const c = constraintsFor(rule, plan, g.mode);
    const [base] = fc.sample(validObject(plan, g, c), { numRuns: 1, seed: seed + out.length });
    if (!base) continue;
    if (rule.check.kind === 'requiredWhen' || rule.check.kind === 'valueWhen' || rule.check.kind === 'forbiddenWhen') {
      out.push({ value: base, rules: [rule.id, accepts], note: `${rule.title}: met`, seed });
      continue;
    }
    for (const edge of edgeValues(rule, base, plan, g)) {
      const obj = clone(base);
      setAt(obj, relativePath(rule), edge.value);
      for (const [p, v] of Object.entries(edge.also ?? {})) setAt(obj, p, v);
      if (holdsAll(plan, g, obj)) out.push({ value: obj, rules: [rule.id, accepts], note: edge.note, seed });
    }
  }
  const random = fc.sample(validObject(plan, g), { numRuns: runs, seed });
  for (const [i, value] of random.entries())
    out.push({ value, rules: [accepts], note: `random valid request #${i}`, seed, path: String(i) });
  return out;
}

/** Requests that break one rule each: the rule's boundary violations, then `runs` random ones per rule. */
export function invalidCases(provider: Provider, operation: string, g: GenContext, runs: number, seed: number, mode = g.mode): Case[] {
  const plan = planOf(provider, operation, 'request');
  const out: Case[] = [];
  const decidable = plan.rules.filter(
    (r) =>
      !['behaviour', 'acceptsValid', 'codeMatchesRule', 'codeInCatalogue'].includes(r.check.kind) &&
      (r.check.kind !== 'noUntabledFields' || mode === 'strict'),
  );
  for (const rule of decidable) {
    const c = constraintsFor(rule, plan, g.mode);
    const bases = fc.sample(validObject(plan, g, c), { numRuns: Math.max(1, runs), seed });
    for (const [i, base] of bases.entries()) {
      const muts: Mutation[] = mutate(rule, base, plan, g);
      // the first base gives every mutation (the boundaries); the others one each, in turn
      const chosen = i === 0 ? muts.map((_, k) => k) : muts.length ? [i % muts.length] : [];
      for (const k of chosen) {
        const m = muts[k]!;
        out.push({ value: m.value, rules: [rule.id], note: m.note, ...(m.way ? { way: m.way } : {}), seed, path: String(i), mutation: k });
      }
    }
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

export { addDays };
