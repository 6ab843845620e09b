/**
 * The shared test vectors live outside the repository, in ../shared/specs/vectors (read, never copied,
 * so no key material enters the repository). This is the one place that knows the path.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const VECTORS_DIR = new URL('../../../shared/specs/vectors/', import.meta.url);

export function vectorPath(name: string): string {
  return fileURLToPath(new URL(name, VECTORS_DIR));
}

export function readVector<T>(name: string): T {
  return JSON.parse(readFileSync(vectorPath(name), 'utf8')) as T;
}

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

export const alchemyVectors = (): AlchemySignatureVectors => readVector('alchemy-signature.json');
export const gepVector = (): GepDataContentVector => readVector('gep-datacontent.json');
export const MERCHANT_PRIVATE_PEM = 'test-merchant.key.pem';
export const MERCHANT_PUBLIC_PEM = 'test-merchant.pub.pem';
