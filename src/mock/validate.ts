/**
 * The mock's request validation: the catalogue's own request rules, through the same predicates the
 * suites use, less the rules a deviation ignores, with the ones it tightens or judges by a predicate of
 * its own replaced, and any refusal a deviation adds. The first
 * broken rule (in catalogue order, or its reverse under the `fields-first` leeway) decides the refusal
 * code, as the profile maps it.
 */

import { untabledPaths } from '../checks/no-untabled-fields.ts';
import { evaluate } from '../checks/registry.ts';
import type { Catalogue, Rule } from '../spec/catalogue.ts';
import { absentForValue, type EvalContext, getPath, isPlainObject, relativePath, todayIn, type Verdict } from '../spec/evaluate.ts';
import type { Provider, SchemaMode } from '../spec/registry.ts';
import type { Deviation } from './deviations.ts';

export interface Refusal {
  rule: Rule;
  way?: string;
}

export interface ValidatorOptions {
  /** Strict: the table literally (numbers as JSON numbers, only tabled fields); lenient: as the examples write requests. */
  mode: SchemaMode;
  knownValues?: Record<string, readonly string[]>;
  now: () => number;
  /** A JSON number where the table writes String is refused (leeway `literal-strings`). */
  literalStrings?: boolean;
  /** The rules checked in the reverse of the catalogue order (leeway `fields-first`). */
  reverseOrder?: boolean;
}

/** A deviation's own predicate for a value rule, in place of the rule kind's. */
function replaced(
  rule: Rule,
  accepts: NonNullable<Deviation['predicate']>,
  now: () => number,
): (body: unknown, ctx: EvalContext) => Verdict {
  const path = relativePath(rule);
  return (body, ctx) => {
    const v = getPath(body, path);
    return !isPlainObject(body) || absentForValue(v, ctx.mode) ? { holds: 'n/a' } : { holds: accepts(v, ctx, now()) };
  };
}

export function createValidator(
  cat: Catalogue,
  provider: Provider,
  operation: string,
  deviations: readonly Deviation[],
  opts: ValidatorOptions,
) {
  const ignored = new Set(deviations.filter((d) => d.ignore).map((d) => d.ruleId));
  const tightened = new Map(deviations.filter((d) => d.tighten).map((d) => [d.ruleId, d.tighten!]));
  const predicates = new Map(deviations.filter((d) => d.predicate).map((d) => [d.ruleId, d.predicate!]));
  const refusers = deviations.filter((d) => d.refuses);
  const literal = (r: Rule) => opts.literalStrings === true && r.check.kind === 'type' && r.check.type === 'string';
  const rules = cat
    .rulesFor(provider, operation)
    .filter((r) => r.side === 'request' && r.check.kind !== 'noUntabledFields' && !ignored.has(r.id))
    .map((r) => (tightened.has(r.id) ? { ...r, check: tightened.get(r.id)!(r.check) } : r))
    .map((r) => ({
      rule: r,
      judge: predicates.has(r.id)
        ? replaced(r, predicates.get(r.id)!, opts.now)
        : literal(r)
          ? (body: unknown, ctx: EvalContext): Verdict =>
              typeof getPath(body, relativePath(r)) === 'number' ? { holds: false } : evaluate(r, body, ctx)
          : (body: unknown, ctx: EvalContext) => evaluate(r, body, ctx),
    }));
  if (opts.reverseOrder) rules.reverse();
  const { defaults } = cat.operation(provider, operation);
  const sideRules = cat.rulesFor(provider, operation).filter((r) => r.side === 'request');
  const untabled = opts.mode === 'strict' ? sideRules.find((r) => r.check.kind === 'noUntabledFields' && !ignored.has(r.id)) : undefined;
  const timeZone = cat.profiles[provider].timeZone;
  return (body: unknown): Refusal | undefined => {
    const ctx = {
      mode: opts.mode,
      today: todayIn(timeZone, new Date(opts.now())),
      defaults,
      ...(opts.knownValues ? { knownValues: opts.knownValues } : {}),
    };
    for (const { rule, judge } of rules) {
      const v = judge(body, ctx);
      if (v.holds === false) return { rule, ...(v.way ? { way: v.way } : {}) };
    }
    // strict: only the table's fields
    if (untabled && isPlainObject(body) && untabledPaths(body, sideRules).length > 0) return { rule: untabled };
    // a deviation that refuses valid requests of its own making (a default not assumed)
    for (const d of refusers) if (isPlainObject(body) && d.refuses!(body)) return { rule: cat.byId.get(d.ruleId)! };
    return undefined;
  };
}
