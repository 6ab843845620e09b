/**
 * Reads an answer as the provider's JSON envelope. An answer that is not one (empty, HTML, other text,
 * JSON but not an object) is not thrown: it comes back with `problem` set and its raw body kept, for the
 * suite to judge as a rule failure.
 */
import { catalogue } from '../spec/catalogue.ts';
import { getPath, relativePath } from '../spec/evaluate.ts';
import type { Provider } from '../spec/registry.ts';
import { WireError } from '../wire/errors.ts';
import type { SendResult } from '../wire/http.ts';
import type { CallProblem, CallResult, SentRequest } from './types.ts';

export interface Read {
  body: unknown;
  problem?: CallProblem;
}

const TITLE = /<title[^>]*>([^<]{1,200})<\/title>/i;

/** A one-line problem message in the wire layer's style: `GEP apply to http://host failed: …`. */
export function problemOf(provider: Provider, operation: string, url: string, kind: CallProblem['kind'], detail: string): CallProblem {
  const wireKind = kind === 'not-object' ? 'not-json' : kind;
  return { kind, message: new WireError({ provider, operation, url }, wireKind, detail).message };
}

export function readAnswer(provider: Provider, operation: string, url: string, res: SendResult): Read {
  const type = res.headers['content-type'] ?? 'no content type';
  const what = `HTTP ${res.status}, ${type.split(';')[0]}, ${Buffer.byteLength(res.rawBody)} bytes`;
  const problem = (kind: CallProblem['kind'], detail: string) => problemOf(provider, operation, url, kind, detail);
  const trimmed = res.rawBody.trim();
  if (trimmed === '') return { body: undefined, problem: problem('not-json', `the answer is empty (${what})`) };
  if (/html/i.test(type) || trimmed.startsWith('<')) {
    const title = TITLE.exec(trimmed)?.[1]?.trim();
    return { body: undefined, problem: problem('html', `the answer is HTML, not JSON (${what}${title ? `, title "${title}"` : ''})`) };
  }
  let body: unknown;
  try {
    body = JSON.parse(res.rawBody);
  } catch {
    // The parser's message quotes the text, which can hold card data: say only what failed.
    return { body: undefined, problem: problem('not-json', `the answer is not JSON (${what})`) };
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    const kind = body === null ? 'null' : Array.isArray(body) ? 'an array' : `a ${typeof body}`;
    return { body, problem: problem('not-object', `the answer is JSON but ${kind}, not an object (${what})`) };
  }
  return { body };
}

/** The result both clients return: the request as sent, the answer as received, and how it was read. */
export function callResult(provider: Provider, operation: string, request: SentRequest, res: SendResult, read: Read): CallResult {
  return {
    provider,
    operation,
    request,
    status: res.status,
    headers: res.headers,
    rawBody: res.rawBody,
    ...read,
    at: new Date(Date.now() - res.durationMs).toISOString(),
    durationMs: res.durationMs,
    attempts: res.attempts,
  };
}

/**
 * The authentication code an answer refuses with (the profile's codes marked `authentication`), or
 * undefined: a refusal saying the request was not the merchant's own.
 */
export function authenticationRefusal(provider: Provider, operation: string, body: unknown): string | undefined {
  const cat = catalogue();
  const codes = cat.profiles[provider].codes.filter((c) => c.authentication).map((c) => c.code);
  if (codes.length === 0 || body === null || typeof body !== 'object') return undefined;
  const codeRule = cat.rulesFor(provider, operation).find((r) => r.check.kind === 'codeInCatalogue');
  if (!codeRule) return undefined;
  const raw = getPath(body, relativePath(codeRule));
  const code = raw === undefined || raw === null ? undefined : String(raw);
  return code !== undefined && codes.includes(code) ? code : undefined;
}
