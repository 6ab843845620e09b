/**
 * The rule catalogue: every checkable rule of the provider data, with a stable id
 * `<provider>.<operation>.<field>.<rule>`, a level, its quoted source and a one-line title. Row rules are
 * derived here from the table rows; note rules come as written in the data. Everything downstream —
 * schemas, generators, mock, suites, reports — reads rules from here and nothing else.
 */
import { dataModules, specVersions } from '../../contracts/index.ts';
import { CardConformanceError, EXIT } from '../wire/errors.ts';
import { clone } from './clone.ts';
import type { FieldType, Format, Level, Origin, Provider, Side } from './registry.ts';
import { PROVIDERS } from './registry.ts';
import {
  type Condition,
  type FieldRow,
  isKnownOperation,
  type NoteCheck,
  type OperationSpec,
  type ProviderProfile,
  type Source,
  type SpecVersion,
} from './types.ts';

/** Checks derived from a table row, beside the note checks written in the data. */
export type RowCheck =
  | { kind: 'jsonObject' }
  | { kind: 'acceptsValid' }
  | { kind: 'noUntabledFields' }
  | { kind: 'required'; parent?: string; mayArriveLater?: boolean }
  | { kind: 'requiredWhen'; when: Condition; mayArriveLater?: boolean }
  | { kind: 'type'; type: FieldType }
  | { kind: 'maxLength'; max: number }
  | { kind: 'pattern'; pattern: string }
  | { kind: 'format'; format: Format }
  | { kind: 'enum'; values: string[] };
export type RuleCheck = RowCheck | NoteCheck;

export interface Rule {
  id: string;
  provider: Provider;
  operation: string;
  /** Wire path the rule is about; response fields start with `response.`. */
  field: string;
  level: Level;
  title: string;
  /** The quoted source, one line: `<doc> row <row>: <text>`. */
  source: string;
  sourceRef: Source;
  side: Side;
  origin: Origin;
  check: RuleCheck;
  /**
   * The codes a refusal may carry when a request breaks this rule (profile), by way of breaking
   * (`any` for every way); the first of each list is the profile's first reading.
   */
  codes: Record<string, string[]>;
  /**
   * A card element that GEP may deliver later (outcome 2): while the answer may be incomplete, its empty
   * value is absent for every rule of the row, in every schema mode.
   */
  mayArriveLater?: boolean;
  /** The document example's value of the row, where the data quotes it (a table type the example contradicts shows here). */
  example?: string;
  /** For a type rule the document's own example contradicts: one line saying how (strict mode fails it on a provider that follows the example). */
  contradiction?: string;
}

export interface FieldDefault {
  value?: string;
  by?: { field: string; values: Record<string, string> };
}

export interface OperationEntry {
  spec: OperationSpec;
  module: string;
  /** Field defaults the provider assumes when a field is absent, by wire path. */
  defaults: Record<string, FieldDefault>;
}

/** A rule a document version states that no check kind can express: listed, never silently dropped. */
export interface NotChecked {
  provider: Provider;
  version: string;
  field: string;
  what: string;
  why: string;
  /** The quoted source, one line. */
  source: string;
  sourceRef: Source;
}

export interface Catalogue {
  rules: Rule[];
  /** The version of each provider's document the rules come from (`alchemy`, `alchemy-v2`, `gep`). */
  versions: Record<Provider, string>;
  /** What the selected versions state that no check kind expresses. */
  notChecked: NotChecked[];
  byId: ReadonlyMap<string, Rule>;
  operations: OperationEntry[];
  profiles: Record<Provider, ProviderProfile>;
  /** The provider's rules (of one operation), in catalogue order: one array per question, shared (every case asks). */
  rulesFor(provider: Provider, operation?: string): readonly Rule[];
  operation(provider: Provider, operation: string): OperationEntry;
  /** The profile's first code for a refusal that breaks `rule` in the given way (`below`, `above`, …): the mock's answer. */
  expectedCode(rule: Rule, way?: string): string;
  /** Every code the profile's words admit for that refusal; a provider answering any of them keeps `codeMatchesRule`. */
  expectedCodes(rule: Rule, way?: string): string[];
}

