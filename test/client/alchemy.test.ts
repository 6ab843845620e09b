import { createHmac } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createAlchemyClient } from '../../src/client/alchemy.ts';
import { curlFor } from '../../src/client/curl.ts';
import type { AlchemyTarget } from '../../src/client/types.ts';
import { catalogue } from '../../src/spec/catalogue.ts';
import { signedBodyForms } from '../../src/wire/alchemy-sign.ts';
import { WireError } from '../../src/wire/errors.ts';
import { createRedactor } from '../../src/wire/redact.ts';
import { testTransport } from '../helpers/transport.ts';
import { rejected } from '../wire/thrown.ts';
import { alchemyAnswer, type ProviderServer, startProviderServer } from './provider-server.ts';

const ACCESS_KEY = 'ak_test_client_7731';
const SECRET = 'sk_test_client_SECRET_4242';
const pathOf = (op: string) => catalogue().profiles.alchemy.calls.find((c) => c.operation === op)!.path;
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjYXJkIn0.c2lnbmF0dXJlLXBhcnQ';
const MODEL = { activeLink: `https://wallet.example/login?wallet=8012&token=${JWT}` };
const CREATE = {
  cardHolder: { firstName: 'Milton', lastName: 'Schmitt' },
  deposit: '1000',
  vid: 'USD',
  orderNo: 'v_5bc814',
  callbackUrl: 'https://cb.example/x',
};

const transport = testTransport();
afterAll(() => transport.close());
const servers: ProviderServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

type Respond = Parameters<typeof startProviderServer>[0]['respond'];
async function setup(respond: Respond = (s) => alchemyAnswer(s, MODEL), target: Partial<AlchemyTarget> = {}) {
  const server = await startProviderServer({ alchemySecrets: { [ACCESS_KEY]: SECRET }, respond });
  servers.push(server);
  const client = createAlchemyClient(
    { baseUrl: server.url, accessKey: ACCESS_KEY, secretKey: SECRET, email: 'merchant@example.com', ...target },
    { transport, retries: 2 },
  );
  return { server, client };
}

describe('Alchemy client: the positive case', () => {
  it('create sends the exact body, validly signed, to the profile path, and returns the parsed envelope', async () => {
    const { server, client } = await setup(undefined, { language: 'EN' });
    const r = await client.create(CREATE);
    expect(server.seen).toHaveLength(1);
    const seen = server.seen[0]!;
    expect(seen.alchemy).toEqual({ ok: true, accessKey: ACCESS_KEY });
    expect(seen.method).toBe('POST');
    expect(seen.path).toBe('/open/api/card/create');
    expect(seen.rawBody).toBe(JSON.stringify(CREATE));
    expect(seen.headers).toMatchObject({ email: 'merchant@example.com', language: 'EN', 'content-type': 'application/json' });
    expect(r).toMatchObject({
      provider: 'alchemy',
      operation: 'create',
      status: 200,
      attempts: 1,
      body: { success: true, code: '0', model: MODEL },
    });
    expect(r.problem).toBeUndefined();
    expect(r.rawBody).toBe(JSON.stringify(JSON.parse(r.rawBody)));
    expect(r.request).toMatchObject({
      method: 'POST',
      url: `${server.url}/open/api/card/create`,
      body: CREATE,
      wireBody: JSON.stringify(CREATE),
    });
  });

  it('info and segmentList go to the profile paths; segmentList sends no body at all, and it still verifies', async () => {
    const { server, client } = await setup();
    await client.info({ cardId: 'c-1' });
    await client.segmentList();
    expect(server.seen.map((s) => s.path)).toEqual([pathOf('info'), pathOf('segmentList')]);
    expect(server.seen.map((s) => s.rawBody)).toEqual(['{"cardId":"c-1"}', '']);
    expect(server.seen.every((s) => s.alchemy?.ok)).toBe(true);
  });

  it('a base URL with a path prefix keeps it, and the signature covers the full path sent', async () => {
    const server = await startProviderServer({ alchemySecrets: { [ACCESS_KEY]: SECRET }, respond: (s) => alchemyAnswer(s, {}) });
    servers.push(server);
    const client = createAlchemyClient(
      { baseUrl: `${server.url}/proxy/`, accessKey: ACCESS_KEY, secretKey: SECRET, email: 'm@example.com' },
      { transport, retries: 2 },
    );
    await client.info({ cardId: 'c-2' });
    expect(server.seen[0]!.path).toBe('/proxy/open/api/card/info');
    expect(server.seen[0]!.alchemy?.ok).toBe(true);
  });

  it('a non-object body is sent as its JSON text', async () => {
    const { server, client } = await setup();
    await client.call('create', ['not', 'an', 'object']);
    await client.call('create', 'text');
    expect(server.seen.map((s) => s.rawBody)).toEqual(['["not","an","object"]', '"text"']);
  });

  it('the clock is injectable: ach-access-timestamp is its value', async () => {
    const { server } = await setup();
    const at = Date.now() - 1_000;
    const client = createAlchemyClient(
      { baseUrl: server.url, accessKey: ACCESS_KEY, secretKey: SECRET, email: 'm@example.com' },
      { transport, now: () => at, retries: 2 },
    );
    await client.info({ cardId: 'c' });
    expect(server.seen[0]!.headers['ach-access-timestamp']).toBe(String(at));
    expect(server.seen[0]!.alchemy?.ok).toBe(true);
  });
});

