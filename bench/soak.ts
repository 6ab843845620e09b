/**
 * `npm run bench:soak [-- --minutes M --rate R --warmup S --max-orders N --trace]`: the mock as a
 * long-running service. Starts `card-conformance mock` (real time, its own process, admin on) and drives
 * a fixed rate of freshly signed Alchemy creates and sealed GEP applies at it on 127.0.0.1 (half the
 * creates with callbacks to a live receiver in this process, half to a closed loopback port), then prints
 * per minute: throughput, p50/p99 latency, the mock's RSS and heap, its event-loop delay and CPU, this
 * process's CPU and event-loop delay, orders held, evictions, 503s and callbacks delivered/dropped.
 * After the load: the callbacks still due, the mock's CPU in 5-second windows for a minute, and single
 * requests' latency. A benchmark, not a test: it prints figures and asserts nothing; the closing lines
 * compare them with issue 16's marks.
 *
 * The requests are made (signed, sealed: RSA is the costly part) on a worker thread a second ahead of
 * their time (soak-generator.ts), so the thread that sends them and times the answers does not stall on
 * making the next ones. The load starts with a warm-up (`--warmup`, default 10 s, 0 for none): a ramp from
 * a tenth of the rate to the full rate, printed on its own row (`warm`) before minute 1 and not counted
 * in the minutes. `--trace` adds a line every 5 seconds. Bounded: loopback only, at most `--minutes` of
 * load at `--rate`, and it stops by itself. Default 2 minutes at 2,000 requests/s; a 10-minute soak is
 * `npm run bench:soak -- --minutes 10`.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { Pool } from 'undici';
import { catalogue } from '../src/spec/catalogue.ts';
import { alchemyCreate, benchKeys, startMockProcess } from './mock-process.ts';
import type { GeneratorData, SoakReq } from './soak-generator.ts';

const DEFAULTS = { minutes: 2, rate: 2000, warmup: 10 } as const;
const LIMITS = { minutes: 60, rate: 20_000, warmup: 120 } as const;
const CONNECTIONS = 32;
/** Requests in flight at most; beyond it the generator skips (counted): the load stays bounded if the mock stalls. */
const MAX_OUTSTANDING = 2_000;

