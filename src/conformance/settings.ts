/**
 * The settings of a conformance run, read from the environment so that `card-conformance run` and a
 * plain `npx vitest` read the same ones. `run` sets them from its flags; every name is documented in
 * `.env.example`.
 */

import { ConfigError } from '../config/errors.ts';
import { allowProduction, EMBEDDED_TIME_SCALE, TARGET_VARIABLES, type TargetChoice, targetChoice } from '../config/target-kind.ts';
import { PROVIDERS, type Provider, SCHEMA_MODES, type SchemaMode } from '../spec/registry.ts';
import { EXTRA_SUITES_VARIABLE } from './config-env.ts';
import { RUN_ID, RUN_ID_RULE } from './ids.ts';
import { DURATION_EXAMPLES, defaultStabilityMs, defaultWaitMs, parseDuration, testTimeoutMs } from './waits.ts';

/** Run profiles (src/conformance/profile.ts says what smoke decides and how). */
export const PROFILES = ['smoke', 'full'] as const;
export type Profile = (typeof PROFILES)[number];

export interface Settings {
  providers: Provider[];
  seed: number;
  /** Random cases per property (valid requests; violations per rule use a fraction). */
  runs: number;
  mode: SchemaMode;
  /** Deviations switched on in the embedded mock (tests of the suite itself). */
  deviate: string[];
  /** Provider time per real time in the embedded mock. */
  timeScale: number;
  /** Concurrent requests per suite file. */
  concurrency: number;
  /**
   * Upper bound, in real ms, on waiting for an asynchronous outcome (lifecycle, callback, pending,
   * incomplete), from the create's answer; undefined: the profile's bound against a sandbox (6 minutes:
   * "wait 1 to 5 minutes"), the same in the embedded mock's time (at least 3 s).
   */
  waitMs: number | undefined;
  /**
   * Real ms a final status (and complete card elements) is watched after it is first seen; undefined:
   * a few poll intervals.
   */
  stabilityMs: number | undefined;
  callbackPort: number;
  /** Real ms between two looks at an asynchronous outcome; undefined: 3 ms on the embedded mock, 1 s on a sandbox. */
  pollMs: number | undefined;
  /**
   * The instant the embedded mock's clock starts from (epoch ms), to reach the provider's midnight
   * edges on purpose; undefined: the real clock. The suite's "today" and the mock's follow it.
   */
  mockNow: number | undefined;
  /** The run-level watchdog's bound, when set; else derived (waits.ts `watchdogMs`). */
  watchdogMs: number | undefined;
  /** Faults of the embedded mock (tests of the suite's own behaviour under rate limits, resets, broken answers). */
  mockFaults: string[];
  /** The embedded mock's face: the run's own mode unless set (a strict run against the lenient mock shows the table-vs-example contradictions). */
  mockMode: SchemaMode;
  /** Leeway names the embedded mock takes (mock/leeway.ts), resolved when the mock starts. */
  mockLeeway: string[];
  /** No case whose dates are judged against "today" is sent within this many ms of the provider's midnight. */
  midnightGuardMs: number;
  /**
   * `smoke` (the fewest requests that decide every MUST rule) or `full` (every case); undefined: not
   * chosen, the session takes `full` against the embedded mock and `smoke` against any other target.
   */
  profile: Profile | undefined;
  /** The run id order numbers are derived from (`run --run-id`); undefined: the session draws a random one. */
  runId: string | undefined;
  /**
   * `--target` as asked (`mock` | `sandbox`); undefined: each provider's base URL decides. The kind each
   * provider ends up with (`mock` | `sandbox` | `production`) is the session's `target[provider].kind`
   * (config/target-kind.ts `targetKinds`): profiles and budgets key their defaults on that.
   */
  target: TargetChoice | undefined;
  /** A base URL on a production host is let through (`--allow-production`). */
  allowProduction: boolean;
  /**
   * `auto`: callbacks are expected when ALCHEMY_CALLBACK_URL is set or the target is on loopback; `off`:
   * never (a loopback base URL that is a tunnel or port-forward to a remote sandbox, which cannot reach
   * the receiver): the callback rules are skipped and the lifecycle judged through `info` alone.
   */
  callbacks: 'auto' | 'off';
}

