/**
 * Budgets, Retry-After and the preflight, on whole `card-conformance run`s against the mock started as
 * an external server (a "non-mock target": given by --base-url, so the sandbox defaults apply unless
 * switched off). Every request is counted AT THE TARGET by a front server that forwards to the mock:
 * the budget's own count is never the evidence.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_BUDGETS } from '../../src/conformance/budget.ts';
import { type RunningMock, startMock } from '../../src/mock/server.ts';
import type { ConformanceReport } from '../../src/report/conformance.ts';
import { catalogue } from '../../src/spec/catalogue.ts';
import { cli, NO_BUDGETS } from '../helpers/cli.ts';

interface Seen {
  at: number;
  method: string;
  path: string;
  orderNo?: string;
  status: number;
}

interface Front {
  url: string;
  seen: Seen[];
  server: Server;
}

const servers: Server[] = [];
let mock: RunningMock;
let keyDir: string;
const dir = mkdtempSync(join(tmpdir(), 'cc-budgets-'));

beforeAll(async () => {
  mock = await startMock({ timeScale: 0.002, admin: true });
  keyDir = mkdtempSync(join(tmpdir(), 'cc-budget-keys-'));
  writeFileSync(join(keyDir, 'merchant.pem'), mock.client.gep!.merchantPrivatePem);
  writeFileSync(join(keyDir, 'platform.pem'), mock.client.gep!.platformPublicPem);
});
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  await mock?.close();
});

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

/**
 * A front server: forwards every request to the mock and counts it. `once429`: the first Alchemy create
 * is answered 429 with `Retry-After: 1` instead (not forwarded). `dateOffsetMs`: every answer's `Date` is moved.
 */
async function front(opts: { once429?: boolean; dateOffsetMs?: number } = {}): Promise<Front> {
  const seen: Seen[] = [];
  let limited = false;
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = req.url ?? '/';
      let orderNo: string | undefined;
      if (path.endsWith('/card/create')) {
        try {
          orderNo = String((JSON.parse(body.toString('utf8')) as { orderNo?: unknown }).orderNo);
        } catch {
          orderNo = undefined;
        }
      }
      const entry: Seen = { at: Date.now(), method: req.method ?? '', path, status: 0, ...(orderNo ? { orderNo } : {}) };
      seen.push(entry);
      if (opts.once429 && !limited && orderNo) {
        limited = true;
        entry.status = 429;
        res.writeHead(429, { 'retry-after': '1', 'content-type': 'text/plain' }).end('slow down');
        return;
      }
      const up = httpRequest(
        { host: '127.0.0.1', port: new URL(mock.url).port, method: req.method, path, headers: req.headers },
        (answer) => {
          entry.status = answer.statusCode ?? 0;
          const headers = { ...answer.headers };
          if (opts.dateOffsetMs !== undefined) headers['date'] = new Date(Date.now() + opts.dateOffsetMs).toUTCString();
          res.writeHead(answer.statusCode ?? 502, headers);
          answer.pipe(res);
        },
      );
      up.on('error', () => res.writeHead(502).end());
      up.end(body);
    });
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, seen, server };
}

function creds(url: string): Record<string, string> {
  const a = mock.client.alchemy;
  const g = mock.client.gep!;
  return {
    ALCHEMY_BASE_URL: url,
    ALCHEMY_ACCESS_KEY: a.accessKey,
    ALCHEMY_SECRET_KEY: a.secretKey,
    ALCHEMY_EMAIL: a.email,
    GEP_BASE_URL: url,
    GEP_USER_NO: g.userNo,
    GEP_CERTIFICATE_ID: g.certificateId,
    GEP_MERCHANT_PRIVATE_KEY: join(keyDir, 'merchant.pem'),
    GEP_PLATFORM_PUBLIC_KEY: join(keyDir, 'platform.pem'),
    CARD_CONFORMANCE_WAIT: '3s',
    CARD_CONFORMANCE_POLL_MS: '20',
    CARD_CONFORMANCE_WORKERS: '2',
  };
}

async function run(name: string, args: string[], env: Record<string, string>) {
  const out = join(dir, name);
  const r = await cli(['run', '--runs', '2', '--report-dir', out, ...args], env, 240_000);
  let rep: ConformanceReport | undefined;
  try {
    rep = JSON.parse(readFileSync(join(out, 'conformance.json'), 'utf8')) as ConformanceReport;
  } catch {
    rep = undefined;
  }
  return { ...r, rep: rep!, log: `${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}` };
}

