import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { WireError } from '../../src/wire/errors.ts';
import { createTransport, MAX_RETRY_AFTER_MS, retryDelayMs, type SendRequest } from '../../src/wire/http.ts';
import { generateTestKeyPair } from '../../src/wire/keys.ts';
import { selfSignedCertificate } from './forge-fixtures.ts';
import { rejected } from './thrown.ts';

interface Received {
  body: Buffer;
  headers: IncomingHttpHeaders;
}

interface TestServer {
  url: string;
  received: Received[];
  /** Bytes the handler managed to write before the client went away (for the size test). */
  written: { bytes: number; closed: Promise<void> };
  close(): Promise<void>;
}

const servers: TestServer[] = [];

/** A server on 127.0.0.1, port chosen by the OS. The handler gets the request number (1-based). */
async function serve(handler: (req: IncomingMessage, res: ServerResponse, n: number, server: TestServer) => void): Promise<TestServer> {
  let closedResolve = () => {};
  const self: TestServer = {
    url: '',
    received: [],
    written: { bytes: 0, closed: new Promise<void>((resolve) => (closedResolve = resolve)) },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      self.received.push({ body: Buffer.concat(chunks), headers: req.headers });
      res.on('close', closedResolve);
      handler(req, res, self.received.length, self);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  self.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/vas/card/apply`;
  servers.push(self);
  return self;
}

/** A URL on a 127.0.0.1 port that was just free and is closed again. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/open/api/card/create`;
}

const options = { connectTimeoutMs: 2_000, headersTimeoutMs: 60_000, bodyTimeoutMs: 60_000, maxBodyBytes: 64 * 1024 };
/** Generous deadline, so a slow machine does not turn a passing exchange into a timeout. */
const transport = createTransport({ ...options, callTimeoutMs: 10_000 });
/** Short deadline, only for the tests that expect a timeout. */
const quick = createTransport({ ...options, callTimeoutMs: 400 });

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(() => Promise.all([transport.close(), quick.close()]));

const BODY = JSON.stringify({ orderNo: 'o-retry-1', deposit: '1000', cardHolder: { firstName: 'Amy', lastName: 'Zed' } });
const RETRY = { tries: 5, retryOn: '429/503/transport', maxDelayMs: 20 } as const;

function request(url: string, extra: Partial<SendRequest> = {}): SendRequest {
  return {
    provider: 'alchemy',
    operation: 'create',
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', 'x-sign': 'one' },
    body: BODY,
    ...extra,
  };
}

const wireError = (promise: Promise<unknown>) => rejected(WireError, promise);

describe('retry on 429/503', () => {
  it('retries two 503s with Retry-After: 0, sending byte-identical bodies three times', async () => {
    const s = await serve((_req, res, n) => {
      if (n <= 2) res.writeHead(503, { 'retry-after': '0' }).end('busy');
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"code":"0"}');
    });
    const result = await transport.send(request(s.url, { retry: RETRY, idempotencyKey: 'o-retry-1' }));
    expect(result.status).toBe(200);
    expect(result.rawBody).toBe('{"code":"0"}');
    expect(result.headers['content-type']).toBe('application/json');
    expect(result.attempts).toBe(3);
    expect(s.received).toHaveLength(3);
    for (const r of s.received) {
      expect(r.body.equals(Buffer.from(BODY))).toBe(true);
      expect(r.headers['x-sign']).toBe('one');
    }
  });

  it('re-signs headers for later attempts through rebuildHeaders, never the body', async () => {
    const s = await serve((_req, res, n) => res.writeHead(n < 3 ? 429 : 200, { 'retry-after': '0' }).end());
    let rebuilt = 0;
    const rebuildHeaders = () => ({ 'content-type': 'application/json', 'x-sign': `re-${++rebuilt}` });
    const result = await transport.send(request(s.url, { retry: RETRY, rebuildHeaders }));
    expect(result.attempts).toBe(3);
    expect(s.received.map((r) => r.headers['x-sign'])).toEqual(['one', 're-1', 're-2']);
    expect(new Set(s.received.map((r) => r.body.toString('utf8')))).toEqual(new Set([BODY]));
  });

  it('stops after the given number of tries and returns the last answer', async () => {
    const s = await serve((_req, res) => res.writeHead(503, { 'retry-after': '0' }).end());
    const result = await transport.send(request(s.url, { retry: { ...RETRY, tries: 2 } }));
    expect(result).toMatchObject({ status: 503, attempts: 2 });
    expect(s.received).toHaveLength(2);
  });

  it('rides out a steady limiter (502, 504 and 429 with Retry-After) within the window, however many attempts it takes', async () => {
    const statuses = [429, 502, 504, 429, 503, 429, 429, 429];
    const s = await serve((_req, res, n) => {
      const status = statuses[n - 1];
      if (status) res.writeHead(status, { 'retry-after': '0' }).end('not now');
      else res.writeHead(200).end('{"code":"0"}');
    });
    const result = await transport.send(
      request(s.url, { retry: { tries: 1000, retryOn: '429/503/transport', maxDelayMs: 20, forMs: 5_000 } }),
    );
    expect(result).toMatchObject({ status: 200, attempts: statuses.length + 1 });
    expect(new Set(s.received.map((r) => r.body.toString('utf8')))).toEqual(new Set([BODY]));
  });

  it('starts no attempt whose wait would end past the window: the last "not now" is the answer', async () => {
    // Retry-After 1 s, a window of half a second: one attempt only
    const s = await serve((_req, res) => res.writeHead(429, { 'retry-after': '1' }).end());
    const result = await transport.send(
      request(s.url, { retry: { tries: 1000, retryOn: '429/503/transport', maxDelayMs: 20, forMs: 500 } }),
    );
    expect(result).toMatchObject({ status: 429, attempts: 1 });
    expect(s.received).toHaveLength(1);
  });

  it('does not retry without a retry policy, nor other statuses with one', async () => {
    const s = await serve((_req, res, n) => res.writeHead(n === 1 ? 503 : 500).end());
    expect(await transport.send(request(s.url))).toMatchObject({ status: 503, attempts: 1 });
    expect(await transport.send(request(s.url, { retry: RETRY }))).toMatchObject({ status: 500, attempts: 1 });
    expect(s.received).toHaveLength(2);
  });
});

