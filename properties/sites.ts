/**
 * The sites the kind modules work on, built from an operation plan: the rule, its field, the object,
 * the generation context and the helpers that keep a mutation to its one rule.
 */
import { holdsValue, isValueKind } from '../src/checks/registry.ts';
import type { GenContext, MutationSite, Site } from '../src/checks/types.ts';
import { asType, clone, deleteAt, setAt } from '../src/checks/util.ts';
import type { Rule, RuleCheck } from '../src/spec/catalogue.ts';
import { type EvalContext, getPath, relativePath, textOf } from '../src/spec/evaluate.ts';
import type { OperationPlan } from './plan.ts';

export const ctxOf = (g: GenContext, defaults: EvalContext['defaults'] = {}): EvalContext => ({
  mode: g.mode,
  today: g.today,
  defaults,
  ...(g.knownValues ? { knownValues: g.knownValues } : {}),
  ...(g.request ? { request: g.request } : {}),
});

export function siteOf<K extends RuleCheck['kind']>(rule: Rule, plan: OperationPlan, g: GenContext): Site<K> {
  const path = relativePath(rule);
  const fieldAt = (p: string) => plan.fields.find((x) => x.path === p);
  const field = fieldAt(path);
  const defaults = plan.side === 'request' ? plan.cat.operation(plan.provider, plan.operation).defaults : {};
  const ctx = ctxOf(g, defaults);
  const own = field ? field.rules.filter((r) => r.id !== rule.id && isValueKind(r.check.kind)) : [];
  return {
    check: rule.check as Site<K>['check'],
    rule,
    path,
    field,
    fieldAt,
    g,
    typed: (text) => asType(field, text, g.mode),
    siblings: plan.rules,
    brokenOwn: (value) => own.filter((r) => holdsValue(r, value, ctx).holds === false),
  };
}

export function mutationSiteOf<K extends RuleCheck['kind']>(
  rule: Rule,
  plan: OperationPlan,
  g: GenContext,
  valid: Record<string, unknown>,
): MutationSite<K> {
  const site = siteOf<K>(rule, plan, g);
  const value = getPath(valid, site.path);
  return {
    ...site,
    valid,
    value,
    text: textOf(value) ?? '',
    with(v, note, cls, extra = {}) {
      const o = clone(valid);
      if (v === undefined) deleteAt(o, site.path);
      // a mutator's object value (`{}` where the table says string) is copied too: no two cases share an object
      else setAt(o, site.path, typeof v === 'object' && v !== null ? clone(v) : v);
      return { value: o, note, cls, ...extra };
    },
  };
}
