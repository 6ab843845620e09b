/**
 * JSON Schema (2020-12) derived from the rule catalogue, for the tools that read schemas rather than this
 * project's checks (OpenAPI mocks, fuzzers, code generators). Every rule of a side of an operation says
 * here, kind by kind, how JSON Schema expresses it, or why it cannot (a clock, another field's value, a
 * checksum, a list known at run time, a provider behaviour); the map is typed by every check kind, so a
 * new kind does not compile until it says. Each property lists its rules in `x-rule-ids`, the expressed
 * and the not expressible alike, so that nothing is silently dropped. zod 4's own `toJSONSchema` does not
 * serve here: the derived zod schemas (derive.ts) decide their rules in refinements, which it cannot
 * carry over.
 *
 * Strict mode is the table (a Number row is a JSON number, only tabled fields); lenient mode is what the
 * examples send (numeric strings, "" for an absent optional), as in derive.ts.
 */
import type { CheckOf } from '../checks/types.ts';
import { type Catalogue, type FieldDefault, type Rule, type RuleCheck, catalogue as shippedCatalogue } from '../spec/catalogue.ts';
import { relativePath } from '../spec/evaluate.ts';
import type { FieldType, Provider, SchemaMode } from '../spec/registry.ts';
import type { Condition } from '../spec/types.ts';

export type JsonSchema = { [k: string]: unknown };

/** How one rule shows in the schema: on its field's value, on the whole body, or not at all (and why). */
export type Expression =
  | { where: 'value'; schema: JsonSchema }
  | { where: 'body'; schema: JsonSchema }
  | { where: 'presence' }
  | { where: 'none'; why: string };

export interface RuleRef {
  id: string;
  level: Rule['level'];
  expressed: boolean;
  /** For a rule JSON Schema cannot express: why. */
  why?: string;
}

interface ExpressSite<K extends RuleCheck['kind']> {
  check: CheckOf<K>;
  rule: Rule;
  mode: SchemaMode;
  /** The table type of the rule's field, when it is a tabled field. */
  type: FieldType | undefined;
  /** The rule's path inside the body. */
  path: string;
  defaults: Record<string, FieldDefault>;
  codes: readonly string[];
}

const ABSENT = [null, ''];
/** A value written in JSON as the providers may: text, and its number where it is one, its boolean where it is one. */
const textValues = (values: readonly string[]): unknown[] =>
  values.flatMap((v) => [v, ...(/^-?\d+(\.\d+)?$/.test(v) ? [Number(v)] : []), ...(v === 'true' ? [true] : v === 'false' ? [false] : [])]);

/** `schema` on the value at `path` when it is there (vacuous when a parent is missing or not an object). */
export function atPath(path: string, schema: JsonSchema): JsonSchema {
  return path
    .split('.')
    .reverse()
    .reduce<JsonSchema>((inner, key) => ({ properties: { [key]: inner } }), schema);
}

/** The value at `path` present (not missing, null or "") and meeting `schema`. */
function presentAt(path: string, schema: JsonSchema): JsonSchema {
  const parts = path.split('.');
  const build = (i: number): JsonSchema => {
    const key = parts[i]!;
    const inner = i === parts.length - 1 ? { not: { enum: ABSENT }, ...schema } : build(i + 1);
    return { type: 'object', required: [key], properties: { [key]: inner } };
  };
  return build(0);
}

/** The value at `path` absent: missing, null or "" (a parent that is not an object counts as missing). */
const absentAt = (path: string): JsonSchema => atPath(path, { enum: ABSENT });

/**
 * A schema that holds exactly when `cond` holds on the body's effective values: the value, or the
 * field's default when it is absent (request side only, as the predicates read them).
 */
