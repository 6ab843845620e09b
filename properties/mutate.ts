/**
 * For each rule, the mutations of its kind module (`src/checks/<kind>.ts`): each breaks that rule alone,
 * one violation class at a time, starting from a valid object generated under `constraintsFor(rule)`.
 * Where a value cannot help breaking a second rule of the same field, the mutation names the overlap.
 */
import { kindOf } from '../src/checks/registry.ts';
import type { GenContext, Mutation } from '../src/checks/types.ts';
import type { Rule, RuleCheck } from '../src/spec/catalogue.ts';
import type { OperationPlan } from './plan.ts';
import { mutationSiteOf } from './sites.ts';

export type { Mutation };

export function mutate(rule: Rule, valid: Record<string, unknown>, plan: OperationPlan, g: GenContext): Mutation[] {
  const kind = kindOf(rule.check) as ReturnType<typeof kindOf<RuleCheck['kind']>>;
  return kind.mutators(mutationSiteOf(rule, plan, g, valid));
}
