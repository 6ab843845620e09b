/**
 * The codec proxy: plaintext in, signed or sealed out with the configured keys, the answer decoded back;
 * a request may ask for a wrong signature or seal; `--log` prints exchanges redacted; and the
 * `proxy` command in the foreground, as a user runs it.
 */
import { spawn } from 'node:child_process';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/config/env.ts';
import { startMock } from '../../src/mock/server.ts';
import { exampleRequest, freshDates } from '../../src/pact/examples.ts';
import { startCodecProxy } from '../../src/pact/proxy.ts';
import { catalogue } from '../../src/spec/catalogue.ts';
import { todayIn } from '../../src/spec/evaluate.ts';
import { createRedactor } from '../../src/wire/redact.ts';
import { BIN, cli } from '../helpers/cli.ts';

const mock = await startMock({ admin: true, timeScale: 0.002 });
const redactor = createRedactor({ secrets: [mock.client.alchemy.secretKey] });
const logged: string[] = [];
const alchemy = await startCodecProxy({
  provider: 'alchemy',
  target: { baseUrl: mock.url, ...mock.client.alchemy },
  limits: DEFAULT_LIMITS,
  redactor,
  log: (l) => logged.push(l),
});
const g = mock.client.gep!;
const gep = await startCodecProxy({
  provider: 'gep',
  target: {
    baseUrl: mock.url,
    userNo: g.userNo,
    certificateId: g.certificateId,
    merchantPrivateKey: g.merchantPrivateKey,
    platformPublicKey: g.platformPublicKey,
  },
  limits: DEFAULT_LIMITS,
  redactor,
  log: (l) => logged.push(l),
});
afterAll(async () => {
  await alchemy.close();
  await gep.close();
  await mock.close();
});

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const r = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await r.body.text();
  return { status: r.statusCode, text, body: JSON.parse(text) as Record<string, unknown> };
}

describe('codec proxy', () => {
  it('alchemy: an unsigned plaintext create is signed with the configured keys and accepted; a bad-signature request is refused 2604', async () => {
    const ok = await post(`${alchemy.url}/open/api/card/create`, { ...exampleRequest('alchemy'), orderNo: 'proxy-ok-1' });
    expect(ok.body).toMatchObject({ success: true, code: '0' });
    const bad = await post(
      `${alchemy.url}/open/api/card/create`,
      { ...exampleRequest('alchemy'), orderNo: 'proxy-bad-1' },
      { 'card-conformance-codec': 'bad-signature' },
    );
    expect(bad.body).toMatchObject({ success: false, code: '2604' });
    expect(alchemy.exchanges.map((e) => e.accepted)).toEqual([true, false]);
  });

  it('gep: the JSON body is sealed into the form, the result opened back into an object; an undecryptable request is refused', async () => {
    const rest = exampleRequest('gep');
    const dates = freshDates('gep', todayIn(catalogue().profiles.gep.timeZone, new Date()));
    await post(`${mock.url}/__mock/gep/outcome`, { userReqNo: 'proxy-gep-1', outcome: 'complete' });
    const ok = await post(`${gep.url}/api/vas/card/apply`, { ...rest, ...dates, userReqNo: 'proxy-gep-1' });
    expect(ok.body['success'], ok.text).toBe(true);
    expect(ok.body['result']).toMatchObject({ localCurrency: rest['localCurrency'], cardNo: expect.stringMatching(/^\d+$/) });
    const bad = await post(
      `${gep.url}/api/vas/card/apply`,
      { ...rest, userReqNo: 'proxy-gep-2' },
      { 'card-conformance-codec': 'undecryptable' },
    );
    expect(bad.body).toMatchObject({ success: false, errorCode: '110001' });
  });

  it('the log is redacted: no secret, no full card number, no CVV', () => {
    const text = logged.join('');
    expect(text).toContain('proxy: POST /api/vas/card/apply → HTTP 200 accepted');
    expect(text).toContain('"cardVerifyNo":"[REDACTED]"');
    expect(text).toMatch(/"cardNo":"\d{6}\*+\d{4}"/);
    expect(text).not.toContain(mock.client.alchemy.secretKey);
  });

  it('refuses what it cannot take: an unknown path, a body that is not JSON, an unknown directive', async () => {
    const nowhere = await post(`${alchemy.url}/nowhere`, {});
    expect([nowhere.status, nowhere.body]).toEqual([404, { error: 'no alchemy operation at POST /nowhere' }]);
    const notJson = await post(`${gep.url}/api/vas/card/apply`, 'not json');
    expect([notJson.status, notJson.body]).toEqual([400, { error: 'the body is not JSON: the proxy takes the business JSON in clear' }]);
    const directive = await post(`${alchemy.url}/open/api/card/create`, {}, { 'card-conformance-codec': 'nonsense' });
    expect([directive.status, directive.body]).toEqual([
      400,
      { error: 'card-conformance-codec must be one of bad-signature, undecryptable' },
    ]);
  });
});

describe('card-conformance proxy', () => {
  it('runs in the foreground on 127.0.0.1 and forwards plaintext to the target', async () => {
    const child = spawn(process.execPath, [BIN, 'proxy', '--provider', 'alchemy', '--target', mock.url, '--log'], {
      env: {
        ...process.env,
        ALCHEMY_ACCESS_KEY: mock.client.alchemy.accessKey,
        ALCHEMY_SECRET_KEY: mock.client.alchemy.secretKey,
        ALCHEMY_EMAIL: mock.client.alchemy.email,
      },
    });
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (c) => {
          out += c;
          const m = /plaintext on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.once('exit', () => reject(new Error(out)));
      });
      const r = await post(`${url}/open/api/card/segment/list`, '');
      expect(r.body).toMatchObject({ success: true });
      await new Promise((r) => setTimeout(r, 100));
      expect(out).toContain('proxy: POST /open/api/card/segment/list → HTTP 200');
      expect(out).not.toContain(mock.client.alchemy.secretKey);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('bad usage is one line and exit 2: no provider, no credentials', async () => {
    const a = await cli(['proxy', '--target', mock.url]);
    expect(a.code).toBe(2);
    expect(a.stderr.trim().split('\n')).toEqual(['card-conformance proxy: --provider is required (alchemy or gep)']);
    const b = await cli(['proxy', '--provider', 'gep', '--target', mock.url]);
    expect(b.code).toBe(2);
    expect(b.stderr.trim()).toMatch(/^card-conformance proxy: GEP_USER_NO: not set: required when --target is given$/);
  });
});
