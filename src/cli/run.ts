/**
 * `card-conformance run [--provider alchemy|gep|all] [--base-url URL] [--seed N] [--runs N]
 * [--report-dir DIR] [--schema-mode lenient|strict] [--deviate NAME]... [--wait DURATION] [--stability DURATION]
 * [--time-scale X] [--fail-on must|should|info] [--waivers FILE] [--shard I/N]`
 *
 * Runs the conformance suites (ordinary vitest files: `npx vitest --project conformance` runs the same)
 * with the rule reporter, against the configured sandbox or, without a base URL, the embedded mock.
 * Exit codes: 0 conformant, 1 a rule failed, 2 usage or configuration error, 3 the target could not be
 * tested.
 */
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ViteUserConfig } from 'vitest/config';
import type { Reporter } from 'vitest/node';
import { baseUrlVariable, loadConfig, parseHttpUrl } from '../config/env.ts';
import { ConfigError } from '../config/errors.ts';
import { PACKAGE_ROOT } from '../config/root.ts';
import { EMBEDDED_TIME_SCALE, guardEarly, targetKinds } from '../config/target-kind.ts';
import { BUDGET_VARIABLES, readBudgetLimits, SANDBOX_BUDGETS } from '../conformance/budget.ts';
import { CONFORMANCE_TIMEOUT_VARIABLE } from '../conformance/config-env.ts';
import { buildDir } from '../conformance/from-build.ts';
import { HEARTBEAT_VARIABLE } from '../conformance/heartbeat.ts';
import { RUN_ID, RUN_ID_RULE } from '../conformance/ids.ts';
import { defaultProfile, PROFILES, smokePollMs } from '../conformance/profile.ts';
import { newRunId, openSessionEarly } from '../conformance/session.ts';
import {
  conformanceTimeoutMs,
  DEFAULT_CONCURRENCY,
  DEFAULT_RUNS,
  DEFAULT_SCHEMA_MODE,
  DEFAULT_SEED,
  readSettings,
  SETTINGS_VARIABLES,
} from '../conformance/settings.ts';
import { mark } from '../conformance/timings.ts';
import { DURATION_EXAMPLES, defaultWaitMs, parseDuration, watchdogMs } from '../conformance/waits.ts';
import { resolveDeviations } from '../mock/deviations.ts';
import type { ConformanceReport } from '../report/conformance.ts';
import { minCoverageProblem, parseMinCoverage } from '../report/coverage.ts';
import { DEFAULT_FAIL_ON, FAIL_ON, WAIVERS_FILE, waiversPath } from '../report/gate.ts';
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
import { kindLabel, TARGET_OPTIONS, targetRequest } from './target.ts';

