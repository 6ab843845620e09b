/**
 * `card-conformance rules --explain <id>`: a rule's trail through the project, walked from the data,
 * not written beside it: its data row (file:line), its check kind's module, the edge values and the
 * mutation classes that exercise it, the suites that decide it, the mock deviations that break it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type Case, invalidCases, validCases } from '../../properties/cases.ts';
import { kindOf } from '../checks/registry.ts';
import { ESTABLISHED, type GenContext, type ViolationClass } from '../checks/types.ts';
import { PACKAGE_ROOT } from '../config/root.ts';
import { alchemyAuthProbes, gepAuthProbes } from '../conformance/auth-probes.ts';
import { acceptanceRules, rejectionRules } from '../conformance/properties.ts';
import { DEVIATIONS } from '../mock/deviations.ts';
import { catalogue, type Rule } from '../spec/catalogue.ts';
import { relativePath, todayIn } from '../spec/evaluate.ts';
import type { Provider } from '../spec/registry.ts';
import { UsageError } from './args.ts';

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The line of the data module that holds the rule: its table row, its note rule, or the table heading. */
function dataLine(rule: Rule): string {
  const entry = catalogue().operation(rule.provider, rule.operation);
  const file = join(PACKAGE_ROOT, entry.module);
  const lines = readFileSync(file, 'utf8').split('\n');
  const at = (pred: (l: string, i: number) => boolean) => lines.findIndex(pred);
  let i = -1;
  if (entry.spec.rules.some((n) => n.field === rule.field && rule.id.endsWith(`.${n.rule}`))) {
    const name = rule.id.slice(rule.id.lastIndexOf('.') + 1);
    i = at(
      (l, k) => l.includes(`rule: '${name}'`) && lines.slice(Math.max(0, k - 3), k + 1).some((x) => x.includes(`field: '${rule.field}'`)),
    );
  } else if (rule.field === 'request' || rule.field === 'response') {
    i = at((l) => l.includes('tables:'));
  } else {
    i = at((l) => l.includes(`path: '${relativePath(rule)}'`));
  }
  return `${entry.module}:${i + 1}`;
}

const derivedLists = new Map<string, Set<string>>();
/** The rules a derived property decides, computed once per operation. */
function derived(name: string, rule: Rule, list: (p: Provider, o: string) => string[]): Set<string> {
  const key = `${name}.${rule.provider}.${rule.operation}`;
  let hit = derivedLists.get(key);
  if (!hit) {
    hit = new Set(list(rule.provider, rule.operation));
    derivedLists.set(key, hit);
  }
  return hit;
}

/** Suite files that decide the rule: the derived properties' files, and the files whose header lists it. */
function suitesOf(rule: Rule): string[] {
  const dir = join(PACKAGE_ROOT, 'suites', rule.provider);
  const out: string[] = [];
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.conformance.test.ts'))) {
    const text = readFileSync(join(dir, name), 'utf8');
    const header = /rules:\s*\[([^\]]*)\]/.exec(text)?.[1] ?? '';
    const call = (fn: string) => text.includes(`${fn}('${rule.provider}', '${rule.operation}'`);
    const title =
      /(?:acceptance|rejection)\(\s*'[^']*',\s*'[^']*',\s*'([^']+)'/.exec(text)?.[1] ??
      /conformance\(\s*'[^']*',\s*'([^']+)'/.exec(text)?.[1] ??
      '';
    const decides =
      header.split(',').some((x) => x.trim() === rule.id) ||
      (call('acceptance') && derived('acceptance', rule, acceptanceRules).has(rule.id)) ||
      (call('rejection') && derived('rejection', rule, rejectionRules).has(rule.id));
    if (decides) out.push(`${relative(PACKAGE_ROOT, join(dir, name))}${title ? ` (${title})` : ''}`);
  }
  return out;
}

const cases = new Map<string, { valid: Case[]; invalid: Case[] }>();
/** The operation's cases, made once per operation and day (the same generators the run uses, seed 1). */
function casesOf(provider: Provider, operation: string, g: GenContext) {
  const key = `${provider}.${operation}.${g.today}`;
  let hit = cases.get(key);
  if (!hit) {
    hit = { valid: validCases(provider, operation, g, 0, 1), invalid: invalidCases(provider, operation, g, 1, 1) };
    cases.set(key, hit);
  }
  return hit;
}

