import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WireFormatError } from '../../src/wire/errors.ts';
import {
  cachedEncryptChunk,
  decodeSealed,
  encodeSealed,
  encryptChunk,
  gepForm,
  openText,
  parseGepForm,
  rsaPrivateEncryptHex,
  rsaPublicDecryptHex,
  sealText,
} from '../../src/wire/gep-envelope.ts';
import { generateTestKeyPair } from '../../src/wire/keys.ts';
import { thrown } from './thrown.ts';
import { gepVector, MERCHANT_PRIVATE_PEM, MERCHANT_PUBLIC_PEM, vectorPath } from './vectors.ts';

const v = gepVector();
const privateKey = createPrivateKey(readFileSync(vectorPath(MERCHANT_PRIVATE_PEM)));
const publicKey = createPublicKey(readFileSync(vectorPath(MERCHANT_PUBLIC_PEM)));
const other = generateTestKeyPair(1024);

const failure = (fn: () => unknown) => thrown(WireFormatError, fn);

describe('GEP sealed dataContent reproduces the shared vector', () => {
  it('seals the vector JSON text to the vector hex, byte for byte', () => {
    expect(sealText(v.json, privateKey)).toBe(v.dataContentHex);
  });

  it("with remembered chunks (a load generator's cache): the same bytes, a shared chunk encrypted once", () => {
    const encrypted: string[] = [];
    const cached = cachedEncryptChunk(2, (chunk, key) => {
      encrypted.push(chunk.toString('latin1'));
      return encryptChunk(chunk, key);
    });
    expect(sealText(v.json, privateKey, cached)).toBe(v.dataContentHex);
    const first = encrypted.length;
    expect(first).toBeGreaterThan(0);
    // two texts that share their first chunk: the shared one is encrypted once, and both seal exactly
    const a = `{"fixed":"${'x'.repeat(120)}","n":"1"}`;
    const b = `{"fixed":"${'x'.repeat(120)}","n":"2"}`;
    encrypted.length = 0;
    expect(sealText(a, other.privateKey, cached)).toBe(sealText(a, other.privateKey));
    expect(sealText(b, other.privateKey, cached)).toBe(sealText(b, other.privateKey));
    const chunks = (t: string) => Math.ceil(Buffer.from(t).toString('base64').length / 117);
    expect(encrypted.length).toBe(chunks(a) + chunks(b) - 1);
    // at most 2 remembered: a third text pushes the oldest out, and sealing stays exact
    const c = `{"other":"${'y'.repeat(300)}"}`;
    for (const t of [c, a, b, c]) expect(sealText(t, other.privateKey, cached)).toBe(sealText(t, other.privateKey));
  });

  it('remembers chunks per key: the same chunk under another key is encrypted with that key', () => {
    let calls = 0;
    const cached = cachedEncryptChunk(8, (chunk, key) => {
      calls++;
      return encryptChunk(chunk, key);
    });
    const text = '{"same":"text"}';
    const mine = sealText(text, privateKey, cached);
    const theirs = sealText(text, other.privateKey, cached);
    expect(mine).toBe(sealText(text, privateKey));
    expect(theirs).toBe(sealText(text, other.privateKey));
    expect(theirs).not.toBe(mine);
    expect(calls).toBe(2);
    // asked again under each key: remembered, no new encryption
    expect(sealText(text, privateKey, cached)).toBe(mine);
    expect(sealText(text, other.privateKey, cached)).toBe(theirs);
    expect(calls).toBe(2);
  });

  it('seals the parsed vector object to the same hex (JSON.stringify keeps its order and spacing)', () => {
    expect(encodeSealed(JSON.parse(v.json), privateKey)).toBe(v.dataContentHex);
  });

  it('has the vector chunk count: hex length is chunks × key bytes × 2', () => {
    expect(v.dataContentHex.length).toBe(v.chunks * (v.keyBits / 8) * 2);
  });

  it('decrypts to the vector Base64 text, then to the vector JSON', () => {
    expect(rsaPublicDecryptHex(v.dataContentHex, publicKey).toString('ascii')).toBe(v.base64);
    expect(openText(v.dataContentHex, publicKey)).toBe(v.json);
    expect(decodeSealed(v.dataContentHex, publicKey)).toEqual(JSON.parse(v.json));
  });

  it('accepts upper-case hex from a Java peer', () => {
    expect(openText(v.dataContentHex.toUpperCase(), publicKey)).toBe(v.json);
  });
});

describe('RSA chunking', () => {
  it('makes one block per (keyBytes − 11) bytes of plain text', () => {
    const step = 128 - 11;
    for (const [length, blocks] of [
      [1, 1],
      [step, 1],
      [step + 1, 2],
      [3 * step, 3],
    ] as const) {
      const hex = rsaPrivateEncryptHex(Buffer.alloc(length, 0x41), other.privateKey);
      expect(hex).toMatch(/^[0-9a-f]+$/);
      expect(hex.length).toBe(blocks * 256);
      expect(rsaPublicDecryptHex(hex, other.publicKey)).toEqual(Buffer.alloc(length, 0x41));
    }
  });

  it('encrypts nothing to nothing', () => {
    expect(rsaPrivateEncryptHex(Buffer.alloc(0), other.privateKey)).toBe('');
  });
});