export const RUN = {
  name: 'run',
  positionals: '',
  summary: [
    'test a provider rule by rule (the embedded mock without a base URL)',
    'runs the conformance suites against --base-url or <PROVIDER>_BASE_URL, else the embedded mock, and',
    'writes conformance.json, junit.xml, conformance.md and conformance.html to the report directory',
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
      default: EMBEDDED_TIME_SCALE,
      help: `provider time per real time in the embedded mock; 1 is real time (or ${SETTINGS_VARIABLES.timeScale})`,
    },
    'fail-on': {
      type: 'string',
      arg: FAIL_ON.join('|'),
      default: DEFAULT_FAIL_ON,
      help: 'the lowest level whose failures fail the run: must (MUST only), should (MUST and SHOULD), info (all)',
    },
    waivers: {
      type: 'string',
      arg: 'FILE',
      default: `${WAIVERS_FILE} in the current directory, if it exists`,
      help: 'waivers: a waived failure does not fail the run; an expired waiver does; one matching no failure is stale',
    },
    shard: {
      type: 'string',
      arg: 'I/N',
      help: "run slice I of N of the suite files (vitest's sharding); card-conformance merge joins the N reports",
    },
    profile: {
      type: 'string',
      arg: PROFILES.join('|'),
      default: 'full against the embedded mock, smoke against any other target',
      help: `smoke tries every violation class of every MUST rule once, with the fewest requests (its plan printed first); full is every case (or ${SETTINGS_VARIABLES.profile})`,
    },
    'min-coverage': {
      type: 'string',
      arg: 'PERCENT',
      help: `fail the run when fewer MUST rules than this percentage were decided (or ${SETTINGS_VARIABLES.minCoverage})`,
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
    ...TARGET_OPTIONS,
    'run-id': {
      type: 'string',
      arg: 'ID',
      default: 'random',
      help: `printed and recorded; every order number is derived from it and the seed (or ${SETTINGS_VARIABLES.runId})`,
    },
    'callback-port': {
      type: 'string',
      arg: 'N',
      default: 0,
      help: `port of the callback receiver on 127.0.0.1, where ALCHEMY_CALLBACK_URL forwards (or ${SETTINGS_VARIABLES.callbackPort}); 0: any`,
    },
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
  if (values.profile !== undefined) set(SETTINGS_VARIABLES.profile, oneOf('profile', values.profile, PROFILES, 'full'));
  const minCoverageText = values['min-coverage'] ?? env[SETTINGS_VARIABLES.minCoverage];
  if (minCoverageText !== undefined && minCoverageText !== '') {
    const problem = minCoverageProblem(minCoverageText);
    if (problem)
      throw new UsageError(`${values['min-coverage'] !== undefined ? '--min-coverage' : `${SETTINGS_VARIABLES.minCoverage}:`} ${problem}`);
  }
  const minCoverage = minCoverageText ? parseMinCoverage(minCoverageText) : undefined;
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
  const runIdFlag = values['run-id'];
  if (runIdFlag !== undefined && !RUN_ID.test(runIdFlag)) throw new UsageError(`--run-id must be ${RUN_ID_RULE}`);
  const callbackPort = whole('callback-port', values['callback-port'], 0);
  if (callbackPort !== undefined && Number(callbackPort) > 65535)
    throw new UsageError(`--callback-port must be at most 65535 (got "${callbackPort}")`);
  set(SETTINGS_VARIABLES.callbackPort, callbackPort);
  set(SETTINGS_VARIABLES.runId, runIdFlag);
  // the target as asked: the session checks it again with the same function, from these variables
  const req = targetRequest(values, env, values['base-url'] !== undefined ? '--base-url' : undefined);
  set(SETTINGS_VARIABLES.target, req.choice);
  if (req.allowProduction) env[SETTINGS_VARIABLES.allowProduction] = '1';
  guardEarly(providers, env, req, values['base-url']);
  // Configuration errors end here, with one line, before anything runs.
  const config = loadConfig(env);
  // target truth and the production guard; `kinds` is what profiles and budgets key their defaults on
  const kinds = targetKinds(providers, Object.fromEntries(providers.map((p) => [p, config[p].target?.baseUrl])), env, req);
  const settings = readSettings(env);
  const runId = settings.runId ?? newRunId();
  env[SETTINGS_VARIABLES.runId] = runId;
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
  const shard = parseShard(values.shard);
  const reportDir = resolve(values['report-dir'] ?? RUN.options['report-dir'].default);
  checkWritableDir(reportDir);
  // the gate is applied where the report is built, by the reporter in this process: handed over directly
  const failOn = oneOf('fail-on', values['fail-on'], FAIL_ON, DEFAULT_FAIL_ON);
  const waiversFile = waiversPath(values.waivers, process.cwd());
  // read (and zod loaded) only when there is a file
  const waivers = waiversFile
    ? (await import('../report/waivers.ts')).readWaiversFile(waiversFile, new Set(catalogue().rules.map((r) => r.id)))
    : [];

  const totalRules = catalogue().rules.filter((r) => providers.includes(r.provider)).length;
  let report: ConformanceReport | undefined;
  // the watchdog: a suite that makes no progress at all (a worker spinning, a promise that never settles)
  // stops the run with its rules `error` and exit 3, within a bound that no working suite reaches
  const external = providers.some((p) => config[p].target);
  const profile = settings.profile ?? defaultProfile(external);
  // smoke polls less often (a bounded number of looks per wait): the watchdog allows for its interval
  const basePollMs = settings.pollMs ?? (external ? 1000 : 3);
  const waitMs =
    settings.waitMs ??
    defaultWaitMs(
      providers.filter((p) => config[p].target),
      providers.filter((p) => !config[p].target),
      settings.timeScale,
    );
  const pollMs = profile === 'smoke' && settings.pollMs === undefined ? smokePollMs(waitMs, basePollMs) : basePollMs;
  const boundMs = settings.watchdogMs ?? watchdogMs(config.limits, pollMs);
  const heartbeatDir = mkdtempSync(join(tmpdir(), 'card-conformance-run-'));
  env[HEARTBEAT_VARIABLE] = heartbeatDir;
  const reporter = new ConformanceReporter({
    reportDir,
    providers,
    totalRules,
    out,
    secrets: config.secrets,
    gate: { failOn, waivers, ...(waiversFile ? { file: waiversFile } : {}) },
    onReport: (r) => (report = r),
    ...(shard ? { shard } : {}),
    ...(minCoverage !== undefined ? { minCoverage } : {}),
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
    `card-conformance run: ${providers.join(' + ')} (document versions ${providers.map((p) => catalogue().versions[p]).join(', ')}) against ${providers.map((p) => (kinds[p] === 'mock' ? 'the EMBEDDED MOCK (not a sandbox)' : `${kindLabel(kinds[p])} ${config[p].target?.baseUrl}`)).join(' / ')}; profile ${profile}; run id ${runId}\n`,
  );
  // smoke's plan, before the first request: the classes it tries, the requests it needs, what its budgets leave out
  if (profile === 'smoke') {
    const limits = readBudgetLimits(env, external);
    const { smokePlan, planLines } = await import('../conformance/plan.ts');
    for (const line of planLines(
      providers.map((p) => smokePlan(p, limits)),
      limits.maxRequests,
    ))
      out(`${line}\n`);
  }
  // from the CLI's build the global setup shares this process's modules: the session opens while vitest starts
  const discard = buildDir(env) ? openSessionEarly(env) : undefined;
  try {
    await runConformanceProject(reporter, env[SETTINGS_VARIABLES.workers] ? Number(env[SETTINGS_VARIABLES.workers]) : undefined, shard);
  } finally {
    await discard?.();
  }
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
export async function runConformanceProject(
  reporter: Reporter,
  maxWorkers?: number,
  shard?: { index: number; count: number },
): Promise<void> {
  mark('vitest-start');
  // the config's timeout, derived here where the catalogue is built already (src/conformance/config-env.ts)
  process.env[CONFORMANCE_TIMEOUT_VARIABLE] = String(conformanceTimeoutMs(process.env));
  const { startVitest } = await import('vitest/node');
  // From the CLI's build, its compiled config, imported here and given to vitest as it is: vite's own
  // loading of a config file (bundled, or native with a module hook on a thread of its own that every later
  // import of this process then passes through) is for watching the file, which a run never does.
  const build = buildDir(process.env);
  const builtConfig = build && join(build, 'vitest.config.js');
  const inline =
    builtConfig && existsSync(builtConfig)
      ? ((await import(pathToFileURL(builtConfig).href)) as { default: ViteUserConfig }).default
      : undefined;
  const vitest = await startVitest(
    'test',
    [],
    {
      run: true,
      watch: false,
      root: PACKAGE_ROOT,
      config: inline ? false : resolve(PACKAGE_ROOT, 'vitest.config.ts'),
      project: ['conformance'],
      reporters: [reporter],
      ...(maxWorkers !== undefined ? { maxWorkers } : {}),
      ...(shard ? { shard: `${shard.index}/${shard.count}` } : {}),
    },
    inline,
  );
  await vitest.close();
  mark('vitest-closed');
}

/** `--shard I/N`: slice I (1-based) of N. */
export function parseShard(v: string | undefined): { index: number; count: number } | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(v);
  const [index, count] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
  if (!m || count < 1 || index < 1 || index > count) throw new UsageError(`--shard must be I/N with 1 <= I <= N, e.g. 1/2 (got "${v}")`);
  return { index, count };
}

export function checkWritableDir(dir: string, flag = '--report-dir'): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`${flag} ${dir} is not a directory`);
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch {
    throw new UsageError(`${flag} ${dir} cannot be written`);
  }
}
