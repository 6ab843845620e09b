/**
 * `npm run bench:soak [-- --minutes M --rate R --max-orders N]`: the mock as a long-running service. Starts
 * `card-conformance mock` (real time, its own process, admin on) and drives a fixed rate of freshly signed
 * Alchemy creates and sealed GEP applies at it on 127.0.0.1 (half the creates with callbacks to a live
 * receiver in this process, half to a closed loopback port), then prints per minute: throughput, p50/p99
 * latency, the mock's RSS and heap, its event-loop delay and CPU, orders held, evictions, 503s and
 * callbacks delivered/dropped. After the load: the callbacks still due, the mock's CPU in 5-second
 * windows for a minute, and single requests' latency. A benchmark, not a test: it prints figures and
 * asserts nothing; the closing lines compare them with issue 16's marks. Bounded: loopback only, at most
 * `--minutes` of load at `--rate`, and it stops by itself. Default 2 minutes at 2,000 requests/s; a
 * 10-minute soak is `npm run bench:soak -- --minutes 10`.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { catalogue } from '../src/spec/catalogue.ts';
import { todayIn } from '../src/spec/evaluate.ts';
import { alchemyCreate, gepApply, type Req, startMockProcess } from './mock-process.ts';

const DEFAULTS = { minutes: 2, rate: 2000 } as const;
const LIMITS = { minutes: 60, rate: 20_000 } as const;
const CONNECTIONS = 32;
/** Requests in flight at most; beyond it the generator skips (counted): the load stays bounded if the mock stalls. */
const MAX_OUTSTANDING = 2_000;

function options() {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      options: { minutes: { type: 'string' }, rate: { type: 'string' }, 'max-orders': { type: 'string' } },
      strict: true,
    }));
  } catch (err) {
    return fail(`${(err as Error).message.split('\n')[0]}`);
  }
  const num = (name: string, v: string | undefined, fallback: number, max: number, whole: boolean) => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0 || n > max || (whole && !Number.isInteger(n)))
      return fail(`--${name} must be a ${whole ? 'whole ' : ''}number above 0 and at most ${max} (got "${v}")`);
    return n;
  };
  return {
    minutes: num('minutes', values['minutes'], DEFAULTS.minutes, LIMITS.minutes, false),
    rate: num('rate', values['rate'], DEFAULTS.rate, LIMITS.rate, true),
    maxOrders: values['max-orders'] === undefined ? undefined : num('max-orders', values['max-orders'], 1, 10_000_000, true),
  };
}
function fail(message: string): never {
  console.error(`bench:soak: ${message}`);
  process.exit(2);
}

const opts = options();
const cat = catalogue();
const ACK = String(cat.profiles.alchemy.wire['callbackAck']);

// ── the mock, in its own process ──
const mockArgs = ['--admin', '--status-interval', '60'];
if (opts.maxOrders !== undefined) mockArgs.push('--max-orders', String(opts.maxOrders));
const { url, child } = await startMockProcess(mockArgs, (line) => {
  if (line.startsWith('status: ')) console.log(`  mock ${line}`);
});
const pid = child.pid!;

/** The mock process's resident memory (bytes) and CPU time (seconds), from /proc. */
function procOf(): { rss: number; cpu: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14 and 15 of the line)
  return { rss, cpu: ticks / 100 }; // USER_HZ is 100 on Linux
}

// ── the callback receiver, and a closed port ──
const received = new Set<string>();
let receivedTotal = 0;
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    receivedTotal++;
    const m = /"orderNo":"([^"]+)"/.exec(Buffer.concat(chunks).toString('utf8'));
    if (m) received.add(m[1]!);
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(ACK);
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const liveUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/cb`;
const deadPort = await new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address() as AddressInfo;
    s.close(() => resolve(port));
  });
});
const deadUrl = `http://127.0.0.1:${deadPort}/cb`;

// ── the requests, made as they are sent ──
const run = Date.now().toString(36);
let today = todayIn(cat.profiles.gep.timeZone, new Date());
const todayTimer = setInterval(() => (today = todayIn(cat.profiles.gep.timeZone, new Date())), 1000);
/** A request, and the order number whose callback must reach the live receiver. */
type SoakReq = Req & { live?: string };
function alchemyReq(i: number): SoakReq {
  const live = i % 4 === 0; // every other create (i is even for Alchemy)
  const orderNo = `soak-${run}-${i}`;
  return { ...alchemyCreate(orderNo, live ? liveUrl : deadUrl), ...(live ? { live: orderNo } : {}) };
}
const gepReq = (i: number): Req => gepApply(`soak-${run}-${i}`, today);

// ── per-window counters ──
interface Window {
  latencies: number[];
  ok: number;
  refused503: number;
  other: number;
  errors: Map<string, number>;
  skipped: number;
}
const newWindow = (): Window => ({ latencies: [], ok: 0, refused503: 0, other: 0, errors: new Map(), skipped: 0 });
let win = newWindow();
const totals = { sent: 0, ok: 0, refused503: 0, other: 0, resets: 0, errors: 0, skipped: 0, liveAccepted: 0 };
const liveAccepted = new Set<string>();

