/**
 * `npm run bench`: the conformance run as a user runs it, and the suite's request rate against a raw
 * undici loop on the same mock. A benchmark: it prints figures and asserts nothing.
 *
 * 1. `card-conformance run --provider all` at full depth against the embedded mock: wall time,
 *    generated cases, cases/s (from the report).
 * 2. One mock process (`card-conformance mock`), the suite run against it by URL, then a raw undici loop
 *    against the same process with the same concurrency (signing and sealing each request, as the
 *    suite must): requests/s of each and their ratio.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import type { ConformanceReport } from '../src/report/conformance.ts';
import { catalogue } from '../src/spec/catalogue.ts';
import { todayIn } from '../src/spec/evaluate.ts';
import { alchemyHeaders } from '../src/wire/alchemy-sign.ts';
import { encodeSealed, gepForm } from '../src/wire/gep-envelope.ts';
import { generateTestKeyPair } from '../src/wire/keys.ts';

const dir = mkdtempSync(join(tmpdir(), 'cc-bench-'));
const BIN = 'bin/card-conformance.mjs';

function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('exit', (code) => resolve({ code: code ?? -1, ms: performance.now() - t0 }));
  });
}
const report = (d: string) => JSON.parse(readFileSync(join(d, 'conformance.json'), 'utf8')) as ConformanceReport;

// 1. the full run
const full = join(dir, 'full');
const r1 = await runCli(['run', '--provider', 'all', '--report-dir', full]);
const rep1 = report(full);
console.log(`full run (--provider all, runs ${rep1.runs}): ${(r1.ms / 1000).toFixed(1)} s wall, exit ${r1.code}, verdict ${rep1.verdict}`);
console.log(
  `  ${rep1.summary.cases} generated cases, ${rep1.summary.requests} requests, ${rep1.summary.checks} checks: ${(rep1.summary.cases / (r1.ms / 1000)).toFixed(0)} cases/s over the wall time`,
);

// 2. suite rate vs raw rate on one mock process
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
  const byUrl = join(dir, 'by-url');
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
  const r2 = await runCli(['run', '--provider', 'all', '--base-url', url, '--report-dir', byUrl], clientEnv);
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
        endDate: '2030-01-01',
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
