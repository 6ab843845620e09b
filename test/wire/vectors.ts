/**
 * The signing and RSA test vectors, kept in the repository (test/fixtures/vectors, copies of the shared
 * vectors; test/fixtures/fixtures.test.ts compares them when the documents are present). The vectors'
 * throwaway key pair is stored as base64 DER (see the `note` in test-merchant-key.json) and assembled
 * into PEM text here, at run time; tests that load a key from a path get it written to a temp folder.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFixture } from '../helpers/fixtures.ts';

export interface AlchemySignatureVectors {
  secret: string;
  vectors: Array<{
    name: string;
    method: string;
    path: string;
    timestamp: string;
    body: unknown;
    canonicalBody: string;
    stringToSign: string;
    sign: string;
  }>;
}

export interface GepDataContentVector {
  keyBits: number;
  json: string;
  base64: string;
  chunks: number;
  dataContentHex: string;
}

interface TestKeyPair {
  keyBits: number;
  privateKeyPkcs8DerBase64: string;
  publicKeySpkiDerBase64: string;
}

export const alchemyVectors = (): AlchemySignatureVectors => readFixture('vectors/alchemy-signature.json');
export const gepVector = (): GepDataContentVector => readFixture('vectors/gep-datacontent.json');

/** PEM text: the label's armour around the base64 body in 64-character lines. */
export function pem(label: string, base64: string): string {
  const armour = (word: string) => `${'-'.repeat(5)}${word} ${label}${'-'.repeat(5)}`;
  return [armour('BEGIN'), ...(base64.match(/.{1,64}/g) ?? []), armour('END'), ''].join('\n');
}

const pair = readFixture<TestKeyPair>('vectors/test-merchant-key.json');
/** The vectors' merchant private key (PKCS#8 PEM text), assembled at run time. */
export const MERCHANT_PRIVATE_PEM_TEXT = pem('PRIVATE KEY', pair.privateKeyPkcs8DerBase64);
/** The vectors' merchant public key (SPKI PEM text). */
export const MERCHANT_PUBLIC_PEM_TEXT = pem('PUBLIC KEY', pair.publicKeySpkiDerBase64);

export const MERCHANT_PRIVATE_PEM = 'test-merchant.key.pem';
export const MERCHANT_PUBLIC_PEM = 'test-merchant.pub.pem';

let dir: string | undefined;
/** A path to one of the two key files, written once per test process to a temp folder removed on exit. */
export function vectorPath(name: typeof MERCHANT_PRIVATE_PEM | typeof MERCHANT_PUBLIC_PEM): string {
  if (!dir) {
    const made = mkdtempSync(join(tmpdir(), 'card-conformance-vectors-'));
    writeFileSync(join(made, MERCHANT_PRIVATE_PEM), MERCHANT_PRIVATE_PEM_TEXT, { mode: 0o600 });
    writeFileSync(join(made, MERCHANT_PUBLIC_PEM), MERCHANT_PUBLIC_PEM_TEXT);
    process.once('exit', () => rmSync(made, { recursive: true, force: true }));
    dir = made;
  }
  return join(dir, name);
}