export const SETTINGS_VARIABLES = {
  provider: 'CARD_CONFORMANCE_PROVIDER',
  seed: 'CARD_CONFORMANCE_SEED',
  runs: 'CARD_CONFORMANCE_RUNS',
  mode: 'CARD_CONFORMANCE_SCHEMA_MODE',
  deviate: 'CARD_CONFORMANCE_MOCK_DEVIATE',
  timeScale: 'CARD_CONFORMANCE_MOCK_TIME_SCALE',
  concurrency: 'CARD_CONFORMANCE_CONCURRENCY',
  waitMs: 'CARD_CONFORMANCE_WAIT_MS',
  /** The same bound as a duration (`5s`, `6m`); wins over CARD_CONFORMANCE_WAIT_MS (run --wait). */
  wait: 'CARD_CONFORMANCE_WAIT',
  /** The stability window as a duration (run --stability). */
  stability: 'CARD_CONFORMANCE_STABILITY',
  callbackPort: 'CARD_CONFORMANCE_CALLBACK_PORT',
  pollMs: 'CARD_CONFORMANCE_POLL_MS',
  mockNow: 'CARD_CONFORMANCE_MOCK_NOW',
  mockMode: 'CARD_CONFORMANCE_MOCK_SCHEMA_MODE',
  /** Faults the embedded mock puts on the wire (comma-separated names, as `mock --fault`). */
  mockFaults: 'CARD_CONFORMANCE_MOCK_FAULTS',
  /** The embedded mock reads the documents' open points otherwise (comma-separated names or `all`, as `mock --leeway`). */
  mockLeeway: 'CARD_CONFORMANCE_MOCK_LEEWAY',
  /** The watchdog's bound as a duration; default derived from the call deadline, retries and poll interval. */
  watchdog: 'CARD_CONFORMANCE_WATCHDOG',
  /** Extra suite files (comma-separated globs relative to the project) run with the conformance suites. */
  extraSuites: EXTRA_SUITES_VARIABLE,
  midnightGuardMs: 'CARD_CONFORMANCE_MIDNIGHT_GUARD_MS',
  /** Read by `run` (vitest's worker count), not by the suites. */
  workers: 'CARD_CONFORMANCE_WORKERS',
  /** `smoke` or `full` (run --profile). */
  profile: 'CARD_CONFORMANCE_PROFILE',
  /** Read by `run` (the coverage gate, run --min-coverage), not by the suites. */
  minCoverage: 'CARD_CONFORMANCE_MIN_COVERAGE',
  /** `run --run-id`: printed at the start, recorded in the report, hashed into every order number. */
  runId: 'CARD_CONFORMANCE_RUN_ID',
  target: TARGET_VARIABLES.target,
  allowProduction: TARGET_VARIABLES.allowProduction,
  /** `auto` or `off`: whether the provider can reach the callback receiver (see Settings.callbacks). */
  callbacks: 'CARD_CONFORMANCE_CALLBACKS',
  /** Read by the production guard (config/target-kind.ts), with the profiles' own production hosts. */
  productionHosts: TARGET_VARIABLES.productionHosts,
} as const;

/** Requests in flight per suite file. */
export const DEFAULT_CONCURRENCY = 16;
export const DEFAULT_SEED = 20241114;
/**
 * Random cases per property: 450 gives the default run 5,220 generated cases (issue 18's floor is 5,000),
 * within its 5-second mark on two cores; 500 (5,722 cases) did not fit.
 */
export const DEFAULT_RUNS = 450;
export const DEFAULT_SCHEMA_MODE: SchemaMode = 'lenient';

function int(env: Readonly<Record<string, string | undefined>>, name: string, fallback: number, min: number): number {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(name, `must be a whole number of at least ${min}`);
  return n;
}

/** Two minutes: a case is never sent in the two minutes either side of the provider's midnight. */
export const DEFAULT_MIDNIGHT_GUARD_MS = 120_000;

function schemaMode(env: Readonly<Record<string, string | undefined>>, name: string, fallback: SchemaMode): SchemaMode {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  if (!(SCHEMA_MODES as readonly string[]).includes(v)) throw new ConfigError(name, `must be one of ${SCHEMA_MODES.join(', ')}`);
  return v as SchemaMode;
}

function instant(env: Readonly<Record<string, string | undefined>>, name: string): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  const t = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v) ? Date.parse(v) : Number.NaN;
  if (Number.isNaN(t)) throw new ConfigError(name, 'must be an ISO 8601 instant with its offset, e.g. 2026-03-01T16:01:00Z');
  return t;
}

function duration(env: Readonly<Record<string, string | undefined>>, name: string): number | undefined {
  const v = env[name];
  if (v === undefined || v.trim() === '') return undefined;
  const ms = parseDuration(v);
  if (ms === undefined || ms < 1) throw new ConfigError(name, `must be a positive duration such as ${DURATION_EXAMPLES}`);
  return ms;
}

