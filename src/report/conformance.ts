/**
 * The conformance report: one entry per catalogue rule in scope, with its verdict, the number of checks
 * that decided it and redacted evidence, under a run-level verdict and exit code. Built from the
 * findings the suites recorded; nothing here decides a rule on its own.
 */

import { kindLabel } from '../config/target-kind.ts';
import type { BudgetReport } from '../conformance/budget.ts';
import { mergeCards, type OpenedCard } from '../conformance/cards.ts';
import { expectedOf } from '../conformance/evidence.ts';
import type { Finding, RuleVerdict } from '../conformance/findings.ts';
import { mergeFinding } from '../conformance/findings.ts';
import { type PreflightReport, preflightLines } from '../conformance/preflight.ts';
import type { SessionSummary } from '../conformance/session.ts';
import { type Catalogue, catalogue as shipped } from '../spec/catalogue.ts';
import { lintSpec, type SpecFinding } from '../spec/lint.ts';
import { LEVELS, type Level, type Provider } from '../spec/registry.ts';
import { EXIT } from '../wire/errors.ts';
import { coverageGate, coverageOf } from './coverage.ts';
import { applyWaivers, DEFAULT_FAIL_ON, type FailOn, failsGate, type Waiver, type WaiverSummary } from './gate.ts';

export type RunVerdict = 'pass' | 'fail' | 'error';

/** The report's format version: bumped when a field changes meaning or goes away (readers check it). */
export const SCHEMA_VERSION = 1;

/** A rule's verdict in the report: the suites' own, or `waived` (a failure a current waiver covers). */
export type ReportVerdict = RuleVerdict | 'waived';

export interface RuleResult {
  id: string;
  provider: Provider;
  /** The catalogue rule's operation and wire field (`response.` for answer fields). */
  operation: string;
  field: string;
  level: Level;
  title: string;
  source: string;
  verdict: ReportVerdict;
  checks: number;
  /** Requests sent by the tests that decided the rule (one exchange can decide many rules: it counts for each). */
  requests: number;
  evidence: Finding['evidence'];
  reason?: string;
  /** The waiver that turned this failure into `waived` (its evidence stays). */
  waiver?: { reason: string; owner: string; expires: string };
  /** A class of the rule was left out by plan (`reason` says what it would have needed): `skipped`, never `pass`. */
  excluded?: true;
  /** The violation classes tried on the rule (`amount/below`, `amount/above`, `presence/null`). */
  classes?: string[];
}