/** A malformed data module: one line naming the module and the row. */
export class SpecError extends CardConformanceError {
  override name = 'SpecError';
  readonly exitCode = EXIT.usage;
}

export interface RuleOverride {
  level?: Level;
  /** Parameters merged into the rule's check (`max`, `min`, `pattern`, `values`, …). */
  check?: Record<string, unknown>;
  /** The rule's own title where it is overridden (a document version states it in its own words). */
  title?: string;
  /** Where the overriding document states the rule, verbatim. */
  source?: Source;
}
export type Overrides = Record<string, RuleOverride>;

export interface ModuleInput {
  module: string;
  kind: 'profile' | 'operation';
  data: unknown;
}

/** A document version's data module entry (contracts/<provider>/versions.ts). */
export interface VersionInput {
  module: string;
  data: unknown;
}

/**
 * How data modules are checked against their schemas: src/spec/build.ts does it with zod. The shipped
 * modules and versions are checked by the build (bin/build.mjs) and by the tests, so the catalogue reads
 * them unchecked (`AS_IS`: a plain copy), and no process of a run loads zod for them; data from anywhere
 * else (a test's modules) goes through `buildCatalogue` in build.ts.
 */
export interface DataCheck {
  profile(m: ModuleInput): ProviderProfile;
  operation(m: ModuleInput): OperationSpec;
  version(v: VersionInput): SpecVersion;
  /** An override's merged check parameters, where the kind is a note check's (throws a SpecError). */
  noteCheck(id: string, merged: Record<string, unknown>): void;
}
// a copy each, as a schema's parse made one: every catalogue owns its data, whatever a reader of one does with it
const AS_IS: DataCheck = {
  profile: (m) => clone(m.data) as ProviderProfile,
  operation: (m) => clone(m.data) as OperationSpec,
  version: (v) => clone(v.data) as SpecVersion,
  noteCheck: () => undefined,
};

const sourceLine = (s: Source): string => `${s.doc}${s.row ? ` row ${s.row}` : ''}: ${s.text}`;

const describeCondition = (c: Condition): string => `${c.field} is ${c.in.join(' or ')}${c.and ? ` and ${describeCondition(c.and)}` : ''}`;

/**
 * Where the document's own example writes a table's numbers as strings (GEP's `"authLimitAmount": "100"`,
 * Alchemy's `"code": "0"`), the table's Number and long rows contradict it: strict mode (the table) and
 * the example cannot both hold. One line, for the reports of a strict run.
 */
function exampleContradiction(table: readonly FieldRow[], row: FieldRow): string | undefined {
  if (row.type !== 'number' && row.type !== 'long') return undefined;
  const numeric = (r: FieldRow) => (r.type === 'number' || r.type === 'long') && r.example !== undefined;
  const witness = numeric(row) ? row : table.find(numeric);
  if (!witness) return undefined;
  const type = row.type === 'long' ? 'long' : 'Number';
  return witness === row
    ? `the table types ${row.path} ${type}, but the document's example writes it as the string "${witness.example}"`
    : `the table types ${row.path} ${type}, but the document's example writes its numbers as strings ("${witness.path}": "${witness.example}")`;
}

