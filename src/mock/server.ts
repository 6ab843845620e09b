/**
 * The embedded reference provider: both simulators on one node:http server (no framework: the mock is
 * a handful of routes, and node:http is the fastest and has nothing to keep up to date). Bodies are
 * read with a hard limit (413 beyond it, the rest drained unread), every failure is the provider's own envelope,
 * nothing on the wire is a stack trace. `/__mock/*` is the admin surface for tests and the pact
 * verifier, off unless enabled.
 *
 * Built to run for hours: each provider holds at most `maxOrders` order details (the oldest settled ones
 * are evicted first, a 503 when none is settled), callbacks go through one bounded queue, and nothing is
 * scheduled per card. `stats()` (and `/__mock/stats`) count what a long run needs to watch.
 */

import type { KeyObject } from 'node:crypto';
import { randomBytes, randomInt } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { type Catalogue, catalogue as shipped } from '../spec/catalogue.ts';
import type { SchemaMode } from '../spec/registry.ts';
import { generateTestKeyPairAsync } from '../wire/keys.ts';
import { type AlchemyKeys, createAlchemy } from './alchemy.ts';
import type { CallbackStats } from './callbacks.ts';
import { type Answer, isLoopback, json, type MockContext, type Reply } from './context.ts';
import { resolveDeviations } from './deviations.ts';
import { type FaultName, faultPlan, resolveFaults } from './faults.ts';
import { createGep, DEFAULT_OUTCOMES, type GepKeys, type GepOutcome, type OutcomeMix } from './gep.ts';
import type { LeewayName } from './leeway.ts';
import { createRng } from './rng.ts';
import { threadSealer } from './sealer.ts';
import type { StoreStats } from './store.ts';

export interface MockKeys {
  alchemy: AlchemyKeys;
  gep: GepKeys & { certificateId: string };
}

/** The client side of the generated keys: what a client needs to talk to this mock. */
export interface MockClientSide {
  alchemy: { accessKey: string; secretKey: string; email: string };
  /** Only when the mock generated the GEP keys (no MOCK_GEP_* given). */
  gep?: {
    userNo: string;
    certificateId: string;
    merchantPrivateKey: KeyObject;
    platformPublicKey: KeyObject;
    merchantPrivatePem: string;
    platformPublicPem: string;
  };
}

export interface MockOptions {
  port?: number;
  host?: string;
  deviations?: readonly string[];
  /** Provider time per real time: 1 is real time; 0.001 runs a "1 to 5 minutes" wait in 60–300 ms. */
  timeScale?: number;
  seed?: number;
  admin?: boolean;
  maxBodyBytes?: number;
  /** Order details each provider holds at most; the oldest settled are evicted first (default MOCK_DEFAULTS.maxOrders). */
  maxOrders?: number;
  outcomes?: OutcomeMix;
  /** Keys from the environment (MOCK_*); generated when absent. */
  keys?: Partial<{ alchemy: AlchemyKeys; gep: Partial<GepKeys> & { certificateId?: string } }>;
  /** Let callbacks go to non-loopback hosts (never in tests). */
  allowRemoteCallbacks?: boolean;
  now?: () => number;
  /** Faults put on the wire (`mock --fault NAME`): rate limits, resets, slow or broken answers. */
  faults?: readonly FaultName[];
  /** The face of the answers: strict writes each field as its table types it, lenient as the examples do (default). */
  schemaMode?: SchemaMode;
  /** Read the documents' open points otherwise than the faithful mock (leeway.ts): a second, conformant provider. */
  leeway?: readonly LeewayName[];
  catalogue?: Catalogue;
  /**
   * Seal GEP's results on a worker thread (`sealer.ts`): the RSA leaves the thread that answers. For a
   * mock that serves for long under load (`card-conformance mock`); off by default.
   */
  sealThread?: boolean;
}

export interface RunningMock {
  url: string;
  port: number;
  /** The client's half of the keys (GEP's only when the mock generated them). */
  client: MockClientSide;
  deviations: readonly string[];
  /**
   * Live counters: orders held, evicted, refused at capacity; callbacks; memory and event-loop delay. The
   * delay is measured per reader (`status`: the CLI's status line, `admin`: /__mock/stats), each window
   * running from that reader's last reset, so two readers never cut each other's windows short.
   */
  stats(opts?: { reader?: LoopDelayReader; resetLoopDelay?: boolean }): MockStats;
  close(): Promise<void>;
  admin: { alchemy: ReturnType<typeof createAlchemy>['admin']; gep: ReturnType<typeof createGep>['admin'] };
}