export function conditionSchema(cond: Condition, defaults: Record<string, FieldDefault>): JsonSchema {
  const any = cond.in.includes('*');
  const value: JsonSchema = any ? {} : { enum: textValues(cond.in) };
  const branches: JsonSchema[] = [presentAt(cond.field, value)];
  const d = defaults[cond.field];
  if (d?.value !== undefined && (any || cond.in.includes(d.value))) branches.push(absentAt(cond.field));
  else if (d?.by) {
    const keys = Object.entries(d.by.values)
      .filter(([, v]) => any || cond.in.includes(v))
      .map(([k]) => k);
    if (keys.length) branches.push({ allOf: [absentAt(cond.field), conditionSchema({ field: d.by.field, in: keys }, defaults)] });
  }
  const own: JsonSchema = branches.length === 1 ? branches[0]! : { anyOf: branches };
  return cond.and ? { allOf: [own, conditionSchema(cond.and, defaults)] } : own;
}

const none = (why: string): Expression => ({ where: 'none', why });
/** JSON Schema's `if`/`then` (built from entries: a literal `then` key reads as a thenable to linters). */
const ifThen = (cond: JsonSchema, then: JsonSchema, rest: JsonSchema = {}): JsonSchema =>
  Object.fromEntries([['if', cond], ['then', then], ...Object.entries(rest)]);
const numeric = (t: FieldType | undefined) => t === 'number' || t === 'long';

/** The typed values of a field (strict: the table's JSON type; lenient: a number's text too). */
function typedValues(values: readonly string[], type: FieldType | undefined, mode: SchemaMode): unknown[] {
  if (!numeric(type)) return [...values];
  const nums = values.map(Number);
  return mode === 'strict' ? nums : [...nums, ...values];
}

function typeSchema(type: FieldType, mode: SchemaMode): JsonSchema {
  switch (type) {
    case 'string':
      // lenient: a scalar by its value, so a number is a string's value too (the type kind's reading)
      return mode === 'strict' ? { type } : { type: ['string', 'number'] };
    case 'boolean':
    case 'object':
      return { type };
    case 'number':
      return mode === 'strict'
        ? { type: 'number' }
        : { anyOf: [{ type: 'number' }, { type: 'string', pattern: '^-?[0-9]+(\\.[0-9]+)?$' }] };
    case 'long':
      return mode === 'strict' ? { type: 'integer' } : { anyOf: [{ type: 'integer' }, { type: 'string', pattern: '^-?[0-9]+$' }] };
  }
}