function rowRules(
  side: 'request' | 'response',
  row: FieldRow,
  table: readonly FieldRow[] = [],
): Omit<Rule, 'id' | 'provider' | 'operation' | 'codes'>[] {
  const exampleSaysOtherwise = exampleContradiction(table, row);
  const field = side === 'response' ? `response.${row.path}` : row.path;
  const origin: Origin = row.source.doc === 'WIRE.md' ? 'published' : 'table';
  const base = {
    field,
    level: 'MUST' as Level,
    source: sourceLine(row.source),
    sourceRef: row.source,
    side,
    origin,
    ...(row.mayArriveLater ? { mayArriveLater: true } : {}),
    ...(row.example !== undefined ? { example: row.example } : {}),
  };
  const out: Omit<Rule, 'id' | 'provider' | 'operation' | 'codes'>[] = [];
  const dot = row.path.lastIndexOf('.');
  const parent = dot > 0 ? row.path.slice(0, dot) : undefined;
  const later = row.mayArriveLater ? { mayArriveLater: true } : {};
  if (row.presence === 'M') {
    const title = parent ? `${row.path} is present whenever ${parent} is` : `${row.path} is present`;
    out.push({ ...base, title, check: { kind: 'required', ...(parent ? { parent } : {}), ...later } });
  }
  // A C row whose condition is a business scenario (GEP's sceneCode) has no presence rule of its own.
  if (row.presence === 'C' && row.requiredWhen) {
    out.push({
      ...base,
      title: `${row.path} is present when ${describeCondition(row.requiredWhen)}`,
      check: { kind: 'requiredWhen', when: row.requiredWhen, ...later },
    });
  }
  out.push({
    ...base,
    title: `${row.path} is a ${row.type === 'long' ? 'whole number' : row.type}`,
    check: { kind: 'type', type: row.type },
    ...(exampleSaysOtherwise ? { contradiction: exampleSaysOtherwise } : {}),
  });
  if (row.maxLength !== undefined)
    out.push({ ...base, title: `${row.path} is at most ${row.maxLength} characters`, check: { kind: 'maxLength', max: row.maxLength } });
  if (row.pattern !== undefined)
    out.push({ ...base, title: `${row.path} matches ${row.pattern}`, check: { kind: 'pattern', pattern: row.pattern } });
  if (row.format !== undefined)
    out.push({ ...base, title: `${row.path} is ${FORMAT_TITLES[row.format]}`, check: { kind: 'format', format: row.format } });
  if (row.enum !== undefined)
    out.push({ ...base, title: `${row.path} is one of ${row.enum.join(', ')}`, check: { kind: 'enum', values: row.enum } });
  return out;
}

export const FORMAT_TITLES: Record<Format, string> = {
  date: 'a calendar date yyyy-MM-dd',
  monthYear: 'a month and year MM/yyyy',
  url: 'an absolute http(s) URL',
  hex32: '32 lowercase hex characters',
  digits: 'digits only',
  decimal: 'a decimal number',
};

const ruleName = (check: RuleCheck): string => (check.kind === 'type' ? 'type' : check.kind);