const pool = new Pool(url, { connections: CONNECTIONS, pipelining: 1 });
let outstanding = 0;
async function send(r: SoakReq): Promise<void> {
  outstanding++;
  const t = performance.now();
  try {
    const res = await pool.request({ method: 'POST', path: r.path, headers: r.headers, body: r.body });
    const text = await res.body.text();
    // counted in the window the answer comes in
    const w = win;
    w.latencies.push(performance.now() - t);
    if (res.statusCode === 503) {
      w.refused503++;
      totals.refused503++;
    } else if (res.statusCode === 200 && (text.includes('"success":true') || text.includes('"errorCode":"140001"'))) {
      w.ok++;
      totals.ok++;
      if (r.live) liveAccepted.add(r.live);
    } else {
      w.other++;
      totals.other++;
    }
  } catch (err) {
    const e = err as { code?: string; cause?: { code?: string } };
    const code = e.cause?.code ?? e.code ?? 'error';
    const w = win;
    w.errors.set(code, (w.errors.get(code) ?? 0) + 1);
    totals.errors++;
    if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') totals.resets++;
  } finally {
    outstanding--;
  }
}

const admin = async (path: string, body: unknown = {}) => {
  const res = await pool.request({ method: 'POST', path, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await res.body.json()) as {
    alchemy: { orders: number; evicted: number; refusedAtCapacity: number };
    gep: { orders: number; evicted: number; refusedAtCapacity: number };
    callbacks: { delivered: number; dropped: number; waiting: number; inFlight: number; notSent: number };
    process: { heapUsedBytes: number; eventLoopDelayMs: { p50: number; p99: number; max: number } };
  };
};

const MB = (b: number) => (b / (1024 * 1024)).toFixed(0);
const q = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : Number.NaN;
const rows: { p99: number; rssEnd: number; rssStart: number; rssMax: number }[] = [];

console.log(
  `mock at ${url} (pid ${pid}), real time; ${opts.rate} requests/s for ${opts.minutes} min, half Alchemy creates (half of those with`,
);
console.log(
  `callbacks to a live receiver, half to the closed port ${deadPort}), half GEP applies; ${CONNECTIONS} connections; load ${loadavg()}`,
);
console.log(
  'min   req/s   ok      503  other  errors  p50 ms  p99 ms  rss MB (max)  heap MB  loop p99/max ms  mock cpu  bench cpu  held a/g       evicted a/g      cb delivered/dropped/waiting',
);

function loadavg(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

// ── the load ──
const totalMs = opts.minutes * 60_000;
const t0 = performance.now();
let sent = 0;
let minute = 0;
let windowStart = t0;
let proc0 = procOf();
let rssStart = proc0.rss;
let rssMax = proc0.rss;
let benchCpu0 = process.cpuUsage();
const rssTimer = setInterval(() => {
  rssMax = Math.max(rssMax, procOf().rss);
}, 1000);

async function closeWindow(now: number): Promise<void> {
  const w = win;
  win = newWindow();
  const secs = (now - windowStart) / 1000;
  windowStart = now;
  minute++;
  const s = await admin('/__mock/stats', { resetLoopDelay: true });
  const p = procOf();
  rssMax = Math.max(rssMax, p.rss);
  const bench = process.cpuUsage(benchCpu0);
  benchCpu0 = process.cpuUsage();
  const lat = w.latencies.sort((a, b) => a - b);
  const errors = [...w.errors].map(([k, v]) => `${k}:${v}`).join(',') || '0';
  const mockCpu = ((p.cpu - proc0.cpu) / secs) * 100;
  proc0 = p;
  rows.push({ p99: q(lat, 0.99), rssEnd: p.rss, rssStart, rssMax });
  console.log(
    [
      String(minute).padEnd(4),
      (lat.length / secs).toFixed(0).padStart(6),
      String(w.ok).padStart(7),
      String(w.refused503).padStart(6),
      String(w.other).padStart(5),
      errors.padStart(7),
      q(lat, 0.5).toFixed(2).padStart(7),
      q(lat, 0.99).toFixed(2).padStart(7),
      `${MB(p.rss)} (${MB(rssMax)})`.padStart(13),
      MB(s.process.heapUsedBytes).padStart(8),
      `${s.process.eventLoopDelayMs.p99}/${s.process.eventLoopDelayMs.max}`.padStart(16),
      `${mockCpu.toFixed(0)}%`.padStart(9),
      `${(((bench.user + bench.system) / 1e6 / secs) * 100).toFixed(0)}%`.padStart(10),
      `${s.alchemy.orders}/${s.gep.orders}`.padStart(13),
      `${s.alchemy.evicted}/${s.gep.evicted}`.padStart(16),
      `  ${s.callbacks.delivered}/${s.callbacks.dropped}/${s.callbacks.waiting}`,
    ].join(' ') + (w.skipped ? `  (${w.skipped} not sent: ${MAX_OUTSTANDING} in flight)` : ''),
  );
  rssStart = p.rss;
  rssMax = p.rss;
}

await new Promise<void>((resolve) => {
  const tick = setInterval(() => {
    const now = performance.now();
    const due = Math.min(Math.floor(((now - t0) * opts.rate) / 1000), Math.floor((totalMs * opts.rate) / 1000));
    while (sent < due) {
      const i = sent++;
      if (outstanding >= MAX_OUTSTANDING) {
        win.skipped++;
        totals.skipped++;
        continue;
      }
      totals.sent++;
      void send(i % 2 === 0 ? alchemyReq(i) : gepReq(i));
    }
    if (now - t0 >= totalMs) {
      clearInterval(tick);
      resolve();
    } else if (now - windowStart >= 60_000) void closeWindow(now);
  }, 2);
});
// the last window takes the answers still out (a bounded wait)
for (const limit = performance.now() + 10_000; outstanding > 0 && performance.now() < limit; )
  await new Promise((resolve) => setTimeout(resolve, 5));
await closeWindow(performance.now());
const loadEnd = performance.now();

// ── after the load: callbacks still due, CPU back to idle, single requests ──
const procEnd = procOf();
let cpuPrev = procEnd.cpu;
const idle: string[] = [];
let idleAfter: number | undefined;
const expectedLive = liveAccepted.size;
for (let s = 5; s <= 60; s += 5) {
  await new Promise((resolve) => setTimeout(resolve, 5000));
  const p = procOf();
  const cpu = ((p.cpu - cpuPrev) / 5) * 100;
  cpuPrev = p.cpu;
  idle.push(`${s}s ${cpu.toFixed(0)}%`);
  if (cpu < 2 && idleAfter === undefined) idleAfter = s;
}
const after = await admin('/__mock/stats', { resetLoopDelay: true });
const single: number[] = [];
for (let i = 0; i < 5; i++) {
  const r = alchemyReq(1_000_000_000 + 2 * i);
  const one = new Pool(url, { connections: 1 });
  const t = performance.now();
  const res = await one.request({ method: 'POST', path: r.path, headers: r.headers, body: r.body });
  await res.body.text();
  single.push(performance.now() - t);
  await one.close();
}
const missing = [...liveAccepted].filter((o) => !received.has(o)).length;

console.log('');
console.log(
  `load: ${totals.sent} sent in ${((loadEnd - t0) / 1000).toFixed(0)} s, ${totals.ok} accepted, ${totals.refused503} × 503, ${totals.other} other answers, ${totals.errors} errors (${totals.resets} connection resets), ${totals.skipped} not sent (generator bound)`,
);
console.log(
  `callbacks: live receiver got ${received.size} of the ${expectedLive} accepted creates' callbacks (${receivedTotal} posts, ${missing} missing); mock: ${after.callbacks.delivered} delivered, ${after.callbacks.dropped} dropped, ${after.callbacks.notSent} not sent, ${after.callbacks.waiting} waiting`,
);
console.log(`mock CPU after the load (5-s windows): ${idle.join(', ')}; idle (<2%) after ${idleAfter ?? '>60'} s`);
console.log(`single requests after the load: ${single.map((x) => x.toFixed(1)).join(', ')} ms (new connection each)`);
const last = rows.at(-1)!;
const growth = ((last.rssEnd - last.rssStart) / last.rssStart) * 100;
const worstP99 = Math.max(...rows.map((r) => r.p99));
const maxRss = Math.max(...rows.map((r) => r.rssMax));
console.log('');
console.log('against issue 16 (figures, not assertions):');
console.log(`  p99 under 50 ms every minute: worst ${worstP99.toFixed(2)} ms → ${worstP99 < 50 ? 'met' : 'NOT met'}`);
console.log(`  RSS under 400 MB throughout: max ${MB(maxRss)} MB → ${maxRss < 400 * 1024 * 1024 ? 'met' : 'NOT met'}`);
console.log(`  RSS growth over the last minute under 20%: ${growth.toFixed(1)}% → ${growth < 20 ? 'met' : 'NOT met'}`);
console.log(`  zero connection resets: ${totals.resets} → ${totals.resets === 0 ? 'met' : 'NOT met'}`);
console.log(`  every live-receiver callback delivered: ${missing} missing → ${missing === 0 ? 'met' : 'NOT met'}`);
console.log(`  CPU idle within a minute of the load's end: ${idleAfter !== undefined ? 'met' : 'NOT met'}`);
console.log(`  load average now: ${loadavg()} (the machine is shared: figures move with it)`);

clearInterval(rssTimer);
clearInterval(todayTimer);
await pool.close();
receiver.closeAllConnections();
receiver.close();
child.kill('SIGTERM');
