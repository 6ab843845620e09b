/**
 * Two reports of the same suite, rule by rule: what regressed (held before, fails now), what recovered,
 * which rules appeared or vanished (a new document version, another provider), and where a failing
 * rule's evidence count changed. Whether a regression fails the comparison follows the gate of the new
 * report (`gate.failOn`, default `should`): an INFO rule that regresses is listed, and fails the diff
 * only under `--fail-on info`, exactly as it would fail the run itself.
 */
import type { Level } from '../spec/registry.ts';
import type { ConformanceReport } from './conformance.ts';
import { type FailOn, failsGate } from './gate.ts';

export type { FailOn };

/** Verdicts that hold for the gate (`waived`: a failure a waiver covers). */
const HOLDS = new Set(['pass', 'skipped', 'waived']);
/** Verdicts that fail: `flaky` is right only sometimes, `error` could not be decided. */
const FAILS = new Set(['fail', 'flaky', 'error']);

export interface RuleChange {
  id: string;
  level: Level;
  title: string;
  from: string;
  to: string;
  /** Evidence entries in the old and new report. */
  evidence: [number, number];
  /** For a regression: whether its level fails the gate. */
  gating?: boolean;
  /** For a regression: the new report's first evidence line or reason. */
  why?: string;
}

export interface RuleOnly {
  id: string;
  level: Level;
  title: string;
  verdict: string;
}

export interface ReportDiff {
  failOn: FailOn;
  /** Run-level facts that differ (seed, document versions, target, deviations): the comparison may not be like for like. */
  context: string[];
  regressed: RuleChange[];
  recovered: RuleChange[];
  /** Other verdict changes (pass → skipped, fail → error) and failing rules whose evidence count changed. */
  changed: RuleChange[];
  appeared: RuleOnly[];
  vanished: RuleOnly[];
  /** Regressions whose level fails the gate: the diff's exit 1. */
  gatingRegressions: number;
}

export function diffReports(older: ConformanceReport, newer: ConformanceReport): ReportDiff {
  // the gate the new run was judged by (`run --fail-on`)
  const failOn = newer.gate.failOn;
  const before = new Map(older.rules.map((r) => [r.id, r]));
  const after = new Map(newer.rules.map((r) => [r.id, r]));
  const out: ReportDiff = {
    failOn,
    context: contextOf(older, newer),
    regressed: [],
    recovered: [],
    changed: [],
    appeared: [],
    vanished: [],
    gatingRegressions: 0,
  };
  for (const n of newer.rules) {
    const o = before.get(n.id);
    if (!o) {
      out.appeared.push({ id: n.id, level: n.level, title: n.title, verdict: n.verdict });
      continue;
    }
    const change: RuleChange = {
      id: n.id,
      level: n.level,
      title: n.title,
      from: o.verdict,
      to: n.verdict,
      evidence: [o.evidence.length, n.evidence.length],
    };
    if (HOLDS.has(o.verdict) && FAILS.has(n.verdict)) {
      const gating = failsGate(n.level, failOn);
      if (gating) out.gatingRegressions++;
      out.regressed.push({ ...change, gating, why: n.evidence[0]?.message ?? n.reason ?? n.title });
    } else if (FAILS.has(o.verdict) && HOLDS.has(n.verdict)) out.recovered.push(change);
    else if (o.verdict !== n.verdict || (FAILS.has(n.verdict) && o.evidence.length !== n.evidence.length)) out.changed.push(change);
  }
  for (const o of older.rules) if (!after.has(o.id)) out.vanished.push({ id: o.id, level: o.level, title: o.title, verdict: o.verdict });
  return out;
}

function contextOf(a: ConformanceReport, b: ConformanceReport): string[] {
  const lines: string[] = [];
  const differs = (what: string, x: unknown, y: unknown) => {
    const [sx, sy] = [JSON.stringify(x), JSON.stringify(y)];
    if (sx !== sy) lines.push(`${what}: ${sx} → ${sy}`);
  };
  differs('document versions', a.specVersions, b.specVersions);
  differs('seed', a.seed, b.seed);
  differs('runs', a.runs, b.runs);
  differs('schema mode', a.schemaMode, b.schemaMode);
  differs('deviations', a.deviations, b.deviations);
  const where = (r: ConformanceReport) =>
    Object.fromEntries(Object.entries(r.target).map(([p, t]) => [p, t?.embedded ? 'embedded mock' : t?.url]));
  differs('target', where(a), where(b));
  return lines;
}

/** The diff for a person: one section per kind of change, regressions first. */
export function diffText(d: ReportDiff, oldName: string, newName: string): string {
  const lines = [`card-conformance diff ${oldName} → ${newName} (gate: --fail-on ${d.failOn})`];
  for (const c of d.context) lines.push(`  note: ${c}`);
  const section = (title: string, items: string[]) => {
    if (items.length) lines.push('', `${title} (${items.length}):`, ...items.map((i) => `  ${i}`.slice(0, 240)));
  };
  const ev = (c: RuleChange) => (c.evidence[0] !== c.evidence[1] ? `, evidence ${c.evidence[0]} → ${c.evidence[1]}` : '');
  section(
    'regressed',
    d.regressed.map((c) => `✗ ${c.level.padEnd(6)} ${c.id}: ${c.from} → ${c.to}${c.gating ? '' : ' (below the gate)'} — ${c.why}`),
  );
  section(
    'recovered',
    d.recovered.map((c) => `✓ ${c.level.padEnd(6)} ${c.id}: ${c.from} → ${c.to}`),
  );
  section(
    'appeared',
    d.appeared.map((c) => `+ ${c.level.padEnd(6)} ${c.id}: ${c.verdict}`),
  );
  section(
    'vanished',
    d.vanished.map((c) => `- ${c.level.padEnd(6)} ${c.id}: was ${c.verdict}`),
  );
  section(
    'changed',
    d.changed.map((c) => `~ ${c.level.padEnd(6)} ${c.id}: ${c.from === c.to ? c.to : `${c.from} → ${c.to}`}${ev(c)}`),
  );
  const total = d.regressed.length + d.recovered.length + d.appeared.length + d.vanished.length + d.changed.length;
  lines.push(
    '',
    total === 0
      ? 'no change in any rule'
      : `${d.regressed.length} regressed (${d.gatingRegressions} failing the gate), ${d.recovered.length} recovered, ${d.appeared.length} appeared, ${d.vanished.length} vanished, ${d.changed.length} changed`,
    '',
  );
  return lines.join('\n');
}
