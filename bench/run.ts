/**
 * `npm run bench`: where a command's time goes, the conformance run as a user runs it, and the suite's
 * request rate against a raw undici loop on the same mock. A benchmark: it prints figures and asserts nothing.
 *
 * 1. Phases (CARD_CONFORMANCE_TIMINGS marks, src/conformance/timings.ts) of `--help`, `call` against a
 *    mock process, `run --provider all --runs 1` and the default `run --provider all`: process start,
 *    module load, vitest start, global setup (mock and keys, positive control), workers, test phase,
 *    report, exit. Each command runs BENCH_REPEAT times (default 3); every figure is the minimum over
 *    the repeats (the machine may be shared: the minimum is the least disturbed). Each run command
 *    cold (its generated cases drawn, on the run's drawing thread: a first run after `npm ci
 *    --ignore-scripts`, a new day, seed or depth) and warm (its cases kept: by the install's build for the
 *    default run, a first run after `npm ci`; by a run before for the others).
 * 2. The suite run against that mock process by URL, then a raw undici loop against the same process
 *    with the same concurrency (signing and sealing each request, as the suite must): requests/s of each
 *    and their ratio.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { ensureBuilt, keepCases, ROOT } from '../bin/build.mjs';
import { addDays } from '../src/checks/util.ts';
import { CASE_CACHE_VARIABLE } from '../src/conformance/case-cache.ts';
import { TIMINGS_VARIABLE } from '../src/conformance/timings.ts';
import type { ConformanceReport } from '../src/report/conformance.ts';
import { catalogue } from '../src/spec/catalogue.ts';
import { todayIn } from '../src/spec/evaluate.ts';
import { alchemyHeaders } from '../src/wire/alchemy-sign.ts';
import { encodeSealed, gepForm } from '../src/wire/gep-envelope.ts';
import { generateTestKeyPair } from '../src/wire/keys.ts';

const dir = mkdtempSync(join(tmpdir(), 'cc-bench-'));
const BIN = 'bin/card-conformance.mjs';
const REPEAT = Math.max(1, Number(process.env['BENCH_REPEAT'] ?? 3));
let serial = 0;

interface Timed {
  code: number;
  ms: number;
  /** Each mark's first time, ms after the spawn. */
  marks: Map<string, number>;
}

function runCli(args: string[], env: Record<string, string> = {}): Promise<Timed> {
  const file = join(dir, `marks-${serial++}.jsonl`);
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...env, [TIMINGS_VARIABLE]: file },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('exit', (code) => {
      const ms = Date.now() - t0;
      const marks = new Map<string, number>();
      const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
      for (const l of lines) {
        const m = JSON.parse(l) as { mark: string; at: number };
        if (!marks.has(m.mark)) marks.set(m.mark, m.at - t0);
      }
      resolve({ code: code ?? -1, ms, marks });
    });
  });
}
/**
 * A run's environment with a case cache of its own in `cases`, holding what a build keeps there (bin/build.mjs
 * `keepCases`, src/conformance/install-cases.ts): `keepRuleLists` (every build) or `keepInstallLists` (the
 * install's: today's default run too).
 */
function cacheKeeping(cases: string, step: 'keepRuleLists' | 'keepInstallLists'): Record<string, string> {
  const env = { [CASE_CACHE_VARIABLE]: cases };
  if (keepCases(ensureBuilt(), step, ROOT, env) === undefined) throw new Error(`bench: could not keep the build's case lists in ${cases}`);
  return env;
}
const report = (d: string) => JSON.parse(readFileSync(join(d, 'conformance.json'), 'utf8')) as ConformanceReport;

