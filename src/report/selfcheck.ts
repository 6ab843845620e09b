/**
 * The selfcheck's reporter: the suites' findings grouped by target, then per deviation the rules that
 * caught it on each seed, the kill rate per kind, the survivors, and the faithful mock's false positives.
 * Written whole to `mutation.json` (temp file, then rename); a one-screen summary to stdout.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SerializedError } from 'vitest';
import type { Reporter, TestCase, TestModule } from 'vitest/node';
import { type Finding, mergeFinding } from '../conformance/findings.ts';
import { DEVIATION_KINDS, DEVIATIONS, type DeviationKind, deviationKind } from '../mock/deviations.ts';
import { catalogue } from '../spec/catalogue.ts';
import { EXIT, type ExitCode } from '../wire/errors.ts';

export interface MutationReport {
  schemaVersion: 1;
  seeds: number[];
  runs: number;
  wallMs: number;
  /** Caught (deviation, seed) pairs over all pairs. */
  killRate: number;
  killed: number;
  total: number;
  byKind: Record<DeviationKind, { killed: number; total: number; rate: number }>;
  deviations: {
    name: string;
    ruleId: string;
    kind: DeviationKind;
    /** Per seed: the rules that failed against it (the deviation's own rule among them when it was caught). */
    caughtBy: Record<string, string[]>;
    killedOn: number[];
    survivedOn: number[];
  }[];
  survivors: { name: string; ruleId: string; seeds: number[]; verdicts: Record<string, string> }[];
  /** Rules that failed or ended in error against the faithful mock. */
  falsePositives: { seed: number; ruleId: string; verdict: string; message: string }[];
  problems: string[];
  exitCode: ExitCode;
}

export interface SelfcheckOptions {
  reportDir: string;
  seeds: number[];
  runs: number;
  deviations: readonly string[];
  out: (s: string) => void;
  onReport?: (r: MutationReport) => void;
}

export class SelfcheckReporter implements Reporter {
  private readonly byTarget = new Map<string, Map<string, Finding>>();
  private readonly t0 = performance.now();
  private tests = 0;

  constructor(private readonly opts: SelfcheckOptions) {}

  onTestCaseResult(test: TestCase): void {
    const meta = test.meta();
    const target = meta.target;
    if (!target) return;
    this.tests++;
    let rules = this.byTarget.get(target);
    if (!rules) {
      rules = new Map();
      this.byTarget.set(target, rules);
    }
    for (const f of meta.findings ?? []) rules.set(f.ruleId, mergeFinding(rules.get(f.ruleId), f));
    if (this.tests % 25 === 0) this.opts.out(`[${this.tests} target tests done, ${this.byTarget.size} targets]\n`);
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>, errors: ReadonlyArray<SerializedError>): void {
    const problems = [
      ...modules.flatMap((m) => m.errors().map((e) => `${m.moduleId.split('/').slice(-2).join('/')}: ${String(e.message).split('\n')[0]}`)),
      ...errors.map((e) => String(e.message ?? e).split('\n')[0]!),
    ];
    const report = this.build(problems);
    const dir = this.opts.reportDir;
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'mutation.json');
    writeFileSync(`${path}.tmp`, `${JSON.stringify(report, null, 2)}\n`);
    renameSync(`${path}.tmp`, path);
    this.opts.out(summary(report, path));
    this.opts.onReport?.(report);
  }

  private build(problems: string[]): MutationReport {
    return mutationReport(this.byTarget, this.opts, problems, Math.round(performance.now() - this.t0));
  }
}

