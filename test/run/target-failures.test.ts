/**
 * A target that cannot be tested ends in bounded time with exit 3 and a report that says why, never a
 * hang, never "every negative test passed": refused connection, a server that never answers, 429, 503,
 * HTML, reset, a 20 MB body, an undecryptable GEP result, and valid credentials refused.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startMock } from '../../src/mock/server.ts';
import { readReportFile } from '../../src/report/schema.ts';
import { catalogue } from '../../src/spec/catalogue.ts';
import { generateTestKeyPair } from '../../src/wire/keys.ts';
import { cli, NO_BUDGETS } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'cc-target-'));
const servers: Server[] = [];
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
const serve = async (handler: Parameters<typeof createServer>[1]) => (await listen(handler)).url;

const merchant = generateTestKeyPair(1024);
const platform = generateTestKeyPair(1024);
const pemDir = mkdtempSync(join(tmpdir(), 'cc-keys-'));
writeFileSync(join(pemDir, 'merchant.pem'), merchant.privatePem);
writeFileSync(join(pemDir, 'platform.pem'), platform.publicPem);

const creds = (url: string) => ({
  ALCHEMY_BASE_URL: url,
  ALCHEMY_ACCESS_KEY: 'test-access-key',
  ALCHEMY_SECRET_KEY: 'test-secret-not-real-0042',
  ALCHEMY_EMAIL: 'qa@example.test',
  GEP_BASE_URL: url,
  GEP_USER_NO: '1'.repeat(19),
  GEP_CERTIFICATE_ID: '2'.repeat(19),
  GEP_MERCHANT_PRIVATE_KEY: join(pemDir, 'merchant.pem'),
  GEP_PLATFORM_PUBLIC_KEY: join(pemDir, 'platform.pem'),
  CARD_CONFORMANCE_CALL_TIMEOUT_MS: '800',
  CARD_CONFORMANCE_CONNECT_TIMEOUT_MS: '800',
  CARD_CONFORMANCE_RETRIES: '1',
  CARD_CONFORMANCE_WORKERS: '1',
  // target failures, not budgets: the full profile's random valid amounts would pass the sandbox default spend
  ...NO_BUDGETS,
});

async function untestable(name: string, url: string, provider: 'alchemy' | 'gep', expected: RegExp) {
  const out = join(dir, name);
  const r = await cli(['run', '--provider', provider, '--runs', '2', '--report-dir', out], creds(url));
  expect(r.code, r.stdout.slice(-1500) + r.stderr).toBe(3);
  const rep = readReportFile(join(out, 'conformance.json'));
  expect(rep.verdict).toBe('error');
  expect(rep.positiveControl[provider]?.ok).toBe(false);
  expect(rep.positiveControl[provider]?.reason).toMatch(expected);
  expect(rep.headline).toMatch(/positive control failed|preflight refused/);
  // nothing counted as a pass: every rule of the provider is an error, with the reason
  expect(rep.rules.filter((x) => x.verdict === 'pass')).toEqual([]);
  expect(rep.rules.filter((x) => x.verdict === 'error').length).toBeGreaterThan(20);
  expect(JSON.stringify(rep)).not.toContain('test-secret-not-real-0042');
  return rep;
}

describe('targets that cannot be tested', { concurrent: true }, () => {
  it('a refused connection', async () => {
    // a port that was just listening and is closed now: nothing there
    const { url, server } = await listen(() => {});
    servers.splice(servers.indexOf(server), 1);
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await untestable('refused', url, 'alchemy', /connect|refused|ECONNREFUSED/i);
  });
  it('a server that never answers', async () => {
    const url = await serve(() => {});
    await untestable('silent', url, 'alchemy', /no complete answer within|timeout/i);
  });
  it('429 Too Many Requests on every call', async () => {
    const url = await serve((_q, s) =>
      s.writeHead(429, { 'retry-after': '0', 'content-type': 'application/json' }).end('{"error":"slow down"}'),
    );
    await untestable('429', url, 'alchemy', /HTTP 429|not an object|refused/i);
  });
  it('503 on every call', async () => {
    const url = await serve((_q, s) => s.writeHead(503, { 'retry-after': '0' }).end('busy'));
    await untestable('503', url, 'gep', /503|not JSON/i);
  });
  it('an HTML page', async () => {
    const url = await serve((_q, s) => s.writeHead(200, { 'content-type': 'text/html' }).end('<html><title>Gateway</title></html>'));
    await untestable('html', url, 'alchemy', /HTML/);
  });
  it('a connection reset', async () => {
    const url = await serve((q) => q.socket.destroy());
    await untestable('reset', url, 'gep', /reset|socket|closed/i);
  });
  it('a 20 MB answer', async () => {
    const big = Buffer.alloc(20 * 1024 * 1024, 'a');
    const url = await serve((_q, s) => s.writeHead(200, { 'content-type': 'application/json' }).end(big));
    await untestable('huge', url, 'alchemy', /larger than/);
  });
  it('a GEP result that does not decrypt with the platform key', async () => {
    const url = await serve((_q, s) =>
      s
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ success: true, errorCode: '', errorMsg: '', result: 'ab'.repeat(128) })),
    );
    await untestable('undecryptable', url, 'gep', /decrypt/);
  });
  it('a GEP that answers the first apply "pending" (no result to read) and seals every later result with another key', async () => {
    // a pending answer carries no result: the control must not take it for proof that results can be read
    const pending = catalogue().expectedCode(catalogue().byId.get('gep.apply.outcome.pendingResolves')!);
    let applies = 0;
    const url = await serve((q, s) => {
      const first = q.url?.endsWith('/card/apply') && applies++ === 0;
      s.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify(
          first
            ? { success: false, errorCode: pending, errorMsg: 'unknown order status, query the operation later' }
            : { success: true, errorCode: '', errorMsg: '', result: 'ab'.repeat(128) },
        ),
      );
    });
    const rep = await untestable('pending-then-undecryptable', url, 'gep', /decrypt/);
    expect(applies).toBeGreaterThanOrEqual(2);
    expect(rep.positiveControl.gep?.accepted).toBe(1);
  });
  it('valid requests refused: wrong credentials are reported with the provider code, not as passes', async () => {
    const mock = await startMock({ timeScale: 0.002 });
    try {
      const rep = await untestable('wrong-key', mock.url, 'alchemy', /2601|valid request refused/);
      expect(rep.rules.every((x) => x.verdict === 'error' || x.verdict === 'skipped')).toBe(true);
    } finally {
      await mock.close();
    }
  });
});
