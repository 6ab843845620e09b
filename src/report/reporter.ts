/**
 * The vitest reporter of `card-conformance run`: progress while the suites run (rules decided / total),
 * then the report, written whole or not at all (a temp file renamed into place), and the one-screen
 * summary. It merges the findings the suites left in their tests' meta.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SerializedError } from 'vitest';
import type { Reporter, TestCase, TestModule, TestRunEndReason } from 'vitest/node';
import { budgetReport } from '../conformance/budget.ts';
import type { Finding } from '../conformance/findings.ts';
import { readHeartbeats } from '../conformance/heartbeat.ts';
import { SESSION_SUMMARY_VARIABLE, type SessionSummary } from '../conformance/session.ts';
import { catalogue as shipped } from '../spec/catalogue.ts';
import type { Provider } from '../spec/registry.ts';
import { createRedactor } from '../wire/redact.ts';
import { buildReport, type ConformanceReport, summaryText } from './conformance.ts';

export interface ReporterOptions {
  reportDir: string;
  providers: Provider[];
  totalRules: number;
  out: (s: string) => void;
  /** Secrets to scrub from anything written (evidence is redacted already; this is the last line). */
  secrets: string[];
  onReport?: (report: ConformanceReport, path: string) => void;
  /**
   * The run-level watchdog: when neither a test event nor the suites' heartbeat file shows progress for
   * `boundMs`, the report is written with every undecided rule `error`, naming the stuck tests, and
   * `onStuck` ends the run.
   */
  watchdog?: { boundMs: number; heartbeats: string; onStuck: (report: ConformanceReport) => void };
}

export class ConformanceReporter implements Reporter {
  private readonly findings: Finding[] = [];
  private readonly crashed: { rules: string[]; error: string }[] = [];
  private readonly decided = new Set<string>();
  private cases = 0;
  private requests = 0;
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

  onTestRunEnd(modules: ReadonlyArray<TestModule>, errors: ReadonlyArray<SerializedError>, reason: TestRunEndReason): void {
    clearInterval(this.timer);
    if (this.done) return;
    const problems: string[] = [];
    for (const m of modules)
      for (const e of m.errors()) problems.push(`${m.moduleId.split('/').slice(-2).join('/')}: ${String(e.message).split('\n')[0]}`);
    for (const e of errors) problems.push(String(e.message ?? e).split('\n')[0]!);
    if (reason === 'interrupted') problems.push('the run was interrupted');
    this.finish(problems);
  }

  /** Build, write and announce the report (once). */
  private finish(problems: string[]): ConformanceReport {
    this.done = true;
    const redactor = createRedactor({ secrets: this.opts.secrets });
    const raw = process.env[SESSION_SUMMARY_VARIABLE];
    const session = raw ? (JSON.parse(raw) as SessionSummary) : undefined;
    const budgets = budgetReport();
    const report = buildReport({
      findings: this.findings,
      crashed: this.crashed,
      cases: this.cases,
      requests: this.requests,
      session,
      problems: problems.map((p) => redactor.text(p)),
      startedAt: this.startedAt,
      durationMs: performance.now() - this.t0,
      testsMs: this.firstTest === undefined ? 0 : this.lastTest - this.firstTest,
      providers: this.opts.providers,
      ...(budgets ? { budgets } : {}),
    });
    const path = writeReport(this.opts.reportDir, report, this.opts.secrets, session?.identifiers);
    this.opts.out(summaryText(report, path));
    this.opts.onReport?.(report, path);
    return report;
  }
}

/**
 * Write `conformance.json` whole (temp file, then rename), scrubbed once more of every configured secret.
 * `identifiers`: configured merchant numbers left alone (they replay in a reproduction; they are not cards).
 */
export function writeReport(dir: string, report: ConformanceReport, secrets: string[], identifiers: readonly string[] = []): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'conformance.json');
  // redact values, then serialise: redacting the JSON text could cut through an escaped quote
  const text = `${JSON.stringify(createRedactor({ secrets, keep: identifiers }).value(report), null, 2)}\n`;
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
  return path;
}