/**
 * What the mock does when not told otherwise: any free port, real time, seed 1, a 1 MiB body limit,
 * 50,000 order details per provider (about 0.85 KB each, ~42 MB per provider; in real time an order
 * settles within 5 minutes, so that is room for a sustained ~160 new orders/s per provider before a 503).
 */
export const MOCK_DEFAULTS = {
  port: 0,
  timeScale: 1,
  seed: 1,
  maxBodyBytes: 1024 * 1024,
  maxOrders: 50_000,
  schemaMode: 'lenient',
} as const;

export type LoopDelayReader = 'status' | 'admin';

export interface MockStats {
  maxOrders: number;
  /** Provider requests received, per provider (by path; the admin surface not counted): what a run really sent. */
  requests: { alchemy: number; gep: number };
  alchemy: StoreStats;
  gep: StoreStats;
  callbacks: CallbackStats;
  process: {
    rssBytes: number;
    heapUsedBytes: number;
    /** The JavaScript heap's memory as held from the system (used or not), and the memory outside it (buffers). */
    heapTotalBytes: number;
    externalBytes: number;
    eventLoopDelayMs: { p50: number; p99: number; max: number };
    /** Where GEP's results are sealed: on the worker thread (`sealThread`), or in line on the main thread. */
    sealing: 'thread' | 'inline';
  };
}

const mb = (bytes: number) => `${Math.round(bytes / (1024 * 1024))} MB`;

/** The periodic status line of a long-running mock: counters only (no order number, key or card data). */
export function statusLine(s: MockStats): string {
  const store = (name: string, p: StoreStats) =>
    `${name} ${p.orders}/${s.maxOrders} orders held, ${p.evicted} evicted, ${p.refusedAtCapacity} refused at capacity (503)`;
  const c = s.callbacks;
  const d = s.process.eventLoopDelayMs;
  return [
    store('alchemy', s.alchemy),
    store('gep', s.gep),
    `callbacks ${c.delivered} delivered, ${c.dropped} dropped, ${c.notSent} not sent, ${c.waiting} waiting, ${c.inFlight} in flight`,
    `rss ${mb(s.process.rssBytes)}, heap ${mb(s.process.heapUsedBytes)}, event-loop delay p99 ${d.p99} ms, max ${d.max} ms`,
  ].join('; ');
}
/** How much of an oversize body is read and discarded before the mock gives up on the connection. */
export const DRAIN_BYTES = 64 * 1024 * 1024;

const digits = (n: number) => Array.from({ length: n }, () => String(randomInt(10))).join('');