async function mockState(): Promise<{
  alchemy: { debitedCents: string };
  gep: { balances: Record<string, string>; defaultBalance: string };
}> {
  const r = await request(`${mock.url}/__mock/state`, { method: 'POST', body: '{}' });
  return (await r.body.json()) as Awaited<ReturnType<typeof mockState>>;
}

const skippedFor = (rep: ConformanceReport, which: string) =>
  // "budget: spend USD" may go on to say what the refused case would have moved
  rep.rules.filter((r) => r.verdict === 'skipped' && (r.reason === `budget: ${which}` || r.reason?.startsWith(`budget: ${which} (`)));

describe('budgets stop a run at their limit, counted at the target', { concurrent: false }, () => {
  it('the request budget: never more than N requests reach the target, Retry-After honoured and counted, the rest skipped "budget: requests"', async () => {
    const f = await front({ once429: true });
    const limit = 40;
    const r = await run('requests', ['--max-requests', String(limit)], {
      ...creds(f.url),
      ...NO_BUDGETS,
      CARD_CONFORMANCE_MAX_REQUESTS: String(limit),
    });
    expect(r.rep, r.log).toBeDefined();
    // counted at the target: never above the budget. The ledger admitted the whole budget (the run had more
    // to send); a request admitted while its test was being cut by a refusal elsewhere may never leave
    expect(f.seen.length, r.log).toBeLessThanOrEqual(limit);
    expect(f.seen.length).toBeGreaterThan(limit / 2);
    expect(r.rep.budgets?.used.requests).toBe(limit);
    expect(r.rep.budgets?.exhausted).toBe('requests');
    expect(r.rep.budgets?.refused).toBeGreaterThan(0);
    // the positive side: the run did test something before the budget ran out (preflight, control, some rules)
    expect(r.rep.preflight?.alchemy?.ok).toBe(true);
    expect(r.rep.positiveControl.alchemy?.ok).toBe(true);
    // the rules: skipped with the budget's name, never error
    expect(skippedFor(r.rep, 'requests').length).toBeGreaterThan(10);
    expect(
      r.rep.rules.filter((x) => x.verdict === 'error'),
      r.log,
    ).toEqual([]);
    expect(r.rep.headline).toMatch(/budget "requests" ran out/);
    // a budget that cuts the run short: the target was not tested whole, exit 3, never a pass
    expect([r.code, r.rep.verdict]).toEqual([3, 'error']);
    expect(r.stdout).toMatch(/budgets: 40\/40 requests.*RAN OUT: requests/);
    // Retry-After: 1 on the first create: the SAME order number was sent again, at least a second later
    const first = f.seen.findIndex((s) => s.status === 429);
    expect(first).toBeGreaterThanOrEqual(0);
    const again = f.seen.find((s, i) => i > first && s.orderNo === f.seen[first]!.orderNo);
    expect(again, 'the limited create was resent with the same order number').toBeDefined();
    expect(again!.at - f.seen[first]!.at).toBeGreaterThanOrEqual(1000);
    expect(again!.status).toBe(200);
    expect(r.rep.budgets?.retryAfter.count).toBe(1);
    expect(r.rep.budgets?.retryAfter.waitedMs).toBeGreaterThanOrEqual(1000);
  });

  it('the spend budget: money debited at the mock never above it, the rest skipped "budget: spend USD"', async () => {
    const f = await front();
    const before = await mockState();
    // under budgets the positive control sends the smallest legal amounts; the full profile's random valid
    // amounts (up to the range's maximum) then pass this limit, so some are refused and others still go
    const limit = 12_000;
    // the full profile (smoke stakes the smallest amounts, and the one class above the range, 5,000.01 USD, fits)
    const r = await run('spend', ['--provider', 'alchemy', '--profile', 'full', '--max-spend', `USD=${limit}`], {
      ...creds(f.url),
      ...NO_BUDGETS,
    });
    expect(r.rep, r.log).toBeDefined();
    const after = await mockState();
    const alchemyUsd = (Number(after.alchemy.debitedCents) - Number(before.alchemy.debitedCents)) / 100;
    const gepBefore = Number(before.gep.balances['USD'] ?? before.gep.defaultBalance);
    const gepUsd = gepBefore - Number(after.gep.balances['USD'] ?? after.gep.defaultBalance);
    // money really moved (the budget admitted valid creates), and never more than the budget
    expect(alchemyUsd + gepUsd, r.log).toBeGreaterThan(0);
    expect(alchemyUsd + gepUsd).toBeLessThanOrEqual(limit);
    expect(r.rep.budgets?.limits.maxSpend).toEqual({ USD: limit });
    expect(r.rep.budgets?.used.spend['USD']).toBeLessThanOrEqual(limit);
    expect(r.rep.budgets?.exhausted).toBe('spend USD');
    expect(skippedFor(r.rep, 'spend USD').length).toBeGreaterThan(0);
    // what the spend budget refused is a planned exclusion, listed: its rule is never a pass, the run names it
    for (const x of skippedFor(r.rep, 'spend USD')) expect(x.excluded, x.id).toBe(true);
    expect(r.rep.exclusions.map((x) => x.id)).toEqual(expect.arrayContaining(skippedFor(r.rep, 'spend USD').map((x) => x.id)));
    expect(r.rep.headline).toMatch(/excluded by plan/);
    // amounts print as amounts, never an exponent
    expect(JSON.stringify(r.rep)).not.toMatch(/\d\.\d+e\+\d+ USD/);
    expect(f.seen.length).toBeLessThanOrEqual(r.rep.budgets!.used.requests);
  });

  it('the wall-time budget: no request reaches the target after it, the rest skipped "budget: time"', async () => {
    const f = await front();
    const r = await run('time', ['--max-time', '4s', '--rate', '20'], { ...creds(f.url), ...NO_BUDGETS });
    expect(r.rep, r.log).toBeDefined();
    expect(r.rep.budgets?.exhausted).toBe('time');
    expect([r.code, r.rep.verdict]).toEqual([3, 'error']);
    expect(f.seen.length).toBeGreaterThan(0);
    // the ledger starts before the first request: every request reached the target within the 4 s
    expect(Math.max(...f.seen.map((s) => s.at)) - Math.min(...f.seen.map((s) => s.at))).toBeLessThan(4000);
    expect(skippedFor(r.rep, 'time').length).toBeGreaterThan(0);
    // the rate: 20/s, one token: n requests span at least (n − 1) / 20 s at the target (less a little network jitter)
    const n = f.seen.length;
    expect(Math.max(...f.seen.map((s) => s.at)) - Math.min(...f.seen.map((s) => s.at))).toBeGreaterThanOrEqual(((n - 1) * 1000) / 20 - 100);
    expect(r.rep.budgets?.limits.rate).toBe(20);
  });

  it('the sandbox defaults apply to a target given by URL, and not to the embedded mock', async () => {
    const f = await front();
    // the full profile's random valid amounts pass the 100 USD default at once: a spend given, the other defaults kept
    const r = await run('defaults', ['--provider', 'alchemy', '--max-requests', '6', '--max-spend', 'USD=1000000'], creds(f.url));
    expect(r.rep, r.log).toBeDefined();
    expect(r.rep.budgets?.limits).toEqual({ ...SANDBOX_BUDGETS, maxRequests: 6, maxSpend: { USD: 1_000_000 } });
    expect(r.rep.budgets?.used.requests).toBe(6);
    // at the target: never above the budget; the preflight and the control's 3 requests at least, 2 per second
    const n = f.seen.length;
    expect(n).toBeLessThanOrEqual(6);
    expect(n).toBeGreaterThanOrEqual(4);
    expect(f.seen[n - 1]!.at - f.seen[0]!.at).toBeGreaterThanOrEqual((n - 1) * 500 - 100);
    const embedded = await run('embedded', ['--provider', 'alchemy'], {});
    expect(embedded.code, embedded.log).toBe(0);
    expect(embedded.rep.budgets).toBeUndefined();
    expect(embedded.rep.preflight).toBeUndefined();
  });
});

