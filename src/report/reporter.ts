/**
 * The vitest reporter of `card-conformance run`: progress while the suites run (rules decided / total),
 * then the report, written whole or not at all (a temp file renamed into place), and the one-screen
 * summary. It merges the findings the suites left in their tests' meta.
 */
import type { SerializedError } from 'vitest';
import type { Reporter, TestCase, TestModule, TestRunEndReason } from 'vitest/node';
import { budgetReport } from '../conformance/budget.ts';
import type { OpenedCard } from '../conformance/cards.ts';
import type { Finding } from '../conformance/findings.ts';
import { readHeartbeats } from '../conformance/heartbeat.ts';
import { type SessionSummary, sessionSummary } from '../conformance/session.ts';
import { mark } from '../conformance/timings.ts';
import { catalogue as shipped } from '../spec/catalogue.ts';
import type { Provider } from '../spec/registry.ts';
import { createRedactor } from '../wire/redact.ts';
import { undici } from '../wire/undici.ts';
import { buildReport, type ConformanceReport, type ReportInput, summaryText } from './conformance.ts';
import { writeReports } from './write.ts';

export interface ReporterOptions {
  reportDir: string;
  providers: Provider[];
  totalRules: number;
  out: (s: string) => void;
  /** Secrets to scrub from anything written (evidence is redacted already; this is the last line). */
  secrets: string[];
  onReport?: (report: ConformanceReport, path: string) => void;
  /** `--fail-on` and the waivers, read and checked by `run` before the suites start (default: should, none). */
  gate?: ReportInput['gate'];
  /** `--min-coverage`: the percentage of MUST rules the run must decide. */
  minCoverage?: number;
  /**
   * The run-level watchdog: when neither a test event nor the suites' heartbeat file shows progress for
   * `boundMs`, the report is written with every undecided rule `error`, naming the stuck tests, and
   * `onStuck` ends the run.
   */
  watchdog?: { boundMs: number; heartbeats: string; onStuck: (report: ConformanceReport) => void };
  /** `run --shard i/n`: recorded in the report, for `merge`. */
  shard?: { index: number; count: number };
}

export class ConformanceReporter implements Reporter {
  private readonly findings: Finding[] = [];
  private readonly cards: OpenedCard[] = [];
  private readonly crashed: { rules: string[]; error: string }[] = [];
  private readonly decided = new Set<string>();
  private cases = 0;
  private requests = 0;
  /** Requests per provider, and per rule those of the tests that decided it. */
  private readonly byProvider: Partial<Record<Provider, number>> = {};
  private readonly byRule: Record<string, number> = {};
  private readonly startedAt = new Date();
  private readonly t0 = performance.now();
  private firstTest: number | undefined;
  private lastTest = 0;
  private readonly running = new Map<string, TestCase>();
  private lastProgress = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private done = false;

  onTestRunStart(): void {
    const w = this.opts.watchdog;
    if (!w) return;
    this.lastProgress = Date.now();
    this.timer = setInterval(() => this.checkProgress(w), Math.min(1000, w.boundMs / 4));
    this.timer.unref();
  }

  onTestModuleCollected(): void {
    this.lastProgress = Date.now();
  }

  onTestCaseReady(test: TestCase): void {
    if (this.firstTest === undefined) mark('tests-first');
    this.firstTest ??= performance.now();
    this.running.set(test.id, test);
    this.lastProgress = Date.now();
  }

  private checkProgress(w: NonNullable<ReporterOptions['watchdog']>): void {
    const beats = readHeartbeats(w.heartbeats, w.boundMs);
    const idle = Date.now() - Math.max(this.lastProgress, beats.latest);
    if (idle < w.boundMs || this.done) return;
    clearInterval(this.timer);
    // the workers' own word on what they run (a spinning worker cannot send a test event)
    const stuck = beats.stuck.length
      ? beats.stuck
      : [...this.running.values()].map((t) => ({ test: t.name, provider: t.meta().provider ?? '', rules: t.meta().rules ?? [] }));
    const names = stuck.map((t) => `${t.provider} ${t.test}`.trim());
    const line = `stopped by the watchdog: no progress for ${Math.round(idle / 1000)} s${names.length ? ` in ${names.join('; ')}` : ''}`;
    // every rule not decided yet is an error of this run, never a pass or a skip
    const undecided = this.opts.providers
      .flatMap((p) =>
        shipped()
          .rulesFor(p)
          .map((r) => r.id),
      )
      .filter((id) => !this.decided.has(id));
    this.crashed.push({ rules: undecided, error: line });
    // the stuck tests' own rules are errors of this run, whatever another test decided of them
    for (const t of stuck)
      for (const ruleId of t.rules) this.findings.push({ ruleId, verdict: 'error', checks: 0, evidence: [], reason: line });
    const report = this.finish([line]);
    w.onStuck(report);
  }

  constructor(private readonly opts: ReporterOptions) {}

