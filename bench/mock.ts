/**
 * `npm run bench:mock`: Alchemy create and GEP apply throughput of the embedded mock on loopback, 32
 * concurrent connections, the mock in its own process (as `card-conformance mock` runs it) and the
 * load from this one. Requests are signed / sealed before the clock starts, so the figure is the
 * mock's. Prints requests/s and p50/p99 latency; a benchmark, not a test: it asserts nothing.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Pool } from 'undici';
import { catalogue } from '../src/spec/catalogue.ts';
import { todayIn } from '../src/spec/evaluate.ts';
import { alchemyHeaders } from '../src/wire/alchemy-sign.ts';
import { encodeSealed, gepForm } from '../src/wire/gep-envelope.ts';
import { generateTestKeyPair } from '../src/wire/keys.ts';

const CONNECTIONS = 32;
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);
const merchant = generateTestKeyPair(1024);
const platform = generateTestKeyPair(1024);
const keys = {
  MOCK_ALCHEMY_ACCESS_KEY: 'bench-ak',
  MOCK_ALCHEMY_SECRET_KEY: randomBytes(24).toString('hex'),
  MOCK_GEP_USER_NO: '1'.repeat(19),
  MOCK_GEP_MERCHANT_PUBLIC_KEY: merchant.publicPem,
  MOCK_GEP_PLATFORM_PRIVATE_KEY: platform.privatePem,
};

const child = spawn(process.execPath, ['bin/card-conformance.mjs', 'mock', '--seed', '1'], {
  env: { ...process.env, ...keys },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise<string>((resolve, reject) => {
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    const m = /listening on (http:\/\/\S+)/.exec(buf);
    if (m) resolve(m[1]!);
  });
  child.once('exit', (code) => reject(new Error(`mock exited with ${code}`)));
});

const today = todayIn(catalogue().profiles.gep.timeZone, new Date());
type Req = { path: string; headers: Record<string, string>; body: string };
function alchemyReq(i: number): Req {
  const path = '/open/api/card/create';
  const body = {
    vid: 'USD',
    deposit: '1000',
    orderNo: `bench-${i}`,
    callbackUrl: 'http://127.0.0.1:9/cb',
    cardHolder: { firstName: 'Milton', lastName: 'Schmitt' },
  };
  const headers = alchemyHeaders({
    accessKey: keys.MOCK_ALCHEMY_ACCESS_KEY,
    secret: keys.MOCK_ALCHEMY_SECRET_KEY,
    email: 'bench@example.test',
    method: 'POST',
    path,
    body,
  }) as unknown as Record<string, string>;
  return { path, headers, body: JSON.stringify(body) };
}
function gepReq(i: number): Req {
  const data = {
    userReqNo: `bench-${i}`,
    localCurrency: 'USD',
    startDate: today,
    endDate: '2030-01-01',
    authLimitAmount: '10',
    enableMultiUse: '1',
    enableCurrencyCheck: '0',
  };
  const body = gepForm({
    certificateId: '2'.repeat(19),
    userNo: keys.MOCK_GEP_USER_NO,
    dataContent: encodeSealed(data, merchant.privateKey),
  });
  return { path: '/api/vas/card/apply', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body };
}

async function load(name: string, make: (i: number) => Req, prebuilt: number) {
  const reqs = Array.from({ length: prebuilt }, (_, i) => make(i));
  const pool = new Pool(url, { connections: CONNECTIONS, pipelining: 1 });
  const lat: number[] = [];
  let next = 0;
  let failures = 0;
  const end = performance.now() + SECONDS * 1000;
  const worker = async () => {
    while (performance.now() < end && next < reqs.length) {
      const r = reqs[next++]!;
      const t = performance.now();
      const res = await pool.request({ method: 'POST', path: r.path, headers: r.headers, body: r.body });
      const text = await res.body.text();
      lat.push(performance.now() - t);
      if (res.statusCode !== 200 || !text.includes('"success":true')) failures++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  const secs = (performance.now() - t0) / 1000;
  await pool.close();
  lat.sort((a, b) => a - b);
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]!.toFixed(2);
  console.log(
    `${name.padEnd(16)} ${(lat.length / secs).toFixed(0).padStart(6)} req/s  p50 ${q(0.5)} ms  p99 ${q(0.99)} ms  (${lat.length} requests, ${failures} not successful, ${CONNECTIONS} connections)`,
  );
  if (lat.length >= reqs.length) console.log(`  note: ran out of ${prebuilt} prebuilt requests before ${SECONDS} s; raise the count`);
}

try {
  console.log(`mock at ${url}, ${SECONDS} s per operation`);
  await load('alchemy create', alchemyReq, 60_000);
  await load('gep apply', gepReq, 12_000);
} finally {
  child.kill('SIGTERM');
}