function operationRules(spec: OperationSpec, module: string): Rule[] {
  const rules: Rule[] = [];
  const push = (r: Omit<Rule, 'id' | 'provider' | 'operation' | 'codes'>, name: string, codes: Record<string, string[]>) =>
    rules.push({
      ...r,
      id: `${spec.provider}.${spec.operation}.${r.field}.${name}`,
      provider: spec.provider,
      operation: spec.operation,
      codes,
    });
  for (const side of ['request', 'response'] as const) {
    const src = { doc: spec.document, text: spec.tables[side] };
    const base = { field: side, source: sourceLine(src), sourceRef: src, side, origin: 'table' as Origin };
    push({ ...base, level: 'MUST', title: `the ${side} body is a JSON object`, check: { kind: 'jsonObject' } }, 'jsonObject', {});
    push(
      { ...base, level: 'INFO', title: `the ${side} carries only tabled fields (strict mode)`, check: { kind: 'noUntabledFields' } },
      'noUntabledFields',
      {},
    );
    if (side === 'request')
      push(
        { ...base, level: 'MUST', title: 'a request that keeps every rule of the table is accepted', check: { kind: 'acceptsValid' } },
        'acceptsValid',
        {},
      );
    for (const row of spec[side]) for (const r of rowRules(side, row, spec[side])) push(r, ruleName(r.check), {});
  }
  const known = new Set([...spec.request.map((r) => r.path), ...spec.response.map((r) => `response.${r.path}`)]);
  for (const [i, a] of (spec.agreements ?? []).entries()) {
    if (!isKnownOperation(spec.provider, a.read))
      throw new SpecError(`${module}: agreement ${i} (${a.from} ↔ ${a.read} ${a.to}): ${a.read} is not an operation of ${spec.provider}`);
    const rule = spec.rules.find((n) => n.field === a.read && n.check.kind === 'behaviour' && n.check.behaviour === 'followUpAgrees');
    if (!rule) throw new SpecError(`${module}: agreement ${i} (${a.from} ↔ ${a.read} ${a.to}): no followUpAgrees rule about ${a.read}`);
    const [side, ...rest] = a.from.split('.');
    const path = rest.join('.');
    if ((side === 'request' && !known.has(path)) || (side === 'response' && !known.has(`response.${path}`)))
      throw new SpecError(`${module}: agreement ${i} (${a.from} ↔ ${a.read} ${a.to}): ${a.from} is not a row of the tables`);
  }
  for (const n of spec.rules)
    if (n.check.kind === 'behaviour' && n.check.behaviour === 'followUpAgrees' && !spec.agreements?.some((a) => a.read === n.field))
      throw new SpecError(`${module}: rule ${n.field}.${n.rule}: no agreement pair names ${n.field}`);
  for (const [i, note] of spec.rules.entries()) {
    if (note.side !== 'behaviour' && !known.has(note.field))
      throw new SpecError(`${module}: rule ${i} (${note.field}.${note.rule}): field ${note.field} is not a row of the tables`);
    const list = (c: string | string[]) => (Array.isArray(c) ? c : [c]);
    const codes = {
      ...(note.code ? { any: list(note.code) } : {}),
      ...Object.fromEntries(Object.entries(note.codes ?? {}).map(([way, c]) => [way, list(c)])),
    };
    // a note rule about a row's field shares what the row says of its values (elements that may arrive later)
    const row = [...spec.request, ...spec.response.map((r) => ({ ...r, path: `response.${r.path}` }))].find((r) => r.path === note.field);
    push(
      {
        field: note.field,
        level: note.level,
        title: note.title,
        source: sourceLine(note.source),
        sourceRef: note.source,
        side: note.side,
        origin: note.origin,
        check: note.check,
        ...(row?.mayArriveLater ? { mayArriveLater: true } : {}),
      },
      note.rule,
      codes,
    );
  }
  return rules;
}

function defaultsOf(spec: OperationSpec): Record<string, FieldDefault> {
  const out: Record<string, FieldDefault> = {};
  for (const row of spec.request) {
    if (row.default !== undefined || row.defaultBy !== undefined)
      out[row.path] = { ...(row.default !== undefined ? { value: row.default } : {}), ...(row.defaultBy ? { by: row.defaultBy } : {}) };
  }
  return out;
}

function applyOverrides(rules: Rule[], overrides: Overrides, check: DataCheck): void {
  const byId = new Map(rules.map((r) => [r.id, r]));
  for (const [id, o] of Object.entries(overrides)) {
    const rule = byId.get(id);
    if (!rule) throw new SpecError(`override ${id}: no such rule in the catalogue`);
    if (o.level) rule.level = o.level;
    if (o.check) {
      const merged: Record<string, unknown> = { ...rule.check, ...o.check, kind: rule.check.kind };
      check.noteCheck(id, merged);
      if (merged.kind === 'maxLength' && !(Number.isInteger(merged['max']) && (merged['max'] as number) > 0))
        throw new SpecError(`override ${id}: max must be a positive integer`);
      rule.check = merged as unknown as RuleCheck;
      rule.title = o.title ?? `${rule.title} (overridden: ${JSON.stringify(o.check)})`;
    } else if (o.title) rule.title = o.title;
    if (o.source) {
      rule.sourceRef = o.source;
      rule.source = sourceLine(o.source);
    }
  }
}

/** Version overrides first, the caller's on top (check parameters merged, the caller's winning). */
function mergeOverrides(...all: Overrides[]): Overrides {
  const out: Overrides = {};
  for (const o of all)
    for (const [id, v] of Object.entries(o)) {
      const prev = out[id];
      out[id] = prev ? { ...prev, ...v, ...(prev.check || v.check ? { check: { ...prev.check, ...v.check } } : {}) } : v;
    }
  return out;
}