describe('Alchemy client: negative-test options reach the wire', () => {
  it('signature: the given value is sent instead of the real one, and the server refuses it', async () => {
    const { server, client } = await setup();
    const r = await client.call('create', CREATE, { signature: 'bm90LWEtcmVhbC1zaWduYXR1cmU=' });
    expect(server.seen[0]!.headers['ach-access-sign']).toBe('bm90LWEtcmVhbC1zaWduYXR1cmU=');
    expect(server.seen[0]!.alchemy).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(r.body).toMatchObject({ success: false, code: '2604' });
    expect(r.problem).toBeUndefined();
  });

  it('timestampOffsetMs: −10 minutes gives a stale (but correctly signed) timestamp', async () => {
    const { server, client } = await setup();
    const before = Date.now();
    await client.call('create', CREATE, { timestampOffsetMs: -600_000 });
    const ts = Number(server.seen[0]!.headers['ach-access-timestamp']);
    expect(ts).toBeGreaterThanOrEqual(before - 600_000);
    expect(ts).toBeLessThanOrEqual(Date.now() - 600_000);
    expect(server.seen[0]!.alchemy).toMatchObject({ ok: false, reason: 'stale-timestamp' });
    // Within the window, the same offset logic still produces a valid signature: the offset is signed, not broken.
    await client.call('create', CREATE, { timestampOffsetMs: -60_000 });
    expect(server.seen[1]!.alchemy?.ok).toBe(true);
  });

  it('rawBody: exactly these bytes are sent, and they are what is signed (an object in its canonical form)', async () => {
    const { server, client } = await setup();
    const spaced = JSON.stringify(CREATE, null, 2);
    const other = JSON.stringify({ ...CREATE, deposit: '999999' });
    await client.call('create', CREATE, { rawBody: spaced });
    await client.call('create', CREATE, { rawBody: other });
    await client.call('create', CREATE, { rawBody: '{"orderNo": ' });
    expect(server.seen.map((s) => s.rawBody)).toEqual([spaced, other, '{"orderNo": ', '{"orderNo": ']);
    // the bytes that are no JSON are signed as sent; the verifier cannot canonicalise them (and the retry of
    // the refusal sends the very same bytes again)
    expect(server.seen.map((s) => (s.alchemy?.ok ? 'ok' : s.alchemy?.reason))).toEqual(['ok', 'ok', 'bad-body', 'bad-body']);
  });

  it('a body that is no object is signed as the bytes sent, and a verifier takes either reading of it', async () => {
    const { server, client } = await setup();
    for (const body of [null, 7, 'text', true]) await client.call('create', body);
    expect(server.seen.map((s) => s.rawBody)).toEqual(['null', '7', '"text"', 'true']);
    expect(server.seen.map((s) => s.alchemy?.ok)).toEqual([true, true, true, true]);
    const at = server.seen[0]!.headers['ach-access-timestamp'] as string;
    const path = pathOf('create');
    const sig = (signed: string) => createHmac('sha256', SECRET).update(`${at}POST${path}${signed}`).digest('base64');
    // the bytes as sent, not the canonical reading ('' for null) that the verifier also accepts
    expect(server.seen[0]!.headers['ach-access-sign']).toBe(sig('null'));
    expect(signedBodyForms('null')).toEqual(['null', '']);
    expect(signedBodyForms('{"b":"","a":1}')).toEqual(['{"a":1}']);
  });
  it('contentType replaces application/json', async () => {
    const { server, client } = await setup();
    await client.call('create', CREATE, { contentType: 'text/plain' });
    expect(server.seen[0]!.headers['content-type']).toBe('text/plain');
  });
});

