/**
 * `lint-spec`: the places where a provider's document disagrees with itself (or with another published
 * version of itself), found in the catalogue's own data and quoted row by row. Every finding is INFO: it
 * tells a reader of the document what cannot all be true, and is never a failure of a provider. Nothing
 * here is written down twice: the type-vs-example contradictions are the catalogue's own `contradiction`
 * lines, values are held against the rules through the check kinds' predicates.
 */
import { specVersions } from '../../contracts/index.ts';
import { holdsValue } from '../checks/registry.ts';
import { type Catalogue, catalogueOf, type Rule } from './catalogue.ts';
import type { EvalContext } from './evaluate.ts';
import type { Provider } from './registry.ts';
import type { Condition, FieldRow, OperationSpec } from './types.ts';

export const FINDING_KINDS = [
  /** A table type the document's own example contradicts (the catalogue's `contradiction`). */
  'typeVsExample',
  /** A row's description names another row's field and not its own. */
  'descriptionNamesAnotherField',
  /** A conditional rule names a value its condition's field does not allow. */
  'conditionOutsideTable',
  /** A row's example breaks one of the row's own rules (range, length, pattern, format, list). */
  'exampleBreaksRule',
  /** Another published version of the document states a rule otherwise. */
  'otherVersion',
  /** The selected version states a rule that no check kind can express. */
  'notChecked',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export interface SpecFinding {
  provider: Provider;
  /** The document version the finding is about. */
  version: string;
  level: 'INFO';
  kind: FindingKind;
  /** The rule the finding is about, where there is one. */
  ruleId?: string;
  message: string;
  /** The rows or sentences that disagree, quoted (`<doc> row <row>: <text>`). */
  rows: string[];
}

const quote = (row: FieldRow) => `${row.source.doc}${row.source.row ? ` row ${row.source.row}` : ''}: ${row.source.text}`;
const words = (path: string) =>
  path
    .split('.')
    .at(-1)!
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();

/** The value rules of a field (type, length, pattern, format, list, range) in lenient mode: what a value of the field may be. */
function valueRulesOf(cat: Catalogue, spec: OperationSpec, field: string): Rule[] {
  return cat
    .rulesFor(spec.provider, spec.operation)
    .filter(
      (r) =>
        r.field === field && ['type', 'maxLength', 'pattern', 'format', 'enum', 'amountRange', 'amountMinorUnits'].includes(r.check.kind),
    );
}

const LENIENT: EvalContext = { mode: 'lenient', today: '1970-01-01', defaults: {} };

function conditionsOf(spec: OperationSpec, cat: Catalogue): { rule: string; cond: Condition; quoted: string }[] {
  const out: { rule: string; cond: Condition; quoted: string }[] = [];
  const walk = (rule: string, c: Condition, quoted: string) => {
    out.push({ rule, cond: c, quoted });
    if (c.and) walk(rule, c.and, quoted);
  };
  for (const r of cat.rulesFor(spec.provider, spec.operation)) {
    const c = r.check as { when?: Condition };
    if (c.when) walk(r.id, c.when, r.source);
  }
  return out;
}

export function lintSpec(cat: Catalogue, providers: readonly Provider[]): SpecFinding[] {
  const out: SpecFinding[] = [];
  for (const provider of providers) {
    const version = cat.versions[provider];
    const add = (f: Omit<SpecFinding, 'provider' | 'version' | 'level'>) => out.push({ provider, version, level: 'INFO', ...f });
    for (const { spec } of cat.operations.filter((o) => o.spec.provider === provider)) {
      const rules = cat.rulesFor(provider, spec.operation);
      // 1. table type vs the example's type: the catalogue's own derivation
      for (const r of rules.filter((x) => x.contradiction))
        add({ kind: 'typeVsExample', ruleId: r.id, message: r.contradiction!, rows: [r.source] });
      for (const side of ['request', 'response'] as const) {
        const table = spec[side];
        // 2. a description that names another row's field and not its own
        for (const row of table) {
          const text = row.source.text.toLowerCase();
          const mine = words(row.path);
          if (!mine.includes(' ') || text.includes(mine)) continue;
          const other = table.find((o) => o !== row && words(o.path).includes(' ') && text.includes(words(o.path)));
          if (other)
            add({
              kind: 'descriptionNamesAnotherField',
              message: `the row of ${row.path} describes it as "${words(other.path)}", the name of ${other.path}`,
              rows: [quote(row), quote(other)],
            });
        }
        // 4. a row's example against the row's own rules
        for (const row of table.filter((x) => x.example !== undefined)) {
          const field = side === 'response' ? `response.${row.path}` : row.path;
          for (const r of valueRulesOf(cat, spec, field).filter((x) => x.check.kind !== 'type')) {
            if (holdsValue(r, row.example, LENIENT).holds === false)
              add({
                kind: 'exampleBreaksRule',
                ruleId: r.id,
                message: `the document's example writes ${row.path} as "${row.example}", which breaks: ${r.title}`,
                rows: [quote(row), r.source],
              });
          }
        }
      }
      // 3. a conditional rule naming a value its condition's field does not allow
      for (const { rule, cond, quoted } of conditionsOf(spec, cat)) {
        const fieldRules = valueRulesOf(cat, spec, cond.field);
        for (const v of cond.in.filter((x) => x !== '*')) {
          const broken = fieldRules.find((r) => holdsValue(r, v, LENIENT).holds === false);
          if (broken)
            add({
              kind: 'conditionOutsideTable',
              ruleId: rule,
              message: `a condition names ${cond.field} = ${v}, which the table does not allow: ${broken.title}`,
              rows: [quoted, broken.source],
            });
        }
      }
    }
    // 5. the other published versions of the same document, rule by rule
    for (const other of specVersions.filter((v) => v.data.provider === provider && v.data.version !== version)) {
      const theirs = catalogueOf(other.data.version === provider ? [] : [other.data.version]);
      const mine = new Map(cat.rulesFor(provider).map((r) => [r.id, r]));
      for (const t of theirs.rulesFor(provider)) {
        const m = mine.get(t.id);
        if (!m)
          add({
            kind: 'otherVersion',
            ruleId: t.id,
            message: `version ${other.data.version} has a rule this version does not: ${t.title}`,
            rows: [t.source],
          });
        else if (JSON.stringify(m.check) !== JSON.stringify(t.check))
          add({
            kind: 'otherVersion',
            ruleId: t.id,
            message: `version ${other.data.version} states it otherwise: "${t.title}" where this version says "${m.title}"`,
            rows: [m.source, t.source],
          });
      }
      for (const m of mine.values())
        if (!theirs.byId.has(m.id))
          add({ kind: 'otherVersion', ruleId: m.id, message: `version ${other.data.version} does not have: ${m.title}`, rows: [m.source] });
    }
  }
  // 6. what the selected versions state that no check kind can express
  for (const n of cat.notChecked.filter((x) => providers.includes(x.provider)))
    out.push({
      provider: n.provider,
      version: n.version,
      level: 'INFO',
      kind: 'notChecked',
      message: `not checked: ${n.what} — ${n.why}`,
      rows: [n.source],
    });
  return out;
}