/** The selected versions, parsed; at most one per provider. */
function parseVersions(versions: readonly VersionInput[], check: DataCheck): SpecVersion[] {
  const parsed = versions.map((v) => check.version(v));
  for (const p of PROVIDERS) {
    const mine = parsed.filter((v) => v.provider === p);
    if (mine.length > 1) throw new SpecError(`more than one version of ${p} selected: ${mine.map((v) => v.version).join(', ')}`);
  }
  return parsed;
}

/** An operation module's data with the rows and note rules its selected version adds. */
function withAdditions(m: ModuleInput, versions: readonly SpecVersion[], used: Set<object>): ModuleInput {
  if (m.kind !== 'operation' || typeof m.data !== 'object' || m.data === null) return m;
  const data = m.data as Record<string, unknown>;
  const adds = versions
    .filter((v) => v.provider === data['provider'])
    .flatMap((v) => (v.add ?? []).filter((a) => a.operation === data['operation']));
  if (adds.length === 0) return m;
  for (const a of adds) used.add(a);
  const list = (k: string) => (Array.isArray(data[k]) ? (data[k] as unknown[]) : []);
  return {
    ...m,
    data: {
      ...data,
      request: [...list('request'), ...adds.flatMap((a) => a.request ?? [])],
      response: [...list('response'), ...adds.flatMap((a) => a.response ?? [])],
      rules: [...list('rules'), ...adds.flatMap((a) => a.rules ?? [])],
    },
  };
}

/** The catalogue of `modules` and the selected `versions`, with `overrides` on top; each module read through `check`. */
export function assembleCatalogue(
  modules: readonly ModuleInput[] = dataModules as unknown as ModuleInput[],
  overrides: Overrides = {},
  versions: readonly VersionInput[] = [],
  check: DataCheck = AS_IS,
): Catalogue {
  const profiles: Partial<Record<Provider, ProviderProfile>> = {};
  const operations: OperationEntry[] = [];
  const rules: Rule[] = [];
  const selected = parseVersions(versions, check);
  const usedAdds = new Set<object>();
  for (const m of modules.map((x) => withAdditions(x, selected, usedAdds))) {
    if (m.kind === 'profile') {
      const p = check.profile(m);
      profiles[p.provider] = p;
    } else {
      const spec = check.operation(m);
      operations.push({ spec, module: m.module, defaults: defaultsOf(spec) });
      rules.push(...operationRules(spec, m.module));
    }
  }
  const byId = new Map<string, Rule>();
  for (const r of rules) {
    if (byId.has(r.id)) {
      const mod = operations.find((o) => o.spec.provider === r.provider && o.spec.operation === r.operation)?.module ?? r.provider;
      throw new SpecError(`${mod}: duplicate rule id ${r.id} (${r.sourceRef.row ? `row ${r.sourceRef.row}` : r.source})`);
    }
    byId.set(r.id, r);
  }
  for (const p of ['alchemy', 'gep'] as const)
    if (!profiles[p]) throw new SpecError(`contracts/${p}/provider.ts: the provider profile is missing`);
  for (const v of selected)
    for (const a of v.add ?? [])
      if (!usedAdds.has(a)) throw new SpecError(`version ${v.version}: adds to ${v.provider} ${a.operation}, which has no data module`);
  applyOverrides(rules, mergeOverrides(...selected.map((v) => (v.overrides ?? {}) as Overrides), overrides), check);
  const versionOf = Object.fromEntries(PROVIDERS.map((p) => [p, selected.find((v) => v.provider === p)?.version ?? p])) as Record<
    Provider,
    string
  >;
  const notChecked: NotChecked[] = selected.flatMap((v) =>
    (v.notChecked ?? []).map((n) => ({
      provider: v.provider,
      version: v.version,
      field: n.field,
      what: n.what,
      why: n.why,
      source: sourceLine(n.source),
      sourceRef: n.source,
    })),
  );
  // parameters that no value can meet are refused at load, not discovered by a generator searching for ever
  for (const r of rules)
    if (r.check.kind === 'amountRange' && BigInt(r.check.min) > BigInt(r.check.max))
      throw new SpecError(`${r.id}: the minimum ${r.check.min} is above the maximum ${r.check.max}`);
  const full = profiles as Record<Provider, ProviderProfile>;
  const ruleLists = new Map<string, readonly Rule[]>();
  return {
    rules,
    versions: versionOf,
    notChecked,
    byId,
    operations,
    profiles: full,
    rulesFor: (provider, operation) => {
      const key = `${provider} ${operation ?? ''}`;
      let list = ruleLists.get(key);
      if (!list) {
        list = Object.freeze(rules.filter((r) => r.provider === provider && (operation === undefined || r.operation === operation)));
        ruleLists.set(key, list);
      }
      return list;
    },
    operation(provider, operation) {
      const entry = operations.find((o) => o.spec.provider === provider && o.spec.operation === operation);
      if (!entry) throw new SpecError(`no data module for ${provider} ${operation}`);
      return entry;
    },
    expectedCode(rule, way) {
      return this.expectedCodes(rule, way)[0]!;
    },
    expectedCodes(rule, way) {
      return (way !== undefined ? rule.codes[way] : undefined) ?? rule.codes['any'] ?? [full[rule.provider].fieldRuleCode];
    },
  };
}