describe('Alchemy client: an authentication refusal of a request that did not touch authentication', () => {
  const refusedAuth = JSON.stringify({ success: false, error: true, code: '2604', msg: 'signature verification failed', model: null });

  it('is sent once more, signed afresh in the other reading of a body that is no object; a yes then is the answer', async () => {
    // a provider that signs null as '' only: the bytes-as-sent signature is refused, the other reading taken
    const { server, client } = await setup((s) => {
      const canonical = createHmac('sha256', SECRET)
        .update(`${s.headers['ach-access-timestamp'] as string}POST${s.path}`)
        .digest('base64');
      return s.headers['ach-access-sign'] === canonical ? alchemyAnswer(s, MODEL) : { body: refusedAuth };
    });
    const r = await client.call('create', null);
    expect(server.seen.map((s) => s.rawBody)).toEqual(['null', 'null']);
    expect(r.attempts).toBe(2);
    expect(r.undecided).toBeUndefined();
    expect(r.body).toMatchObject({ success: true, code: '0' });
  });

  it('refused so again, the result decides nothing (undecided, with why), after exactly two requests', async () => {
    const { server, client } = await setup(() => ({ body: refusedAuth }));
    const r = await client.create(CREATE);
    expect(server.seen).toHaveLength(2);
    expect(server.seen[1]!.rawBody).toBe(server.seen[0]!.rawBody);
    expect(r.undecided).toMatch(/^refused as not the merchant's own \(code 2604\)/);
  });

  it('a request that asks for a broken signature is judged as answered: no second request', async () => {
    const { server, client } = await setup(() => ({ body: refusedAuth }));
    const r = await client.create(CREATE, { signature: 'bm90LWEtcmVhbC1zaWduYXR1cmU=' });
    expect(server.seen).toHaveLength(1);
    expect(r.undecided).toBeUndefined();
  });
});

describe('Alchemy client: retry', () => {
  it('503 then 200: create is retried with the byte-identical body and a re-signed, different timestamp that verifies', async () => {
    const { server, client } = await setup((s, n) => (n === 1 ? { status: 503, body: 'busy' } : alchemyAnswer(s, MODEL)));
    const r = await client.create(CREATE);
    expect(r.attempts).toBe(2);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ success: true, model: MODEL });
    const [first, second] = server.seen;
    expect(second!.rawBody).toBe(first!.rawBody);
    expect(JSON.parse(second!.rawBody).orderNo).toBe(CREATE.orderNo);
    expect(second!.headers['ach-access-timestamp']).not.toBe(first!.headers['ach-access-timestamp']);
    expect(second!.headers['ach-access-sign']).not.toBe(first!.headers['ach-access-sign']);
    expect(first!.alchemy?.ok).toBe(true);
    expect(second!.alchemy?.ok).toBe(true);
  });

  it('a given signature is kept on retries (a negative test stays negative)', async () => {
    const { server, client } = await setup((s, n) => (n === 1 ? { status: 503, body: 'busy' } : alchemyAnswer(s, MODEL)));
    await client.call('create', CREATE, { signature: 'forged' });
    expect(server.seen.map((s) => s.headers['ach-access-sign'])).toEqual(['forged', 'forged']);
  });

  it('retries: 0 makes one attempt and returns the 503', async () => {
    const server = await startProviderServer({ respond: () => ({ status: 503, body: '{"success":false}' }) });
    servers.push(server);
    const client = createAlchemyClient(
      { baseUrl: server.url, accessKey: ACCESS_KEY, secretKey: SECRET, email: 'm@example.com' },
      { transport, retries: 0 },
    );
    const r = await client.create(CREATE);
    expect([r.status, r.attempts, server.seen.length]).toEqual([503, 1, 1]);
  });
});