export interface ConformanceReport {
  tool: 'card-conformance';
  schemaVersion: typeof SCHEMA_VERSION;
  verdict: RunVerdict;
  exitCode: 0 | 1 | 3;
  /** One line a person reads first. */
  headline: string;
  /** What the run left out by plan (budgets, the target's surface), each with what it would have needed: never `pass`. */
  exclusions: { id: string; level: Level; reason: string }[];
  /** Per provider: base URL, `embedded`, and `kind` ('mock' | 'sandbox' | 'production'). */
  target: SessionSummary['target'];
  /** The run id every order number was derived from (`run --run-id`, else random). */
  runId: string;
  /** Every card the run opened (or may have: `outcome` unknown), to close them; no card data. Also in cards.json. */
  cards: OpenedCard[];
  seed: number;
  runs: number;
  /** `smoke` (the fewest requests that decide every MUST rule) or `full` (every case). */
  profile: 'smoke' | 'full';
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
    /** Failures a current waiver covers (not counted in fail, flaky or failed*). */
    waived: number;
    /** Requests sent to each provider, the positive control's included. */
    requestsByProvider: Partial<Record<Provider, number>>;
    /** Provider requests the embedded mock itself counted (when a provider was tested against it). */
    mockRequests?: Partial<Record<Provider, number>>;
    /** Share of MUST rules decided (pass, fail or flaky), as a percentage with one decimal. */
    coverage: number;
    /** The coverage gate (`--min-coverage`), when set: below it the run fails. */
    minCoverage?: number;
  };
  /** Which failures fail the gate (`run --fail-on`): MUST only, MUST and SHOULD (default), or every level. */
  gate: { failOn: FailOn };
  /** The waivers file read (`run --waivers`) and what each of its waivers did in this run. */
  waivers: WaiverSummary;
  /** Facts of the profile no public source settles, that this verdict relies on. */
  assumptions: { provider: Provider; what: string; choice: string; origin: string }[];
  /** Problems of the run itself (a suite that crashed, a target that failed), one line each. */
  problems: string[];
  /** Where the tested documents disagree with themselves (`lint-spec`): INFO, never failures. */
  specFindings: SpecFinding[];
  rules: RuleResult[];
  /** `verify-pacts` only: each pact interaction replayed, its verdict and the rule ids it failed. */
  pacts?: PactInteractionResult[];
  /** `run --shard i/n`: this report holds one slice of the suite files (vitest's sharding); `merge` joins the slices. */
  shard?: { index: number; count: number };
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
  /** Cards the suites' tests opened (the positive control's come with the session). */
  cards?: OpenedCard[];
  /** Why a rule no finding decided is skipped (default: not decided by any suite of this run). */
  undecided?: string;
  pacts?: PactInteractionResult[];
  /** The gate: which levels fail it and the waivers read (default: `should`, no waivers). */
  gate?: { failOn: FailOn; waivers: readonly Waiver[]; file?: string /** UTC YYYY-MM-DD; default the run's start day. */; today?: string };
  shard?: { index: number; count: number };
  /** Requests per provider (the suites' and the positive control's). */
  requestsByProvider?: Partial<Record<Provider, number>>;
  /** Requests of the tests that decided each rule. */
  ruleRequests?: Readonly<Record<string, number>>;
  mockRequests?: Partial<Record<Provider, number>>;
  /** `--min-coverage`: the percentage of MUST rules that must be decided. */
  minCoverage?: number;
  /** The budget ledger's account at the end of the run (src/conformance/budget.ts `budgetReport()`). */
  budgets?: BudgetReport;
  /** The rules the run set out to decide (verify-pacts: those its interactions carry); default every rule in scope. */
  planned?: ReadonlySet<string>;
}

/** Why a rule no finding decided is skipped, by default; and when the run never started. `merge` reads both. */
export const UNDECIDED = 'not decided by any suite of this run';
export const NOT_STARTED = 'the run did not start';