describe('rsaPublicDecryptHex failures', () => {
  it('names an empty, odd-length or non-hex ciphertext', () => {
    expect(failure(() => rsaPublicDecryptHex('', publicKey)).message).toBe('ciphertext is empty');
    expect(failure(() => rsaPublicDecryptHex('abc', publicKey)).message).toMatch(/not an even-length hex string \(3 chars\)/);
    expect(failure(() => rsaPublicDecryptHex('zz'.repeat(128), publicKey)).kind).toBe('decrypt');
  });

  it('names a truncated ciphertext', () => {
    const e = failure(() => rsaPublicDecryptHex(v.dataContentHex.slice(0, 400), publicKey));
    expect(e.message).toBe('truncated: 200 bytes is not a multiple of the 128-byte block');
  });

  it('names the chunk that does not decrypt', () => {
    const corrupt = v.dataContentHex.slice(0, 256) + 'ff'.repeat(128) + v.dataContentHex.slice(512);
    const e = failure(() => rsaPublicDecryptHex(corrupt, publicKey));
    expect(e.kind).toBe('decrypt');
    expect(e.message).toBe('chunk 2 of 3 could not be decrypted with the 1024-bit public key');
  });

  it('fails on the first chunk with the wrong public key', () => {
    expect(failure(() => decodeSealed(v.dataContentHex, other.publicKey)).message).toMatch(/^chunk 1 of 3 could not be decrypted/);
  });

  it('refuses keys of the wrong type', () => {
    expect(failure(() => rsaPublicDecryptHex(v.dataContentHex, privateKey)).kind).toBe('key');
    expect(failure(() => rsaPrivateEncryptHex(Buffer.from('x'), publicKey)).message).toBe('expected an RSA private key, got a public key');
  });

  it('becomes a one-line call error naming provider, operation, host and field', () => {
    const corrupt = v.dataContentHex.slice(0, 256) + '00'.repeat(128) + v.dataContentHex.slice(512);
    const e = failure(() => decodeSealed(corrupt, publicKey)).withCall(
      { provider: 'gep', operation: 'apply', url: 'http://127.0.0.1:4010/api/vas/card/apply?x=1' },
      'result',
    );
    expect(e.message).toBe(
      'GEP apply to http://127.0.0.1:4010 failed: result: chunk 2 of 3 could not be decrypted with the 1024-bit public key',
    );
    expect(e.url).toBe('http://127.0.0.1:4010/api/vas/card/apply');
    expect(e.kind).toBe('decrypt');
  });
});

describe('decodeSealed failures after decryption', () => {
  it('names text that is not Base64', () => {
    const hex = rsaPrivateEncryptHex(Buffer.from('not base64!'), other.privateKey);
    expect(failure(() => decodeSealed(hex, other.publicKey)).message).toBe('the decrypted text is not Base64');
  });

  it('names Base64 that is not UTF-8', () => {
    const hex = rsaPrivateEncryptHex(Buffer.from(Buffer.from([0xff, 0xfe, 0x41]).toString('base64')), other.privateKey);
    expect(failure(() => decodeSealed(hex, other.publicKey)).message).toBe('the Base64 inside does not decode to UTF-8 text');
  });

  it('names text that is not JSON without quoting it', () => {
    const text = '{"cardNo":"4383571234567441",';
    const e = failure(() => decodeSealed(sealText(text, other.privateKey), other.publicKey));
    expect(e.kind).toBe('not-json');
    expect(e.message).toBe(`the decrypted text is not JSON (${text.length} chars)`);
  });

  it('refuses to seal a value without JSON form', () => {
    expect(failure(() => encodeSealed(undefined, other.privateKey)).kind).toBe('not-json');
  });
});

describe('GEP form envelope', () => {
  const fields = { certificateId: '1234567890123456789', userNo: '9876543210987654321', dataContent: v.dataContentHex };

  it('encodes the documented fields with their defaults, in the demo order', () => {
    expect(gepForm(fields)).toBe(
      `version=1.0.0&certificateId=1234567890123456789&userNo=9876543210987654321&dataType=JSON&dataContent=${v.dataContentHex}`,
    );
  });

  it('adds the agent fields only when given, and parses back', () => {
    const body = gepForm({ ...fields, agentNo: 'A 1&2', apiType: '1' });
    expect(body).toContain('agentNo=A+1%262&apiType=1');
    expect(parseGepForm(body)).toEqual({ version: '1.0.0', dataType: 'JSON', ...fields, agentNo: 'A 1&2', apiType: '1' });
  });

  it('leaves absent fields absent and keeps the first of repeated fields', () => {
    const parsed = parseGepForm('dataContent=aa&dataContent=bb&userNo=');
    expect(parsed).toEqual({ dataContent: 'aa', userNo: '' });
    expect('certificateId' in parsed).toBe(false);
  });

  it('keeps a __proto__ field as a plain field', () => {
    const parsed = parseGepForm('__proto__=x&version=1.0.0');
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.keys(parsed)).toEqual(['__proto__', 'version']);
  });
});