/**
 * The document versions to test against, comma-separated (`--spec-version` sets it on every command): a
 * provider not named uses its seed. Read by `catalogue()`, so the suites, the embedded mock and the
 * report of a run all follow the same version.
 */
export const SPEC_VERSION_VARIABLE = 'CARD_CONFORMANCE_SPEC_VERSION';

/** Every shipped version name, seeds first per provider. */
export const SPEC_VERSION_NAMES: readonly string[] = specVersions.map((v) => v.data.version);

/** The shipped version entries named (each must exist; at most one per provider). */
export function versionsNamed(names: readonly string[], where = `--spec-version`): VersionInput[] {
  const out: VersionInput[] = [];
  for (const name of names) {
    const v = specVersions.find((x) => x.data.version === name);
    // a flag's value is shown; a variable's never is (as for every other variable)
    const shown = where.startsWith('--') ? ` "${name}"` : '';
    if (!v) throw new SpecError(`${where}: unknown document version${shown} (versions: ${SPEC_VERSION_NAMES.join(', ')})`);
    const other = out.find((x) => (x.data as SpecVersion).provider === v.data.provider);
    if (other) throw new SpecError(`${where}: two versions of ${v.data.provider} named; one per provider`);
    out.push(v);
  }
  return out;
}

/** The version names of a comma-separated list (the variable's form). */
export const versionList = (text: string | undefined): string[] =>
  (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const cached = new Map<string, Catalogue>();
/** The catalogue of the named versions of the shipped data (seeds where none is named), built once per selection. */
export function catalogueOf(names: readonly string[], where?: string): Catalogue {
  const key = [...names].sort().join(',');
  let cat = cached.get(key);
  if (!cat) {
    cat = assembleCatalogue(undefined, undefined, versionsNamed(names, where));
    cached.set(key, cat);
  }
  return cat;
}

/** The last selection `catalogue()` read and its catalogue: it is called for every case, the variable rarely changes. */
let selected: { text: string | undefined; cat: Catalogue } | undefined;
/** The catalogue of the shipped data, in the versions `CARD_CONFORMANCE_SPEC_VERSION` selects (the seeds by default). */
export function catalogue(): Catalogue {
  const text = process.env[SPEC_VERSION_VARIABLE];
  if (selected && selected.text === text) return selected.cat;
  const cat = catalogueOf(versionList(text), SPEC_VERSION_VARIABLE);
  selected = { text, cat };
  return cat;
}

/** The seeds' catalogue, whatever version is selected (for facts no version changes, read at load). */
export const seedCatalogue = (): Catalogue => catalogueOf([]);
