/**
 * Valid objects for one side of an operation, from its rules alone: each field's value arbitrary comes
 * from its value rules, presence from its presence rules, and the cross-field rules are then satisfied
 * by a deterministic repair pass. The result is checked against every rule before it is handed out.
 */
import fc from 'fast-check';
import { CHECK_KINDS, evaluate, kindOf } from '../src/checks/registry.ts';
import type { CheckKind, GenContext, RepairSite } from '../src/checks/types.ts';
import { addDays, asType, clone, deleteAt, setAt } from '../src/checks/util.ts';
import type { Rule, RuleCheck } from '../src/spec/catalogue.ts';
import { getPath, relativePath } from '../src/spec/evaluate.ts';
import { keyedMemo } from '../src/spec/memo.ts';
import type { SchemaMode } from '../src/spec/registry.ts';
import type { Condition } from '../src/spec/types.ts';
import { CardConformanceError, EXIT } from '../src/wire/errors.ts';
import type { FieldPlan, OperationPlan } from './plan.ts';
import { ctxOf, siteOf } from './sites.ts';

export type { GenContext };
export { addDays, asType, clone, ctxOf, deleteAt, setAt };

/** Fixed values (`path → value`), fields that must be present, and fields that must be absent. */
export interface Constraints {
  /** Values fixed exactly as given. */
  set?: Record<string, unknown>;
  /** Values stated once as text, written as each field's type asks in the mode (a suite's pinned amount). */
  text?: Record<string, string>;
  present?: string[];
  absent?: string[];
}

const leaves = keyedMemo<FieldPlan, fc.Arbitrary<unknown>>();

/** The arbitrary of one leaf field's valid values, from its value rules (built once per field and context). */
export const leafValue = (f: FieldPlan, g: GenContext): fc.Arbitrary<unknown> =>
  leaves(f, `${g.mode}|${g.today}|${JSON.stringify(g.knownValues ?? {})}`, () => buildLeafValue(f, g));

function buildLeafValue(f: FieldPlan, g: GenContext): fc.Arbitrary<unknown> {
  const site = (r: Rule) => siteOf(r, planOfField(f), g);
  // the field's rules that generate values, in rank order; named values of the row come before the bare type
  const sources = f.rules
    .map((r) => ({ r, source: (kindOf(r.check) as CheckKind<RuleCheck['kind']>).values }))
    .filter((x) => x.source !== null)
    .sort((a, b) => a.source!.rank - b.source!.rank);
  const typeRank = CHECK_KINDS.type.values!.rank;
  const fits = (v: unknown) =>
    f.rules.every((r) => r.side === 'behaviour' || !SHAPE.has(r.check.kind) || evaluate(r, setAt({}, f.path, v), ctxOf(g)).holds !== false);
  for (const { r, source } of sources) {
    if (source!.rank >= typeRank) {
      const named = f.row?.named?.map((v) => asType(f, v, g.mode)).filter(fits);
      if (named && named.length > 0 && f.check('format') === undefined) return fc.constantFrom(...named);
    }
    const arb = source!.arbitrary(site(r) as never);
    if (arb)
      return bounded(
        arb,
        fits,
        (v) => `${f.path} = ${JSON.stringify(v)} breaks ${brokenShape(f, g, v)}`,
        `a value of ${f.path} from ${r.id}`,
      );
  }
  throw new GeneratorError(`${f.path}: no rule of the field generates values`);
}

/** The field's own shape rule a drawn value breaks (for the one-line error). */
const brokenShape = (f: FieldPlan, g: GenContext, v: unknown): string =>
  f.rules.find((r) => SHAPE.has(r.check.kind) && evaluate(r, setAt({}, f.path, v), ctxOf(g)).holds === false)?.id ?? 'a rule of the field';

/**
 * `arb` kept to values that pass `ok`, giving up after MAX_REJECTED_DRAWS rejections in a row with a
 * GeneratorError (a pattern longer than the field's maximum length, say) instead of searching for ever.
 */
function bounded<T>(arb: fc.Arbitrary<T>, ok: (v: T) => boolean, why: (v: T) => string, what: string): fc.Arbitrary<T> {
  let streak = 0;
  return arb.filter((v) => {
    if (ok(v)) {
      streak = 0;
      return true;
    }
    if (++streak >= MAX_REJECTED_DRAWS)
      throw new GeneratorError(`cannot generate ${what}: ${MAX_REJECTED_DRAWS} draws in a row broke a rule (last: ${why(v)})`);
    return false;
  });
}

