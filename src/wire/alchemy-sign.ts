/**
 * Alchemy Pay request signing (WIRE.md, provider `alchemy`, "Signature"):
 *   ach-access-sign = Base64(HMAC-SHA256(secretKey, timestamp + METHOD + requestPath + canonicalBody))
 * The card API using the algorithm documented for the KYC-sharing API is *(inferred)*.
 *
 * Canonical body, as read from the provider's page and fixed by vectors/alchemy-signature.json:
 * - JSON text without whitespace, object keys sorted recursively by UTF-16 code units (JS `sort()`);
 * - object members whose value is null, undefined or the empty string are dropped, at every depth,
 *   including objects inside arrays; an object left with no members stays `{}`;
 * - arrays keep their order and their length: a null or empty-string *element* is kept (`null`, `""`),
 *   because dropping it would shift the positions of the others (the vectors only drop members);
 * - the value is first read the way `JSON.stringify` reads it (`toJSON`, NaN → null, functions dropped),
 *   so the canonical body always describes the JSON text actually sent;
 * - no body (undefined, null, '') → ''.
 *
 * What is signed is derived from the bytes put on the wire (`signedBodyOf`): an object or array body is
 * signed in its canonical form (the provider canonicalises what it receives, so both agree, and a negative
 * test can still send `"firstName": ""`); any other body — `null`, a number, a string, text that is no
 * JSON — is signed as the very bytes sent, since the page canonicalises objects only. A verifier accepts
 * either reading for such a body (`signedBodyForms`): the page leaves it open.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { WireFormatError } from './errors.ts';
import { maskTail } from './redact.ts';

export function canonicalBody(value: unknown): string {
  if (value === undefined || value === null || value === '') return '';
  const json = JSON.stringify(value);
  return json === undefined ? '' : canonicalJson(JSON.parse(json));
}

/** Canonical text of a JSON value (already plain JSON data). */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const obj = v as Record<string, unknown>;
    const members = Object.keys(obj)
      .sort()
      .filter((k) => obj[k] !== null && obj[k] !== undefined && obj[k] !== '')
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The JSON value of bytes, or undefined where they are no JSON (or nothing). */
function parsed(wire: string): { value: unknown } | undefined {
  if (wire === '') return undefined;
  try {
    return { value: JSON.parse(wire) };
  } catch {
    return undefined;
  }
}

const structured = (v: unknown): boolean => v !== null && typeof v === 'object';

/** The body part of the string to sign for exactly these bytes on the wire. */
export function signedBodyOf(wire: string): string {
  const p = parsed(wire);
  return p && structured(p.value) ? canonicalJson(p.value) : wire;
}

/**
 * Every body part a provider may sign for these bytes: the canonical form of an object or array; for any
 * other body both the bytes as sent and the canonical reading (`null` → ''), which the page leaves open.
 */
export function signedBodyForms(wire: string): string[] {
  const p = parsed(wire);
  if (p && structured(p.value)) return [canonicalJson(p.value)];
  const canonical = p ? canonicalBody(p.value) : wire;
  return canonical === wire ? [wire] : [wire, canonical];
}

export interface SignatureInput {
  secret: string;
  /** 13-digit milliseconds, as sent in `ach-access-timestamp`. */
  timestamp: string;
  method: string;
  /** The request path as sent (with its query string, if any). */
  path: string;
  body?: unknown;
  /** The bytes sent: when given, what is signed is derived from them (`signedBodyOf`), not from `body`. */
  wire?: string;
  /** The body part to sign, as is (a verifier trying each of `signedBodyForms`). */
  signedBody?: string;
}

export function stringToSign({ timestamp, method, path, body, wire, signedBody }: Omit<SignatureInput, 'secret'>): string {
  const part = signedBody ?? (wire !== undefined ? signedBodyOf(wire) : canonicalBody(body));
  return timestamp + method.toUpperCase() + path + part;
}

export function alchemySignature(input: SignatureInput): string {
  return createHmac('sha256', input.secret).update(stringToSign(input), 'utf8').digest('base64');
}

export type AlchemyLanguage = 'EN' | 'CH' | 'JA';

export interface AlchemyHeaderInput {
  accessKey: string;
  secret: string;
  email: string;
  language?: AlchemyLanguage;
  method: string;
  path: string;
  body?: unknown;
  /** The bytes sent (what is signed is derived from them); `body` when absent. */
  wire?: string;
  /** The body part to sign, as is (a retry with the other reading of a body that is no object). */
  signedBody?: string;
  /** Clock in milliseconds; `Date.now` by default. */
  now?: () => number;
}

export interface AlchemyHeaders {
  'ach-access-key': string;
  'ach-access-timestamp': string;
  'ach-access-sign': string;
  email: string;
  language?: AlchemyLanguage;
  'content-type': 'application/json';
  [name: string]: string | undefined;
}