/** The selfcheck's verdict from the findings per target (`<deviation>@<seed>`, `faithful@<seed>`). */
export function mutationReport(
  byTarget: ReadonlyMap<string, ReadonlyMap<string, Finding>>,
  opts: Pick<SelfcheckOptions, 'seeds' | 'runs' | 'deviations'>,
  problems: string[],
  wallMs: number,
): MutationReport {
  const { seeds } = opts;
  const level = (id: string) => catalogue().byId.get(id)?.level;
  const failing = (label: string) =>
    [...(byTarget.get(label)?.values() ?? [])].filter((f) => f.verdict === 'fail' || f.verdict === 'flaky');
  const deviations = DEVIATIONS.filter((d) => opts.deviations.includes(d.name)).map((d) => {
    const caughtBy: Record<string, string[]> = {};
    const killedOn: number[] = [];
    const survivedOn: number[] = [];
    for (const seed of seeds) {
      const label = `${d.name}@${seed}`;
      const fails = failing(label).map((f) => f.ruleId);
      caughtBy[String(seed)] = fails;
      (fails.includes(d.ruleId) ? killedOn : survivedOn).push(seed);
    }
    return { name: d.name, ruleId: d.ruleId, kind: deviationKind(d), caughtBy, killedOn, survivedOn };
  });
  const byKind = Object.fromEntries(
    DEVIATION_KINDS.map((k) => {
      const of = deviations.filter((d) => d.kind === k);
      const killed = of.reduce((n, d) => n + d.killedOn.length, 0);
      const total = of.length * seeds.length;
      return [k, { killed, total, rate: total ? killed / total : 1 }];
    }),
  ) as MutationReport['byKind'];
  const killed = deviations.reduce((n, d) => n + d.killedOn.length, 0);
  const total = deviations.length * seeds.length;
  const survivors = deviations
    .filter((d) => d.survivedOn.length > 0)
    .map((d) => ({
      name: d.name,
      ruleId: d.ruleId,
      seeds: d.survivedOn,
      verdicts: Object.fromEntries(
        d.survivedOn.map((s) => [String(s), byTarget.get(`${d.name}@${s}`)?.get(d.ruleId)?.verdict ?? 'not decided']),
      ),
    }));
  const falsePositives = seeds.flatMap((seed) =>
    [...(byTarget.get(`faithful@${seed}`)?.values() ?? [])]
      .filter((f) => f.verdict === 'fail' || f.verdict === 'flaky' || (f.verdict === 'error' && level(f.ruleId) !== 'INFO'))
      .map((f) => ({ seed, ruleId: f.ruleId, verdict: f.verdict, message: f.evidence[0]?.message ?? f.reason ?? '' })),
  );
  for (const seed of seeds) if (!byTarget.has(`faithful@${seed}`)) problems.push(`the faithful mock of seed ${seed} ran no test`);
  const ok = killed === total && falsePositives.length === 0 && problems.length === 0;
  return {
    schemaVersion: 1,
    seeds,
    runs: opts.runs,
    wallMs,
    killRate: total ? killed / total : 1,
    killed,
    total,
    byKind,
    deviations,
    survivors,
    falsePositives,
    problems,
    exitCode: ok ? EXIT.ok : EXIT.failed,
  };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function summary(r: MutationReport, path: string): string {
  const lines = [
    '',
    `card-conformance selfcheck: ${r.exitCode === 0 ? 'PASS' : 'FAIL'} — kill rate ${pct(r.killRate)} (${r.killed}/${r.total} deviation × seed), ${r.falsePositives.length} false positive(s) on the faithful mock`,
    `  seeds ${r.seeds.join(', ')}, runs ${r.runs}, ${r.deviations.length} deviations, ${(r.wallMs / 1000).toFixed(1)} s`,
    `  by kind: ${DEVIATION_KINDS.map((k) => `${k} ${r.byKind[k].killed}/${r.byKind[k].total}`).join(', ')}`,
    ...r.survivors.map(
      (s) => `  ✗ survivor ${s.name} (${s.ruleId}) on seed(s) ${s.seeds.join(', ')}: ${Object.values(s.verdicts).join(', ')}`,
    ),
    ...r.falsePositives.map((f) => `  ✗ false positive, seed ${f.seed}: ${f.ruleId} ${f.verdict} — ${f.message.slice(0, 160)}`),
    ...r.problems.map((p) => `  problem: ${p}`),
    `  report: ${path}`,
    '',
  ];
  return lines.join('\n');
}
