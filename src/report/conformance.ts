/**
 * The conformance report: one entry per catalogue rule in scope, with its verdict, the number of checks
 * that decided it and redacted evidence, under a run-level verdict and exit code. Built from the
 * findings the suites recorded; nothing here decides a rule on its own.
 */

import type { BudgetReport } from '../conformance/budget.ts';
import { expectedOf } from '../conformance/evidence.ts';
import type { Finding, RuleVerdict } from '../conformance/findings.ts';
import { mergeFinding } from '../conformance/findings.ts';
import { type PreflightReport, preflightLines } from '../conformance/preflight.ts';
import type { SessionSummary } from '../conformance/session.ts';
import { type Catalogue, catalogue as shipped } from '../spec/catalogue.ts';
import { lintSpec, type SpecFinding } from '../spec/lint.ts';
import type { Level, Provider } from '../spec/registry.ts';
import { EXIT } from '../wire/errors.ts';

export type RunVerdict = 'pass' | 'fail' | 'error';

export interface RuleResult {
  id: string;
  provider: Provider;
  level: Level;
  title: string;
  source: string;
  verdict: RuleVerdict;
  checks: number;
  evidence: Finding['evidence'];
  reason?: string;
}

export interface ConformanceReport {
  tool: 'card-conformance';
  verdict: RunVerdict;
  exitCode: 0 | 1 | 3;
  /** One line a person reads first. */
  headline: string;
  target: SessionSummary['target'];
  seed: number;
  runs: number;
  schemaMode: string;
  /** The version of each tested provider's document the rules came from (`--spec-version`). */
  specVersions: Partial<Record<Provider, string>>;
  deviations: string[];
  positiveControl: SessionSummary['control'];
  startedAt: string;
  durationMs: number;
  testsMs: number;
  summary: {
    rules: number;
    pass: number;
    fail: number;
    /** Rules answered differently for the same request (they fail the gate). */
    flaky: number;
    error: number;
    skipped: number;
    checks: number;
    cases: number;
    requests: number;
    failedMust: number;
    failedShould: number;
    failedInfo: number;
  };
  /** Facts of the profile no public source settles, that this verdict relies on. */
  assumptions: { provider: Provider; what: string; choice: string; origin: string }[];
  /** Problems of the run itself (a suite that crashed, a target that failed), one line each. */
  problems: string[];
  /** Where the tested documents disagree with themselves (`lint-spec`): INFO, never failures. */
  specFindings: SpecFinding[];
  rules: RuleResult[];
  /** `verify-pacts` only: each pact interaction replayed, its verdict and the rule ids it failed. */
  pacts?: PactInteractionResult[];
  /** Before the first case against a non-mock target: reachability (route), clock skew per provider; absent on the embedded mock. */
  preflight?: PreflightReport;
  /** The run's budgets (limits, used, which ran out, Retry-After waits); absent when none was in force (the embedded mock's default). */
  budgets?: BudgetReport;
}

export interface PactInteractionResult {
  provider: Provider;
  description: string;
  verdict: RuleVerdict;
  /** Rule ids a mismatch was blamed on. */
  failed: string[];
  reason?: string;
}

export interface ReportInput {
  findings: Finding[];
  /** Rules of tests that ended without findings (a crash), with the error line. */
  crashed: { rules: string[]; error: string }[];
  cases: number;
  requests: number;
  session: SessionSummary | undefined;
  problems: string[];
  startedAt: Date;
  durationMs: number;
  /** From the first test's start to the last test's end (the run less start-up and report). */
  testsMs: number;
  providers: Provider[];
  cat?: Catalogue;
  /** Why a rule no finding decided is skipped (default: not decided by any suite of this run). */
  undecided?: string;
  pacts?: PactInteractionResult[];
  /** The budget ledger's account at the end of the run (src/conformance/budget.ts `budgetReport()`). */
  budgets?: BudgetReport;
}

