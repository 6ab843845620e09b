/**
 * The mock's request validation: the catalogue's own request rules, through the same predicates the
 * suites use, less the rules a deviation ignores and with the ones it tightens replaced. The first
 * broken rule (in catalogue order) decides the refusal code, as the profile maps it.
 */

import { evaluate } from '../checks/registry.ts';
import type { Catalogue, Rule } from '../spec/catalogue.ts';
import { todayIn } from '../spec/evaluate.ts';
import type { Provider } from '../spec/registry.ts';
import type { Deviation } from './deviations.ts';

export interface Refusal {
  rule: Rule;
  way?: string;
}

export interface ValidatorOptions {
  knownValues?: Record<string, readonly string[]>;
  now: () => number;
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
  const rules = cat
    .rulesFor(provider, operation)
    .filter((r) => r.side === 'request' && r.check.kind !== 'noUntabledFields' && !ignored.has(r.id))
    .map((r) => (tightened.has(r.id) ? { ...r, check: tightened.get(r.id)!(r.check) } : r));
  const { defaults } = cat.operation(provider, operation);
  const timeZone = cat.profiles[provider].timeZone;
  return (body: unknown): Refusal | undefined => {
    const ctx = {
      mode: 'lenient' as const,
      today: todayIn(timeZone, new Date(opts.now())),
      defaults,
      ...(opts.knownValues ? { knownValues: opts.knownValues } : {}),
    };
    for (const rule of rules) {
      const v = evaluate(rule, body, ctx);
      if (v.holds === false) return { rule, ...(v.way ? { way: v.way } : {}) };
    }
    return undefined;
  };
}