describe('transport failures', () => {
  it('times out a server that never answers, naming the unknown outcome of the order', async () => {
    const s = await serve(() => {});
    const e = await wireError(quick.send(request(s.url, { idempotencyKey: 'o-77' })));
    expect(e.kind).toBe('timeout');
    expect(e.message).toBe(
      `Alchemy create to ${new URL(s.url).origin} failed: no complete answer within 400 ms; outcome unknown for order o-77: query it, do not resend with a new order number`,
    );
  });

  it('times out a body that stalls after the headers', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200);
      res.write('{"code":');
    });
    expect((await wireError(quick.send(request(s.url)))).kind).toBe('timeout');
  });

  it('stops reading a 20 MB answer as soon as it passes the limit', async () => {
    const s = await serve((_req, res, _n, self) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const pump = () => {
        while (self.written.bytes < 20 * 1024 * 1024 && !res.destroyed) {
          self.written.bytes += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    const e = await wireError(transport.send(request(s.url)));
    expect(e.kind).toBe('too-large');
    const read = Number(/failed: the answer is larger than 65536 bytes \(stopped reading at (\d+) bytes\)$/.exec(e.message)?.[1]);
    expect(read).toBeGreaterThan(65_536);
    expect(read).toBeLessThan(1024 * 1024); // stopped within a chunk or so of the limit, not after buffering
    await s.written.closed; // the client hung up: the server could not deliver the 20 MB
    expect(s.written.bytes).toBeLessThan(20 * 1024 * 1024);
  });

  it('refuses at once an answer whose Content-Length is over the limit', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': String(20 * 1024 * 1024) });
      res.write('x');
    });
    const e = await wireError(transport.send(request(s.url)));
    expect(e.kind).toBe('too-large');
    expect(e.message).toMatch(/\(Content-Length 20971520\)$/);
  });

  it('reports an answer cut off inside its body as a reset (never a wait without end), the order unknown', async () => {
    const s = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"code":"0000","model":{', () => req.socket.destroy());
    });
    const e = await wireError(transport.send(request(s.url, { idempotencyKey: 'o-9' })));
    expect(e.kind).toBe('reset');
    expect(e.message).toMatch(/outcome unknown for order o-9/);
  });

  it('reports a closed port as a connect failure, retried, with no unknown outcome', async () => {
    const url = await closedPortUrl();
    const e = await wireError(transport.send(request(url, { retry: { ...RETRY, tries: 2 }, idempotencyKey: 'o-1' })));
    expect(e.kind).toBe('connect');
    expect(e.code).toBe('ECONNREFUSED');
    expect(e.attempts).toBe(2);
    expect(e.message).toMatch(/failed: cannot connect \(ECONNREFUSED\) after 2 attempts$/);
  });

  it('reports a destroyed socket as a reset, and retries it with the same body', async () => {
    const s = await serve((req) => req.socket.destroy());
    expect((await wireError(transport.send(request(s.url)))).kind).toBe('reset');
    expect(s.received).toHaveLength(1);
    const e = await wireError(transport.send(request(s.url, { retry: { ...RETRY, tries: 3 } })));
    expect(e).toMatchObject({ kind: 'reset', attempts: 3 });
    expect(s.received).toHaveLength(4);
    expect(s.received.every((r) => r.body.toString('utf8') === BODY)).toBe(true);
  });

  it('reports an untrusted certificate as a TLS failure', async () => {
    const pair = generateTestKeyPair(2048);
    const server = createTlsServer({ key: pair.privatePem, cert: selfSignedCertificate(pair).pem }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/open/api/card/create`;
      const e = await wireError(transport.send(request(url, { retry: RETRY, idempotencyKey: 'o-tls' })));
      expect(e).toMatchObject({ kind: 'tls', attempts: 1 });
      expect(e.message).toMatch(/failed: TLS failed \([A-Z_]+\)$/);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('refuses a URL that is not absolute http(s)', async () => {
    for (const url of ['ftp://127.0.0.1/x', '/relative']) {
      expect((await wireError(transport.send(request(url)))).kind).toBe('config');
    }
  });
});

describe('retryDelayMs', () => {
  const now = Date.UTC(2024, 7, 14, 12, 0, 0);

  const none = () => 0;
  const most = () => 0.999999;

  it('honours Retry-After in seconds and as an HTTP date: never earlier, at most a tenth later, up to a minute', () => {
    expect(retryDelayMs('0', 1, 5_000, now, most)).toBe(0);
    expect(retryDelayMs('2', 1, 5_000, now, none)).toBe(2_000);
    expect(retryDelayMs('2', 1, 5_000, now, most)).toBe(2_200);
    // the backoff's cap does not shorten what the target asked for; a minute is the most honoured as given
    expect(retryDelayMs('30', 1, 5_000, now, none)).toBe(30_000);
    expect(retryDelayMs('120', 1, 5_000, now, none)).toBe(MAX_RETRY_AFTER_MS);
    expect(retryDelayMs(new Date(now + 3_000).toUTCString(), 1, 5_000, now, none)).toBe(3_000);
    expect(retryDelayMs(new Date(now - 60_000).toUTCString(), 1, 5_000, now, most)).toBe(0);
  });

  it('without a usable Retry-After: doubles from 200 ms, capped, with jitter over the upper half', () => {
    expect([1, 2, 3].map((n) => retryDelayMs(undefined, n, 5_000, now, most))).toEqual([200, 400, 800]);
    expect([1, 2, 3].map((n) => retryDelayMs(undefined, n, 5_000, now, none))).toEqual([100, 200, 400]);
    expect(retryDelayMs('soon', 2, 5_000, now, most)).toBe(400);
    expect(retryDelayMs(undefined, 10, 1_000, now, most)).toBe(1_000);
  });
});