function profileOf(env: Readonly<Record<string, string | undefined>>): Profile | undefined {
  const v = env[SETTINGS_VARIABLES.profile];
  if (v === undefined || v === '') return undefined;
  if (!(PROFILES as readonly string[]).includes(v))
    throw new ConfigError(SETTINGS_VARIABLES.profile, `must be one of ${PROFILES.join(', ')}`);
  return v as Profile;
}

function callbacksOf(env: Readonly<Record<string, string | undefined>>, name: string): 'auto' | 'off' {
  const v = env[name]?.trim();
  if (v === undefined || v === '' || v === 'auto') return 'auto';
  if (v === 'off') return 'off';
  throw new ConfigError(name, 'must be auto or off');
}

function runIdOf(env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const v = env[name]?.trim();
  if (v === undefined || v === '') return undefined;
  if (!RUN_ID.test(v)) throw new ConfigError(name, `must be ${RUN_ID_RULE}`);
  return v;
}

export function readSettings(env: Readonly<Record<string, string | undefined>> = process.env): Settings {
  const p = env[SETTINGS_VARIABLES.provider] ?? 'all';
  if (p !== 'all' && !(PROVIDERS as readonly string[]).includes(p))
    throw new ConfigError(SETTINGS_VARIABLES.provider, `must be one of ${PROVIDERS.join(', ')}, all`);
  const mode = schemaMode(env, SETTINGS_VARIABLES.mode, DEFAULT_SCHEMA_MODE);
  const ts = env[SETTINGS_VARIABLES.timeScale];
  const timeScale = ts === undefined || ts === '' ? EMBEDDED_TIME_SCALE : Number(ts);
  if (!(timeScale > 0)) throw new ConfigError(SETTINGS_VARIABLES.timeScale, 'must be a positive number');
  return {
    providers: p === 'all' ? [...PROVIDERS] : [p as Provider],
    seed: int(env, SETTINGS_VARIABLES.seed, DEFAULT_SEED, 0),
    runs: int(env, SETTINGS_VARIABLES.runs, DEFAULT_RUNS, 1),
    mode,
    deviate: (env[SETTINGS_VARIABLES.deviate] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    timeScale,
    concurrency: int(env, SETTINGS_VARIABLES.concurrency, DEFAULT_CONCURRENCY, 1),
    waitMs:
      duration(env, SETTINGS_VARIABLES.wait) ?? (env[SETTINGS_VARIABLES.waitMs] ? int(env, SETTINGS_VARIABLES.waitMs, 0, 1) : undefined),
    stabilityMs: duration(env, SETTINGS_VARIABLES.stability),
    callbackPort: int(env, SETTINGS_VARIABLES.callbackPort, 0, 0),
    pollMs: env[SETTINGS_VARIABLES.pollMs] ? int(env, SETTINGS_VARIABLES.pollMs, 0, 1) : undefined,
    mockNow: instant(env, SETTINGS_VARIABLES.mockNow),
    mockMode: schemaMode(env, SETTINGS_VARIABLES.mockMode, mode),
    watchdogMs: duration(env, SETTINGS_VARIABLES.watchdog),
    mockFaults: (env[SETTINGS_VARIABLES.mockFaults] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    mockLeeway: (env[SETTINGS_VARIABLES.mockLeeway] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    midnightGuardMs: int(env, SETTINGS_VARIABLES.midnightGuardMs, DEFAULT_MIDNIGHT_GUARD_MS, 0),
    profile: profileOf(env),
    runId: runIdOf(env, SETTINGS_VARIABLES.runId),
    target: targetChoice(env),
    allowProduction: allowProduction(env),
    callbacks: callbacksOf(env, SETTINGS_VARIABLES.callbacks),
  };
}

/** The extra suite globs of CARD_CONFORMANCE_EXTRA_SUITES. */
export { extraSuites } from './config-env.ts';

/**
 * The conformance project's default vitest test and hook timeouts, derived from the wait before the
 * session knows its targets: the largest wait these settings can mean, one asynchronous phase. Each
 * conformance test sets its own from the session (`conformance(..., { waits })`). Never throws: a bad
 * value is reported, with its variable, by `run` or the session.
 */
export function conformanceTimeoutMs(env: Readonly<Record<string, string | undefined>> = process.env): number {
  let s: Settings | undefined;
  try {
    s = readSettings(env);
  } catch {
    s = undefined;
  }
  const waitMs = s?.waitMs ?? defaultWaitMs(PROVIDERS, PROVIDERS, s?.timeScale ?? 1);
  const stabilityMs = s?.stabilityMs ?? defaultStabilityMs(s?.pollMs ?? 1000);
  return testTimeoutMs({ waitMs, stabilityMs }, 1);
}
