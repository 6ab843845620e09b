/**
 * GEP's sealed `dataContent` / `result` (WIRE.md, provider `gep`, "Encryption of dataContent"):
 *   JSON text → UTF-8 → Base64 text → RSA PKCS#1 v1.5 with a *private* key (block type 1, so
 *   deterministic), in chunks of (keyBytes − 11) → hex.
 * The reader reverses it with the matching public key, in chunks of keyBytes. The merchant seals
 * requests with its private key; GEP seals `result` with GEP's private key.
 * Fixed by vectors/gep-datacontent.json.
 *
 * Also the form envelope of every GEP call (`application/x-www-form-urlencoded`).
 */
import { constants, type KeyObject, privateEncrypt, publicDecrypt } from 'node:crypto';
import { WireFormatError } from './errors.ts';

const PADDING_BYTES = 11;
const HEX = /^(?:[0-9a-fA-F]{2})*$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Modulus size in bytes of an RSA key of the expected type. */
function rsaKeyBytes(key: KeyObject, type: 'private' | 'public'): number {
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (key.asymmetricKeyType !== 'rsa' || bits === undefined) {
    throw new WireFormatError('key', `expected an RSA ${type} key, got ${key.asymmetricKeyType ?? key.type} key`);
  }
  if (key.type !== type) throw new WireFormatError('key', `expected an RSA ${type} key, got a ${key.type} key`);
  return Math.ceil(bits / 8);
}

/** One chunk's RSA PKCS#1 v1.5 private-key encryption: block type 1, so the same chunk always gives the same bytes. */
export type ChunkEncrypt = (chunk: Buffer, key: KeyObject) => Buffer;
export const encryptChunk: ChunkEncrypt = (chunk, key) => privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, chunk);

/**
 * `encryptChunk` remembering up to `limit` chunks per key (the oldest forgotten first). Since the
 * encryption is deterministic, a remembered chunk is the very bytes a fresh encryption gives with that
 * key: a load generator sealing many requests that share their first chunk pays for that chunk once.
 */
export function cachedEncryptChunk(limit = 64, encrypt: ChunkEncrypt = encryptChunk): ChunkEncrypt {
  const memos = new WeakMap<KeyObject, Map<string, Buffer>>();
  return (chunk, key) => {
    let memo = memos.get(key);
    if (!memo) {
      memo = new Map();
      memos.set(key, memo);
    }
    const k = chunk.toString('latin1');
    let out = memo.get(k);
    if (!out) {
      out = encrypt(chunk, key);
      if (memo.size >= limit) memo.delete(memo.keys().next().value!);
      memo.set(k, out);
    }
    return out;
  };
}

/** The (keyBytes − 11)-byte pieces, in order, that the private-key encryption seals one by one. Empty in → none. */
export function plainChunks(plain: Buffer, key: KeyObject): Buffer[] {
  const step = rsaKeyBytes(key, 'private') - PADDING_BYTES;
  const chunks: Buffer[] = [];
  for (let at = 0; at < plain.length; at += step) chunks.push(plain.subarray(at, at + step));
  return chunks;
}

/** RSA PKCS#1 v1.5 private-key encryption in (keyBytes − 11)-byte chunks, concatenated, lower-case hex. Empty in → ''. */
export function rsaPrivateEncryptHex(plain: Buffer, key: KeyObject, encrypt: ChunkEncrypt = encryptChunk): string {
  return Buffer.concat(plainChunks(plain, key).map((c) => encrypt(c, key))).toString('hex');
}

