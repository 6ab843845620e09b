/**
 * `card-conformance run [--provider alchemy|gep|all] [--base-url URL] [--seed N] [--runs N]
 * [--report-dir DIR] [--schema-mode lenient|strict] [--deviate NAME]... [--wait DURATION] [--stability DURATION]
 * [--time-scale X]`
 *
 * Runs the conformance suites (ordinary vitest files: `npx vitest --project conformance` runs the same)
 * with the rule reporter, against the configured sandbox or, without a base URL, the embedded mock.
 * Exit codes: 0 conformant, 1 a rule failed, 2 usage or configuration error, 3 the target could not be
 * tested.
 */
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Reporter } from 'vitest/node';
import { baseUrlVariable, loadConfig, parseHttpUrl } from '../config/env.ts';
import { ConfigError } from '../config/errors.ts';
import { BUDGET_VARIABLES, readBudgetLimits, SANDBOX_BUDGETS } from '../conformance/budget.ts';
import { HEARTBEAT_VARIABLE } from '../conformance/heartbeat.ts';
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_RUNS,
  DEFAULT_SCHEMA_MODE,
  DEFAULT_SEED,
  DEFAULT_TIME_SCALE,
  readSettings,
  SETTINGS_VARIABLES,
} from '../conformance/settings.ts';
import { DURATION_EXAMPLES, parseDuration, watchdogMs } from '../conformance/waits.ts';
import { resolveDeviations } from '../mock/deviations.ts';
import type { ConformanceReport } from '../report/conformance.ts';
import { ConformanceReporter } from '../report/reporter.ts';
import { catalogue } from '../spec/catalogue.ts';
import { PROVIDERS, SCHEMA_MODES } from '../spec/registry.ts';
import { EXIT } from '../wire/errors.ts';
import {
  ALL,
  type CommandSpec,
  helpText,
  oneOf,
  PROVIDER_CHOICES,
  parse,
  SPEC_VERSION_OPTION,
  UsageError,
  useSpecVersions,
} from './args.ts';

export const RUN = {
  name: 'run',
  positionals: '',
  summary: [
    'test a provider rule by rule (the embedded mock without a base URL)',
    'runs the conformance suites against --base-url or <PROVIDER>_BASE_URL, else the embedded mock, and',
    'writes conformance.json to the report directory',
  ].join('\n'),
  options: {
    provider: { type: 'string', arg: PROVIDER_CHOICES.join('|'), default: ALL, help: 'which provider to test' },
    'base-url': {
      type: 'string',
      arg: 'URL',
      default: '<PROVIDER>_BASE_URL, else the embedded mock',
      help: 'the target of every provider tested',
    },
    seed: { type: 'string', arg: 'N', default: DEFAULT_SEED, help: `seed of the generated cases (or ${SETTINGS_VARIABLES.seed})` },
    runs: { type: 'string', arg: 'N', default: DEFAULT_RUNS, help: `random cases per property (or ${SETTINGS_VARIABLES.runs})` },
    'report-dir': { type: 'string', arg: 'DIR', default: 'reports', help: 'where the reports are written' },
    'schema-mode': {
      type: 'string',
      arg: SCHEMA_MODES.join('|'),
      default: DEFAULT_SCHEMA_MODE,
      help: `strict also checks empty strings as values (or ${SETTINGS_VARIABLES.mode})`,
    },
    deviate: {
      type: 'string',
      multiple: true,
      arg: 'NAME',
      help: 'switch a deviation on in the embedded mock (tests the suite); repeatable',
    },
    wait: {
      type: 'string',
      arg: 'DURATION',
      default: "the profile's (6m against a sandbox; short on the embedded mock)",
      help: `bound on every asynchronous outcome, e.g. ${DURATION_EXAMPLES} (or ${SETTINGS_VARIABLES.wait})`,
    },
    stability: {
      type: 'string',
      arg: 'DURATION',
      default: '5 poll intervals',
      help: `how long a final status must stay final (or ${SETTINGS_VARIABLES.stability})`,
    },
    concurrency: {
      type: 'string',
      arg: 'N',
      default: DEFAULT_CONCURRENCY,
      help: `requests in flight per suite file (or ${SETTINGS_VARIABLES.concurrency}); the verdicts do not depend on it`,
    },
    'time-scale': {
      type: 'string',
      arg: 'X',
      default: DEFAULT_TIME_SCALE,
      help: `provider time per real time in the embedded mock; 1 is real time (or ${SETTINGS_VARIABLES.timeScale})`,
    },
    'max-requests': {
      type: 'string',
      arg: 'N',
      default: `${SANDBOX_BUDGETS.maxRequests} against a non-mock target, none on the embedded mock`,
      help: `stop before sending more than N requests in all, retries included (or ${BUDGET_VARIABLES.maxRequests}; off: none)`,
    },
    rate: {
      type: 'string',
      arg: 'PER_SECOND',
      default: `${SANDBOX_BUDGETS.rate} against a non-mock target, none on the embedded mock`,
      help: `requests per second, across all workers (or ${BUDGET_VARIABLES.rate}; off: none)`,
    },
    'max-time': {
      type: 'string',
      arg: 'DURATION',
      default: `${SANDBOX_BUDGETS.maxTimeMs / 60_000}m against a non-mock target, none on the embedded mock`,
      help: `send no request after this much wall time (or ${BUDGET_VARIABLES.maxTime}; off: none)`,
    },
    'max-spend': {
      type: 'string',
      multiple: true,
      arg: 'CUR=AMOUNT',
      default: `${Object.entries(SANDBOX_BUDGETS.maxSpend)
        .map(([c, a]) => `${c}=${a}`)
        .join(',')} against a non-mock target, none on the embedded mock`,
      help: `most money the run's requests may move, per currency, e.g. USD=100; repeatable or comma list (or ${BUDGET_VARIABLES.maxSpend})`,
    },
    ...SPEC_VERSION_OPTION,
  },
  exits: [
    [EXIT.ok, 'conformant'],
    [EXIT.failed, 'a rule failed'],
    [EXIT.usage, 'usage or configuration error'],
    [EXIT.untestable, 'the target could not be tested'],
  ],
  example: 'card-conformance run --provider gep --seed 7 --report-dir reports/gep',
} as const satisfies CommandSpec;

