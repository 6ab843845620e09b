/**
 * Shard reports (`run --shard i/n`) joined into the report one unsharded run with the same seed writes:
 * each shard's rule results become findings again and go through `buildReport`, so the verdict of every
 * rule, the run verdict, the headline and the summary come from the one place that decides them. Per
 * rule the worst verdict wins, checks add up and evidence is capped (`mergeFinding`); a rule a shard
 * skipped only because none of its suite files ran there ("not decided by any suite of this run") takes
 * the verdict of the shard that decided it. Shards of different seeds, case counts, schema modes,
 * deviations, providers, document versions or targets are refused with one line, as is an incomplete set.
 */

import type { Finding, RuleVerdict } from '../conformance/findings.ts';
import type { Control, SessionSummary } from '../conformance/session.ts';
import { readSettings } from '../conformance/settings.ts';
import { PROVIDERS, type Provider } from '../spec/registry.ts';
import { UsageError } from '../wire/errors.ts';
import { cardLikeRuns } from '../wire/redact.ts';
import { buildReport, type ConformanceReport, NOT_STARTED, UNDECIDED } from './conformance.ts';
import type { Waiver } from './gate.ts';

export interface ShardInput {
  /** Where the report was read from (named in refusals). */
  path: string;
  report: ConformanceReport;
}

/** Refuse, in one line, shards that are not slices of one run. */
function checkShards(shards: readonly ShardInput[]): number {
  if (shards.length === 0) throw new UsageError('merge needs at least one shard report');
  for (const s of shards) if (!s.report.shard) throw new UsageError(`${s.path}: not a shard report (written without run --shard i/n)`);
  const [first, ...rest] = shards as [ShardInput, ...ShardInput[]];
  const same: Array<[string, (r: ConformanceReport) => unknown]> = [
    ['shard count', (r) => r.shard!.count],
    ['seed', (r) => r.seed],
    ['runs', (r) => r.runs],
    ['schema mode', (r) => r.schemaMode],
    ['deviations', (r) => [...r.deviations].sort()],
    ['providers', (r) => Object.keys(r.specVersions).sort()],
    ['document versions', (r) => r.specVersions],
    ['gate (--fail-on)', (r) => r.gate.failOn],
    ['profile', (r) => r.profile],
    ['--min-coverage', (r) => r.summary.minCoverage ?? null],
    // an embedded mock's URL differs per shard; a sandbox's must not
    ['target', (r) => Object.fromEntries(Object.entries(r.target).map(([p, t]) => [p, t?.embedded ? 'embedded mock' : t?.url]))],
  ];
  for (const s of rest)
    for (const [what, of] of same) {
      const [a, b] = [JSON.stringify(of(first.report)), JSON.stringify(of(s.report))];
      if (a !== b) throw new UsageError(`${s.path} is not a shard of the same run as ${first.path}: ${what} ${b} vs ${a}`);
    }
  const count = first.report.shard!.count;
  const seen = new Map<number, string>();
  for (const s of shards) {
    const i = s.report.shard!.index;
    const twice = seen.get(i);
    if (twice) throw new UsageError(`shard ${i}/${count} given twice: ${twice} and ${s.path}`);
    seen.set(i, s.path);
  }
  const missing = Array.from({ length: count }, (_, k) => k + 1).filter((i) => !seen.has(i));
  if (missing.length)
    throw new UsageError(`shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} missing`);
  return count;
}

/** A shard's rule result as the finding it was built from (none for a rule the shard had no suite for). */
function findingOf(rule: ConformanceReport['rules'][number]): Finding | undefined {
  if (rule.verdict === 'skipped' && (rule.reason === UNDECIDED || rule.reason === NOT_STARTED)) return undefined;
  // a waived failure is a failure again here: the waivers are applied to the merged report afresh
  const verdict: RuleVerdict = rule.verdict === 'waived' ? 'fail' : rule.verdict;
  return {
    ruleId: rule.id,
    verdict,
    checks: rule.checks,
    evidence: rule.evidence,
    ...(rule.reason !== undefined ? { reason: rule.reason } : {}),
  };
}

/** Per provider: any shard's failed control stands; otherwise the shards' controls add up. */
function mergeControl(reports: readonly ConformanceReport[]): Partial<Record<Provider, Control>> {
  const out: Partial<Record<Provider, Control>> = {};
  for (const r of reports)
    for (const [p, c] of Object.entries(r.positiveControl) as Array<[Provider, Control]>) {
      const prev = out[p];
      if (!prev) out[p] = { ...c };
      else if (!prev.ok) continue;
      else if (!c.ok) out[p] = { ...c };
      else out[p] = { ok: true, accepted: prev.accepted + c.accepted, sent: prev.sent + c.sent };
    }
  return out;
}

