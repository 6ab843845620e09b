import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KeyError } from '../../src/wire/errors.ts';
import { decodeSealed, encodeSealed, sealText } from '../../src/wire/gep-envelope.ts';
import { generateTestKeyPair, loadPrivateKey, loadPublicKey } from '../../src/wire/keys.ts';
import { pkcs12File, selfSignedCertificate } from './forge-fixtures.ts';
import { thrown } from './thrown.ts';
import { gepVector, MERCHANT_PRIVATE_PEM, MERCHANT_PUBLIC_PEM, vectorPath } from './vectors.ts';

const dir = mkdtempSync(join(tmpdir(), 'wire-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const keyError = (fn: () => unknown) => thrown(KeyError, fn);

const spki = (key: KeyObject) => (key.type === 'private' ? createPublicKey(key) : key).export({ type: 'spki', format: 'der' });
const pair = generateTestKeyPair(1024);
const cert = selfSignedCertificate(pair);
const payload = { userReqNo: '20240814201558-1133055849', cardAlias: '消费卡', note: 'x'.repeat(400) };

describe('generateTestKeyPair and the envelope at two key sizes', () => {
  for (const bits of [1024, 2048]) {
    it(`round-trips a multi-chunk payload with a ${bits}-bit key`, () => {
      const keys = bits === 1024 ? pair : generateTestKeyPair(bits);
      expect(keys.privateKey.asymmetricKeyDetails?.modulusLength).toBe(bits);
      const hex = encodeSealed(payload, keys.privateKey);
      expect(hex.length % ((bits / 8) * 2)).toBe(0);
      expect(hex.length / ((bits / 8) * 2)).toBeGreaterThan(1);
      expect(decodeSealed(hex, keys.publicKey)).toEqual(payload);
    });
  }
});

describe('loadPrivateKey', () => {
  it('loads the shared vector key by path and reproduces the vector', () => {
    const key = loadPrivateKey(vectorPath(MERCHANT_PRIVATE_PEM));
    expect(sealText(gepVector().json, key)).toBe(gepVector().dataContentHex);
  });

  it('loads inline PKCS#8 and PKCS#1 PEM', () => {
    const pkcs1 = pair.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
    for (const pem of [pair.privatePem, pkcs1]) {
      expect(spki(loadPrivateKey(pem))).toEqual(spki(pair.publicKey));
    }
  });

  it('loads an encrypted PEM with its password, and names a wrong or missing one', () => {
    const encrypted = pair.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'right-pass' }) as string;
    const path = write('encrypted.pem', encrypted);
    expect(spki(loadPrivateKey(path, 'right-pass'))).toEqual(spki(pair.publicKey));
    expect(keyError(() => loadPrivateKey(path, 'wrong-pass')).message).toBe(
      `cannot load the private key from ${path}: PEM password is wrong`,
    );
    expect(keyError(() => loadPrivateKey(encrypted)).message).toBe(
      'cannot load the private key from inline PEM: the PEM is encrypted and no password was given',
    );
  });

  for (const algorithm of ['aes256', '3des'] as const) {
    it(`loads a ${algorithm} PKCS#12 file with the right password and seals with it`, () => {
      const path = write(`merchant-${algorithm}.pfx`, pkcs12File(pair, cert, 'pfx-pass-1', algorithm));
      const key = loadPrivateKey(path, 'pfx-pass-1');
      expect(decodeSealed(encodeSealed(payload, key), pair.publicKey)).toEqual(payload);
    });
  }

  it('names a wrong PKCS#12 password without echoing it', () => {
    const path = write('merchant.p12', pkcs12File(pair, cert, 'pfx-pass-1'));
    const e = keyError(() => loadPrivateKey(path, 'not-the-pass'));
    expect(e.message).toBe(`cannot load the private key from ${path}: PKCS#12 password is wrong or the file is corrupt`);
    expect(e.source).toBe(path);
    expect(e.message).not.toContain('not-the-pass');
  });

  it('names a corrupt PKCS#12 file', () => {
    const path = write('corrupt.pfx', pkcs12File(pair, cert, 'pw').subarray(0, 200));
    expect(keyError(() => loadPrivateKey(path, 'pw')).message).toMatch(/PKCS#12 password is wrong or the file is corrupt$/);
  });

  it('names a missing file', () => {
    const path = join(dir, 'absent.pfx');
    expect(keyError(() => loadPrivateKey(path, 'pw')).message).toBe(`cannot load the private key from ${path}: file not found`);
  });

  it('names a key that is not RSA', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    expect(keyError(() => loadPrivateKey(ec)).message).toMatch(/^cannot load the private key from inline PEM: not an RSA key \(ec\)/);
  });

  it('names a public key or certificate given as the private key', () => {
    expect(keyError(() => loadPrivateKey(pair.publicPem)).message).toMatch(/holds a public key, not a private key$/);
    expect(keyError(() => loadPrivateKey(write('cert.pem', cert.pem))).message).toMatch(/holds a certificate, not a private key$/);
  });

  it('names an unreadable file or PEM without quoting its content', () => {
    const path = write('garbage.key', Buffer.from('this is not a key at all'));
    expect(keyError(() => loadPrivateKey(path)).message).toMatch(/: unreadable format \(expected PEM, DER/);
    const lines = pair.privatePem.trim().split('\n');
    const broken = [...lines.slice(0, 3), lines.at(-1)].join('\n'); // header, two lines of body, footer
    const e = keyError(() => loadPrivateKey(broken));
    expect(e.message).toMatch(/^cannot load the private key from inline PEM: unreadable format/);
    expect(e.message).not.toContain('MII');
  });

  it('does not echo key text that is neither PEM nor a path', () => {
    const bare = pair.privatePem.replace(/-----[A-Z ]+-----/g, '').replace(/\s/g, '');
    const e = keyError(() => loadPrivateKey(bare));
    expect(e.message).toBe('cannot load the private key from inline text: neither a PEM block nor a file path');
  });

  it('loads a DER PKCS#8 file', () => {
    const path = write('key.der', pair.privateKey.export({ type: 'pkcs8', format: 'der' }));
    expect(spki(loadPrivateKey(path))).toEqual(spki(pair.publicKey));
  });
});

describe('loadPublicKey', () => {
  it('loads the shared vector public key by path and inline', () => {
    const path = vectorPath(MERCHANT_PUBLIC_PEM);
    const fromPath = loadPublicKey(path);
    expect(spki(loadPublicKey(readFileSync(path, 'utf8')))).toEqual(spki(fromPath));
    expect(decodeSealed(gepVector().dataContentHex, fromPath)).toEqual(JSON.parse(gepVector().json));
  });

  it('reads the same key from a DER .cer, a PEM certificate file, inline PEM certificate and SPKI/PKCS#1 PEM', () => {
    const expected = spki(pair.publicKey);
    const pkcs1 = pair.publicKey.export({ type: 'pkcs1', format: 'pem' }) as string;
    const inputs = [write('gep.cer', cert.der), write('gep-cert.pem', cert.pem), cert.pem, pair.publicPem, pkcs1];
    for (const input of inputs) expect(spki(loadPublicKey(input))).toEqual(expected);
  });

  it('opens what the PKCS#12 key sealed, with the .cer public key', () => {
    const key = loadPrivateKey(write('roundtrip.pfx', pkcs12File(pair, cert, 'pw-2')), 'pw-2');
    expect(decodeSealed(encodeSealed(payload, key), loadPublicKey(write('roundtrip.cer', cert.der)))).toEqual(payload);
  });

  it('refuses a private key where the public key belongs', () => {
    expect(keyError(() => loadPublicKey(pair.privatePem)).message).toBe(
      'cannot load the public key from inline PEM: the PEM holds a private key; give the public key or the certificate',
    );
  });

  it('names a missing file, an unreadable file and a non-RSA key', () => {
    expect(keyError(() => loadPublicKey(join(dir, 'absent.cer'))).message).toMatch(/: file not found$/);
    expect(keyError(() => loadPublicKey(write('junk.cer', Buffer.from([0x30, 0x03, 0x02, 0x01])))).message).toMatch(/: unreadable format/);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }) as string;
    expect(keyError(() => loadPublicKey(ec)).message).toMatch(/not an RSA key \(ec\)/);
  });
});