describe('preflight', { concurrent: false }, () => {
  it('refuses a clock skew beyond the signature window with its measured value, before any case', async () => {
    const window = Number(catalogue().profiles.alchemy.wire['signatureWindowMs']);
    const offset = 10 * 60_000;
    expect(offset).toBeGreaterThan(window);
    const f = await front({ dateOffsetMs: offset });
    const r = await run('skew', ['--provider', 'alchemy'], { ...creds(f.url), ...NO_BUDGETS });
    expect(r.code, r.log).toBe(3);
    const p = r.rep.preflight?.alchemy;
    expect(p?.ok).toBe(false);
    expect(p?.windowMs).toBe(window);
    // measured: the front's Date is 10 minutes ahead (whole seconds, ± the round trip)
    expect(Math.abs(p!.skewMs! - offset)).toBeLessThan(2000);
    expect(p?.problem).toMatch(/clock skew of \+(59[89]|60[01])\.\d s .* exceeds the signature window of 300 s/);
    expect(r.rep.headline).toMatch(/preflight refused alchemy/);
    expect(r.stdout.split('\n').find((l) => l.startsWith('  preflight:'))).toMatch(/alchemy REFUSED — clock skew/);
    // the preflight's one request and nothing else: no case, no positive control
    expect(f.seen.length).toBe(1);
    expect(r.rep.rules.filter((x) => x.verdict === 'pass')).toEqual([]);
  });

  it('a small skew passes (the same front without the offset)', async () => {
    const f = await front({ dateOffsetMs: 0 });
    const r = await run('no-skew', ['--provider', 'alchemy', '--max-requests', '3'], {
      ...creds(f.url),
      ...NO_BUDGETS,
      CARD_CONFORMANCE_MAX_REQUESTS: '3',
    });
    expect(r.rep.preflight?.alchemy?.ok, r.log).toBe(true);
    expect(Math.abs(r.rep.preflight!.alchemy!.skewMs!)).toBeLessThan(2000);
  });

  it('run and call go through HTTP_PROXY: a target host only the proxy can resolve is reached, every request tunnelled', async () => {
    const mockPort = Number(new URL(mock.url).port);
    const f = await front();
    const frontPort = Number(new URL(f.url).port);
    const connects: string[] = [];
    // a CONNECT proxy that knows one name, card-sandbox.test, and sends it to the front (the counting server)
    const proxy = createServer();
    proxy.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
      connects.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      const to = host === 'card-sandbox.test' ? { host: '127.0.0.1', port: port === '80' ? frontPort : mockPort } : undefined;
      if (!to) {
        client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
        return;
      }
      const up = connect(to.port, to.host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        up.write(head);
        up.pipe(client);
        client.pipe(up);
      });
      up.on('error', () => client.destroy());
      client.on('error', () => up.destroy());
    });
    const proxyPort = await listen(proxy);
    const target = 'http://card-sandbox.test';
    const r = await run('proxy', ['--provider', 'alchemy'], {
      ...creds(target),
      ...NO_BUDGETS,
      CARD_CONFORMANCE_MAX_REQUESTS: '12',
      HTTP_PROXY: `http://127.0.0.1:${proxyPort}`,
    });
    expect(r.rep, r.log).toBeDefined();
    expect(r.rep.preflight?.alchemy).toMatchObject({ ok: true, reachable: true, route: `http://127.0.0.1:${proxyPort}` });
    expect(r.rep.positiveControl.alchemy?.ok, r.log).toBe(true);
    // the name resolves nowhere but in the proxy: the requests at the front came through the tunnel
    expect(connects.length).toBeGreaterThan(0);
    expect(connects.every((c) => c === 'card-sandbox.test:80')).toBe(true);
    expect(f.seen.length).toBeGreaterThanOrEqual(4);
    expect(f.seen.length).toBeLessThanOrEqual(12);

    // `call` takes the same route: one request, through the tunnel, answered by the mock behind the name
    const before = { connects: connects.length, seen: f.seen.length };
    const c = await cli(['call', 'alchemy', 'segmentList'], { ...creds(target), HTTP_PROXY: `http://127.0.0.1:${proxyPort}` });
    expect(c.code, c.stdout + c.stderr).toBe(0);
    expect(connects.length).toBeGreaterThan(before.connects);
    expect(f.seen.slice(before.seen).map((x) => x.path)).toEqual(['/open/api/card/segment/list']);
  });

  it('an https target takes HTTPS_PROXY (CONNECT host:443 seen at the proxy)', async () => {
    const connects: string[] = [];
    const proxy = createServer();
    proxy.on('connect', (req: IncomingMessage, client: Socket) => {
      connects.push(req.url ?? '');
      // no TLS server behind it: the tunnel is refused, the route is what this test proves
      client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
    });
    const proxyPort = await listen(proxy);
    const r = await run('https-proxy', ['--provider', 'alchemy'], {
      ...creds('https://card-sandbox.test'),
      ...NO_BUDGETS,
      HTTPS_PROXY: `http://127.0.0.1:${proxyPort}`,
      CARD_CONFORMANCE_CALL_TIMEOUT_MS: '2000',
    });
    expect(r.code, r.log).toBe(3);
    expect(connects).toContain('card-sandbox.test:443');
    expect(r.rep.preflight?.alchemy).toMatchObject({ ok: false, reachable: false, route: `http://127.0.0.1:${proxyPort}` });
    expect(r.rep.preflight?.alchemy?.problem).toMatch(/cannot be reached \(through the proxy/);
  });
});
