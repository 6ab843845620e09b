import { createPublicKey, type KeyObject } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, LIMIT_VARIABLES, loadConfig, VARIABLES } from '../../src/config/env.ts';
import { ConfigError } from '../../src/config/errors.ts';
import { BUDGET_VARIABLES } from '../../src/conformance/budget.ts';
import { SETTINGS_VARIABLES } from '../../src/conformance/settings.ts';
import { MOCK_VARIABLES } from '../../src/mock/env.ts';
import { BROKER_VARIABLES } from '../../src/pact/broker.ts';
import { PACT_VARIABLES } from '../../src/pact/consumer.ts';
import { SPEC_VERSION_VARIABLE } from '../../src/spec/catalogue.ts';
import { decodeSealed, encodeSealed } from '../../src/wire/gep-envelope.ts';
import { generateTestKeyPair } from '../../src/wire/keys.ts';
import { SPECS_VARIABLE } from '../helpers/specs-variable.ts';
import { pkcs12File, selfSignedCertificate } from '../wire/forge-fixtures.ts';
import { thrown } from '../wire/thrown.ts';

const root = mkdtempSync(join(tmpdir(), 'config-env-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let dirs = 0;
/** A fresh working directory, with the given files. */
function workdir(files: Record<string, string | Buffer> = {}): string {
  const dir = join(root, `w${++dirs}`);
  mkdirSync(dir);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

const merchant = generateTestKeyPair(1024);
const platform = generateTestKeyPair(1024);
const PASSWORD = 'pfx-Pa55word-hunter2';
const encryptedPem = merchant.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: PASSWORD }) as string;

const ALCHEMY = {
  ALCHEMY_BASE_URL: 'http://127.0.0.1:4010',
  ALCHEMY_ACCESS_KEY: 'ak_test_0001',
  ALCHEMY_SECRET_KEY: 'sk_test_SECRET_0001',
  ALCHEMY_EMAIL: 'merchant@example.com',
};
const GEP = {
  GEP_BASE_URL: 'https://gep.test.example',
  GEP_USER_NO: '1234567890123456789',
  GEP_CERTIFICATE_ID: '9876543210987654321',
  GEP_MERCHANT_PRIVATE_KEY: merchant.privatePem,
  GEP_PLATFORM_PUBLIC_KEY: platform.publicPem,
};

const spki = (k: KeyObject) => (k.type === 'private' ? createPublicKey(k) : k).export({ type: 'spki', format: 'der' });
const configError = (env: Record<string, string>, cwd = workdir()) => thrown(ConfigError, () => loadConfig(env, { cwd }));

describe('loadConfig: what is read', () => {
  it('with nothing set: the documented default limits, no provider configured, no secrets', () => {
    const c = loadConfig({}, { cwd: workdir() });
    expect(c.limits).toEqual({
      connectTimeoutMs: 5000,
      headersTimeoutMs: 10000,
      bodyTimeoutMs: 10000,
      callTimeoutMs: 15000,
      maxBodyBytes: 1048576,
      retries: 50,
      rideOutMs: 60000,
    });
    expect(c.alchemy.target).toBeUndefined();
    expect(c.gep.target).toBeUndefined();
    expect(c.secrets).toEqual([]);
  });

  it('an Alchemy section with a base URL is a complete target, language and callback URL included', () => {
    const c = loadConfig(
      { ...ALCHEMY, ALCHEMY_LANGUAGE: 'JA', ALCHEMY_CALLBACK_URL: 'https://cb.example.com/alchemy' },
      { cwd: workdir() },
    );
    expect(c.alchemy.target).toEqual({
      baseUrl: 'http://127.0.0.1:4010',
      accessKey: 'ak_test_0001',
      secretKey: 'sk_test_SECRET_0001',
      email: 'merchant@example.com',
      language: 'JA',
      callbackUrl: 'https://cb.example.com/alchemy',
    });
    expect(c.gep.target).toBeUndefined();
    expect(c.secrets).toEqual(expect.arrayContaining(['sk_test_SECRET_0001', 'ak_test_0001']));
  });

  it('a GEP section with inline PEM keys loads working KeyObjects', () => {
    const t = loadConfig(GEP, { cwd: workdir() }).gep.target!;
    expect(t).toMatchObject({ baseUrl: 'https://gep.test.example', userNo: GEP.GEP_USER_NO, certificateId: GEP.GEP_CERTIFICATE_ID });
    // The loaded merchant key seals what the merchant's public half opens: it is the right key, not just a key.
    expect(decodeSealed(encodeSealed({ a: 1 }, t.merchantPrivateKey), merchant.publicKey)).toEqual({ a: 1 });
    expect(spki(t.platformPublicKey)).toEqual(spki(platform.publicKey));
  });

  it('key paths are read relative to the working directory: a password-protected .pfx and an X.509 .cer', () => {
    const cert = selfSignedCertificate(platform);
    const cwd = workdir({ 'keys/merchant.pfx': pkcs12File(merchant, selfSignedCertificate(merchant), PASSWORD), 'keys/gep.cer': cert.der });
    const c = loadConfig(
      {
        ...GEP,
        GEP_MERCHANT_PRIVATE_KEY: './keys/merchant.pfx',
        GEP_MERCHANT_KEY_PASSWORD: PASSWORD,
        GEP_PLATFORM_PUBLIC_KEY: 'keys/gep.cer',
      },
      { cwd },
    );
    expect(spki(c.gep.target!.merchantPrivateKey)).toEqual(spki(merchant.publicKey));
    expect(spki(c.gep.target!.platformPublicKey)).toEqual(spki(platform.publicKey));
    expect(c.secrets).toContain(PASSWORD);
  });

  it('an encrypted PEM opens with GEP_MERCHANT_KEY_PASSWORD', () => {
    const c = loadConfig({ ...GEP, GEP_MERCHANT_PRIVATE_KEY: encryptedPem, GEP_MERCHANT_KEY_PASSWORD: PASSWORD }, { cwd: workdir() });
    expect(spki(c.gep.target!.merchantPrivateKey)).toEqual(spki(merchant.publicKey));
    expect(c.secrets).toEqual(expect.arrayContaining([PASSWORD, encryptedPem]));
  });

  it('reads .env from the working directory; the environment wins over it', () => {
    const cwd = workdir({
      '.env':
        'ALCHEMY_BASE_URL=http://127.0.0.1:9999\nALCHEMY_ACCESS_KEY=from-file\nALCHEMY_SECRET_KEY=file-secret\nALCHEMY_EMAIL=file@example.com\nCARD_CONFORMANCE_RETRIES=5\n',
    });
    const c = loadConfig({ ALCHEMY_ACCESS_KEY: 'from-env' }, { cwd });
    expect(c.alchemy.target).toMatchObject({ baseUrl: 'http://127.0.0.1:9999', accessKey: 'from-env', secretKey: 'file-secret' });
    expect(c.limits.retries).toBe(5);
    expect(loadConfig({}, { cwd, dotenv: false }).alchemy.target).toBeUndefined();
  });

  it('reads every limit variable, and 0 retries is allowed', () => {
    const env = Object.fromEntries(Object.values(LIMIT_VARIABLES).map((v, i) => [v, String(100 + i)]));
    const c = loadConfig({ ...env, CARD_CONFORMANCE_RETRIES: '0' }, { cwd: workdir() });
    expect(c.limits).toEqual({
      connectTimeoutMs: 100,
      headersTimeoutMs: 101,
      bodyTimeoutMs: 102,
      callTimeoutMs: 103,
      maxBodyBytes: 104,
      retries: 0,
      rideOutMs: 106,
    });
  });

  it('an empty value counts as unset (a copied .env.example line `X=`)', () => {
    const c = loadConfig({ ALCHEMY_BASE_URL: '', ALCHEMY_ACCESS_KEY: 'ak', CARD_CONFORMANCE_RETRIES: ' ' }, { cwd: workdir() });
    expect(c.alchemy.target).toBeUndefined();
    expect(c.alchemy.credentials).toEqual({ accessKey: 'ak' });
    expect(c.limits.retries).toBe(DEFAULT_LIMITS.retries);
  });

  it('credentials without a base URL are kept (for --base-url) and still checked', () => {
    const c = loadConfig({ ...GEP, GEP_BASE_URL: '' }, { cwd: workdir() });
    expect(c.gep.target).toBeUndefined();
    expect(Object.keys(c.gep.credentials).sort()).toEqual(['certificateId', 'merchantPrivateKey', 'platformPublicKey', 'userNo']);
    expect(configError({ GEP_MERCHANT_PRIVATE_KEY: platform.publicPem }).variable).toBe('GEP_MERCHANT_PRIVATE_KEY');
  });
});

describe('loadConfig: what is refused, in one line naming the variable', () => {
  it('a base URL set without its credentials names the first missing one', () => {
    const e = configError({ ALCHEMY_BASE_URL: 'http://127.0.0.1:4010', ALCHEMY_ACCESS_KEY: 'ak' });
    expect(e.message).toBe('ALCHEMY_SECRET_KEY: not set: required when ALCHEMY_BASE_URL is set');
    expect(configError({ ...GEP, GEP_PLATFORM_PUBLIC_KEY: '' }).message).toBe(
      'GEP_PLATFORM_PUBLIC_KEY: not set: required when GEP_BASE_URL is set',
    );
  });

  it.each([
    ['ALCHEMY_BASE_URL', 'ftp://files.example.com', 'must be an http(s) URL'],
    ['ALCHEMY_BASE_URL', 'sbx-card-api.alchemypay.org', 'must be an absolute http(s) URL'],
    ['GEP_BASE_URL', 'https://user:pw@gep.example', 'must not carry credentials'],
    ['GEP_BASE_URL', 'https://gep.example/?k=v', 'must not have a query'],
    ['ALCHEMY_CALLBACK_URL', 'not a url', 'must be an absolute http(s) URL'],
    ['ALCHEMY_EMAIL', 'merchant', 'must be an e-mail address'],
    ['ALCHEMY_LANGUAGE', 'FR', 'must be one of EN, CH, JA'],
    ['CARD_CONFORMANCE_CALL_TIMEOUT_MS', '15s', 'must be a whole number of milliseconds'],
    ['CARD_CONFORMANCE_CONNECT_TIMEOUT_MS', '0', 'from 1 to'],
    ['CARD_CONFORMANCE_MAX_BODY_BYTES', '-1', 'must be a whole number of bytes'],
    ['CARD_CONFORMANCE_RETRIES', '1001', 'from 0 to 1000'],
  ])('%s=%s', (variable, value, problem) => {
    const e = configError({ [variable]: value });
    expect(e.variable).toBe(variable);
    expect(e.message.startsWith(`${variable}: `)).toBe(true);
    expect(e.message).toContain(problem);
    expect(e.message).not.toContain('\n');
  });

  it('keys that cannot be loaded: not found, wrong password, a private key given as the public one', () => {
    expect(configError({ GEP_MERCHANT_PRIVATE_KEY: 'keys/absent.pfx' }).message).toMatch(
      /^GEP_MERCHANT_PRIVATE_KEY: cannot load the private key from \/.*\/keys\/absent\.pfx: file not found$/,
    );
    expect(configError({ GEP_MERCHANT_PRIVATE_KEY: encryptedPem, GEP_MERCHANT_KEY_PASSWORD: 'wrong-password' }).message).toBe(
      'GEP_MERCHANT_PRIVATE_KEY: cannot load the private key from inline PEM: PEM password is wrong',
    );
    expect(configError({ GEP_PLATFORM_PUBLIC_KEY: merchant.privatePem }).message).toContain(
      'GEP_PLATFORM_PUBLIC_KEY: cannot load the public key from inline PEM: the PEM holds a private key',
    );
  });

  it('an unreadable .env is named', () => {
    const cwd = workdir();
    mkdirSync(join(cwd, '.env'));
    expect(configError({}, cwd).message).toBe('.env: cannot be read (EISDIR)');
  });
});

describe('loadConfig never echoes a value', () => {
  const SECRET = 'sk_live_9f8e7d6c5b4a3f2e1d0c';
  const BARE_KEY = merchant.privatePem.split('\n').slice(1, 4).join('');
  const cases: Array<[string, Record<string, string>, string]> = [
    ['ALCHEMY_BASE_URL', { ALCHEMY_BASE_URL: SECRET }, SECRET],
    ['ALCHEMY_BASE_URL', { ALCHEMY_BASE_URL: `https://merchant:${SECRET}@host.example` }, SECRET],
    ['ALCHEMY_EMAIL', { ALCHEMY_EMAIL: SECRET }, SECRET],
    ['ALCHEMY_LANGUAGE', { ALCHEMY_LANGUAGE: SECRET }, SECRET],
    ['CARD_CONFORMANCE_RETRIES', { CARD_CONFORMANCE_RETRIES: SECRET }, SECRET],
    ['GEP_MERCHANT_PRIVATE_KEY', { GEP_MERCHANT_PRIVATE_KEY: SECRET }, SECRET],
    ['GEP_MERCHANT_PRIVATE_KEY', { GEP_MERCHANT_PRIVATE_KEY: BARE_KEY }, BARE_KEY.slice(0, 16)],
    ['GEP_PLATFORM_PUBLIC_KEY', { GEP_PLATFORM_PUBLIC_KEY: `${BARE_KEY}/x` }, BARE_KEY.slice(0, 16)],
    ['GEP_MERCHANT_PRIVATE_KEY', { GEP_MERCHANT_PRIVATE_KEY: encryptedPem, GEP_MERCHANT_KEY_PASSWORD: SECRET }, SECRET],
    ['ALCHEMY_SECRET_KEY', { ...ALCHEMY, ALCHEMY_SECRET_KEY: SECRET, ALCHEMY_EMAIL: '' }, SECRET],
  ];
  it.each(cases)('%s with a secret-looking value', (variable, env, secret) => {
    const e = configError(env);
    expect(e.message.startsWith(`${e.variable}: `)).toBe(true);
    // The one case where the error is about another variable (email missing) must not leak the secret either.
    if (variable !== 'ALCHEMY_SECRET_KEY') expect(e.variable).toBe(variable);
    expect(e.message).not.toContain(secret);
    expect(e.message).not.toContain('\n');
  });
});

describe('.env.example', () => {
  const text = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');

  it('documents every variable, each under a comment, and no other', () => {
    const lines = text.split('\n');
    const named = lines.flatMap((l, i) => {
      const m = /^(?:# )?([A-Z][A-Z0-9_]+)=/.exec(l);
      return m ? [{ name: m[1]!, doc: lines[i - 1] ?? '' }] : [];
    });
    expect(named.map((n) => n.name).sort()).toEqual(
      [
        ...VARIABLES,
        ...Object.values(SETTINGS_VARIABLES),
        ...Object.values(BUDGET_VARIABLES),
        ...MOCK_VARIABLES,
        SPECS_VARIABLE,
        SPEC_VERSION_VARIABLE,
        ...Object.values(PACT_VARIABLES),
        ...Object.values(BROKER_VARIABLES),
      ].sort(),
    );
    for (const n of named) expect(n.doc, n.name).toMatch(/^# [A-Z(a-z]/);
    expect(duplicates(named.map((n) => n.name))).toEqual([]);
  });

  it('copied to .env as it is, it loads: the default limits, no provider configured', () => {
    const values = parseDotenv(text);
    expect(Object.keys(values).sort()).toEqual(Object.values(LIMIT_VARIABLES).sort());
    const c = loadConfig({}, { cwd: workdir({ '.env': text }) });
    expect(c.limits).toEqual(DEFAULT_LIMITS);
    expect(c.alchemy.target).toBeUndefined();
    expect(c.gep.target).toBeUndefined();
  });

  it('with the provider lines uncommented, only the placeholder key files are missing', () => {
    const uncommented = text.replace(/^# ([A-Z][A-Z0-9_]+=)/gm, '$1');
    const e = configError({}, workdir({ '.env': uncommented }));
    expect(e.message).toMatch(/^GEP_MERCHANT_PRIVATE_KEY: cannot load the private key from .*merchant\.pfx: file not found$/);
  });
});

function duplicates(names: string[]): string[] {
  return names.filter((n, i) => names.indexOf(n) !== i);
}
