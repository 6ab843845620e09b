/**
 * Secrets as CI gives them: strings. Every key variable takes a file path or the value itself — PEM
 * text, or the base64 of a `.pfx` (with GEP_MERCHANT_KEY_PASSWORD), of a `.cer`, of a DER or PEM key —
 * and ALCHEMY_SECRET_KEY may name a file holding it. Keys are generated at test time. Each failure is one
 * line naming the variable, never the value.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.ts';
import { ConfigError } from '../../src/config/errors.ts';
import { decodeSealed, encodeSealed } from '../../src/wire/gep-envelope.ts';
import { generateTestKeyPair } from '../../src/wire/keys.ts';
import { pkcs12File, selfSignedCertificate } from '../wire/forge-fixtures.ts';
import { thrown } from '../wire/thrown.ts';

const root = mkdtempSync(join(tmpdir(), 'config-secrets-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const workdir = (files: Record<string, string | Buffer> = {}) => {
  const dir = join(root, `w${++n}`);
  mkdirSync(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
};

const merchant = generateTestKeyPair(1024);
const platform = generateTestKeyPair(1024);
const PASSWORD = 'ci-pfx-Pa55word';
const pfx = pkcs12File(merchant, selfSignedCertificate(merchant), PASSWORD);
const cer = selfSignedCertificate(platform);
const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64');
/** As a CI secret often arrives: wrapped at 76 columns. */
const wrapped = (s: string) => s.replace(/.{76}/g, '$&\n');

const spki = (k: KeyObject) => (k.type === 'private' ? createPublicKey(k) : k).export({ type: 'spki', format: 'der' });
const gep = (extra: Record<string, string>, cwd = workdir()) =>
  loadConfig({ GEP_USER_NO: '1', ...extra }, { cwd, dotenv: false }).gep.credentials;
const configError = (env: Record<string, string>, cwd = workdir()) => thrown(ConfigError, () => loadConfig(env, { cwd, dotenv: false }));

describe('GEP keys as values', () => {
  it('a .pfx by path loads (the positive case the values must match)', () => {
    const c = gep({ GEP_MERCHANT_PRIVATE_KEY: 'merchant.pfx', GEP_MERCHANT_KEY_PASSWORD: PASSWORD }, workdir({ 'merchant.pfx': pfx }));
    expect(spki(c.merchantPrivateKey!)).toEqual(spki(merchant.privateKey));
  });

  it('the base64 of the .pfx with its password is the same key, wrapped or not, and seals what the platform side opens', () => {
    for (const value of [b64(pfx), wrapped(b64(pfx))]) {
      const c = gep({ GEP_MERCHANT_PRIVATE_KEY: value, GEP_MERCHANT_KEY_PASSWORD: PASSWORD });
      expect(spki(c.merchantPrivateKey!)).toEqual(spki(merchant.privateKey));
      const sealed = encodeSealed({ a: 1 }, c.merchantPrivateKey!);
      expect(decodeSealed(sealed, merchant.publicKey)).toEqual({ a: 1 });
    }
  });

  it('the base64 of a DER PKCS#8 key, of PEM text, and the base64 of the .cer for the public key', () => {
    const der = merchant.privateKey.export({ type: 'pkcs8', format: 'der' });
    expect(spki(gep({ GEP_MERCHANT_PRIVATE_KEY: b64(der) }).merchantPrivateKey!)).toEqual(spki(merchant.privateKey));
    expect(spki(gep({ GEP_MERCHANT_PRIVATE_KEY: b64(merchant.privatePem) }).merchantPrivateKey!)).toEqual(spki(merchant.privateKey));
    expect(spki(gep({ GEP_PLATFORM_PUBLIC_KEY: b64(cer.der) }).platformPublicKey!)).toEqual(spki(platform.publicKey));
    expect(spki(gep({ GEP_PLATFORM_PUBLIC_KEY: b64(platform.publicPem) }).platformPublicKey!)).toEqual(spki(platform.publicKey));
  });

  it('a file without a key extension or a directory part is read when it exists', () => {
    const c = gep({ GEP_PLATFORM_PUBLIC_KEY: 'gep_platform' }, workdir({ gep_platform: cer.der }));
    expect(spki(c.platformPublicKey!)).toEqual(spki(platform.publicKey));
  });

  it('the base64 value is a secret: listed for redaction, as inline PEM is, and a path is not', () => {
    const value = b64(pfx);
    expect(
      loadConfig({ GEP_MERCHANT_PRIVATE_KEY: value, GEP_MERCHANT_KEY_PASSWORD: PASSWORD }, { cwd: workdir(), dotenv: false }).secrets,
    ).toContain(value);
    const byPath = loadConfig(
      { GEP_MERCHANT_PRIVATE_KEY: 'merchant.pfx', GEP_MERCHANT_KEY_PASSWORD: PASSWORD },
      { cwd: workdir({ 'merchant.pfx': pfx }), dotenv: false },
    );
    expect(byPath.secrets).toEqual([PASSWORD]);
  });

  it('a wrong password, a value that is no key, and neither file nor key: one line each, never the value', () => {
    const value = b64(pfx);
    const wrong = configError({ GEP_MERCHANT_PRIVATE_KEY: value, GEP_MERCHANT_KEY_PASSWORD: 'not-it-123' });
    expect(wrong.message).toBe(
      'GEP_MERCHANT_PRIVATE_KEY: cannot load the private key from base64 value: PKCS#12 password is wrong or the file is corrupt',
    );
    const junk = b64(Buffer.alloc(300, 7));
    const noKey = configError({ GEP_MERCHANT_PRIVATE_KEY: junk });
    expect(noKey.message).toMatch(/^GEP_MERCHANT_PRIVATE_KEY: cannot load the private key from base64 value: unreadable format/);
    const pub = configError({ GEP_PLATFORM_PUBLIC_KEY: junk });
    expect(pub.message).toMatch(/^GEP_PLATFORM_PUBLIC_KEY: cannot load the public key from base64 value: unreadable format/);
    const neither = configError({ GEP_MERCHANT_PRIVATE_KEY: 'hunter2-not-a-key' });
    expect(neither.message).toMatch(/^GEP_MERCHANT_PRIVATE_KEY: neither a readable key file, PEM text, nor base64 of a key/);
    for (const e of [wrong, noKey, pub, neither]) {
      expect(e.message).not.toContain('\n');
      for (const secret of [value.slice(0, 24), junk.slice(0, 24), 'hunter2', 'not-it-123']) expect(e.message).not.toContain(secret);
    }
  });
});