export function buildReport(input: ReportInput): ConformanceReport {
  const cat = input.cat ?? shipped();
  const merged = new Map<string, Finding>();
  for (const f of input.findings) merged.set(f.ruleId, mergeFinding(merged.get(f.ruleId), f));
  for (const c of input.crashed)
    for (const id of c.rules)
      if (!merged.has(id))
        merged.set(id, { ruleId: id, verdict: 'error', checks: 0, evidence: [], reason: `the suite deciding it failed: ${c.error}` });
  const rules: RuleResult[] = cat.rules
    .filter((r) => input.providers.includes(r.provider))
    .map((r) => {
      const f = merged.get(r.id);
      const base = { id: r.id, provider: r.provider, level: r.level, title: r.title, source: r.source };
      if (!f)
        return {
          ...base,
          verdict: 'skipped' as const,
          checks: 0,
          evidence: [],
          reason: input.session ? (input.undecided ?? 'not decided by any suite of this run') : 'the run did not start',
        };
      // a rule no check decided is not a pass
      const verdict: RuleVerdict = f.verdict === 'pass' && f.checks === 0 ? 'skipped' : f.verdict;
      // every entry names its rule, quotes its source and says what was expected, also where a suite's note did not
      const evidence = f.evidence.map(({ message, rule: _r, source: _s, expected, ...rest }) => ({
        message,
        rule: r.id,
        source: r.source,
        expected: expected ?? expectedOf(r),
        ...rest,
      }));
      return { ...base, verdict, checks: f.checks, evidence, ...(f.reason ? { reason: f.reason } : {}) };
    });
  const count = (v: RuleVerdict) => rules.filter((r) => r.verdict === v).length;
  // a flaky rule fails the gate like a failed one (it is right only sometimes)
  const failed = (l: Level) => rules.filter((r) => (r.verdict === 'fail' || r.verdict === 'flaky') && r.level === l).length;
  const fatalFail = failed('MUST') + failed('SHOULD');
  const controlFailed = Object.entries(input.session?.control ?? {}).filter(([, c]) => !c.ok);
  const errors = rules.filter((r) => r.verdict === 'error' && r.level !== 'INFO').length + (input.session ? 0 : 1) + input.problems.length;
  const verdict: RunVerdict = fatalFail > 0 ? 'fail' : errors > 0 || controlFailed.length > 0 ? 'error' : 'pass';
  const exitCode = verdict === 'pass' ? EXIT.ok : verdict === 'fail' ? EXIT.failed : EXIT.untestable;
  const refused = Object.entries(input.session?.preflight ?? {}).filter(([, p]) => !p.ok);
  const ranOut = input.budgets?.exhausted
    ? `; budget "${input.budgets.exhausted}" ran out: ${rules.filter((r) => r.reason?.startsWith('budget:')).length} rules skipped`
    : '';
  const headline =
    (verdict === 'pass'
      ? `conformant: ${count('pass')} rules pass${count('skipped') ? `, ${count('skipped')} skipped (explained)` : ''}${failed('INFO') ? `, ${failed('INFO')} INFO findings` : ''}`
      : verdict === 'fail'
        ? `not conformant: ${failed('MUST')} MUST and ${failed('SHOULD')} SHOULD rules fail${count('flaky') ? ` (${count('flaky')} of them flaky)` : ''}`
        : refused.length > 0
          ? `could not be tested: preflight refused ${refused.map(([p, r]) => `${p} (${r.problem})`).join('; ')}`
          : controlFailed.length > 0
            ? `could not be tested: positive control failed for ${controlFailed.map(([p, c]) => `${p} (${c.reason ?? 'no valid request accepted'})`).join('; ')}`
            : `could not be tested: ${errors} rules ended in error${input.problems[0] ? ` (${input.problems[0]})` : ''}`) + ranOut;
  const settings = input.session?.settings;
  return {
    tool: 'card-conformance',
    verdict,
    exitCode,
    headline,
    target: input.session?.target ?? {},
    seed: settings?.seed ?? 0,
    runs: settings?.runs ?? 0,
    schemaMode: settings?.mode ?? 'lenient',
    specVersions: Object.fromEntries(input.providers.map((p) => [p, cat.versions[p]])),
    deviations: settings?.deviate ?? [],
    positiveControl: input.session?.control ?? {},
    startedAt: input.startedAt.toISOString(),
    durationMs: Math.round(input.durationMs),
    testsMs: Math.round(input.testsMs),
    summary: {
      rules: rules.length,
      pass: count('pass'),
      fail: count('fail'),
      flaky: count('flaky'),
      error: count('error'),
      skipped: count('skipped'),
      checks: rules.reduce((n, r) => n + r.checks, 0),
      cases: input.cases,
      requests: input.requests,
      failedMust: failed('MUST'),
      failedShould: failed('SHOULD'),
      failedInfo: failed('INFO'),
    },
    assumptions: input.providers.flatMap((p) => cat.profiles[p].assumptions.map((a) => ({ provider: p, ...a }))),
    problems: input.problems,
    specFindings: lintSpec(cat, input.providers),
    rules,
    ...(input.pacts ? { pacts: input.pacts } : {}),
    ...(input.session?.preflight ? { preflight: input.session.preflight } : {}),
    ...(input.budgets ? { budgets: input.budgets } : {}),
  };
}