/** A phase: from one mark to the next (`spawn` and `exit` are the bench's own clock). */
type Phase = [label: string, from: string, to: string];
const CLI_PHASES: Phase[] = [
  ['process start (node up to the bin)', 'spawn', 'bin-start'],
  ['module load (the CLI and what it imports)', 'bin-start', 'main-loaded'],
];
const RUN_PHASES: Phase[] = [
  ...CLI_PHASES,
  ['arguments, configuration', 'main-loaded', 'vitest-start'],
  ['vitest start (config, project, globalSetup import)', 'vitest-start', 'setup-start'],
  ['session: mock and keys (run opens it as vitest starts)', 'session-start', 'mock-ready'],
  ['session: positive control', 'control-start', 'control-done'],
  ['global setup, whole (waits for the session if not open yet)', 'setup-start', 'setup-end'],
  ['first worker: module graph loaded', 'setup-end', 'worker-graph'],
  ['global setup end to first test', 'setup-end', 'tests-first'],
  ['test phase (first test to last result)', 'tests-first', 'tests-last'],
  ['report (build, redact, write)', 'report-start', 'report-written'],
  ['shutdown (report written to exit)', 'report-written', 'exit'],
];
/** A cold run's drawing thread (predraw.ts): from its start to its last list, and its last list against the first test. */
const PREDRAW_PHASES: Phase[] = [
  ['drawing thread: its lists drawn (from its start)', 'predraw-start', 'predraw-done'],
  ['drawing thread: done, from the first test (negative: before it)', 'tests-first', 'predraw-done'],
];

const at = (t: Timed, m: string): number | undefined => (m === 'spawn' ? 0 : m === 'exit' ? t.ms : t.marks.get(m));
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function phases(
  title: string,
  args: () => string[],
  list: Phase[],
  env: Record<string, string> | ((repeat: number) => Record<string, string>) = {},
): Promise<Timed[]> {
  const all: Timed[] = [];
  for (let i = 0; i < REPEAT; i++) all.push(await runCli(args(), typeof env === 'function' ? env(i) : env));
  const codes = [...new Set(all.map((t) => t.code))].join(',');
  console.log(
    `${title}: ${sec(Math.min(...all.map((t) => t.ms)))} wall (min of ${all.length}; all ${all.map((t) => sec(t.ms)).join(', ')}; exit ${codes})`,
  );
  for (const [label, from, to] of list) {
    const d = all.map((t) => {
      const a = at(t, from);
      const b = at(t, to);
      return a === undefined || b === undefined ? undefined : b - a;
    });
    const known = d.filter((x): x is number => x !== undefined);
    if (known.length) console.log(`  ${label.padEnd(52)} ${sec(Math.min(...known)).padStart(8)}`);
  }
  return all;
}

console.log(
  `bench: load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on this machine; figures are the minimum of ${REPEAT} runs`,
);