const BUDGET_FLAGS = {
  'max-requests': BUDGET_VARIABLES.maxRequests,
  rate: BUDGET_VARIABLES.rate,
  'max-time': BUDGET_VARIABLES.maxTime,
  'max-spend': BUDGET_VARIABLES.maxSpend,
} as const;
const flagKey = (variable: string) => Object.entries(BUDGET_FLAGS).find(([, v]) => v === variable)![0] as keyof typeof BUDGET_FLAGS;

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export const whole = (flag: string, v: string | undefined, min: number): string | undefined => {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min) throw new UsageError(`--${flag} must be a whole number of at least ${min} (got "${v}")`);
  return v;
};

/** A duration flag (`5s`, `1m30s`), checked here and handed to the suites as text. */
const duration = (flag: string, v: string | undefined): string | undefined => {
  if (v === undefined) return undefined;
  const ms = parseDuration(v);
  if (ms === undefined || ms < 1) throw new UsageError(`--${flag} must be a positive duration such as ${DURATION_EXAMPLES} (got "${v}")`);
  return v;
};

const positive = (flag: string, v: string | undefined): string | undefined => {
  if (v === undefined) return undefined;
  if (!(Number(v) > 0) || !Number.isFinite(Number(v))) throw new UsageError(`--${flag} must be a positive number (got "${v}")`);
  return v;
};

