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
 * What to send: `JSON.stringify(body)`, not the canonical body. The provider canonicalises what it
 * receives, so both agree, and a negative test can still send `"firstName": ""` on the wire.
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

export interface SignatureInput {
  secret: string;
  /** 13-digit milliseconds, as sent in `ach-access-timestamp`. */
  timestamp: string;
  method: string;
  /** The request path as sent (with its query string, if any). */
  path: string;
  body?: unknown;
}

export function stringToSign({ timestamp, method, path, body }: Omit<SignatureInput, 'secret'>): string {
  return timestamp + method.toUpperCase() + path + canonicalBody(body);
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
  let body: unknown;
  try {
    body = input.rawBody === '' ? undefined : JSON.parse(input.rawBody);
  } catch {
    return { ok: false, reason: 'bad-body', detail: 'the body is not JSON, so it cannot be canonicalised' };
  }
  const expected = Buffer.from(alchemySignature({ secret, timestamp, method: input.method, path: input.path, body }));
  const given = Buffer.from(sign);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'bad-signature', detail: 'ach-access-sign does not match the signature of the canonical body' };
  }
  return { ok: true, accessKey };
}