  onTestCaseResult(test: TestCase): void {
    this.lastTest = performance.now();
    this.running.delete(test.id);
    this.lastProgress = Date.now();
    const meta = test.meta();
    const fs = meta.findings ?? [];
    this.findings.push(...fs);
    this.cases += meta.cases ?? 0;
    this.requests += meta.requests ?? 0;
    if (meta.provider) this.byProvider[meta.provider] = (this.byProvider[meta.provider] ?? 0) + (meta.requests ?? 0);
    for (const f of fs) if (f.verdict !== 'skipped') this.byRule[f.ruleId] = (this.byRule[f.ruleId] ?? 0) + (meta.requests ?? 0);
    this.cards.push(...(meta.cards ?? []));
    for (const f of fs) this.decided.add(f.ruleId);
    const result = test.result();
    if (result.state === 'failed' && fs.length === 0 && meta.rules?.length) {
      this.crashed.push({ rules: meta.rules, error: String(result.errors[0]?.message ?? 'failed').split('\n')[0]! });
    }
    const mark = result.state === 'passed' ? '✓' : result.state === 'skipped' ? '-' : '✗';
    this.opts.out(
      `[${String(this.decided.size).padStart(3)}/${this.opts.totalRules} rules decided] ${mark} ${meta.provider ?? ''} ${test.name}\n`,
    );
  }

  async onTestRunEnd(modules: ReadonlyArray<TestModule>, errors: ReadonlyArray<SerializedError>, reason: TestRunEndReason): Promise<void> {
    clearInterval(this.timer);
    if (this.done) return;
    // the embedded mock is still up (the session closes after the run's end): its own count of what it received
    this.mockRequests = await embeddedMockCount(this.session());
    if (this.done) return;
    const problems: string[] = [];
    for (const m of modules)
      for (const e of m.errors()) problems.push(`${m.moduleId.split('/').slice(-2).join('/')}: ${String(e.message).split('\n')[0]}`);
    for (const e of errors) problems.push(String(e.message ?? e).split('\n')[0]!);
    if (reason === 'interrupted') problems.push('the run was interrupted');
    this.finish(problems);
  }

  private mockRequests: Partial<Record<Provider, number>> | undefined;

  private session(): SessionSummary | undefined {
    return sessionSummary();
  }

  /** Build, write and announce the report (once). */
  private finish(problems: string[]): ConformanceReport {
    this.done = true;
    if (this.firstTest !== undefined) mark('tests-last', Math.round(performance.timeOrigin + this.lastTest));
    mark('report-start');
    const redactor = createRedactor({ secrets: this.opts.secrets });
    const session = this.session();
    // the positive control's requests count for its provider
    const requestsByProvider: Partial<Record<Provider, number>> = {};
    for (const p of this.opts.providers) {
      const control = session?.control[p]?.requests ?? 0;
      if (session?.target[p] || this.byProvider[p] !== undefined) requestsByProvider[p] = (this.byProvider[p] ?? 0) + control;
    }
    const budgets = budgetReport();
    const report = buildReport({
      requestsByProvider,
      ruleRequests: this.byRule,
      ...(this.mockRequests ? { mockRequests: this.mockRequests } : {}),
      ...(this.opts.minCoverage !== undefined ? { minCoverage: this.opts.minCoverage } : {}),
      findings: this.findings,
      crashed: this.crashed,
      cases: this.cases,
      requests: this.requests,
      cards: this.cards,
      session,
      problems: problems.map((p) => redactor.text(p)),
      startedAt: this.startedAt,
      durationMs: performance.now() - this.t0,
      testsMs: this.firstTest === undefined ? 0 : this.lastTest - this.firstTest,
      providers: this.opts.providers,
      ...(this.opts.gate ? { gate: this.opts.gate } : {}),
      ...(this.opts.shard ? { shard: this.opts.shard } : {}),
      ...(budgets ? { budgets } : {}),
    });
    const paths = writeReports(this.opts.reportDir, report, this.opts.secrets, session?.identifiers);
    const path = paths.json;
    this.opts.out(summaryText(report, path));
    if (paths.stepSummary?.error) this.opts.out(`card-conformance: step summary not written: ${paths.stepSummary.error}\n`);
    mark('report-written');
    this.opts.onReport?.(report, path);
    return report;
  }
}

/**
 * Provider requests the embedded mock counted, per provider tested against it (undefined when none was,
 * or the mock did not answer: the report then carries the suites' own count alone).
 */
async function embeddedMockCount(session: SessionSummary | undefined): Promise<Partial<Record<Provider, number>> | undefined> {
  const embedded = Object.entries(session?.target ?? {}).filter(([, t]) => t?.embedded) as [Provider, { url: string }][];
  if (embedded.length === 0) return undefined;
  const out: Partial<Record<Provider, number>> = {};
  try {
    for (const url of new Set(embedded.map(([, t]) => t.url))) {
      const r = await undici().request(`${url}/__mock/stats`, { method: 'POST', body: '{}', headersTimeout: 5000, bodyTimeout: 5000 });
      const stats = (await r.body.json()) as { requests?: Partial<Record<Provider, number>> };
      for (const [p, t] of embedded) if (t.url === url && typeof stats.requests?.[p] === 'number') out[p] = stats.requests[p];
    }
  } catch {
    return undefined;
  }
  return Object.keys(out).length ? out : undefined;
}
