/**
 * Zod schemas derived from the rule catalogue, never written beside it. Each refinement's message is the
 * id of the rule it checks, so a failed parse is a list of broken rule ids (errors are data). Strict
 * mode is exactly the table (Number is a JSON number, `long` a whole number, only tabled fields); lenient
 * mode is what the providers' own examples do (numeric strings, `code` as a string, "" for an absent
 * optional). Date rules read an injected clock and time zone.
 */
import { z } from 'zod';
import { evaluate, holdsValue, isValueKind } from '../checks/registry.ts';
import { type Catalogue, type Rule, catalogue as shippedCatalogue } from '../spec/catalogue.ts';
import { type EvalContext, isPlainObject, relativePath, todayIn } from '../spec/evaluate.ts';
import type { Provider, SchemaMode } from '../spec/registry.ts';

export interface SchemaOptions {
  mode: SchemaMode;
  /** The clock; "today" is read from it at every parse. Default: the real clock. */
  now?: () => Date;
  /** Default: the provider profile's time zone (GEP: Asia/Shanghai). */
  timeZone?: string;
  knownValues?: EvalContext['knownValues'];
  /** For answers: the request they belong to. */
  request?: Record<string, unknown>;
  /** For answers: GEP outcome (2), card elements may still be missing. */
  allowIncomplete?: boolean;
  catalogue?: Catalogue;
}

export interface Violation {
  ruleId: string;
  path: string;
  /** The way a rule was broken, where it maps a code per way (`below`, `above`). */
  way?: string;
}

export interface Validation {
  ok: boolean;
  violations: Violation[];
}

type Side = 'request' | 'response';

function contextFor(cat: Catalogue, provider: Provider, operation: string, opts: SchemaOptions): () => EvalContext {
  const entry = cat.operation(provider, operation);
  const profile = cat.profiles[provider];
  const tz = opts.timeZone ?? profile.timeZone;
  const now = opts.now ?? (() => new Date());
  const codes = new Set(profile.codes.map((c) => c.code));
  return () => ({
    mode: opts.mode,
    today: todayIn(tz, now()),
    defaults: entry.defaults,
    codes,
    ...(opts.knownValues ? { knownValues: opts.knownValues } : {}),
    ...(opts.request ? { request: opts.request } : {}),
    ...(opts.allowIncomplete ? { allowIncomplete: true } : {}),
  });
}

/** Ways a broken rule is reported: `ruleId` or `ruleId#way`. */
const encode = (rule: Rule, way?: string) => (way ? `${rule.id}#${way}` : rule.id);

/**
 * The schema of one side of one operation. Leaves carry their own value rules; presence and cross-field
 * rules are refinements of the whole object that run even while a field fails (`when`), so that no rule
 * goes silent because another one broke.
 */
export function deriveSchema(provider: Provider, operation: string, side: Side, opts: SchemaOptions): z.ZodType {
  const cat = opts.catalogue ?? shippedCatalogue();
  const ctxOf = contextFor(cat, provider, operation, opts);
  const rules = cat.rulesFor(provider, operation).filter((r) => r.side === side);
  const jsonObject = rules.find((r) => r.check.kind === 'jsonObject');
  const untabled = rules.find((r) => r.check.kind === 'noUntabledFields');
  const typeRules = rules.filter((r) => r.check.kind === 'type');
  const tabled = new Set(typeRules.map(relativePath));

  // Leaves, by relative path: the type rule first; while it is broken the value rules stay undecided.
  const leaf = (path: string): z.ZodType => {
    const own = rules.filter((r) => isValueKind(r.check.kind) && relativePath(r) === path);
    own.sort((a, b) => Number(b.check.kind === 'type') - Number(a.check.kind === 'type'));
    return z.unknown().superRefine((v, ctx) => {
      const ectx = ctxOf();
      for (const r of own) {
        const verdict = holdsValue(r, v, ectx);
        if (verdict.holds === false) {
          ctx.addIssue({ code: 'custom', message: encode(r, verdict.way) });
          if (r.check.kind === 'type') return;
        }
      }
    });
  };

  // The object tree from the tabled paths: `cardHolder.firstName` nests under `cardHolder`.
  const build = (prefix: string): z.ZodType => {
    const shape: Record<string, z.ZodType> = {};
    for (const path of tabled) {
      const rest = prefix ? (path.startsWith(`${prefix}.`) ? path.slice(prefix.length + 1) : undefined) : path;
      if (rest === undefined || rest.includes('.')) continue;
      const hasChildren = [...tabled].some((p) => p.startsWith(`${path}.`));
      shape[rest] = (hasChildren ? leaf(path).superRefine((v, ctx) => nested(path, v, ctx)) : leaf(path)).optional();
    }
    const objOpts = untabled ? { error: (iss: { code?: string }) => (iss.code === 'unrecognized_keys' ? untabled.id : undefined) } : {};
    return opts.mode === 'strict' && untabled ? z.strictObject(shape, objOpts) : z.looseObject(shape);
  };
  // A nested object (cardHolder, model, result) is parsed by its own schema once its type rule holds.
  const children = new Map<string, z.ZodType>();
  const nested = (path: string, v: unknown, ctx: z.RefinementCtx): void => {
    if (!isPlainObject(v)) return;
    let schema = children.get(path);
    if (!schema) {
      schema = build(path);
      children.set(path, schema);
    }
    const r = schema.safeParse(v);
    if (!r.success) for (const iss of r.error.issues) ctx.addIssue({ code: 'custom', message: iss.message, path: iss.path });
  };

  let root: z.ZodType = build('');
  // Presence and cross-field rules run on the whole object, always.
  for (const r of rules.filter((x) => !isValueKind(x.check.kind) && x.check.kind !== 'jsonObject' && x.check.kind !== 'noUntabledFields')) {
    root = root.superRefine(
      (obj, ctx) => {
        const verdict = evaluate(r, obj, ctxOf());
        if (verdict.holds === false) ctx.addIssue({ code: 'custom', message: encode(r, verdict.way), path: relativePath(r).split('.') });
      },
      { when: () => true },
    );
  }
  if (!jsonObject) return root;
  return z
    .unknown()
    .superRefine((v, ctx) => {
      if (!isPlainObject(v)) ctx.addIssue({ code: 'custom', message: jsonObject.id, continue: false }); // nothing else is decidable
    })
    .pipe(root);
}

/** Parse and turn the issues into broken rule ids. */
export function validate(schema: z.ZodType, value: unknown): Validation {
  const r = schema.safeParse(value);
  if (r.success) return { ok: true, violations: [] };
  const violations = r.error.issues.map((iss) => {
    const [ruleId, way] = iss.message.split('#') as [string, string | undefined];
    return { ruleId, path: iss.path.join('.'), ...(way ? { way } : {}) };
  });
  return { ok: false, violations };
}

export const requestSchema = (provider: Provider, operation: string, opts: SchemaOptions) =>
  deriveSchema(provider, operation, 'request', opts);
export const responseSchema = (provider: Provider, operation: string, opts: SchemaOptions) =>
  deriveSchema(provider, operation, 'response', opts);