export async function runCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parse(argv, RUN);
  if (values.help) {
    out(helpText(RUN));
    return EXIT.ok;
  }
  useSpecVersions(values['spec-version']);
  if (positionals.length) throw new UsageError(`run takes no arguments (got "${positionals[0]}")`);
  const provider = oneOf('provider', values.provider, PROVIDER_CHOICES, ALL);
  const providers = provider === ALL ? [...PROVIDERS] : [provider];
  const env = process.env;
  const set = (name: string, v: string | undefined) => {
    if (v !== undefined) env[name] = v;
  };
  set(SETTINGS_VARIABLES.provider, provider);
  set(SETTINGS_VARIABLES.seed, whole('seed', values.seed, 0));
  set(SETTINGS_VARIABLES.runs, whole('runs', values.runs, 1));
  set(SETTINGS_VARIABLES.concurrency, whole('concurrency', values.concurrency, 1));
  set(
    SETTINGS_VARIABLES.mode,
    values['schema-mode'] === undefined ? undefined : oneOf('schema-mode', values['schema-mode'], SCHEMA_MODES, DEFAULT_SCHEMA_MODE),
  );
  set(SETTINGS_VARIABLES.wait, duration('wait', values.wait));
  set(SETTINGS_VARIABLES.stability, duration('stability', values.stability));
  set(SETTINGS_VARIABLES.timeScale, positive('time-scale', values['time-scale']));
  if (values.deviate?.length) {
    resolveDeviations(values.deviate);
    env[SETTINGS_VARIABLES.deviate] = values.deviate.join(',');
  }
  set(BUDGET_VARIABLES.maxRequests, values['max-requests']);
  set(BUDGET_VARIABLES.rate, values.rate);
  set(BUDGET_VARIABLES.maxTime, values['max-time']);
  if (values['max-spend']?.length) env[BUDGET_VARIABLES.maxSpend] = values['max-spend'].join(',');
  if (values['base-url'] !== undefined) {
    const url = parseHttpUrl('--base-url', values['base-url']);
    for (const p of providers) env[baseUrlVariable(p)] = url;
  }
  // Configuration errors end here, with one line, before anything runs.
  const config = loadConfig(env);
  const settings = readSettings(env);
  try {
    readBudgetLimits(env, false);
  } catch (err) {
    // a flag's value is named by its flag, the environment's by its variable
    const flag = Object.entries(BUDGET_FLAGS).find(
      ([, v]) => err instanceof ConfigError && err.variable === v && values[flagKey(v)] !== undefined,
    );
    throw flag ? new UsageError(`--${flag[0]}${err instanceof Error ? err.message.slice(err.message.indexOf(':')) : ''}`) : err;
  }
  if (values.deviate?.length && providers.every((p) => config[p].target))
    throw new UsageError('--deviate switches the embedded mock, but every provider has a base URL');
  if (values['time-scale'] !== undefined && providers.every((p) => config[p].target))
    throw new UsageError("--time-scale sets the embedded mock's clock, but every provider has a base URL");
  const reportDir = resolve(values['report-dir'] ?? RUN.options['report-dir'].default);
  checkWritableDir(reportDir);

  const totalRules = catalogue().rules.filter((r) => providers.includes(r.provider)).length;
  let report: ConformanceReport | undefined;
  // the watchdog: a suite that makes no progress at all (a worker spinning, a promise that never settles)
  // stops the run with its rules `error` and exit 3, within a bound that no working suite reaches
  const external = providers.some((p) => config[p].target);
  const boundMs = settings.watchdogMs ?? watchdogMs(config.limits, settings.pollMs ?? (external ? 1000 : 3));
  const heartbeatDir = mkdtempSync(join(tmpdir(), 'card-conformance-run-'));
  env[HEARTBEAT_VARIABLE] = heartbeatDir;
  const reporter = new ConformanceReporter({
    reportDir,
    providers,
    totalRules,
    out,
    secrets: config.secrets,
    onReport: (r) => (report = r),
    watchdog: {
      boundMs,
      heartbeats: heartbeatDir,
      onStuck: () => {
        // the stuck worker may be spinning and deaf to vitest's close: end it and its siblings
        killDescendants(process.pid);
        rmSync(heartbeatDir, { recursive: true, force: true });
        process.exit(EXIT.untestable);
      },
    },
  });
  out(
    `card-conformance run: ${providers.join(' + ')} (document versions ${providers.map((p) => catalogue().versions[p]).join(', ')}) against ${providers.map((p) => config[p].target?.baseUrl ?? 'the embedded mock').join(' / ')}\n`,
  );
  await runConformanceProject(reporter, env[SETTINGS_VARIABLES.workers] ? Number(env[SETTINGS_VARIABLES.workers]) : undefined);
  rmSync(heartbeatDir, { recursive: true, force: true });
  if (!report) {
    out('card-conformance run: the suites did not run to the end; see the messages above\n');
    return EXIT.untestable;
  }
  return (report as ConformanceReport).exitCode;
}

/** SIGKILL every process below `pid` (Linux /proc; elsewhere nothing is found and nothing is killed). */
function killDescendants(pid: number): void {
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return;
  }
  const parent = new Map<number, number>();
  for (const e of entries) {
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      parent.set(Number(e), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone already
    }
  }
  const below = (p: number): number[] => [...parent].filter(([, pp]) => pp === p).flatMap(([c]) => [c, ...below(c)]);
  for (const c of below(pid)) {
    try {
      process.kill(c, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

/** The `conformance` vitest project, run once to its end with one reporter (run and selfcheck both start it so). */
export async function runConformanceProject(reporter: Reporter, maxWorkers?: number): Promise<void> {
  const { startVitest } = await import('vitest/node');
  const vitest = await startVitest('test', [], {
    run: true,
    watch: false,
    root: ROOT,
    config: resolve(ROOT, 'vitest.config.ts'),
    project: ['conformance'],
    reporters: [reporter],
    ...(maxWorkers !== undefined ? { maxWorkers } : {}),
  });
  await vitest.close();
}

export function checkWritableDir(dir: string): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`--report-dir ${dir} is not a directory`);
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch {
    throw new UsageError(`--report-dir ${dir} cannot be written`);
  }
}