export function explainRule(id: string): string {
  const cat = catalogue();
  const rule = cat.byId.get(id);
  if (!rule) {
    const near = cat.rules.filter((r) => r.id.startsWith(id.split('.').slice(0, 3).join('.'))).map((r) => r.id);
    throw new UsageError(`no rule ${id} in the catalogue${near.length ? ` (rules of that field: ${near.slice(0, 6).join(', ')})` : ''}`);
  }
  const kind = kindOf(rule.check);
  const kindFile = [`src/checks/${kebab(rule.check.kind)}.ts`, 'src/checks/suite-decided.ts'].find(
    (f) =>
      existsSync(join(PACKAGE_ROOT, f)) &&
      new RegExp(`CheckKind<'${rule.check.kind}'>|suiteDecided\\(\\s*'${rule.check.kind}'`).test(
        readFileSync(join(PACKAGE_ROOT, f), 'utf8'),
      ),
  );
  const lines = [
    `${rule.id}  ${rule.level}  ${rule.title}`,
    `  source      ${rule.source}`,
    `  data        ${dataLine(rule)} (${rule.origin})`,
    `  kind        ${rule.check.kind} (${kind.scope}) — ${kindFile ?? 'src/checks/registry.ts'}: ${kind.describe}`,
    `  check       ${JSON.stringify(rule.check)}`,
  ];
  const codes = Object.entries(rule.codes).map(([way, cs]) => `${way}: ${cs.join(' or ')}`);
  if (codes.length) lines.push(`  codes       ${codes.join('; ')}`);
  if (rule.side === 'request') {
    const g = {
      mode: 'lenient' as const,
      today: todayIn(cat.profiles[rule.provider].timeZone, new Date()),
      knownValues: { segmentList: ['USD'] },
    };
    const { valid, invalid } = casesOf(rule.provider, rule.operation, g);
    const edges = valid.filter((c) => c.rules[0] === rule.id);
    const muts = invalid.filter((c) => c.rules[0] === rule.id);
    const single = edges.filter((c) => c.rules.length === 2);
    const pairs = edges.length - single.length;
    lines.push(
      `  edges       ${single.length ? single.map((c) => c.note).join('\n              ') : '(none: the rule has no edge values of its own)'}${pairs ? `\n              and ${pairs} pairs with other rules' edges` : ''}`,
    );
    lines.push(
      `  mutations   ${muts.length ? muts.map((c) => `[${c.cls}] ${c.note}${c.overlaps ? ` (also breaks ${c.overlaps.join(', ')})` : ''}`).join('\n              ') : '(none: no request breaks it alone; a suite decides it)'}`,
    );
    const classes = [...new Set(muts.map((c) => c.cls).filter((c): c is ViolationClass => c !== undefined))];
    if (classes.length)
      lines.push(`  classes     ${classes.map((c) => `${c}: ${ESTABLISHED[c].level} — ${ESTABLISHED[c].why}`).join('\n              ')}`);
  }
  if (rule.check.kind === 'behaviour') {
    const behaviour = rule.check.behaviour;
    const probes = (rule.provider === 'alchemy' ? alchemyAuthProbes({}) : gepAuthProbes()).filter((p) => p.behaviour === behaviour);
    if (probes.length) lines.push(`  probes      ${probes.map((p) => `[${p.cls}] ${p.what}`).join('\n              ')}`);
  }
  const suites = suitesOf(rule);
  lines.push(`  suites      ${suites.length ? suites.join('\n              ') : '(none decides it)'}`);
  const devs = DEVIATIONS.filter((d) => d.ruleId === rule.id).map((d) => `${d.name}: ${d.description}`);
  lines.push(`  deviations  ${devs.length ? devs.join('\n              ') : '(none breaks it on purpose)'}`);
  lines.push(`  report      conformance.json rules[id = ${rule.id}]: verdict, checks, evidence`);
  return `${lines.join('\n')}\n`;
}