describe('ALCHEMY_SECRET_KEY as a file', () => {
  const ALCHEMY = { ALCHEMY_ACCESS_KEY: 'ak_test', ALCHEMY_EMAIL: 'm@example.com' };

  it('the value itself, or the content of the ./ or absolute path it names', () => {
    expect(
      loadConfig({ ...ALCHEMY, ALCHEMY_SECRET_KEY: 'sk_inline_1' }, { cwd: workdir(), dotenv: false }).alchemy.credentials.secretKey,
    ).toBe('sk_inline_1');
    const cwd = workdir({ 'alchemy.secret': 'sk_from_file_2\n' });
    const rel = loadConfig({ ...ALCHEMY, ALCHEMY_SECRET_KEY: './alchemy.secret' }, { cwd, dotenv: false });
    expect(rel.alchemy.credentials.secretKey).toBe('sk_from_file_2');
    expect(rel.secrets).toContain('sk_from_file_2');
    const abs = loadConfig({ ...ALCHEMY, ALCHEMY_SECRET_KEY: join(cwd, 'alchemy.secret') }, { cwd: workdir(), dotenv: false });
    expect(abs.alchemy.credentials.secretKey).toBe('sk_from_file_2');
  });

  it('a path that names no file is the key itself (a secret may start with a slash)', () => {
    const c = loadConfig({ ...ALCHEMY, ALCHEMY_SECRET_KEY: '/no/such/file+x=' }, { cwd: workdir(), dotenv: false });
    expect(c.alchemy.credentials.secretKey).toBe('/no/such/file+x=');
  });

  it('a file of several lines is refused, naming the variable and the path, not the content', () => {
    const cwd = workdir({ 'two.secret': 'sk_line_one\nsk_line_two\n' });
    const e = configError({ ...ALCHEMY, ALCHEMY_SECRET_KEY: './two.secret' }, cwd);
    expect(e.message).toBe(`ALCHEMY_SECRET_KEY: the file ${join(cwd, 'two.secret')} must hold the key on one line`);
  });
});