const FORMAT_SCHEMAS: Record<CheckOf<'format'>['format'], JsonSchema> = {
  date: { pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', format: 'date' },
  monthYear: { pattern: '^(0[1-9]|1[0-2])/[0-9]{4}$' },
  url: { pattern: '^[Hh][Tt][Tt][Pp][Ss]?://[^\\s/?#]+([/?#]\\S*)?$' },
  hex32: { pattern: '^[0-9a-f]{32}$' },
  digits: { pattern: '^[0-9]+$' },
  decimal: { pattern: '^-?[0-9]+(\\.[0-9]+)?$' },
};

const stringOnly = (site: { type: FieldType | undefined }, schema: JsonSchema, what: string): Expression =>
  site.type === 'string'
    ? { where: 'value', schema }
    : none(`${what} applies to the text of a ${site.type ?? 'untabled'} field, which JSON Schema keywords do not read`);

/** A regular expression matching exactly the decimal texts of the whole numbers from `lo` to `hi` (leading zeros allowed). */
export function rangePattern(lo: bigint, hi: bigint): string {
  const nines = (n: number) => '9'.repeat(n);
  const same = (a: string, b: string): string[] => {
    if (a === b) return [a];
    if (a.length === 1) return [`[${a}-${b}]`];
    if (/^0*$/.test(a) && /^9*$/.test(b)) return [`[0-9]{${a.length}}`];
    if (a[0] === b[0]) return same(a.slice(1), b.slice(1)).map((x) => a[0] + x);
    const n = a.length - 1;
    const [da, db] = [Number(a[0]), Number(b[0])];
    const out = same(a.slice(1), nines(n)).map((x) => `${da}${x}`);
    if (db - da >= 2) out.push(`[${da + 1}-${db - 1}][0-9]{${n}}`);
    out.push(...same('0'.repeat(n), b.slice(1)).map((x) => `${db}${x}`));
    return out;
  };
  const [a, b] = [lo.toString(), hi.toString()];
  const parts: string[] = [];
  if (a.length === b.length) parts.push(...same(a, b));
  else {
    parts.push(...same(a, nines(a.length)));
    for (let len = a.length + 1; len < b.length; len++) parts.push(`[1-9][0-9]{${len - 1}}`);
    parts.push(...same(`1${'0'.repeat(b.length - 1)}`, b));
  }
  return `^0*(${parts.join('|')})$`;
}

const RELATES = 'compares the answer with the request it answers, which JSON Schema of one body cannot see';

/** How each check kind is expressed. Typed by every kind: a kind without an entry does not compile. */
const EXPRESS: { [K in RuleCheck['kind']]: (site: ExpressSite<K>) => Expression } = {
  jsonObject: () => ({ where: 'body', schema: { type: 'object' } }),
  acceptsValid: () =>
    none('a behaviour of the provider (a request that keeps every rule is accepted): the whole schema describes such a request'),
  noUntabledFields: ({ mode }) =>
    mode === 'strict'
      ? { where: 'presence' } // additionalProperties: false on every tabled object (below)
      : none('decided in strict schema mode only: the lenient schema lets untabled fields through, as lenient runs do'),
  required: ({ check }) =>
    check.mayArriveLater
      ? none('required once the card is complete: an answer with incomplete elements (GEP outcome 2) may leave it empty')
      : { where: 'presence' },
  requiredWhen: ({ check, path, rule, defaults }) =>
    check.mayArriveLater
      ? none('required once the card is complete: an answer with incomplete elements (GEP outcome 2) may leave it empty')
      : { where: 'body', schema: ifThen(conditionSchema(check.when, rule.side === 'request' ? defaults : {}), presentAt(path, {})) },
  type: ({ check, mode }) => ({ where: 'value', schema: typeSchema(check.type, mode) }),
  maxLength: (site) => stringOnly(site, { maxLength: site.check.max }, 'the length'),
  pattern: (site) => stringOnly(site, { pattern: `^(?:${site.check.pattern})$` }, 'the pattern'),
  format: (site) => stringOnly(site, FORMAT_SCHEMAS[site.check.format], 'the format'),
  enum: ({ check, type, mode }) => ({ where: 'value', schema: { enum: typedValues(check.values, type, mode) } }),
  amountMinorUnits: ({ type }) => ({
    where: 'value',
    schema: { pattern: '^[0-9]+$', ...(numeric(type) ? { minimum: 0, multipleOf: 1 } : {}) },
  }),
  amountRange: ({ check, type }) => ({
    where: 'value',
    // the range is decided on whole numbers of minor units; any other text is amountMinorUnits' to refuse
    schema: ifThen(
      { type: 'string', pattern: '^[0-9]+$' },
      { pattern: rangePattern(BigInt(check.min), BigInt(check.max)) },
      numeric(type) ? { minimum: Number(check.min), maximum: Number(check.max) } : {},
    ),
  }),
  decimalPositive: () => ({
    where: 'value',
    schema: { pattern: '^([0-9]*[1-9][0-9]*(\\.[0-9]+)?|[0-9]+\\.[0-9]*[1-9][0-9]*)$', exclusiveMinimum: 0 },
  }),
  dateNotBeforeToday: ({ rule }) => none(`"today" in the provider's time zone moves with the clock, and JSON Schema has none (${rule.id})`),
  dateNotBefore: ({ check }) => none(`compares the value with ${check.other}; JSON Schema cannot compare one value with another`),
  forbiddenWhen: ({ check, path, rule, defaults }) => ({
    where: 'body',
    schema: ifThen(conditionSchema(check.when, rule.side === 'request' ? defaults : {}), absentAt(path)),
  }),
  valueWhen: ({ check, path, rule, defaults, type, mode }) => ({
    where: 'body',
    // absent, not a scalar (the type rule's to judge), or one of the values
    schema: ifThen(
      conditionSchema(check.when, rule.side === 'request' ? defaults : {}),
      atPath(path, {
        anyOf: [{ enum: ABSENT }, { type: ['boolean', 'object', 'array'] }, { enum: typedValues(check.values, type, mode) }],
      }),
    ),
  }),
  knownValue: ({ check }) => none(`the values come from the provider's ${check.of}, read at run time`),
  luhn: () => none('a checksum of the digits: no JSON Schema keyword computes one'),
  startsWithBin: () => none(RELATES),
  monthYearOf: () => none(RELATES),
  echo: () => none(RELATES),
  successCode: ({ check }) => {
    const code = { enum: textValues([check.value]) };
    return {
      where: 'body',
      schema: {
        anyOf: [
          { not: { required: [check.success], properties: { [check.success]: { type: 'boolean' } } } },
          absentAt(check.code),
          { properties: { [check.success]: { const: true }, [check.code]: code } },
          { properties: { [check.success]: { const: false }, [check.code]: { not: code } } },
        ],
      },
    };
  },
  oppositeFlags: ({ check }) => {
    const flag = (k: string) => ({ not: { required: [k], properties: { [k]: { type: 'boolean' } } } });
    return {
      where: 'body',
      schema: {
        anyOf: [
          flag(check.success),
          flag(check.error),
          { properties: { [check.success]: { const: true }, [check.error]: { const: false } } },
          { properties: { [check.success]: { const: false }, [check.error]: { const: true } } },
        ],
      },
    };
  },
  codeInCatalogue: ({ path, codes }) => ({
    where: 'body',
    schema: ifThen(
      { required: ['success'], properties: { success: { const: false } } },
      atPath(path, { anyOf: [{ enum: ABSENT }, { enum: textValues(codes) }] }),
    ),
  }),
  codeMatchesRule: () => none('which code a refusal carries depends on the rule the request broke, which one body does not show'),
  behaviour: ({ check }) => none(`a behaviour over several calls (${check.behaviour}), decided by a suite`),
};

export function expressionOf(rule: Rule, site: Omit<ExpressSite<RuleCheck['kind']>, 'check' | 'rule'>): Expression {
  return (EXPRESS[rule.check.kind] as (s: ExpressSite<RuleCheck['kind']>) => Expression)({ ...site, check: rule.check, rule });
}

export interface SideSchema {
  schema: JsonSchema;
  /** Every rule of the side, expressed or not; behaviour rules of the operation on the request side. */
  rules: RuleRef[];
}

export interface JsonSchemaOptions {
  mode: SchemaMode;
  catalogue?: Catalogue;
}

/**
 * The JSON Schema of one side of one operation (the decrypted `dataContent` / `result` for GEP). The
 * request side also lists the operation's behaviour rules on its root, none of them expressible.
 */
export function sideSchema(provider: Provider, operation: string, side: 'request' | 'response', opts: JsonSchemaOptions): SideSchema {
  const cat = opts.catalogue ?? shippedCatalogue();
  const entry = cat.operation(provider, operation);
  const codes = cat.profiles[provider].codes.map((c) => c.code).filter((c) => c !== cat.profiles[provider].successCode);
  const all = cat.rulesFor(provider, operation);
  const rules = all.filter((r) => r.side === side || (side === 'request' && r.side === 'behaviour'));
  const types = new Map(rules.filter((r) => r.check.kind === 'type').map((r) => [relativePath(r), (r.check as CheckOf<'type'>).type]));
  const tabled = [...types.keys()];
  const strictUntabled = opts.mode === 'strict' && rules.some((r) => r.check.kind === 'noUntabledFields' && r.side === side);

  const refs = new Map<string, RuleRef[]>();
  const values = new Map<string, JsonSchema[]>();
  const requiredPaths = new Set<string>();
  const body: JsonSchema[] = [];
  const rootRefs: RuleRef[] = [];
  for (const r of rules) {
    const path = relativePath(r);
    const onField = types.has(path);
    const e = expressionOf(r, { mode: opts.mode, type: types.get(path), path, defaults: entry.defaults, codes });
    const ref: RuleRef = { id: r.id, level: r.level, expressed: e.where !== 'none', ...(e.where === 'none' ? { why: e.why } : {}) };
    if (onField) refs.set(path, [...(refs.get(path) ?? []), ref]);
    else rootRefs.push(ref);
    if (e.where === 'value') values.set(path, [...(values.get(path) ?? []), { $comment: r.id, ...e.schema }]);
    if (e.where === 'body') body.push({ $comment: r.id, ...e.schema });
    if (e.where === 'presence' && r.check.kind === 'required') requiredPaths.add(path);
  }

  const property = (path: string): JsonSchema => {
    const children = tabled.filter((p) => p.startsWith(`${path}.`) && !p.slice(path.length + 1).includes('.'));
    const own = values.get(path) ?? [];
    const [typeRule, ...rest] = [
      own.find((s) => String(s['$comment']).endsWith('.type')),
      ...own.filter((s) => !String(s['$comment']).endsWith('.type')),
    ];
    const value: JsonSchema = {
      ...(typeRule ? stripComment(typeRule) : {}),
      ...(children.length ? objectOf(children) : {}),
      ...(rest.length ? { allOf: rest } : {}),
    };
    const mayArriveLater = rules.some((r) => relativePath(r) === path && r.mayArriveLater);
    const present = requiredPaths.has(path);
    const absent: JsonSchema[] = [{ type: 'null' }, ...(opts.mode === 'lenient' || mayArriveLater ? [{ const: '' }] : [])];
    const schema: JsonSchema = present ? { ...value, not: { enum: ABSENT } } : { anyOf: [...absent, value] };
    return { ...schema, description: descriptionOf(entry.spec[side], path), 'x-rule-ids': refs.get(path) ?? [] };
  };
  const objectOf = (keys: string[]): JsonSchema => {
    const required = keys.filter((k) => requiredPaths.has(k)).map((k) => k.split('.').at(-1)!);
    return {
      properties: Object.fromEntries(keys.map((k) => [k.split('.').at(-1)!, property(k)])),
      ...(required.length ? { required } : {}),
      ...(strictUntabled ? { additionalProperties: false } : {}),
    };
  };
  const top = tabled.filter((p) => !p.includes('.'));
  const schema: JsonSchema = {
    type: 'object',
    ...objectOf(top),
    ...(body.length ? { allOf: body } : {}),
    'x-rule-ids': rootRefs,
  };
  return { schema, rules: [...[...refs.values()].flat(), ...rootRefs] };
}

const stripComment = (s: JsonSchema): JsonSchema => Object.fromEntries(Object.entries(s).filter(([k]) => k !== '$comment'));

const descriptionOf = (
  rows: readonly { path: string; description: string; source: { text: string } }[],
  path: string,
): string | undefined => {
  const row = rows.find((r) => r.path === path);
  return row ? `${row.description} — ${row.source.text}` : undefined;
};

/** Every operation with tables, by provider: the ones the JSON Schema and OpenAPI exports describe in full. */
export const tabledOperations = (cat: Catalogue, providers: readonly Provider[]) =>
  cat.operations.filter((o) => providers.includes(o.spec.provider));

/** `card-conformance export json-schema`: one 2020-12 document, a `$defs` entry per operation and side. */
export function jsonSchemaDocument(providers: readonly Provider[], opts: JsonSchemaOptions): JsonSchema {
  const cat = opts.catalogue ?? shippedCatalogue();
  const defs: Record<string, JsonSchema> = {};
  for (const o of tabledOperations(cat, providers))
    for (const side of ['request', 'response'] as const) {
      const { schema } = sideSchema(o.spec.provider, o.spec.operation, side, { ...opts, catalogue: cat });
      defs[`${o.spec.provider}.${o.spec.operation}.${side}`] = {
        title: `${o.spec.title}: the ${side}${o.spec.provider === 'gep' ? (side === 'request' ? ' (decrypted dataContent)' : ' (with result decrypted)') : ''}`,
        ...schema,
      };
    }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `urn:card-conformance:${providers.join('+')}:${opts.mode}`,
    title: `card-conformance ${providers.join(' + ')} (${opts.mode} schema mode)`,
    description:
      'Derived from the rule catalogue. Each property lists its rule ids in x-rule-ids; a rule JSON Schema cannot express is listed there with expressed: false and why.',
    'x-schema-mode': opts.mode,
    'x-spec-versions': Object.fromEntries(providers.map((p) => [p, cat.versions[p]])),
    $defs: defs,
  };
}