/** Rules a drawn leaf value must keep on its own (the relational ones are met by repair). */
const SHAPE = new Set<RuleCheck['kind']>(['type', 'maxLength', 'pattern', 'format', 'enum']);

/** The plan a field belongs to (set by planOf), for building sites. */
const planOfField = (f: FieldPlan): OperationPlan => f.plan;

interface Draw {
  present: boolean;
  value: unknown;
}

/**
 * Repair the cross-field rules through their kind modules, in catalogue order, until nothing changes:
 * dates in order, conditional requirements met, forbidden fields dropped, conditional values set,
 * relational answer fields derived. What does not change from draw to draw (the rules that repair, their
 * sites, the codes) is worked out once per arbitrary; a draw pays for the repairs alone.
 */
function repairer(
  plan: OperationPlan,
  g: GenContext,
  c: Constraints,
): (obj: Record<string, unknown>, build: (path: string) => unknown, spare: number[]) => Record<string, unknown> {
  const requestDefaults = plan.cat.operation(plan.provider, plan.operation).defaults;
  const defaults = plan.side === 'request' ? requestDefaults : {};
  const profile = plan.cat.profiles[plan.provider];
  const refusalCodes = profile.codes.map((x) => x.code).filter((x) => x !== profile.successCode && x !== '0');
  const fixed = new Set([...Object.keys(c.set ?? {}), ...(c.absent ?? [])]);
  // each repair's site object is made once and its per-draw fields set before each call: spreading a
  // dozen site fields per repair per round was most of a draw's time (and garbage)
  const repairs = plan.rules.flatMap((r) => {
    const fn = (kindOf(r.check) as CheckKind<RuleCheck['kind']>).repair;
    if (!fn || fixed.has(relativePath(r))) return [];
    const rs: RepairSite<RuleCheck['kind']> = {
      ...siteOf(r, plan, g),
      obj: {},
      value: undefined,
      defaults,
      requestDefaults,
      build: () => undefined,
      spare: [],
      refusalCodes,
    };
    return [{ fn, rs }];
  });
  return (obj, build, spare) => {
    // a round that leaves the text as the last one left it is the end (each round's text is the next's start)
    let before = JSON.stringify(obj);
    for (let round = 0; round < 4; round++) {
      for (const { fn, rs } of repairs) {
        rs.obj = obj;
        rs.value = getPath(obj, rs.path);
        rs.build = build;
        rs.spare = spare;
        fn(rs);
      }
      const after = JSON.stringify(obj);
      if (after === before) break;
      before = after;
    }
    return obj;
  };
}

/** Valid objects for one side of an operation, honouring the constraints. */
/** A constraint no draw can meet: one line naming the rule and the value. */
export class GeneratorError extends CardConformanceError {
  override name = 'GeneratorError';
  readonly exitCode = EXIT.usage;
}

/** Draws in a row that may break a rule before the generator gives up: the bound on every search. */
export const MAX_REJECTED_DRAWS = 400;

/** The fields a rule reads besides its own: its condition's, the other date, its parent. */
function referencedFields(rule: Rule): string[] {
  const ch = rule.check;
  const out: string[] = [];
  if (ch.kind === 'requiredWhen' || ch.kind === 'forbiddenWhen' || ch.kind === 'valueWhen')
    for (let w: Condition | undefined = ch.when; w; w = w.and) out.push(w.field);
  if (ch.kind === 'dateNotBefore') out.push(ch.other);
  if (ch.kind === 'required' && ch.parent) out.push(ch.parent);
  return out;
}

const describeConstraints = (c: Constraints): string => {
  const parts = [
    ...Object.entries(c.set ?? {}).map(([p, v]) => `${p} = ${JSON.stringify(v)}`),
    ...(c.absent ?? []).map((p) => `${p} absent`),
  ];
  return parts.length ? ` under ${parts.join(', ')}` : '';
};