/** Reverses `rsaPrivateEncryptHex` with the public key. Throws `WireFormatError` (kind `decrypt`). */
export function rsaPublicDecryptHex(hex: string, key: KeyObject): Buffer {
  const block = rsaKeyBytes(key, 'public');
  if (hex === '') throw new WireFormatError('decrypt', 'ciphertext is empty');
  if (!HEX.test(hex)) throw new WireFormatError('decrypt', `ciphertext is not an even-length hex string (${hex.length} chars)`);
  const bytes = Buffer.from(hex, 'hex');
  if (bytes.length % block !== 0) {
    throw new WireFormatError('decrypt', `truncated: ${bytes.length} bytes is not a multiple of the ${block}-byte block`);
  }
  const n = bytes.length / block;
  const parts: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    try {
      parts.push(publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, bytes.subarray(i * block, (i + 1) * block)));
    } catch {
      throw new WireFormatError('decrypt', `chunk ${i + 1} of ${n} could not be decrypted with the ${block * 8}-bit public key`);
    }
  }
  return Buffer.concat(parts);
}

/** What is encrypted: the JSON text's UTF-8 bytes in Base64, as ASCII bytes. */
export const sealedPlain = (jsonText: string): Buffer => Buffer.from(Buffer.from(jsonText, 'utf8').toString('base64'), 'ascii');

/** Seals JSON text as given (byte-exact: the vectors use it). */
export function sealText(jsonText: string, privateKey: KeyObject, encrypt: ChunkEncrypt = encryptChunk): string {
  return rsaPrivateEncryptHex(sealedPlain(jsonText), privateKey, encrypt);
}

/** The JSON text of a value to seal; `WireFormatError` when it has none. */
export function jsonToSeal(obj: unknown): string {
  const json = JSON.stringify(obj);
  if (json === undefined) throw new WireFormatError('not-json', 'nothing to seal: the value has no JSON form');
  return json;
}

/** Opens a sealed hex string to the JSON text inside (not parsed). */
export function openText(hex: string, publicKey: KeyObject): string {
  const base64 = rsaPublicDecryptHex(hex, publicKey).toString('latin1');
  if (!BASE64.test(base64)) throw new WireFormatError('decrypt', 'the decrypted text is not Base64');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(base64, 'base64'));
  } catch {
    throw new WireFormatError('decrypt', 'the Base64 inside does not decode to UTF-8 text');
  }
}

export function encodeSealed(obj: unknown, privateKey: KeyObject, encrypt: ChunkEncrypt = encryptChunk): string {
  return sealText(jsonToSeal(obj), privateKey, encrypt);
}

export function decodeSealed(hex: string, publicKey: KeyObject): unknown {
  const json = openText(hex, publicKey);
  try {
    return JSON.parse(json);
  } catch {
    // The parser's message quotes the text, which can hold card data: say only what failed.
    throw new WireFormatError('not-json', `the decrypted text is not JSON (${json.length} chars)`);
  }
}

export interface GepFormInput {
  version?: string;
  /** 19 characters. */
  certificateId: string;
  /** Merchant number, 19 characters. */
  userNo: string;
  dataType?: string;
  /** Sealed hex, at most 2048 characters. */
  dataContent: string;
  /** Agent mode only. */
  agentNo?: string;
  /** `1` agent request, `2` the merchant itself (the provider's default). */
  apiType?: string;
}

/** Field order as in the provider's demo: version, certificateId, userNo, dataType, dataContent, agentNo, apiType. */
export function gepForm(input: GepFormInput): string {
  const form = new URLSearchParams({
    version: input.version ?? '1.0.0',
    certificateId: input.certificateId,
    userNo: input.userNo,
    dataType: input.dataType ?? 'JSON',
    dataContent: input.dataContent,
  });
  if (input.agentNo !== undefined) form.set('agentNo', input.agentNo);
  if (input.apiType !== undefined) form.set('apiType', input.apiType);
  return form.toString();
}

/** The fields of a received form; the first value wins when a name repeats. Absent fields are absent. */
export type GepFormFields = Partial<Record<keyof GepFormInput, string>> & Record<string, string | undefined>;

export function parseGepForm(body: string): GepFormFields {
  const fields: GepFormFields = {};
  for (const [name, value] of new URLSearchParams(body)) {
    if (!Object.hasOwn(fields, name)) Object.defineProperty(fields, name, { value, enumerable: true, writable: true, configurable: true });
  }
  return fields;
}
