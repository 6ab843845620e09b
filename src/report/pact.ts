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
      if (r.verdict === 'skipped') f.skip(id, `${name} skipped: ${r.reason ?? 'not replayed'}`);
      else if (r.verdict === 'error') f.error(id, `${name}: ${r.reason ?? 'the verifier failed'}`);
      else if (r.verdict === 'fail' && r.failed.includes(id)) {
        const m = r.mismatches[0];
        f.fail(id, { message: `${name} failed: ${m ? `${m.path || 'answer'}: ${m.message}` : (r.reason ?? 'mismatch')}` });
      } else f.pass(id);
    }
  }
  return f.list();
}

/** The findings of an earlier report in `dir` for the same target (a `run`), to merge with; none otherwise. */
export function earlierFindings(dir: string, target: SessionSummary['target']): Finding[] {
  const path = join(dir, 'conformance.json');
  if (!existsSync(path)) return [];
  let earlier: ConformanceReport;
  try {
    earlier = JSON.parse(readFileSync(path, 'utf8')) as ConformanceReport;
  } catch {
    return [];
  }
  if (earlier.tool !== 'card-conformance' || earlier.pacts) return [];
  const same = Object.entries(target).every(([p, t]) => {
    const e = earlier.target?.[p as Provider];
    return e !== undefined && e.embedded === t.embedded && (t.embedded || e.url === t.url);
  });
  if (!same) return [];
  return (
    earlier.rules
      .filter((r) => r.verdict !== 'skipped')
      // a waived rule failed (a waiver only covers it)
      .map((r) => ({
        ruleId: r.id,
        verdict: r.verdict === 'waived' ? 'fail' : r.verdict,
        checks: r.checks,
        evidence: r.evidence,
        ...(r.reason ? { reason: r.reason } : {}),
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
  /** Findings of an earlier `run` against the same target, merged in. */
  earlier?: Finding[];
}

export function buildPactReport(input: PactReportInput): ConformanceReport {
  return buildReport({
    findings: [...(input.earlier ?? []), ...pactFindings(input.results)],
    crashed: [],
    cases: 0,
    requests: 0,
    session: input.session,
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
}
