import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { undici } from '../../src/wire/undici.ts';

/** What each request looked like on the wire. */
const seen: Array<{ method: string; url: string; body: string }> = [];
let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, body });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('undici, only the parts used', () => {
  it('has the classes of undici itself (one module instance, so instanceof holds)', () => {
    const full = createRequire(import.meta.url)('undici') as typeof import('undici');
    expect(undici().Agent).toBe(full.Agent);
    expect(undici().EnvHttpProxyAgent).toBe(full.EnvHttpProxyAgent);
  });

  it("requests as undici's own request does: path and query kept, the method defaulted, the global dispatcher when none is given", async () => {
    seen.length = 0;
    const get = await undici().request(`${base}/a/b?x=1&y=2`);
    expect(await get.body.text()).toBe('ok');
    const put = await undici().request(`${base}/c`, { body: 'hello' });
    await put.body.text();
    const agent = new (undici().Agent)();
    const post = await undici().request(`${base}/d`, { method: 'POST', body: '{}', dispatcher: agent });
    await post.body.text();
    await agent.close();
    expect(seen).toEqual([
      { method: 'GET', url: '/a/b?x=1&y=2', body: '' },
      { method: 'PUT', url: '/c', body: 'hello' },
      { method: 'POST', url: '/d', body: '{}' },
    ]);
  });

  it("never loads undici's index (every dispatcher, fetch, the mock agent and caches: the start-up cost it avoids), nor the proxy agent without a proxy", async () => {
    const script = [
      "import { createRequire } from 'node:module';",
      "const { undici } = await import('./src/wire/undici.ts');",
      'const u = undici();',
      "const r = await u.request('http://127.0.0.1:1/', { dispatcher: new u.Agent({ connect: { timeout: 500 } }) }).catch((e) => e.code);",
      "const { createDispatcher } = await import('./src/wire/dispatcher.ts');",
      'const opts = { connectTimeoutMs: 500, headersTimeoutMs: 500, bodyTimeoutMs: 500 };',
      "const proxied = () => Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('env-http-proxy-agent'));",
      'await createDispatcher(opts, {}).close();',
      'const proxyBefore = proxied();',
      "await createDispatcher(opts, { HTTPS_PROXY: 'http://127.0.0.1:1' }).close();",
      'const proxyAfter = proxied();',
      'const loaded = Object.keys(createRequire(import.meta.url).cache).filter((k) => /node_modules[\\\\/]undici[\\\\/]/.test(k));',
      "console.log(JSON.stringify({ r, index: loaded.some((k) => /undici[\\\\/]index\\.js$/.test(k)), fetch: loaded.some((k) => k.includes('fetch')), count: loaded.length, proxyBefore, proxyAfter }));",
    ].join('\n');
    const cwd = new URL('../../', import.meta.url).pathname;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd });
    const out = JSON.parse(stdout.trim()) as Record<string, unknown>;
    // the positive part first: the request was really made (and refused by the closed port)
    expect(out['r']).toBe('ECONNREFUSED');
    expect(out['count']).toBeGreaterThan(10);
    expect(out['index']).toBe(false);
    expect(out['fetch']).toBe(false);
    // the proxy agent only once a proxy variable asks for it
    expect(out['proxyBefore']).toBe(false);
    expect(out['proxyAfter']).toBe(true);
  });
});