/** `ach-access-timestamp`: 13-digit UTC milliseconds. */
export const TIMESTAMP = /^\d{13}$/;

/** The headers that make a request the merchant's own (WIRE.md, Auth headers): its key, its timestamp, its signature. */
export const ALCHEMY_AUTH_HEADERS = { key: 'ach-access-key', timestamp: 'ach-access-timestamp', sign: 'ach-access-sign' } as const;

export function alchemyHeaders(input: AlchemyHeaderInput): AlchemyHeaders {
  const timestamp = String(Math.trunc((input.now ?? Date.now)()));
  if (!TIMESTAMP.test(timestamp)) {
    throw new WireFormatError('signature', `ach-access-timestamp must be 13-digit milliseconds, the clock gave ${timestamp.length} digits`);
  }
  const headers: AlchemyHeaders = {
    'ach-access-key': input.accessKey,
    'ach-access-timestamp': timestamp,
    'ach-access-sign': alchemySignature({ ...input, timestamp }),
    email: input.email,
    'content-type': 'application/json',
  };
  if (input.language !== undefined) headers.language = input.language;
  return headers;
}

export type AlchemyVerifyFailure = 'missing-header' | 'unknown-key' | 'stale-timestamp' | 'bad-signature' | 'bad-body';

export type AlchemyVerifyResult = { ok: true; accessKey: string } | { ok: false; reason: AlchemyVerifyFailure; detail: string };

export interface AlchemyVerifyInput {
  /** Request headers with lower-cased names. */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  method: string;
  path: string;
  /** The body exactly as received; '' for none. */
  rawBody: string;
  secretFor: (accessKey: string) => string | undefined;
  /** Current time in milliseconds. */
  now: number;
  /** Largest accepted distance between `now` and the timestamp, either way; 5 minutes by default. */
  windowMs?: number;
  /** Only the bytes as sent for a body that is no object (not its canonical reading too). */
  bytesOnly?: boolean;
  /** Other paths whose signature is taken too (a deviation: the path is not checked). */
  alsoPaths?: readonly string[];
}

/**
 * Checks an incoming request's signature, for the embedded mock. Checks in order: the three
 * `ach-access-*` headers are present, the key is known, the timestamp is 13 digits and within the
 * window, the body is JSON, the signature matches (constant-time). `email` is not part of the
 * signature and is left to the caller. Details never contain the secret or the expected signature.
 */
export function verifyAlchemyRequest(input: AlchemyVerifyInput): AlchemyVerifyResult {
  const header = (name: string): string | undefined => {
    const v = input.headers[name];
    return typeof v === 'string' ? v : v?.[0];
  };
  const accessKey = header('ach-access-key');
  const timestamp = header('ach-access-timestamp');
  const sign = header('ach-access-sign');
  const missing = [
    ['ach-access-key', accessKey],
    ['ach-access-timestamp', timestamp],
    ['ach-access-sign', sign],
  ].find(([, v]) => !v)?.[0];
  if (missing || !accessKey || !timestamp || !sign) {
    return { ok: false, reason: 'missing-header', detail: `header ${missing} is missing or empty` };
  }
  const secret = input.secretFor(accessKey);
  if (secret === undefined) {
    return { ok: false, reason: 'unknown-key', detail: `access key ${maskTail(accessKey)} is not known` };
  }
  if (!TIMESTAMP.test(timestamp)) {
    return { ok: false, reason: 'stale-timestamp', detail: 'ach-access-timestamp is not 13-digit milliseconds' };
  }
  const skew = Math.abs(input.now - Number(timestamp));
  const windowMs = input.windowMs ?? 300_000;
  if (skew > windowMs) {
    return { ok: false, reason: 'stale-timestamp', detail: `ach-access-timestamp is ${skew} ms away from now (limit ${windowMs} ms)` };
  }
  if (input.rawBody !== '' && parsed(input.rawBody) === undefined) {
    return { ok: false, reason: 'bad-body', detail: 'the body is not JSON, so it cannot be canonicalised' };
  }
  const given = Buffer.from(sign);
  const forms = signedBodyForms(input.rawBody);
  const matches = (input.bytesOnly ? forms.slice(0, 1) : forms).some((signedBody) =>
    [input.path, ...(input.alsoPaths ?? [])].some((path) => {
      const expected = Buffer.from(alchemySignature({ secret, timestamp, method: input.method, path, signedBody }));
      return given.length === expected.length && timingSafeEqual(given, expected);
    }),
  );
  if (!matches) {
    return { ok: false, reason: 'bad-signature', detail: 'ach-access-sign does not match the signature of the canonical body' };
  }
  return { ok: true, accessKey };
}