// a mock process: the target of `call` and of part 2
const merchant = generateTestKeyPair(1024);
const platform = generateTestKeyPair(1024);
writeFileSync(join(dir, 'm.pem'), merchant.privatePem);
writeFileSync(join(dir, 'p.pem'), platform.publicPem);
const secret = randomBytes(24).toString('hex');
const mockEnv = {
  MOCK_ALCHEMY_ACCESS_KEY: 'bench-ak',
  MOCK_ALCHEMY_SECRET_KEY: secret,
  MOCK_GEP_USER_NO: '1'.repeat(19),
  MOCK_GEP_MERCHANT_PUBLIC_KEY: merchant.publicPem,
  MOCK_GEP_PLATFORM_PRIVATE_KEY: platform.privatePem,
};
const mock = spawn(process.execPath, [BIN, 'mock', '--time-scale', '0.002'], {
  env: { ...process.env, ...mockEnv },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise<string>((resolve) => {
  let buf = '';
  mock.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    const m = /listening on (http:\/\/\S+)/.exec(buf);
    if (m) resolve(m[1]!);
  });
});
try {
  const clientEnv = {
    ALCHEMY_ACCESS_KEY: 'bench-ak',
    ALCHEMY_SECRET_KEY: secret,
    ALCHEMY_EMAIL: 'bench@example.test',
    GEP_USER_NO: '1'.repeat(19),
    GEP_CERTIFICATE_ID: '2'.repeat(19),
    GEP_MERCHANT_PRIVATE_KEY: join(dir, 'm.pem'),
    GEP_PLATFORM_PUBLIC_KEY: join(dir, 'p.pem'),
    CARD_CONFORMANCE_WAIT_MS: '3000',
    CARD_CONFORMANCE_POLL_MS: '3',
    // a local mock by URL: the sandbox budgets' defaults (2 requests/s…) would measure the budget, not the suite
    CARD_CONFORMANCE_MAX_REQUESTS: 'off',
    CARD_CONFORMANCE_RATE: 'off',
    CARD_CONFORMANCE_MAX_TIME: 'off',
    CARD_CONFORMANCE_MAX_SPEND: 'off',
  };

  // 1. phases
  await phases('card-conformance --help', () => ['--help'], [...CLI_PHASES, ['command and exit', 'main-loaded', 'exit']]);
  let order = 0;
  await phases(
    'card-conformance call alchemy create (against the mock process)',
    () => [
      'call',
      'alchemy',
      'create',
      '--base-url',
      url,
      '--data',
      JSON.stringify({
        vid: 'USD',
        deposit: '1000',
        orderNo: `bench-call-${Date.now()}-${order++}`,
        callbackUrl: 'https://merchant.example/cb',
        cardHolder: { firstName: 'Milton', lastName: 'Schmitt' },
      }),
    ],
    [...CLI_PHASES, ['command (sign, send, print) and exit', 'main-loaded', 'exit']],
    clientEnv,
  );
  // Each run group twice, every run with a case cache of its own (src/conformance/case-cache.ts).
  // Cold: it holds what every build keeps (the rule lists), as a first run after `npm ci --ignore-scripts`,
  // or any run whose cases nothing drew before (another day, seed or depth): it draws them on the run's
  // drawing thread while vitest starts (src/conformance/predraw.ts).
  // Warm: it holds what the install's build keeps (today's default run too), as the first run after `npm ci`,
  // and what the last cold run kept: nothing is drawn.
  const group = async (title: string, args: string[], name: string, warmFrom: 'install' | 'run'): Promise<Timed[]> => {
    await phases(
      `${title}, cold (its cases drawn: a first run after npm ci --ignore-scripts, a new day, seed or depth)`,
      () => args,
      [...RUN_PHASES, ...PREDRAW_PHASES],
      (i) => cacheKeeping(join(dir, `cases-${name}-${i}`), 'keepRuleLists'),
    );
    const warm = await phases(
      `${title}, warm (its cases kept: ${warmFrom === 'install' ? "by the install's build, a first run after npm ci" : 'by the cold run before'})`,
      () => args,
      RUN_PHASES,
      (i) =>
        warmFrom === 'install'
          ? cacheKeeping(join(dir, `cases-${name}-install-${i}`), 'keepInstallLists')
          : { [CASE_CACHE_VARIABLE]: join(dir, `cases-${name}-${REPEAT - 1}`) },
    );
    const drew = warm.filter((t) => t.marks.has('predraw-start') || t.marks.has('cases-drawn-here')).length;
    console.log(`  warm runs that drew cases: ${drew} of ${warm.length}`);
    return warm;
  };
  const runs1 = join(dir, 'runs1');
  await group('run --provider all --runs 1', ['run', '--provider', 'all', '--runs', '1', '--report-dir', runs1], 'runs1', 'run');
  const rep0 = report(runs1);
  console.log(`  ${rep0.summary.cases} generated cases, ${rep0.summary.requests} requests, verdict ${rep0.verdict}`);
  const full = join(dir, 'full');
  const runs = await group(
    'run --provider all (the default: npm run conformance)',
    ['run', '--provider', 'all', '--report-dir', full],
    'full',
    'install',
  );
  const rep1 = report(full);
  const best = Math.min(...runs.map((t) => t.ms));
  console.log(
    `  runs ${rep1.runs}: ${rep1.summary.cases} generated cases, ${rep1.summary.requests} requests, ${rep1.summary.checks} checks, verdict ${rep1.verdict}: ${(rep1.summary.cases / (best / 1000)).toFixed(0)} cases/s over the best wall time`,
  );

  // 2. suite rate vs raw rate on one mock process
  const byUrl = join(dir, 'by-url');
  // full depth: a base URL's default profile is smoke (about 100 requests), too few to measure a rate
  const r2 = await runCli(['run', '--provider', 'all', '--profile', 'full', '--base-url', url, '--report-dir', byUrl], clientEnv);
  const rep2 = report(byUrl);
  const suiteRate = rep2.summary.requests / (rep2.testsMs / 1000);
  console.log(
    `suite against the mock process: ${rep2.summary.requests} requests in ${(rep2.testsMs / 1000).toFixed(1)} s of tests (${(rep2.durationMs / 1000).toFixed(1)} s with start-up; exit ${r2.code}) = ${suiteRate.toFixed(0)} req/s`,
  );

  const today = todayIn(catalogue().profiles.gep.timeZone, new Date());
  const pool = new Pool(url, { connections: 32 });
  const N = 3000;
  let next = 0;
  const one = async (i: number) => {
    if (i % 2 === 0) {
      const body = {
        vid: 'USD',
        deposit: '1000',
        orderNo: `raw-${i}`,
        callbackUrl: 'https://merchant.example/cb',
        cardHolder: { firstName: 'Milton', lastName: 'Schmitt' },
      };
      const headers = alchemyHeaders({
        accessKey: 'bench-ak',
        secret,
        email: 'bench@example.test',
        method: 'POST',
        path: '/open/api/card/create',
        body,
      }) as unknown as Record<string, string>;
      const res = await pool.request({ method: 'POST', path: '/open/api/card/create', headers, body: JSON.stringify(body) });
      await res.body.text();
    } else {
      const data = {
        userReqNo: `raw-${i}`,
        localCurrency: 'USD',
        startDate: today,
        endDate: addDays(today, 365),
        authLimitAmount: '1',
        enableMultiUse: '1',
        enableCurrencyCheck: '0',
      };
      const form = gepForm({ certificateId: '2'.repeat(19), userNo: '1'.repeat(19), dataContent: encodeSealed(data, merchant.privateKey) });
      const res = await pool.request({
        method: 'POST',
        path: '/api/vas/card/apply',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form,
      });
      await res.body.text();
    }
  };
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < N) await one(next++);
    }),
  );
  const rawRate = N / ((performance.now() - t0) / 1000);
  await pool.close();
  console.log(
    `raw undici loop (half Alchemy creates, half GEP applies, signed/sealed per request, 32 connections): ${rawRate.toFixed(0)} req/s`,
  );
  console.log(`suite rate / raw rate: ${(suiteRate / rawRate).toFixed(2)}`);
} finally {
  mock.kill('SIGTERM');
}

// 3. Smoke: its plan (every violation class of every MUST rule, the auth probes, the follow-ups) and the
// requests it really sent per provider, counted by the embedded mock, with the time it took
{
  const { smokePlan } = await import('../src/conformance/plan.ts');
  const out = join(dir, 'smoke');
  const t = await runCli(['run', '--provider', 'all', '--profile', 'smoke', '--report-dir', out]);
  const rep = report(out);
  for (const p of ['alchemy', 'gep'] as const) {
    const plan = smokePlan(p);
    console.log(
      `smoke ${p}: plan ${plan.classes} violation classes of ${plan.rules} MUST rules, at most ${plan.requests} requests; sent ${rep.summary.mockRequests?.[p] ?? '?'} (counted at the mock)`,
    );
  }
  console.log(`smoke run: ${sec(t.ms)} wall, exit ${t.code}, coverage ${rep.summary.coverage}% of MUST rules decided`);
}