/** `budgets: 37/200 requests, USD 20/100, 41 s/900 s at 2 requests/s; ran out: requests; 1 Retry-After (1.0 s)` */
function budgetLine(b: BudgetReport): string {
  const l = b.limits;
  const parts = [
    `${b.used.requests}${l.maxRequests !== undefined ? `/${l.maxRequests}` : ''} requests`,
    ...Object.entries(l.maxSpend ?? {}).map(([c, max]) => `${c} ${b.used.spend[c] ?? 0}/${max}`),
    `${Math.round(b.used.timeMs / 1000)} s${l.maxTimeMs !== undefined ? `/${Math.round(l.maxTimeMs / 1000)} s` : ''}`,
  ];
  return `  budgets: ${parts.join(', ')}${l.rate !== undefined ? ` at ${l.rate} requests/s` : ''}; ${b.exhausted ? `RAN OUT: ${b.exhausted} (${b.refused} requests refused, never sent)` : 'none ran out'}; Retry-After honoured ${b.retryAfter.count} times (${(b.retryAfter.waitedMs / 1000).toFixed(1)} s)`;
}

/** The one-screen summary printed at the end of a run. */
export function summaryText(r: ConformanceReport, path: string): string {
  const lines = [
    '',
    `card-conformance: ${r.verdict.toUpperCase()} — ${r.headline}`,
    ...preflightLines(r.preflight),
    ...(r.budgets ? [budgetLine(r.budgets)] : []),
    `  target: ${Object.entries(r.target)
      .map(([p, t]) => `${p} ${t.embedded ? 'embedded mock' : t.url}`)
      .join(
        ', ',
      )}; document versions ${Object.values(r.specVersions).join(', ')}; seed ${r.seed}, runs ${r.runs}, ${r.schemaMode} schemas${r.deviations.length ? `, deviations: ${r.deviations.join(', ')}` : ''}`,
    `  rules: ${r.summary.pass} pass, ${r.summary.fail} fail, ${r.summary.error} error, ${r.summary.skipped} skipped of ${r.summary.rules}; ${r.summary.checks} checks over ${r.summary.cases} generated cases (${r.summary.requests} requests) in ${(r.durationMs / 1000).toFixed(1)} s`,
  ];
  const bad = r.rules.filter((x) => x.verdict === 'fail' || x.verdict === 'flaky' || x.verdict === 'error');
  for (const x of bad.slice(0, 12))
    lines.push(
      `  ${x.verdict === 'fail' ? '✗' : x.verdict === 'flaky' ? '~' : '!'} ${x.level.padEnd(6)} ${x.id}${x.verdict === 'flaky' ? ' (flaky)' : ''} — ${x.evidence[0]?.message ?? x.reason ?? x.title}`.slice(
        0,
        220,
      ),
    );
  if (bad.length > 12) lines.push(`  … and ${bad.length - 12} more in the report`);
  for (const p of r.problems.slice(0, 3)) lines.push(`  problem: ${p}`);
  if (r.specFindings.length)
    lines.push(
      `  ${r.specFindings.length} INFO findings where the documents disagree with themselves (specFindings; card-conformance lint-spec)`,
    );
  lines.push(`  report: ${path}`, '');
  return lines.join('\n');
}
