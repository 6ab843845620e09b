/**
 * Pact verification results as report findings: each interaction's verdict spread over the rule ids its
 * description names (a failed one: the ids a mismatch was blamed on fail, with the mismatch as evidence;
 * the others pass), merged into the same `conformance.json` as a `run` against the same target would be
 * (one report per target, not one per tool), then judged by the one report builder.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding } from '../conformance/findings.ts';
import { Findings } from '../conformance/findings.ts';
import type { SessionSummary } from '../conformance/session.ts';
import type { InteractionResult } from '../pact/verify.ts';
import type { Provider } from '../spec/registry.ts';
import { buildReport, type ConformanceReport } from './conformance.ts';

const title = (description: string) => description.replace(/\s*\[[^\]]*\]\s*$/, '');

export function pactFindings(results: readonly InteractionResult[]): Finding[] {
  const f = new Findings();
  for (const r of results) {
    const name = `pact interaction "${title(r.description)}"`;
    for (const id of r.ruleIds) {
      // the target cannot be put in the interaction's state: left out by plan, listed, never a pass
      if (r.verdict === 'skipped') f.exclude(id, `${name} skipped: ${r.reason ?? 'not replayed'}`);
      else if (r.verdict === 'error') f.error(id, `${name}: ${r.reason ?? 'the verifier failed'}`);
      else if (r.verdict === 'fail' && r.failed.includes(id)) {
        const m = r.mismatches[0];
        f.fail(id, { message: `${name} failed: ${m ? `${m.path || 'answer'}: ${m.message}` : (r.reason ?? 'mismatch')}` });
      } else f.pass(id);
    }
  }
  return f.list();
}

/** An earlier `run`'s report in `dir` for the same target, to merge with; undefined otherwise. */
export function earlierReport(dir: string, target: SessionSummary['target']): ConformanceReport | undefined {
  const path = join(dir, 'conformance.json');
  if (!existsSync(path)) return undefined;
  let earlier: ConformanceReport;
  try {
    earlier = JSON.parse(readFileSync(path, 'utf8')) as ConformanceReport;
  } catch {
    return undefined;
  }
  if (earlier.tool !== 'card-conformance' || earlier.pacts) return undefined;
  const same = Object.entries(target).every(([p, t]) => {
    const e = earlier.target?.[p as Provider];
    return e !== undefined && e.embedded === t.embedded && (t.embedded || e.url === t.url);
  });
  return same ? earlier : undefined;
}

/** The findings of an earlier report (a `run`), to merge with. */
export function earlierFindings(earlier: ConformanceReport | undefined): Finding[] {
  if (!earlier) return [];
  return (
    earlier.rules
      .filter((r) => r.verdict !== 'skipped' || r.excluded)
      // a waived rule failed (the waiver is this report's gate's to apply again, or not)
      .map((r) => ({
        ruleId: r.id,
        verdict: r.verdict === 'waived' ? 'fail' : r.verdict,
        checks: r.checks,
        evidence: r.evidence,
        ...(r.reason ? { reason: r.reason } : {}),
        ...(r.excluded ? { excluded: true as const } : {}),
        ...(r.classes ? { classes: r.classes } : {}),
      }))
  );
}

export interface PactReportInput {
  results: InteractionResult[];
  providers: Provider[];
  session: SessionSummary;
  problems: string[];
  startedAt: Date;
  durationMs: number;
  /** An earlier `run`'s report against the same target: its findings merged in, its run's facts kept. */
  earlier?: ConformanceReport;
}

export function buildPactReport(input: PactReportInput): ConformanceReport {
  const earlier = input.earlier;
  const report = buildReport({
    findings: [...earlierFindings(earlier), ...pactFindings(input.results)],
    crashed: [],
    cases: earlier?.summary.cases ?? 0,
    requests: earlier?.summary.requests ?? 0,
    // alone, the plan is what the pacts carry; merged into a run's report, the run's plan (every rule)
    ...(earlier ? {} : { planned: new Set(input.results.flatMap((r) => r.ruleIds)) }),
    session: earlier
      ? {
          ...input.session,
          settings: { ...input.session.settings, profile: earlier.profile, seed: earlier.seed, runs: earlier.runs },
          control: { ...earlier.positiveControl, ...input.session.control },
          runId: earlier.runId,
          ...(earlier.preflight ? { preflight: earlier.preflight } : {}),
        }
      : input.session,
    ...(earlier ? { cards: earlier.cards } : {}),
    ...(earlier?.budgets ? { budgets: earlier.budgets } : {}),
    problems: input.problems,
    startedAt: input.startedAt,
    durationMs: input.durationMs,
    testsMs: input.durationMs,
    providers: input.providers,
    undecided: 'not covered by a pact interaction (nor by a run against this target)',
    pacts: input.results.map((r) => ({
      provider: r.provider,
      description: r.description,
      verdict: r.verdict,
      failed: r.failed,
      ...(r.reason ? { reason: r.reason } : {}),
    })),
  });
  // the run's own facts stay: when it started, what its requests were per provider
  return earlier
    ? {
        ...report,
        startedAt: earlier.startedAt,
        summary: {
          ...report.summary,
          requestsByProvider: earlier.summary.requestsByProvider,
          ...(earlier.summary.mockRequests ? { mockRequests: earlier.summary.mockRequests } : {}),
        },
      }
    : report;
}