describe('Alchemy client: answers that are not the envelope come back with a problem, not thrown', () => {
  it.each([
    [
      'html',
      { status: 502, headers: { 'content-type': 'text/html' }, body: '<html><head><title>502 Bad Gateway</title></head></html>' },
      /the answer is HTML, not JSON \(HTTP 502, text\/html, \d+ bytes, title "502 Bad Gateway"\)/,
    ],
    ['html', { body: '  <!DOCTYPE html><p>maintenance</p>' }, /HTML/],
    [
      'not-json',
      { headers: { 'content-type': 'text/plain' }, body: 'Service temporarily unavailable' },
      /the answer is not JSON \(HTTP 200, text\/plain, 31 bytes\)/,
    ],
    ['not-json', { body: '' }, /the answer is empty/],
    ['not-object', { body: '[1,2]' }, /JSON but an array, not an object/],
  ] as const)('%s: %j', async (kind, answer, message) => {
    const { server, client } = await setup(() => answer);
    const r = await client.create(CREATE);
    expect(r.problem?.kind).toBe(kind);
    expect(r.problem?.message).toMatch(message);
    expect(r.problem?.message.startsWith(`Alchemy create to ${server.url} failed: `)).toBe(true);
    expect(r.rawBody).toBe(answer.body);
    expect(r.body).toEqual(kind === 'not-object' ? [1, 2] : undefined);
  });

  it('a transport failure is thrown as a WireError naming the call', async () => {
    const { server, client } = await setup();
    await server.close();
    const e = await rejected(
      WireError,
      createAlchemyClient(
        { baseUrl: server.url, accessKey: ACCESS_KEY, secretKey: SECRET, email: 'm@example.com' },
        { transport, retries: 0 },
      ).create(CREATE),
    );
    expect(e.kind).toBe('connect');
    expect(e.message).toBe(`Alchemy create to ${server.url} failed: cannot connect (ECONNREFUSED)`);
    void client;
  });
});

describe('Alchemy client: nothing secret is kept or printed', () => {
  it('recorded request headers hide the signature and the secret; the access key shows only its tail', async () => {
    const { server, client } = await setup();
    const r = await client.create(CREATE);
    const sign = server.seen[0]!.headers['ach-access-sign'] as string;
    expect(sign).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(r.request.headers['ach-access-sign']).toBe('[REDACTED]');
    expect(r.request.headers['ach-access-key']).toBe('****7731');
    expect(r.request.headers['ach-access-timestamp']).toBe(server.seen[0]!.headers['ach-access-timestamp']);
    const recorded = JSON.stringify(r.request);
    for (const s of [sign, SECRET, ACCESS_KEY]) expect(recorded).not.toContain(s);
  });

  it('curlFor: one line, method, URL, headers and body, redacted', async () => {
    const { server, client } = await setup();
    const r = await client.create(CREATE);
    const curl = curlFor(r, createRedactor({ secrets: [SECRET, ACCESS_KEY] }));
    expect(curl).not.toContain('\n');
    expect(curl).toBe(
      `curl -sS -X POST '${server.url}/open/api/card/create' -H 'ach-access-key: ****7731' -H 'ach-access-timestamp: ${server.seen[0]!.headers['ach-access-timestamp']}' ` +
        `-H 'ach-access-sign: [REDACTED]' -H 'email: merchant@example.com' -H 'content-type: application/json' --data-raw '${JSON.stringify(CREATE)}'`,
    );
  });

  it('curlFor quotes single quotes and line breaks so the line stays one shell word per part', async () => {
    const { client } = await setup();
    const r = await client.call('create', CREATE, { rawBody: `{"a":"it's"}\n` });
    const curl = curlFor(r, createRedactor());
    expect(curl).not.toContain('\n');
    expect(curl.endsWith(`--data-raw $'{"a":"it\\'s"}\\x0a'`)).toBe(true);
  });
});
