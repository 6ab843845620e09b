import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveTarget } from '../../src/cli/target.ts';
import { loadConfig } from '../../src/config/env.ts';
import { ConfigError } from '../../src/config/errors.ts';
import { DEFAULT_OUTCOMES } from '../../src/mock/gep.ts';
import { hash32 } from '../../src/wire/hash.ts';
import { generateTestKeyPair } from '../../src/wire/keys.ts';
import { alchemyAnswer, gepAnswer, type ProviderServer, startProviderServer } from '../client/provider-server.ts';
import { examples } from '../helpers/fixtures.ts';
import { rejected } from '../wire/thrown.ts';

const run = promisify(execFile);
const BIN = new URL('../../bin/card-conformance.mjs', import.meta.url).pathname;

const dir = mkdtempSync(join(tmpdir(), 'cli-call-'));
const merchant = generateTestKeyPair(1024);
const platform = generateTestKeyPair(1024);
const PASSWORD = 'merchant-Key-Pa55word';
writeFileSync(
  join(dir, 'merchant.pem'),
  merchant.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: PASSWORD }),
);
writeFileSync(join(dir, 'gep-platform.pem'), platform.publicPem);

const ACCESS_KEY = 'ak_cli_test_5150';
const SECRET = 'sk_cli_test_SECRET_9911';
const MODEL = examples.alchemyCreateResponse()['model'] as { activeLink: string };
const JWT = new URL(MODEL.activeLink).searchParams.get('token')!;
const CREATE = examples.alchemyCreateRequest();
const APPLY = examples.gepApplyRequest();
const RESULT = examples.gepApplyResult();
const PAN = String(RESULT['cardNo']);
const CVV = String(RESULT['cardVerifyNo']);
/** The masked card number as printed: first 6 and last 4 kept. */
const MASKED_PAN = new RegExp(`^${PAN.slice(0, 6)}\\*+${PAN.slice(-4)}$`);
/** A card number the embedded mock made for APPLY's BIN, as printed. */
const MASKED_MOCK_PAN = new RegExp(`"cardNo": "${String(APPLY['binRangeId'])}\\*{6}\\d{4}"`);

const servers: ProviderServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

async function provider(respond?: Parameters<typeof startProviderServer>[0]['respond']): Promise<ProviderServer> {
  const server = await startProviderServer({
    alchemySecrets: { [ACCESS_KEY]: SECRET },
    merchantPublicKey: merchant.publicKey,
    respond: respond ?? ((s) => (s.alchemy ? alchemyAnswer(s, MODEL) : gepAnswer(s, RESULT, platform.privateKey))),
  });
  servers.push(server);
  return server;
}

function envFor(url: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ALCHEMY_BASE_URL: url,
    ALCHEMY_ACCESS_KEY: ACCESS_KEY,
    ALCHEMY_SECRET_KEY: SECRET,
    ALCHEMY_EMAIL: 'merchant@example.com',
    GEP_BASE_URL: url,
    GEP_USER_NO: '1234567890123456789',
    GEP_CERTIFICATE_ID: '9876543210987654321',
    GEP_MERCHANT_PRIVATE_KEY: 'merchant.pem',
    GEP_MERCHANT_KEY_PASSWORD: PASSWORD,
    GEP_PLATFORM_PUBLIC_KEY: './gep-platform.pem',
    ...extra,
  };
}