export function buildReport(input: ReportInput): ConformanceReport {
  const cat = input.cat ?? shipped();
  const merged = new Map<string, Finding>();
  for (const f of input.findings) merged.set(f.ruleId, mergeFinding(merged.get(f.ruleId), f));
  for (const c of input.crashed)
    for (const id of c.rules)
      if (!merged.has(id))
        merged.set(id, { ruleId: id, verdict: 'error', checks: 0, evidence: [], reason: `the suite deciding it failed: ${c.error}` });
  const judged: RuleResult[] = cat.rules
    .filter((r) => input.providers.includes(r.provider))
    .map((r) => {
      const f = merged.get(r.id);
      const base = {
        id: r.id,
        provider: r.provider,
        operation: r.operation,
        field: r.field,
        level: r.level,
        title: r.title,
        source: r.source,
      };
      if (!f)
        return {
          ...base,
          verdict: 'skipped' as const,
          checks: 0,
          requests: 0,
          evidence: [],
          reason: input.session ? (input.undecided ?? UNDECIDED) : NOT_STARTED,
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
      const requests = input.ruleRequests?.[r.id] ?? 0;
      return {
        ...base,
        verdict,
        checks: f.checks,
        requests,
        evidence,
        ...(f.reason ? { reason: f.reason } : {}),
        ...(f.excluded && verdict === 'skipped' ? { excluded: true as const } : {}),
        ...(f.classes?.length ? { classes: [...f.classes].sort() } : {}),
      };
    });
  const gate = input.gate ?? { failOn: DEFAULT_FAIL_ON, waivers: [] };
  const waived = applyWaivers(judged, gate.waivers, gate.today ?? input.startedAt.toISOString().slice(0, 10), gate.file);
  const rules: RuleResult[] = waived.rules;
  const expired = waived.summary.expired;
  const count = (v: ReportVerdict) => rules.filter((r) => r.verdict === v).length;
  // a flaky rule fails the gate like a failed one (it is right only sometimes); a waived one does not
  const failed = (l: Level) => rules.filter((r) => (r.verdict === 'fail' || r.verdict === 'flaky') && r.level === l).length;
  const gating = LEVELS.filter((l) => failsGate(l, gate.failOn));
  const fatalFail = gating.reduce((n, l) => n + failed(l), 0);
  const controlFailed = Object.entries(input.session?.control ?? {}).filter(([, c]) => !c.ok);
  const errors =
    rules.filter((r) => r.verdict === 'error' && (r.level !== 'INFO' || gate.failOn === 'info')).length +
    (input.session ? 0 : 1) +
    input.problems.length;
  const coverage = coverageOf(rules);
  const cov = coverageGate(coverage, input.minCoverage);
  const exclusions = rules.filter((r) => r.excluded).map((r) => ({ id: r.id, level: r.level, reason: r.reason ?? 'excluded' }));
  // A PASS must have tested something: a run that decided no MUST rule could not be tested. Against a target
  // that is not the embedded mock, every MUST rule the plan kept must be decided: one left undecided (a
  // budget running out, an answer that decided nothing) means the run was cut short, never a pass.
  const remote = Object.values(input.session?.target ?? {}).some((t) => !t.embedded);
  const undecidedMust = rules.filter(
    (r) => r.level === 'MUST' && r.verdict === 'skipped' && !r.excluded && (!input.planned || input.planned.has(r.id)),
  );
  const cutShort =
    coverage.must > 0 && coverage.decided === 0
      ? rules.filter((r) => r.level === 'MUST' && r.verdict === 'skipped')
      : remote
        ? undecidedMust
        : [];
  const exhausted = input.budgets?.exhausted ?? undefined;
  const budgetCut = exhausted !== undefined && !exhausted.startsWith('spend ');
  // below --min-coverage a run that would pass fails (exit 1); a run that could not be tested stays so (exit 3)
  const verdict: RunVerdict =
    fatalFail > 0 || expired.length > 0
      ? 'fail'
      : errors > 0 || controlFailed.length > 0 || cutShort.length > 0 || budgetCut
        ? 'error'
        : cov.met
          ? 'pass'
          : 'fail';
  const exitCode = verdict === 'pass' ? EXIT.ok : verdict === 'fail' ? EXIT.failed : EXIT.untestable;
  const refused = Object.entries(input.session?.preflight ?? {}).filter(([, p]) => !p.ok);
  const cutByBudget = rules.filter((r) => r.reason?.startsWith('budget:')).length;
  const ranOut = !input.budgets?.exhausted
    ? ''
    : input.budgets.exhausted.startsWith('spend ')
      ? `; budget "${input.budgets.exhausted}" refused ${input.budgets.refused} request(s) that would have passed it: ${cutByBudget} rules skipped`
      : `; budget "${input.budgets.exhausted}" ran out: ${cutByBudget} rules skipped`;
  const waivedNote = count('waived') ? `, ${count('waived')} waived` : '';
  const expiredNote = expired.length
    ? `expired waiver${expired.length > 1 ? 's' : ''} for ${expired.map((w) => `${w.id} (${w.owner}, expired ${w.expires})`).join(', ')}`
    : '';
  const failing = gating.map((l) => `${failed(l)} ${l}`);
  const failNote = `${failing.length > 1 ? `${failing.slice(0, -1).join(', ')} and ${failing.at(-1)}` : failing[0]} rules fail`;
  const lead =
    verdict === 'pass'
      ? `conformant: ${count('pass')} rules pass${count('skipped') ? `, ${count('skipped')} skipped (explained)` : ''}${waivedNote}${failed('INFO') ? `, ${failed('INFO')} INFO findings` : ''}`
      : verdict === 'fail'
        ? fatalFail > 0
          ? `not conformant: ${failNote}${count('flaky') ? ` (${count('flaky')} of them flaky)` : ''}${waivedNote}${expiredNote ? `; ${expiredNote}` : ''}`
          : expiredNote
            ? `not conformant: ${expiredNote}`
            : `not conformant: ${cov.line}`
        : refused.length > 0
          ? `could not be tested: preflight refused ${refused.map(([p, r]) => `${p} (${r.problem})`).join('; ')}`
          : controlFailed.length > 0
            ? `could not be tested: positive control failed for ${controlFailed.map(([p, c]) => `${p} (${c.reason ?? 'no valid request accepted'})`).join('; ')}`
            : errors > 0
              ? `could not be tested: ${errors} rules ended in error${input.problems[0] ? ` (${input.problems[0]})` : ''}`
              : coverage.decided === 0
                ? `could not be tested: no MUST rule was decided (${cutShort.length} skipped${cutShort[0]?.reason ? `, e.g. ${cutShort[0].reason}` : ''})`
                : cutShort.length > 0
                  ? `cut short: ${cutShort.length} MUST rule(s) of the plan left undecided (${cutShort
                      .slice(0, 3)
                      .map((r) => `${r.id}: ${r.reason ?? 'not decided'}`)
                      .join('; ')}${cutShort.length > 3 ? '; …' : ''})`
                  : `cut short: the ${exhausted} budget ran out`;
  const excludedNote = exclusions.length
    ? `; ${exclusions.length} excluded by plan (${exclusions
        .slice(0, 3)
        .map((x) => `${x.id}: ${x.reason}`)
        .join('; ')}${exclusions.length > 3 ? '; …' : ''})`
    : '';
  const headline = (cov.met || !cov.line || lead.endsWith(cov.line) ? lead : `${lead}; ${cov.line}`) + ranOut + excludedNote;
  const settings = input.session?.settings;
  return {
    tool: 'card-conformance',
    schemaVersion: SCHEMA_VERSION,
    verdict,
    exitCode,
    headline,
    exclusions,
    target: input.session?.target ?? {},
    runId: input.session?.runId ?? '',
    cards: mergeCards([input.session?.cards ?? [], input.cards ?? []]),
    seed: settings?.seed ?? 0,
    runs: settings?.runs ?? 0,
    profile: settings?.profile ?? 'full',
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
      waived: count('waived'),
      requestsByProvider: input.requestsByProvider ?? {},
      ...(input.mockRequests ? { mockRequests: input.mockRequests } : {}),
      coverage: coverage.percent,
      ...(input.minCoverage !== undefined ? { minCoverage: input.minCoverage } : {}),
    },
    gate: { failOn: gate.failOn },
    waivers: waived.summary,
    assumptions: input.providers.flatMap((p) => cat.profiles[p].assumptions.map((a) => ({ provider: p, ...a }))),
    problems: input.problems,
    specFindings: lintSpec(cat, input.providers),
    rules,
    ...(input.pacts ? { pacts: input.pacts } : {}),
    ...(input.shard ? { shard: input.shard } : {}),
    ...(input.session?.preflight ? { preflight: input.session.preflight } : {}),
    ...(input.budgets ? { budgets: input.budgets } : {}),
  };
}