/** The constraints' `text` values written as each field's type asks in this mode (a Number row's "30.25" is 30.25 in strict mode), into `set`. */
export function typedConstraints(plan: OperationPlan, g: GenContext, c: Constraints): Constraints {
  if (!c.text) return c;
  const typed = Object.entries(c.text).map(([p, v]) => [
    p,
    asType(
      plan.fields.find((f) => f.path === p),
      v,
      g.mode,
    ),
  ]);
  const { text: _text, ...rest } = c;
  return { ...rest, set: { ...c.set, ...Object.fromEntries(typed) } };
}

/**
 * Valid objects for one side of an operation, honouring the constraints. A constraint that breaks a
 * rule by itself throws at once; a search that keeps failing throws after MAX_REJECTED_DRAWS draws in a
 * row: a GeneratorError naming the rule and the value, never a loop without end.
 */
export function validObject(plan: OperationPlan, g: GenContext, constraints: Constraints = {}): fc.Arbitrary<Record<string, unknown>> {
  const c = typedConstraints(plan, g, constraints);
  const defaults = plan.side === 'request' ? plan.cat.operation(plan.provider, plan.operation).defaults : {};
  const ctx = { ...ctxOf(g, defaults), codes: new Set(plan.cat.profiles[plan.provider].codes.map((x) => x.code)) };
  const rules = plan.rules.filter((r) => r.check.kind !== 'noUntabledFields' || g.mode === 'strict');
  const what = `a valid ${plan.provider} ${plan.operation} ${plan.side}`;
  const fixed = new Set([...Object.keys(c.set ?? {}), ...(c.absent ?? [])]);
  // a fixed value outside the table, one that breaks a rule of its own field, or a required field fixed
  // absent: no draw can help
  for (const path of [...Object.keys(c.set ?? {}), ...(c.absent ?? [])])
    if (!plan.fields.some((f) => f.path === path)) throw new GeneratorError(`cannot generate ${what}: ${path} is not a field of its table`);
  for (const [path, value] of Object.entries(c.set ?? {})) {
    const own = rules.filter((r) => relativePath(r) === path && kindOf(r.check).scope === 'value');
    const broken = own.find((r) => evaluate(r, setAt({}, path, value), ctx).holds === false);
    if (broken)
      throw new GeneratorError(`cannot generate ${what}: ${path} = ${JSON.stringify(value)} breaks ${broken.id} (${broken.title})`);
  }
  for (const path of c.absent ?? []) {
    const req = rules.find((r) => relativePath(r) === path && r.check.kind === 'required' && r.check.parent === undefined);
    if (req) throw new GeneratorError(`cannot generate ${what}: ${path} absent breaks ${req.id} (${req.title})`);
  }
  let streak = 0;
  return draftObject(plan, g, c).filter((obj) => {
    const broken = rules.find((r) => evaluate(r, obj, ctx).holds === false);
    if (!broken) {
      streak = 0;
      return true;
    }
    const path = relativePath(broken);
    const stuck = fixed.has(path) && referencedFields(broken).every((p) => fixed.has(p));
    if (stuck || ++streak >= MAX_REJECTED_DRAWS)
      throw new GeneratorError(
        `cannot generate ${what}${describeConstraints(c)}: ${stuck ? 'the fixed values break' : `${MAX_REJECTED_DRAWS} draws in a row broke`} ${broken.id} (${path} = ${JSON.stringify(getPath(obj, path))})`,
      );
    return false;
  });
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
  const repair = repairer(plan, g, c);
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
    return repair(obj, build, spare);
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
  // the field's other conditional rules (an airline code forbidden on a subsidiary card, a scene code
  // fixed with the random BIN) must not apply, or breaking this rule would break them too
  for (const other of plan.rules) {
    const oc = other.check;
    if (other === rule || relativePath(other) !== path || (oc.kind !== 'forbiddenWhen' && oc.kind !== 'valueWhen')) continue;
    for (let w: Condition | undefined = oc.when; w; w = w.and) {
      if (w.field in set || w.in.includes('*')) continue;
      const f = plan.fields.find((x) => x.path === w!.field);
      const options = [...(f?.check('enum')?.values ?? []), ...(f?.row?.named ?? [])];
      const outside = options.find((v) => !w!.in.includes(v));
      if (outside !== undefined) set[w.field] = f ? asType(f, outside, mode) : outside;
    }
  }
  return { set, present };
}

export type { Rule };
