/**
 * The vitest reporter of `card-conformance run`: progress while the suites run (rules decided / total),
 * then the report, written whole or not at all (a temp file renamed into place), and the one-screen
 * summary. It merges the findings the suites left in their tests' meta.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SerializedError } from 'vitest';
import type { Reporter, TestCase, TestModule, TestRunEndReason } from 'vitest/node';
import type { Finding } from '../conformance/findings.ts';
import { SESSION_SUMMARY_VARIABLE, type SessionSummary } from '../conformance/session.ts';
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

  onTestCaseReady(): void {
    this.firstTest ??= performance.now();
  }

  constructor(private readonly opts: ReporterOptions) {}

  onTestCaseResult(test: TestCase): void {
    this.lastTest = performance.now();
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
    const redactor = createRedactor({ secrets: this.opts.secrets });
    const raw = process.env[SESSION_SUMMARY_VARIABLE];
    const session = raw ? (JSON.parse(raw) as SessionSummary) : undefined;
    const problems: string[] = [];
    for (const m of modules)
      for (const e of m.errors()) problems.push(`${m.moduleId.split('/').slice(-2).join('/')}: ${String(e.message).split('\n')[0]}`);
    for (const e of errors) problems.push(String(e.message ?? e).split('\n')[0]!);
    if (reason === 'interrupted') problems.push('the run was interrupted');
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
    });
    const path = writeReport(this.opts.reportDir, report, this.opts.secrets, session?.identifiers);
    this.opts.out(summaryText(report, path));
    this.opts.onReport?.(report, path);
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