function options() {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        minutes: { type: 'string' },
        rate: { type: 'string' },
        'max-orders': { type: 'string' },
        warmup: { type: 'string' },
        trace: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (err) {
    return fail(`${(err as Error).message.split('\n')[0]}`);
  }
  const num = (name: string, v: string | boolean | undefined, fallback: number, max: number, whole: boolean) => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0 || n > max || (whole && !Number.isInteger(n)))
      return fail(`--${name} must be a ${whole ? 'whole ' : ''}number above 0 and at most ${max} (got "${v}")`);
    return n;
  };
  return {
    minutes: num('minutes', values['minutes'], DEFAULTS.minutes, LIMITS.minutes, false),
    rate: num('rate', values['rate'], DEFAULTS.rate, LIMITS.rate, true),
    trace: values['trace'] === true,
    // 0 allowed: no warm-up
    warmup: values['warmup'] === '0' ? 0 : num('warmup', values['warmup'], DEFAULTS.warmup, LIMITS.warmup, false),
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
// with --trace, the mock's own status line every second (its event-loop delay, orders, callbacks)
const mockArgs = ['--admin', '--status-interval', opts.trace ? '1' : '60'];
if (opts.maxOrders !== undefined) mockArgs.push('--max-orders', String(opts.maxOrders));
const { url, child } = await startMockProcess(mockArgs, (line) => {
  if (line.startsWith('status: ') || (opts.trace && line.startsWith('['))) console.log(`  mock ${line}`);
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

// ── the requests: made on a thread of their own a second ahead (soak-generator.ts), sent from this one ──
const generator = new Worker(new URL('./soak-generator.mjs', import.meta.url), {
  workerData: { liveUrl, deadUrl, keys: benchKeys() } satisfies GeneratorData,
});
/** Made and not yet sent, in order from `readyAt` (the generator answers in the order it was asked); `asked`: requests asked for so far. */
let ready: SoakReq[] = [];
let readyAt = 0;
let asked = 0;
const BATCH = Math.max(1, Math.round(opts.rate / 20));
generator.on('message', (batch: SoakReq[]) => {
  ready = readyAt > 1024 ? [...ready.slice(readyAt), ...batch] : ready.concat(batch);
  if (readyAt > 1024) readyAt = 0;
});
generator.on('error', (err) => fail(`the request generator failed: ${err.message}`));
/** Keeps a second's worth of requests asked for beyond `sentSoFar`. */
const askAhead = (sentSoFar: number) => {
  while (asked < sentSoFar + opts.rate) {
    generator.postMessage({ from: asked, to: asked + BATCH });
    asked += BATCH;
  }
};
const takeReady = (): SoakReq | undefined => (readyAt < ready.length ? ready[readyAt++] : undefined);
/** A create made on this thread (the single requests after the load). */
function alchemyReq(i: number): SoakReq {
  return alchemyCreate(`soak-${i}`, deadUrl);
}

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
const totals = { generatorBehind: 0, sent: 0, ok: 0, refused503: 0, other: 0, resets: 0, errors: 0, skipped: 0 };
const liveAccepted = new Set<string>();

/**
 * `--trace`: a line every 5 seconds (latency, both processes' CPU, the generator's own event-loop delay),
 * to see where in a minute its p99 was made.
 */
const trace = { latencies: [] as number[], loop: monitorEventLoopDelay({ resolution: 5 }) };
function startTrace(t0: number): void {
  trace.loop.enable();
  let mockCpu = procOf().cpu;
  let benchCpu = process.cpuUsage();
  setInterval(() => {
    const lat = trace.latencies.sort((x, y) => x - y);
    trace.latencies = [];
    const c = procOf().cpu;
    const b = process.cpuUsage(benchCpu);
    benchCpu = process.cpuUsage();
    console.log(
      `  trace ${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s: ${lat.length} answers, p50 ${q(lat, 0.5).toFixed(1)} p99 ${q(lat, 0.99).toFixed(1)} max ${(lat.at(-1) ?? Number.NaN).toFixed(1)} ms; mock cpu ${(((c - mockCpu) / 5) * 100).toFixed(0)}%, bench cpu ${((b.user + b.system) / 5e4).toFixed(0)}%, bench loop max ${(trace.loop.max / 1e6).toFixed(0)} ms`,
    );
    mockCpu = c;
    trace.loop.reset();
  }, 5000).unref();
}

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
    if (opts.trace) trace.latencies.push(performance.now() - t);
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
    process: {
      heapUsedBytes: number;
      heapTotalBytes: number;
      externalBytes: number;
      eventLoopDelayMs: { p50: number; p99: number; max: number };
    };
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
  'min   req/s   ok      503  other  errors  p50 ms  p99 ms  rss MB (max)  heap used/held/ext MB  loop p99/max ms  mock cpu  bench cpu  bench loop  held a/g       evicted a/g      cb delivered/dropped/waiting',
);

function loadavg(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

// ── the load ──
askAhead(0);
while (ready.length < Math.min(opts.rate, 2000)) await new Promise((resolve) => setTimeout(resolve, 20));
const totalMs = opts.minutes * 60_000;
const t0 = performance.now();
if (opts.trace) startTrace(t0);
let sent = 0;
let minute = 0;
let windowStart = t0;
let proc0 = procOf();
let rssStart = proc0.rss;
let rssMax = proc0.rss;
let benchCpu0 = process.cpuUsage();
/** The load generator's own event-loop delay: a stalled generator inflates the latencies it measures. */
const benchLoop = monitorEventLoopDelay({ resolution: 10 });
benchLoop.enable();
const rssTimer = setInterval(() => {
  rssMax = Math.max(rssMax, procOf().rss);
}, 1000);

async function closeWindow(now: number, warmUp = false): Promise<void> {
  const w = win;
  win = newWindow();
  const secs = (now - windowStart) / 1000;
  windowStart = now;
  if (!warmUp) minute++;
  const s = await admin('/__mock/stats', { resetLoopDelay: true });
  const p = procOf();
  rssMax = Math.max(rssMax, p.rss);
  const bench = process.cpuUsage(benchCpu0);
  benchCpu0 = process.cpuUsage();
  const lat = w.latencies.sort((a, b) => a - b);
  const errors = [...w.errors].map(([k, v]) => `${k}:${v}`).join(',') || '0';
  const mockCpu = ((p.cpu - proc0.cpu) / secs) * 100;
  proc0 = p;
  if (!warmUp) rows.push({ p99: q(lat, 0.99), rssEnd: p.rss, rssStart, rssMax });
  console.log(
    [
      (warmUp ? 'warm' : String(minute)).padEnd(4),
      (lat.length / secs).toFixed(0).padStart(6),
      String(w.ok).padStart(7),
      String(w.refused503).padStart(6),
      String(w.other).padStart(5),
      errors.padStart(7),
      q(lat, 0.5).toFixed(2).padStart(7),
      q(lat, 0.99).toFixed(2).padStart(7),
      `${MB(p.rss)} (${MB(rssMax)})`.padStart(13),
      `${MB(s.process.heapUsedBytes)}/${MB(s.process.heapTotalBytes)}/${MB(s.process.externalBytes)}`.padStart(20),
      `${s.process.eventLoopDelayMs.p99}/${s.process.eventLoopDelayMs.max}`.padStart(16),
      `${mockCpu.toFixed(0)}%`.padStart(9),
      `${(((bench.user + bench.system) / 1e6 / secs) * 100).toFixed(0)}%`.padStart(10),
      `${(benchLoop.percentile(99) / 1e6).toFixed(0)}/${(benchLoop.max / 1e6).toFixed(0)}`.padStart(10),
      `${s.alchemy.orders}/${s.gep.orders}`.padStart(13),
      `${s.alchemy.evicted}/${s.gep.evicted}`.padStart(16),
      `  ${s.callbacks.delivered}/${s.callbacks.dropped}/${s.callbacks.waiting}`,
    ].join(' ') + (w.skipped ? `  (${w.skipped} not sent: ${MAX_OUTSTANDING} in flight)` : ''),
  );
  rssStart = p.rss;
  rssMax = p.rss;
  benchLoop.reset();
}

/**
 * Requests due by `ms` after the start: a linear ramp from a tenth of the rate to the full rate over the
 * warm-up (its figures are printed on their own row, before minute 1), then the full rate.
 */
const warmMs = opts.warmup * 1000;
const dueBy = (ms: number): number => {
  const r = opts.rate / 1000;
  if (ms < warmMs) return Math.floor(r * (0.1 * ms + (0.45 * ms * ms) / warmMs));
  return Math.floor(r * (0.55 * warmMs + Math.min(ms - warmMs, totalMs)));
};
let warming = warmMs > 0;
await new Promise<void>((resolve) => {
  const tick = setInterval(() => {
    const now = performance.now();
    const due = dueBy(now - t0);
    askAhead(sent);
    while (sent < due) {
      const r = takeReady();
      // the generator is behind: the rest go out at the next tick (counted)
      if (r === undefined) {
        totals.generatorBehind++;
        break;
      }
      sent++;
      if (outstanding >= MAX_OUTSTANDING) {
        win.skipped++;
        totals.skipped++;
        continue;
      }
      totals.sent++;
      void send(r);
    }
    if (warming && now - t0 >= warmMs) {
      warming = false;
      void closeWindow(now, true);
    } else if (now - t0 >= warmMs + totalMs) {
      clearInterval(tick);
      resolve();
    } else if (!warming && now - windowStart >= 60_000) void closeWindow(now);
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
  `load: ${totals.sent} sent in ${((loadEnd - t0) / 1000).toFixed(0)} s, ${totals.ok} accepted, ${totals.refused503} × 503, ${totals.other} other answers, ${totals.errors} errors (${totals.resets} connection resets), ${totals.skipped} not sent (${MAX_OUTSTANDING} in flight), ${totals.generatorBehind} ticks with the request maker behind`,
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
await generator.terminate();
await pool.close();
receiver.closeAllConnections();
receiver.close();
child.kill('SIGTERM');