/**
 * The digit runs a shard's writer left unmasked although they pass Luhn: its configured identifiers
 * (a GEP merchant number in a reproduction). The merged report keeps them as the shards did; every
 * other card-like run was masked by the shard already.
 */
export function keptIdentifiers(reports: readonly ConformanceReport[]): string[] {
  const found = new Set<string>();
  for (const r of reports) for (const run of cardLikeRuns(JSON.stringify(r))) found.add(run);
  return [...found];
}

/**
 * `waivers`: applied to the merged report afresh (a shard's waived failure is a failure again here), so the
 * merge job's own waivers file decides, as the run's would have; the shards' `--fail-on` must agree and is kept.
 */
export function mergeShards(
  shards: readonly ShardInput[],
  waivers: { list: readonly Waiver[]; file?: string } = { list: [] },
): ConformanceReport {
  checkShards(shards);
  const reports = [...shards].sort((a, b) => a.report.shard!.index - b.report.shard!.index).map((s) => s.report);
  const first = reports[0]!;
  const providers = PROVIDERS.filter((p) => p in first.specVersions);
  const started = reports.some((r) => Object.keys(r.positiveControl).length > 0 || Object.keys(r.target).length > 0);
  const findings = reports.flatMap((r) => r.rules.map(findingOf).filter((f): f is Finding => f !== undefined));
  const problems = [
    ...new Set(
      reports.flatMap((r) => [
        ...r.problems.map((p) => `shard ${r.shard!.index}/${r.shard!.count}: ${p}`),
        ...(r.rules.some((x) => x.reason === NOT_STARTED) ? [`shard ${r.shard!.index}/${r.shard!.count}: ${NOT_STARTED}`] : []),
      ]),
    ),
  ];
  const session: SessionSummary | undefined = started
    ? {
        settings: {
          ...readSettings({}),
          providers,
          seed: first.seed,
          runs: first.runs,
          mode: first.schemaMode as SessionSummary['settings']['mode'],
          deviate: first.deviations,
          profile: first.profile,
        },
        target: Object.assign({}, ...[...reports].reverse().map((r) => r.target)),
        control: mergeControl(reports),
        // each shard draws its own run id unless --run-id pins it: the merged report names them all
        runId: [...new Set(reports.map((r) => r.runId).filter(Boolean))].join('+'),
      }
    : undefined;
  const start = Math.min(...reports.map((r) => Date.parse(r.startedAt)));
  const end = Math.max(...reports.map((r) => Date.parse(r.startedAt) + r.durationMs));
  return buildReport({
    findings,
    crashed: [],
    cases: reports.reduce((n, r) => n + r.summary.cases, 0),
    requests: reports.reduce((n, r) => n + r.summary.requests, 0),
    session,
    problems,
    startedAt: new Date(start),
    durationMs: end - start,
    testsMs: Math.max(...reports.map((r) => r.testsMs)),
    providers,
    cards: reports.flatMap((r) => r.cards),
    requestsByProvider: sumPerProvider(reports.map((r) => r.summary.requestsByProvider)),
    ruleRequests: sumPerKey(reports.flatMap((r) => r.rules.map((x) => [x.id, x.requests] as const))),
    ...(reports.some((r) => r.summary.mockRequests)
      ? { mockRequests: sumPerProvider(reports.map((r) => r.summary.mockRequests ?? {})) }
      : {}),
    ...(first.summary.minCoverage !== undefined ? { minCoverage: first.summary.minCoverage } : {}),
    gate: { failOn: first.gate.failOn, waivers: waivers.list, ...(waivers.file ? { file: waivers.file } : {}) },
  });
}

/** Sum a count per key over the shards (one key's entries from several shards add up). */
function sumPerKey(entries: readonly (readonly [string, number])[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, n] of entries) out[k] = (out[k] ?? 0) + n;
  return out;
}

const sumPerProvider = (maps: readonly Partial<Record<Provider, number>>[]): Partial<Record<Provider, number>> =>
  sumPerKey(maps.flatMap((m) => Object.entries(m) as [Provider, number][])) as Partial<Record<Provider, number>>;