const perProvider = (m: Partial<Record<Provider, number>>) =>
  Object.entries(m)
    .map(([p, n]) => `${p} ${n}`)
    .join(', ') || 'none';

/** What was tested, loudly: `EMBEDDED MOCK` (not a sandbox), `sandbox`, `PRODUCTION`, per provider. */
export function targetLine(r: Pick<ConformanceReport, 'target'>): string {
  const entries = Object.entries(r.target);
  if (entries.length === 0) return 'no target';
  const kinds = entries.map(([, t]) => t.kind ?? (t.embedded ? 'mock' : 'sandbox'));
  const label = (k: (typeof kinds)[number]) => (k === 'mock' ? 'the EMBEDDED MOCK (not a sandbox)' : kindLabel(k));
  if (kinds.every((k) => k === kinds[0])) return `${label(kinds[0]!)} (${entries.map(([p]) => p).join(', ')})`;
  return entries.map(([p], i) => `${p}: ${label(kinds[i]!)}`).join(', ');
}

/** `budgets: 37/200 requests, USD 20/100, 41 s/900 s at 2 requests/s; ran out: requests; 1 Retry-After (1.0 s)` */
function budgetLine(b: BudgetReport): string {
  const l = b.limits;
  const parts = [
    `${b.used.requests}${l.maxRequests !== undefined ? `/${l.maxRequests}` : ''} requests`,
    ...Object.entries(l.maxSpend ?? {}).map(
      ([c, max]) => `${c} ${b.used.spend[c] ?? 0}/${max}${b.used.released[c] ? ` (${b.used.released[c]} given back on refusals)` : ''}`,
    ),
    `${Math.round(b.used.timeMs / 1000)} s${l.maxTimeMs !== undefined ? `/${Math.round(l.maxTimeMs / 1000)} s` : ''}`,
  ];
  return `  budgets: ${parts.join(', ')}${l.rate !== undefined ? ` at ${l.rate} requests/s` : ''}; ${b.exhausted ? `${b.exhausted.startsWith('spend ') ? 'REFUSED BY' : 'RAN OUT:'} ${b.exhausted} (${b.refused} requests refused, never sent)` : 'none ran out'}; Retry-After honoured ${b.retryAfter.count} times (${(b.retryAfter.waitedMs / 1000).toFixed(1)} s)`;
}