/** The real CLI in a child process, in the temporary directory (so no developer `.env` is read), with only `env` configured. */
async function cli(env: Record<string, string>, ...args: string[]) {
  const base = Object.fromEntries(['PATH', 'HOME', 'TMPDIR', 'SystemRoot'].flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : [])));
  return run(process.execPath, [BIN, 'call', ...args], { cwd: dir, env: { ...base, ...env } }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

/** No configured secret, no signature the server saw, no key material, no card number or CVV in clear. */
function expectNothingSecret(text: string, server?: ProviderServer) {
  for (const s of [SECRET, PASSWORD, JWT, PAN, `"${CVV}"`, '-----BEGIN']) expect(text).not.toContain(s);
  for (const seen of server?.seen ?? []) {
    const sign = seen.headers['ach-access-sign'];
    if (typeof sign === 'string') expect(text).not.toContain(sign);
  }
}

async function closedPort(): Promise<string> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

describe('card-conformance call: a card is created with both providers', () => {
  it.concurrent('alchemy create: signed request verified by the server, exit 0, token hidden, no secret', async () => {
    const server = await provider();
    const r = await cli(envFor(server.url), 'alchemy', 'create', '--data', JSON.stringify(CREATE));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(server.seen).toHaveLength(1);
    expect(server.seen[0]!.alchemy).toEqual({ ok: true, accessKey: ACCESS_KEY });
    expect(server.seen[0]!.rawBody).toBe(JSON.stringify(CREATE));
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^POST ${server.url}/open/api/card/create → HTTP 200 \\(1 attempt, \\d+ ms\\)$`));
    expect(lines[1]).toMatch(/^curl -sS -X POST .* -H 'ach-access-sign: \[REDACTED\]' .* --data-raw '\{"cardHolder"/);
    expect(r.stdout).toContain('"activeLink": "http://www.example.com/login?wallet=8012&token=[REDACTED]"');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('success');
    expectNothingSecret(r.stdout, server);
  });

  it.concurrent('gep apply: sealed request opened by the server, exit 0, card number masked, CVV hidden, no secret', async () => {
    const server = await provider();
    const r = await cli(envFor(server.url), 'gep', 'apply', '--data', JSON.stringify(APPLY));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(server.seen[0]!.gep?.data).toEqual(APPLY);
    expect(r.stdout).toContain(`"cardNo": "${PAN.slice(0, 6)}${'*'.repeat(PAN.length - 10)}${PAN.slice(-4)}"`);
    expect(r.stdout).toContain('"cardVerifyNo": "[REDACTED]"');
    expect(r.stdout).toContain(`"cardId": "${RESULT['cardId']}"`);
    expectNothingSecret(r.stdout, server);
  });

  it.concurrent('--json prints the redacted result with the outcome and the curl line', async () => {
    const server = await provider();
    const r = await cli(envFor(server.url), 'gep', 'apply', '--data', JSON.stringify(APPLY), '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      outcome: 'success',
      provider: 'gep',
      operation: 'apply',
      status: 200,
      attempts: 1,
      request: { body: { userReqNo: APPLY['userReqNo'] } },
    });
    expect(out.body.result.cardNo).toMatch(MASKED_PAN);
    expect(out.body.result.cardVerifyNo).toBe('[REDACTED]');
    expect(out.curl).toMatch(/^curl -sS -X POST /);
    expectNothingSecret(r.stdout, server);
  });

  it.concurrent('--data @file reads the JSON from a file', async () => {
    const server = await provider();
    writeFileSync(join(dir, 'create.json'), JSON.stringify(CREATE));
    const r = await cli(envFor(server.url), 'alchemy', 'create', '--data', '@create.json');
    expect(r.code).toBe(0);
    expect(server.seen[0]!.rawBody).toBe(JSON.stringify(CREATE));
  });

  it.concurrent('--base-url overrides ALCHEMY_BASE_URL', async () => {
    const server = await provider();
    const r = await cli(envFor(await closedPort()), 'alchemy', 'info', '--data', '{"cardId":"c-1"}', '--base-url', server.url);
    expect(r.code).toBe(0);
    expect(server.seen[0]!.path).toBe('/open/api/card/info');
  });
});

describe('card-conformance call: refusals and problems exit 1', () => {
  it.concurrent('a refusal (the server rejects a wrong secret) → exit 1 with the code and message', async () => {
    const server = await provider();
    const r = await cli(
      envFor(server.url, { ALCHEMY_SECRET_KEY: 'sk_wrong_secret_0000' }),
      'alchemy',
      'create',
      '--data',
      JSON.stringify(CREATE),
    );
    expect(server.seen[0]!.alchemy).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(r.code).toBe(1);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('refused: HTTP 200, 2604 signature verification failed');
    expect(r.stdout).not.toContain('sk_wrong_secret_0000');
  });

  it.concurrent('an HTML answer → exit 1 with the problem line, the raw body shown', async () => {
    // a 500 (a 502-504 would be ridden out as a gateway's "not now" first)
    const server = await provider(() => ({
      status: 500,
      headers: { 'content-type': 'text/html' },
      body: '<html><title>Bad Gateway</title></html>',
    }));
    const r = await cli(envFor(server.url), 'gep', 'apply', '--data', JSON.stringify(APPLY));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('<html><title>Bad Gateway</title></html>');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(
      /^problem: GEP apply to http:\/\/127\.0\.0\.1:\d+ failed: the answer is HTML, not JSON/,
    );
  });
});

describe('card-conformance call: usage, configuration and reachability', () => {
  const oneLine = (s: string) => s.trimEnd().split('\n');

  it.concurrent('bad JSON in --data → exit 2, one line', async () => {
    const r = await cli(envFor('http://127.0.0.1:9'), 'alchemy', 'create', '--data', `{"secret":"${SECRET}"`);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toEqual(['card-conformance call: --data is not valid JSON (see card-conformance --help)']);
  });

  it.concurrent('an unknown operation → exit 2, one line listing the operations', async () => {
    const r = await cli(envFor('http://127.0.0.1:9'), 'gep', 'create', '--data', '{}');
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toEqual(['card-conformance call: gep operation must be one of apply, queryCardOperate, info (got "create")']);
  });

  it.concurrent('an unknown provider, or a missing operation → exit 2', async () => {
    const a = await cli({}, 'visa', 'create');
    const b = await cli({}, 'gep');
    expect([a.code, b.code]).toEqual([2, 2]);
    expect(oneLine(a.stderr)).toEqual(['card-conformance call: provider must be one of alchemy, gep (got "visa")']);
    expect(oneLine(b.stderr)).toHaveLength(1);
  });

  it.concurrent('an unreachable port → exit 3, one line naming the host and the cause', async () => {
    const url = await closedPort();
    const r = await cli(envFor(url, { CARD_CONFORMANCE_RETRIES: '0' }), 'alchemy', 'create', '--data', JSON.stringify(CREATE));
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(oneLine(r.stderr)).toEqual([`card-conformance call: Alchemy create to ${url} failed: cannot connect (ECONNREFUSED)`]);
  });

  it.concurrent('partial MOCK_* keys without a base URL → exit 2 naming the missing variable', async () => {
    const r = await cli({ MOCK_ALCHEMY_ACCESS_KEY: ACCESS_KEY }, 'alchemy', 'create', '--data', JSON.stringify(CREATE));
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toEqual([
      'card-conformance call: MOCK_ALCHEMY_SECRET_KEY: must be set together with the other MOCK_ALCHEMY_* key',
    ]);
  });

  it.concurrent('a bad configuration value → exit 2, one line, the value not echoed', async () => {
    const r = await cli(
      envFor('http://127.0.0.1:9', { CARD_CONFORMANCE_RETRIES: SECRET, GEP_MERCHANT_KEY_PASSWORD: 'wrong-password' }),
      'alchemy',
      'create',
      '--data',
      '{}',
    );
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toEqual(['card-conformance call: CARD_CONFORMANCE_RETRIES: must be a whole number of retries']);
    const k = await cli(envFor('http://127.0.0.1:9', { GEP_MERCHANT_KEY_PASSWORD: 'wrong-password' }), 'gep', 'apply', '--data', '{}');
    expect(k.code).toBe(2);
    expect(oneLine(k.stderr)).toEqual([
      `card-conformance call: GEP_MERCHANT_PRIVATE_KEY: cannot load the private key from ${join(dir, 'merchant.pem')}: PEM password is wrong`,
    ]);
    expectNothingSecret(r.stderr + k.stderr);
  });
});

describe('resolveTarget', () => {
  const env = envFor('http://127.0.0.1:4010');
  const config = loadConfig(env, { cwd: dir, dotenv: false });

  it('the configured target, or the --base-url one with the same credentials; no mock is started', async () => {
    const configured = await resolveTarget('alchemy', config);
    expect(configured.target).toEqual(config.alchemy.target);
    expect(configured.embedded).toBeUndefined();
    expect((await resolveTarget('alchemy', config, 'https://other.example')).target).toEqual({
      ...config.alchemy.target,
      baseUrl: 'https://other.example',
    });
    const gep = await resolveTarget('gep', config, 'http://127.0.0.1:5000');
    expect(gep.target.baseUrl).toBe('http://127.0.0.1:5000');
    expect(gep.target.merchantPrivateKey).toBe(config.gep.target!.merchantPrivateKey);
    expect(gep.embedded).toBeUndefined();
    await gep.close();
  });

  it('--base-url needs the credentials, and must be an http(s) URL', async () => {
    const bare = loadConfig({ ALCHEMY_ACCESS_KEY: 'ak' }, { cwd: dir, dotenv: false });
    expect((await rejected(ConfigError, resolveTarget('alchemy', bare, 'http://127.0.0.1:1'))).message).toBe(
      'ALCHEMY_SECRET_KEY: not set: required when --base-url is given',
    );
    expect((await rejected(ConfigError, resolveTarget('gep', config, 'ftp://x'))).message).toBe(
      '--base-url: must be an http(s) URL (the scheme is ftp:)',
    );
  });

  it('neither → the embedded mock on 127.0.0.1 with its generated client keys, stopped by close()', async () => {
    const none = loadConfig({}, { cwd: dir, dotenv: false });
    for (const provider of ['alchemy', 'gep'] as const) {
      const r = await resolveTarget(provider, none, undefined, {});
      expect(r.embedded).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(r.target.baseUrl).toBe(r.embedded);
      await r.close();
      const closed = await request(`${r.embedded}/`, { method: 'POST' }).then(
        () => 'answered',
        (e: { code?: string }) => e.code,
      );
      expect(closed).toBe('ECONNREFUSED');
    }
    const gep = await resolveTarget('gep', none, undefined, {});
    expect(gep.target).toMatchObject({ userNo: expect.stringMatching(/^\d{19}$/), certificateId: expect.stringMatching(/^\d{19}$/) });
    expect(gep.target.merchantPrivateKey.type).toBe('private');
    await gep.close();
  });

  it('neither, with MOCK_* keys → the client credentials must be configured, and are used', async () => {
    const mockEnv = { MOCK_ALCHEMY_ACCESS_KEY: ACCESS_KEY, MOCK_ALCHEMY_SECRET_KEY: SECRET };
    const bare = loadConfig({}, { cwd: dir, dotenv: false });
    const e = await rejected(ConfigError, resolveTarget('alchemy', bare, undefined, mockEnv));
    expect(e.message).toBe(
      'ALCHEMY_ACCESS_KEY: not set: required when ALCHEMY_BASE_URL is not set and MOCK_ALCHEMY_* keys are (the embedded mock uses them)',
    );
    const creds = loadConfig(
      { ALCHEMY_ACCESS_KEY: ACCESS_KEY, ALCHEMY_SECRET_KEY: SECRET, ALCHEMY_EMAIL: 'merchant@example.com' },
      { cwd: dir, dotenv: false },
    );
    const r = await resolveTarget('alchemy', creds, undefined, mockEnv);
    expect(r.target).toMatchObject({ baseUrl: r.embedded, accessKey: ACCESS_KEY, secretKey: SECRET, email: 'merchant@example.com' });
    await r.close();
  });
});

describe('card-conformance call: without a base URL, the embedded mock answers', () => {
  /** Today in GEP's zone, computed here independently of the library. */
  const shanghaiToday = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
  const inDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
  /** A userReqNo the mock answers with a complete card at once (its outcome is chosen by a hash of the number). */
  function completeUserReqNo(): string {
    for (let i = 0; ; i++) {
      const candidate = `cli-embedded-${i}`;
      if (hash32(candidate) % 100 >= DEFAULT_OUTCOMES.pending + DEFAULT_OUTCOMES.incomplete) return candidate;
    }
  }
  const apply = () => ({ ...APPLY, startDate: shanghaiToday(), endDate: inDays(shanghaiToday(), 365), userReqNo: completeUserReqNo() });
  const create = () => ({ ...CREATE, orderNo: `cli-embedded-${Date.now()}`, callbackUrl: 'http://127.0.0.1:9/cb' });
  const LOCAL = /^POST http:\/\/127\.0\.0\.1:\d+\/\S+ → HTTP 200 /;

  it.concurrent('alchemy create and gep apply open a card, exit 0, card number masked, nothing secret', async () => {
    const [a, g] = await Promise.all([
      cli({}, 'alchemy', 'create', '--data', JSON.stringify(create())),
      cli({}, 'gep', 'apply', '--data', JSON.stringify(apply())),
    ]);
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    expect(a.stdout).toMatch(LOCAL);
    expect(a.stdout).toMatch(/"activeLink": "http:\/\/127\.0\.0\.1:\d+\/login\?wallet=\d{4}&token=\[REDACTED\]"/);
    expect(a.stdout.trimEnd().split('\n').at(-1)).toBe('success');
    expect(g.stderr).toBe('');
    expect(g.code).toBe(0);
    expect(g.stdout).toMatch(LOCAL);
    expect(g.stdout).toMatch(MASKED_MOCK_PAN);
    expect(g.stdout).toContain('"cardVerifyNo": "[REDACTED]"');
    expect(g.stdout).toMatch(/"cardExpiryDate": "\d{2}\/\d{4}"/);
    expect(g.stdout.trimEnd().split('\n').at(-1)).toBe('success');
    for (const out of [a.stdout, g.stdout]) {
      expect(out).not.toMatch(/\b\d{16}\b/);
      expect(out).not.toContain('-----BEGIN');
      expect(out).not.toMatch(/ach-access-sign: (?!\[REDACTED\])/);
    }
  });

  it.concurrent('with MOCK_* keys the mock takes them and the client its ALCHEMY_*/GEP_* credentials; a mismatch is refused', async () => {
    writeFileSync(join(dir, 'merchant.pub.pem'), merchant.publicPem);
    writeFileSync(join(dir, 'platform.key.pem'), platform.privatePem);
    const env = {
      ...envFor('unused'),
      MOCK_ALCHEMY_ACCESS_KEY: ACCESS_KEY,
      MOCK_ALCHEMY_SECRET_KEY: SECRET,
      MOCK_GEP_USER_NO: '1234567890123456789',
      MOCK_GEP_MERCHANT_PUBLIC_KEY: join(dir, 'merchant.pub.pem'),
      MOCK_GEP_PLATFORM_PRIVATE_KEY: join(dir, 'platform.key.pem'),
    };
    delete (env as Record<string, string | undefined>)['ALCHEMY_BASE_URL'];
    delete (env as Record<string, string | undefined>)['GEP_BASE_URL'];
    const [a, g, wrong] = await Promise.all([
      cli(env, 'alchemy', 'create', '--data', JSON.stringify(create())),
      cli(env, 'gep', 'apply', '--data', JSON.stringify(apply())),
      cli({ ...env, ALCHEMY_SECRET_KEY: 'sk_not_the_mock_secret_0' }, 'alchemy', 'create', '--data', JSON.stringify(create())),
    ]);
    expect([a.code, g.code], a.stderr + g.stderr).toEqual([0, 0]);
    expect(a.stdout).toMatch(LOCAL);
    expect(g.stdout).toMatch(MASKED_MOCK_PAN);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout.trimEnd().split('\n').at(-1)).toMatch(/^refused: HTTP 200, 2604 /);
    for (const out of [a.stdout, g.stdout, wrong.stdout, a.stderr, g.stderr, wrong.stderr]) expectNothingSecret(out);
  });
});
