import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { curlFor } from '../../src/client/curl.ts';
import { createGepClient } from '../../src/client/gep.ts';
import { catalogue } from '../../src/spec/catalogue.ts';
import { WireError } from '../../src/wire/errors.ts';
import { encodeSealed } from '../../src/wire/gep-envelope.ts';
import { generateTestKeyPair } from '../../src/wire/keys.ts';
import { createRedactor } from '../../src/wire/redact.ts';
import { examples } from '../helpers/fixtures.ts';
import { testTransport } from '../helpers/transport.ts';
import { rejected } from '../wire/thrown.ts';
import { gepAnswer, type ProviderServer, startProviderServer } from './provider-server.ts';

const profile = catalogue().profiles.gep;
const pathOf = (op: string) => profile.calls.find((c) => c.operation === op)!.path;
const merchant = generateTestKeyPair(1024);
const platform = generateTestKeyPair(1024);
const stranger = generateTestKeyPair(1024);
const APPLY = examples.gepApplyRequest();
const RESULT = examples.gepApplyResult();
const USER_NO = '1234567890123456789';
const CERT_ID = '9876543210987654321';

const transport = testTransport();
afterAll(() => transport.close());
const servers: ProviderServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

type Respond = Parameters<typeof startProviderServer>[0]['respond'];
async function setup(respond: Respond = (s) => gepAnswer(s, RESULT, platform.privateKey), retries = 2) {
  const server = await startProviderServer({ merchantPublicKey: merchant.publicKey, respond });
  servers.push(server);
  const target = {
    baseUrl: server.url,
    userNo: USER_NO,
    certificateId: CERT_ID,
    merchantPrivateKey: merchant.privateKey,
    platformPublicKey: platform.publicKey,
  };
  return { server, client: createGepClient(target, { transport, retries }) };
}