export async function startMock(opts: MockOptions = {}): Promise<RunningMock> {
  const cat = opts.catalogue ?? shipped();
  const deviations = resolveDeviations(opts.deviations ?? []);
  let baseUrl = '';
  const faults = faultPlan(resolveFaults(opts.faults ?? []));
  const ctx: MockContext = {
    cat,
    deviations,
    rng: createRng(opts.seed ?? MOCK_DEFAULTS.seed),
    now: opts.now ?? Date.now,
    epoch: (opts.now ?? Date.now)(),
    msPerSecond: 1000 * (opts.timeScale ?? MOCK_DEFAULTS.timeScale),
    baseUrl: () => baseUrl,
    callbackAllowed: (u) => opts.allowRemoteCallbacks === true || isLoopback(u),
    maxOrders: opts.maxOrders ?? MOCK_DEFAULTS.maxOrders,
    schemaMode: opts.schemaMode ?? MOCK_DEFAULTS.schemaMode,
    wrongKey: faults.wrongKey,
    leeway: new Set(opts.leeway ?? []),
  };
  const alchemyKeys: AlchemyKeys = opts.keys?.alchemy ?? {
    accessKey: `mock-ak-${randomBytes(6).toString('hex')}`,
    secretKey: randomBytes(24).toString('base64url'),
  };
  const client: MockClientSide = { alchemy: { ...alchemyKeys, email: 'merchant@example.test' } };
  let gepKeys: MockKeys['gep'];
  const g = opts.keys?.gep;
  if (g?.merchantPublicKey && g.platformPrivateKey && g.userNo) {
    gepKeys = {
      userNo: g.userNo,
      certificateId: g.certificateId ?? digits(19),
      merchantPublicKey: g.merchantPublicKey,
      platformPrivateKey: g.platformPrivateKey,
    };
  } else {
    // both pairs at once, off the main thread
    const [merchant, platform] = await Promise.all([generateTestKeyPairAsync(1024), generateTestKeyPairAsync(1024)]);
    gepKeys = {
      userNo: g?.userNo ?? digits(19),
      certificateId: g?.certificateId ?? digits(19),
      merchantPublicKey: merchant.publicKey,
      platformPrivateKey: platform.privateKey,
    };
    client.gep = {
      userNo: gepKeys.userNo,
      certificateId: gepKeys.certificateId,
      merchantPrivateKey: merchant.privateKey,
      platformPublicKey: platform.publicKey,
      merchantPrivatePem: merchant.privatePem,
      platformPublicPem: platform.publicPem,
    };
  }
  const alchemy = createAlchemy(ctx, alchemyKeys);
  const sealer = opts.sealThread ? threadSealer() : undefined;
  const gep = createGep(ctx, gepKeys, opts.outcomes ?? DEFAULT_OUTCOMES, sealer);
  const maxBody = opts.maxBodyBytes ?? MOCK_DEFAULTS.maxBodyBytes;
  // the histogram records the time between ticks of a 10 ms timer: the delay is what exceeds the 10 ms
  const RESOLUTION_MS = 10;
  const loopDelay = {
    status: monitorEventLoopDelay({ resolution: RESOLUTION_MS }),
    admin: monitorEventLoopDelay({ resolution: RESOLUTION_MS }),
  };
  loopDelay.status.enable();
  loopDelay.admin.enable();
  const ms = (ns: number) => Math.max(0, Math.round((ns / 1e6 - RESOLUTION_MS) * 10) / 10);
  const received = { alchemy: 0, gep: 0 };
  const stats = (o: { reader?: LoopDelayReader; resetLoopDelay?: boolean } = {}): MockStats => {
    const h = loopDelay[o.reader ?? 'admin'];
    const { callbacks, ...alchemyStore } = alchemy.admin.stats();
    const mem = process.memoryUsage();
    const s: MockStats = {
      maxOrders: ctx.maxOrders,
      requests: { ...received },
      alchemy: alchemyStore,
      gep: gep.admin.stats(),
      callbacks,
      process: {
        rssBytes: mem.rss,
        heapUsedBytes: mem.heapUsed,
        heapTotalBytes: mem.heapTotal,
        externalBytes: mem.external,
        eventLoopDelayMs: { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) },
        sealing: sealer?.threaded ? 'thread' : 'inline',
      },
    };
    if (o.resetLoopDelay) h.reset();
    return s;
  };

  const adminRoute = (path: string, body: Record<string, unknown>): Reply => {
    switch (path) {
      case '/__mock/reset':
        alchemy.admin.reset();
        gep.admin.reset();
        return json({ ok: true });
      case '/__mock/state':
        return json({
          alchemy: alchemy.admin.state(),
          gep: gep.admin.state(),
          deviations: deviations.map((d) => d.name),
          service: stats(),
        });
      case '/__mock/stats':
        // counters only, cheap under load; `{ "resetLoopDelay": true }` starts a new event-loop delay window
        return json(stats({ resetLoopDelay: body['resetLoopDelay'] === true }));
      case '/__mock/gep/balance':
        gep.admin.setBalance(String(body['currency']), String(body['amount']));
        return json({ ok: true });
      case '/__mock/gep/outcome':
        gep.admin.force(String(body['userReqNo']), String(body['outcome']) as GepOutcome);
        return json({ ok: true });
      case '/__mock/alchemy/order':
        alchemy.admin.useOrder(String(body['orderNo']));
        return json({ ok: true });
      case '/__mock/alchemy/card':
        return json({ ok: true, cardId: alchemy.admin.openCard(String(body['orderNo'] ?? '')) });
      default:
        return json({ error: 'no such admin route' }, 404);
    }
  };

  const route = (req: IncomingMessage, raw: string): Answer => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path.startsWith('/__mock/')) {
      if (!opts.admin) return json({ error: 'the admin surface is off' }, 404);
      let body: Record<string, unknown> = {};
      try {
        body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      } catch {
        return json({ error: 'admin body is not JSON' }, 400);
      }
      return adminRoute(path, body);
    }
    if (req.method !== 'POST') return json({ error: 'method not allowed' }, 405);
    if (path in alchemy.paths) return alchemy.handle(path, req.method, req.headers, raw);
    if (path in gep.paths) return gep.handle(path, req.headers, raw);
    return json({ error: 'not found' }, 404);
  };

  const send = (res: ServerResponse, r: Reply) => {
    res.writeHead(r.status, { ...(r.headers ?? {}), 'content-length': Buffer.byteLength(r.body) });
    res.end(r.body);
  };

  /**
   * A body over the limit: the rest is read and thrown away (never stored) and then answered 413 with a
   * one-line JSON message and `Connection: close`, so the client has finished writing when the answer
   * comes and reads it instead of a broken pipe; node closes the connection once the answer is flushed.
   * Past `DRAIN_BYTES` of discarded body the mock stops listening: it answers at once and destroys the
   * socket after the answer is flushed.
   */
  const tooLarge = (req: IncomingMessage, res: ServerResponse, destroy: boolean) => {
    res.setHeader('connection', 'close');
    if (destroy) res.once('finish', () => req.socket.destroy());
    send(res, json({ error: `request body over ${maxBody} bytes` }, 413));
  };

  let providerRequests = 0;
  const server: Server = createServer((req, res) => {
    // Never a stack trace on the wire: the provider's generic failure instead (unless the client has gone).
    const internalError = () => {
      if (!res.headersSent && !res.destroyed) send(res, json({ error: 'internal error' }, 500));
    };
    const isProvider = !(req.url ?? '/').startsWith('/__mock/');
    const n = isProvider ? providerRequests++ : -1;
    const reqPath = (req.url ?? '/').split('?')[0]!;
    if (reqPath in alchemy.paths) received.alchemy++;
    else if (reqPath in gep.paths) received.gep++;
    const chunks: Buffer[] = [];
    let size = 0;
    let over = Number(req.headers['content-length'] ?? 0) > maxBody;
    let answered = false;
    req.on('data', (c: Buffer) => {
      if (answered) return;
      size += c.length;
      if (size > maxBody) over = true;
      if (!over) {
        chunks.push(c);
        return;
      }
      chunks.length = 0;
      if (size > maxBody + DRAIN_BYTES) {
        answered = true;
        tooLarge(req, res, true);
      }
    });
    req.on('end', () => {
      if (answered) return;
      answered = true;
      if (over) return tooLarge(req, res, false);
      try {
        const raw = Buffer.concat(chunks).toString('utf8');
        // transient faults strike a request once: its retry (the same bytes) goes through
        const strike = isProvider && faults.strikeOnce(`${req.url} ${raw}`);
        if (strike && faults.resetBefore(n)) {
          req.socket.destroy();
          return;
        }
        const replaced = isProvider ? faults.replace(n, strike) : undefined;
        // the provider acts on the request whatever the wire does afterwards (reset-after-commit)
        const answer = replaced ?? route(req, raw);
        const deliver = (reply: Reply) => {
          if (strike && faults.resetAfter(n, /\/(create|apply)$/.test(reqPath))) {
            req.socket.destroy();
            return;
          }
          const out =
            isProvider && faults.truncate && !replaced ? { ...reply, body: reply.body.slice(0, Math.floor(reply.body.length / 2)) } : reply;
          if (isProvider && faults.delayMs > 0) {
            const t = setTimeout(() => send(res, out), faults.delayMs);
            res.on('close', () => clearTimeout(t));
          } else send(res, out);
        };
        if ('then' in answer) answer.then(deliver, internalError);
        else deliver(answer);
      } catch {
        internalError();
      }
    });
    req.on('error', () => res.destroy());
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? MOCK_DEFAULTS.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host ?? '127.0.0.1';
  baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url: baseUrl,
    port,
    client,
    deviations: deviations.map((d) => d.name),
    admin: { alchemy: alchemy.admin, gep: gep.admin },
    stats,
    close: async () => {
      loopDelay.status.disable();
      loopDelay.admin.disable();
      await alchemy.close();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await sealer?.close();
    },
  };
}
