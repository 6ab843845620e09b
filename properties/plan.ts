/**
 * The generators' view of an operation: for each field of one side, the rules that constrain it, read
 * from the catalogue. Nothing here knows a field by name; a new row in the data is a new field here.
 */
import type { FieldView } from '../src/checks/types.ts';
import { type Catalogue, type Rule, type RuleCheck, catalogue as shipped } from '../src/spec/catalogue.ts';
import { relativePath } from '../src/spec/evaluate.ts';
import { keyedMemo } from '../src/spec/memo.ts';
import type { Provider } from '../src/spec/registry.ts';
import type { FieldRow } from '../src/spec/types.ts';

export interface FieldPlan extends FieldView {
  path: string;
  rules: Rule[];
  row: FieldRow | undefined;
  check<K extends RuleCheck['kind']>(kind: K): Extract<RuleCheck, { kind: K }> | undefined;
  /** The plan the field belongs to. */
  plan: OperationPlan;
  /** M row (required always, or whenever its parent is present). */
  required: boolean;
  /** C row: required when this condition holds. */
  requiredWhen: Extract<RuleCheck, { kind: 'requiredWhen' }>['when'] | undefined;
  children: FieldPlan[];
}

export interface OperationPlan {
  provider: Provider;
  operation: string;
  side: 'request' | 'response';
  fields: FieldPlan[];
  /** Top-level fields only (children hang below their parent). */
  roots: FieldPlan[];
  rules: Rule[];
  cat: Catalogue;
}

/** Plans per catalogue (one per selected document version), by provider, operation and side. */
const plans = keyedMemo<Catalogue, OperationPlan>();

export const planOf = (provider: Provider, operation: string, side: 'request' | 'response', cat: Catalogue = shipped()): OperationPlan =>
  plans(cat, `${provider}.${operation}.${side}`, () => buildPlan(provider, operation, side, cat));

function buildPlan(provider: Provider, operation: string, side: 'request' | 'response', cat: Catalogue): OperationPlan {
  const entry = cat.operation(provider, operation);
  const rules = cat.rulesFor(provider, operation).filter((r) => r.side === side);
  const rows = entry.spec[side];
  const paths = rules.filter((r) => r.check.kind === 'type').map(relativePath);
  const fields: FieldPlan[] = paths.map((path) => {
    const own = rules.filter((r) => relativePath(r) === path);
    const find = <K extends RuleCheck['kind']>(kind: K) =>
      own.find((r) => r.check.kind === kind)?.check as Extract<RuleCheck, { kind: K }> | undefined;
    return {
      path,
      rules: own,
      row: rows.find((r) => r.path === path),
      check: find,
      required: find('required') !== undefined,
      requiredWhen: find('requiredWhen')?.when,
      children: [],
      plan: undefined as unknown as OperationPlan,
    };
  });
  for (const f of fields)
    f.children = fields.filter((c) => c.path.startsWith(`${f.path}.`) && !c.path.slice(f.path.length + 1).includes('.'));
  const plan: OperationPlan = { provider, operation, side, fields, roots: fields.filter((f) => !f.path.includes('.')), rules, cat };
  for (const f of fields) f.plan = plan;
  return plan;
}