describe('GEP client: the positive case', () => {
  it('apply seals the data with the merchant key into the profile form, and decodes the sealed result', async () => {
    const { server, client } = await setup();
    const r = await client.apply(APPLY);
    const seen = server.seen[0]!;
    expect(seen.path).toBe('/api/vas/card/apply');
    expect(seen.gep?.openError).toBeUndefined();
    expect(seen.gep?.data).toEqual(APPLY);
    expect(seen.gep?.form).toEqual({
      version: String(profile.wire['version']),
      certificateId: CERT_ID,
      userNo: USER_NO,
      dataType: String(profile.wire['dataType']),
      dataContent: encodeSealed(APPLY, merchant.privateKey),
    });
    expect(Object.keys(seen.gep!.form)).toEqual(['version', 'certificateId', 'userNo', 'dataType', 'dataContent']);
    expect(seen.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(seen.headers['accept-language']).toBe('en-US');
    expect(r.problem).toBeUndefined();
    expect(r.body).toEqual({ success: true, errorCode: '', errorMsg: '', result: RESULT });
    // The raw answer still holds the ciphertext: the decoded form exists only in `body`.
    expect(JSON.parse(r.rawBody).result).toBe(encodeSealed(RESULT, platform.privateKey));
    expect(r.request).toMatchObject({ method: 'POST', url: `${server.url}/api/vas/card/apply`, body: APPLY });
    expect(r.request.wireBody).toBe(seen.rawBody);
  });

  it('queryCardOperate and info go to the profile paths with their data sealed', async () => {
    const { server, client } = await setup((s) => gepAnswer(s, { echo: s.gep?.data }, platform.privateKey));
    const q = await client.queryCardOperate({ userReqNo: 'u-1' });
    const i = await client.info({ cardId: 'c-1' });
    expect(server.seen.map((s) => s.path)).toEqual([pathOf('queryCardOperate'), pathOf('info')]);
    expect((q.body as { result: unknown }).result).toEqual({ echo: { userReqNo: 'u-1' } });
    expect((i.body as { result: unknown }).result).toEqual({ echo: { cardId: 'c-1' } });
  });

  it('a refusal with an empty result is returned as it is, without a problem', async () => {
    const { client } = await setup(() => ({
      body: '{"success":false,"errorCode":"110005","errorMsg":"insufficient balance","result":""}',
    }));
    const r = await client.apply(APPLY);
    expect(r.problem).toBeUndefined();
    expect(r.body).toEqual({ success: false, errorCode: '110005', errorMsg: 'insufficient balance', result: '' });
  });

  it('503 then 200: apply is retried with the byte-identical form (same userReqNo)', async () => {
    const { server, client } = await setup((s, n) => (n === 1 ? { status: 503, body: '' } : gepAnswer(s, RESULT, platform.privateKey)));
    const r = await client.apply(APPLY);
    expect(r.attempts).toBe(2);
    expect(server.seen[1]!.rawBody).toBe(server.seen[0]!.rawBody);
    expect(server.seen[1]!.gep?.data).toMatchObject({ userReqNo: APPLY['userReqNo'] });
    expect((r.body as { result: unknown }).result).toEqual(RESULT);
  });
});

describe('GEP client: negative-test options reach the wire', () => {
  it('rawDataContent: garbage hex is sent as dataContent, the server cannot open it and refuses', async () => {
    const { server, client } = await setup();
    const r = await client.call('apply', APPLY, { rawDataContent: 'deadbeef'.repeat(32) });
    expect(server.seen[0]!.gep?.form.dataContent).toBe('deadbeef'.repeat(32));
    expect(server.seen[0]!.gep?.form.userNo).toBe(USER_NO);
    expect(server.seen[0]!.gep?.openError).toMatch(/could not be decrypted/);
    expect(r.body).toMatchObject({ success: false, errorCode: '110001' });
    expect(r.request.body).toEqual(APPLY);
  });

  it('rawBody and contentType replace the form and its content type', async () => {
    const { server, client } = await setup();
    await client.call('apply', APPLY, { rawBody: '{"not":"a form"}', contentType: 'application/json' });
    expect(server.seen[0]!.rawBody).toBe('{"not":"a form"}');
    expect(server.seen[0]!.headers['content-type']).toBe('application/json');
  });

  it('data with no JSON form is a WireError naming the call, before anything is sent', async () => {
    const { server, client } = await setup();
    const e = await rejected(WireError, client.call('apply', undefined));
    expect(e.message).toBe(`GEP apply to ${server.url} failed: dataContent: nothing to seal: the value has no JSON form`);
    expect(server.seen).toHaveLength(0);
  });
});

describe('GEP client: answers that cannot be read come back with a problem, not thrown', () => {
  it.each([
    ['garbage hex', 'deadbeef'.repeat(64), /result: chunk 1 of 2 could not be decrypted with the 1024-bit public key/],
    ['not hex', 'not-hex!', /result: ciphertext is not an even-length hex string/],
    ['truncated', encodeSealed(RESULT, platform.privateKey).slice(0, -2), /result: truncated/],
    ['sealed with another key', encodeSealed(RESULT, stranger.privateKey), /could not be decrypted/],
  ])('result %s → decrypt', async (_name, result, message) => {
    const { server, client } = await setup(() => ({ body: JSON.stringify({ success: true, errorCode: '', errorMsg: '', result }) }));
    const r = await client.apply(APPLY);
    expect(r.problem?.kind).toBe('decrypt');
    expect(r.problem?.message.startsWith(`GEP apply to ${server.url} failed: result: `)).toBe(true);
    expect(r.problem?.message).toMatch(message);
    expect(r.body).toEqual({ success: true, errorCode: '', errorMsg: '', result });
    expect(JSON.parse(r.rawBody).result).toBe(result);
  });

  it('an HTML answer → html', async () => {
    const { client } = await setup(() => ({
      status: 502,
      headers: { 'content-type': 'text/html; charset=utf-8' },
      body: '<html><title>Bad Gateway</title></html>',
    }));
    const r = await client.apply(APPLY);
    expect(r.problem?.kind).toBe('html');
    expect(r.status).toBe(502);
    expect(r.body).toBeUndefined();
  });

  it('a non-JSON answer → not-json, the raw body kept', async () => {
    const { client } = await setup(() => ({ body: 'OK' }));
    const r = await client.apply(APPLY);
    expect(r.problem).toEqual({
      kind: 'not-json',
      message: expect.stringMatching(/^GEP apply to .* failed: the answer is not JSON \(HTTP 200, application\/json, 2 bytes\)$/),
    });
    expect(r.rawBody).toBe('OK');
  });
});

describe('GEP client: redaction', () => {
  it('curlFor shows the form with dataContent shortened; a decoded card number is not in the request', async () => {
    const { server, client } = await setup();
    const r = await client.apply(APPLY);
    const curl = curlFor(r, createRedactor());
    expect(curl).toMatch(
      new RegExp(
        `^curl -sS -X POST '${server.url}/api/vas/card/apply' -H 'content-type: application/x-www-form-urlencoded' -H 'accept-language: en-US' --data-raw 'version=1\\.0\\.0&certificateId=${CERT_ID}&userNo=${USER_NO}&dataType=JSON&dataContent=[0-9a-f]{16}…\\(\\d+ chars\\)'$`,
      ),
    );
  });
});
