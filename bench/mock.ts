/**
 * `npm run bench:mock`: Alchemy create and GEP apply throughput of the embedded mock on loopback, 32
 * concurrent connections, the mock in its own process (as `card-conformance mock` runs it) and the
 * load from this one. Requests are signed / sealed before the clock starts, so the figure is the
 * mock's. Prints requests/s and p50/p99 latency; a benchmark, not a test: it asserts nothing.
 */
import { Pool } from 'undici';
import { catalogue } from '../src/spec/catalogue.ts';
import { todayIn } from '../src/spec/evaluate.ts';
import { alchemyCreate, gepApply, type Req, startMockProcess } from './mock-process.ts';

const CONNECTIONS = 32;
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);
const { url, child } = await startMockProcess([]);

const today = todayIn(catalogue().profiles.gep.timeZone, new Date());
const alchemyReq = (i: number): Req => alchemyCreate(`bench-${i}`, 'http://127.0.0.1:9/cb');
const gepReq = (i: number): Req => gepApply(`bench-${i}`, today);

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