/** The one-screen summary printed at the end of a run. */
export function summaryText(r: ConformanceReport, path: string): string {
  const lines = [
    '',
    `card-conformance: ${r.verdict.toUpperCase()} against ${targetLine(r)} — ${r.headline}`,
    ...preflightLines(r.preflight),
    ...(r.budgets ? [budgetLine(r.budgets)] : []),
    `  target: ${Object.entries(r.target)
      .map(([p, t]) => `${p} ${t.embedded ? 'embedded mock' : t.url}`)
      .join(
        ', ',
      )}; document versions ${Object.values(r.specVersions).join(', ')}; seed ${r.seed}, runs ${r.runs}, ${r.schemaMode} schemas${r.deviations.length ? `, deviations: ${r.deviations.join(', ')}` : ''}`,
    `  rules: ${r.summary.pass} pass, ${r.summary.fail} fail, ${r.summary.error} error, ${r.summary.waived ? `${r.summary.waived} waived, ` : ''}${r.summary.skipped} skipped of ${r.summary.rules}; ${r.summary.checks} checks over ${r.summary.cases} generated cases (${r.summary.requests} requests) in ${(r.durationMs / 1000).toFixed(1)} s`,
    `  profile ${r.profile}; coverage ${r.summary.coverage}% of MUST rules decided${r.summary.minCoverage !== undefined ? ` (minimum ${r.summary.minCoverage}%)` : ''}; requests per provider: ${perProvider(r.summary.requestsByProvider)}${r.summary.mockRequests ? ` (the embedded mock counted ${perProvider(r.summary.mockRequests)})` : ''}`,
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
  for (const x of (r.exclusions ?? []).slice(0, 8)) lines.push(`  - ${x.level.padEnd(6)} ${x.id} excluded — ${x.reason}`.slice(0, 220));
  if ((r.exclusions ?? []).length > 8) lines.push(`  … and ${r.exclusions.length - 8} more exclusions in the report`);
  for (const p of r.problems.slice(0, 3)) lines.push(`  problem: ${p}`);
  for (const w of r.waivers.expired) lines.push(`  ✗ expired waiver ${w.id} (${w.owner}, expired ${w.expires}): fails the gate`);
  for (const w of r.waivers.stale) lines.push(`  stale waiver ${w.id} (${w.owner}): the rule did not fail`);
  if (r.specFindings.length)
    lines.push(
      `  ${r.specFindings.length} INFO findings where the documents disagree with themselves (specFindings; card-conformance lint-spec)`,
    );
  if (r.runId) {
    // refused creates opened nothing: counted apart (cards.json lists every create sent, with its outcome)
    const open = r.cards.filter((c) => c.outcome !== 'refused').length;
    lines.push(
      `  run id ${r.runId}; ${open} card(s) opened or possibly opened${open ? ' (cards.json lists them to close)' : ''}, ${r.cards.length - open} create(s) refused`,
    );
  }
  lines.push(`  report: ${path} (with junit.xml, conformance.md and conformance.html beside it)`, '');
  return lines.join('\n');
}
