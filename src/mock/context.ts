/** What both provider simulators share: catalogue, deviations, clock, time scale, randomness, replies. */

import { setAt } from '../checks/util.ts';
import type { Catalogue } from '../spec/catalogue.ts';
import { getPath, NUMERIC } from '../spec/evaluate.ts';
import type { Provider, SchemaMode } from '../spec/registry.ts';
import type { Deviation, DeviationFlag } from './deviations.ts';
import type { LeewayName } from './leeway.ts';
import type { Rng } from './rng.ts';

/**
 * The same text as one flat string. A string joined by `+` or a template is a rope of its pieces (past 12
 * characters), and so is what `JSON.stringify` returns past 32 (it builds its text in parts): a held
 * order would keep every piece, a string and a rope node each. Any well-formed text (no lone surrogates,
 * which `JSON.stringify` never writes): it goes through UTF-8 and back.
 */
export const flat = (s: string): string => Buffer.from(s, 'utf8').toString('utf8');

/**
 * The same number, as a small integer when it is a whole one that fits in 31 bits (`| 0`): V8 keeps such a
 * value inside the object that holds it, where a result of arithmetic on clock times (which are past
 * 2^31) would be a separate heap number. Anything else is returned as it is.
 */
export const small = (n: number): number => (Number.isInteger(n) && n >= -0x40000000 && n < 0x40000000 ? n | 0 : n);

/** Milliseconds from the mock's start on its clock: what an order keeps of a time (a short number in its text). */
export const sinceEpoch = (ctx: MockContext): number => ctx.now() - ctx.epoch;

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

/** A reply now, or later when part of it is made off the main thread (a sealed GEP result). */
export type Answer = Reply | Promise<Reply>;

export interface MockContext {
  cat: Catalogue;
  deviations: readonly Deviation[];
  rng: Rng;
  now: () => number;
  /** `now()` when the mock started: held orders keep their times as milliseconds from it (`sinceEpoch`). */
  epoch: number;
  /** Real milliseconds per provider second: 1000 is real time, 2 runs a minute in 120 ms. */
  msPerSecond: number;
  baseUrl: () => string;
  /** Hosts a callback may be POSTed to; loopback only unless the caller allows more. */
  callbackAllowed: (url: URL) => boolean;
  /** Order details each provider holds at most (the oldest settled ones are evicted first). */
  maxOrders: number;
  /**
   * The face the mock answers with: `strict` writes every answer field as its table types it (`code` a
   * JSON number for `long`), `lenient` as the documents' own examples do (`"code": "0"`).
   */
  schemaMode: SchemaMode;
  /** The `wrong-key` fault: GEP results sealed with a key that is not the platform's. */
  wrongKey: boolean;
  /** The readings of the documents' open points this mock takes otherwise than the faithful one (leeway.ts). */
  leeway: ReadonlySet<LeewayName>;
}

/**
 * An answer's numeric fields written as the mock's face asks, from the operation's response rows: a JSON
 * number in strict mode, the example's numeric string in lenient mode. In place.
 */
export function faceOf(ctx: MockContext, provider: Provider, operation: string, body: Record<string, unknown>): Record<string, unknown> {
  for (const row of ctx.cat.operation(provider, operation).spec.response) {
    if (row.type !== 'long' && row.type !== 'number') continue;
    const v = getPath(body, row.path);
    if (typeof v !== 'string' && typeof v !== 'number') continue;
    const text = String(v);
    if (!NUMERIC.test(text)) continue; // a deviation's malformed value stays as it was made
    setAt(body, row.path, ctx.schemaMode === 'strict' ? Number(text) : text);
  }
  return body;
}

export const json = (body: unknown, status = 200): Reply => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: JSON.stringify(body),
});

export function hasFlag(ctx: MockContext, provider: Provider, flag: DeviationFlag): boolean {
  return ctx.deviations.some((d) => d.provider === provider && d.flag === flag);
}

/** Bad input answered the way a deviation breaks the envelope (HTTP 500 text, or an HTML page). */
export function brokenRefusal(ctx: MockContext, provider: Provider): Reply | undefined {
  if (hasFlag(ctx, provider, 'http500OnBadInput'))
    return { status: 500, headers: { 'content-type': 'text/plain' }, body: 'Internal Server Error' };
  if (hasFlag(ctx, provider, 'htmlOnBadInput'))
    return { status: 400, headers: { 'content-type': 'text/html' }, body: '<html><body><h1>400 Bad Request</h1></body></html>' };
  return undefined;
}

/** Apply the answer deviations of a provider to a success envelope, in place. */
export function deviateAnswer(ctx: MockContext, provider: Provider, envelope: Record<string, unknown>): Record<string, unknown> {
  for (const d of ctx.deviations) if (d.provider === provider && d.answer) d.answer(envelope);
  return envelope;
}

/**
 * The code the provider's profile lists with this meaning (e.g. Alchemy's "user card information does not
 * exist"): the code is read from the data, never typed beside it. A meaning the profile lacks is a bug.
 */
export function codeMeaning(ctx: MockContext, provider: Provider, meaning: string): string {
  const found = ctx.cat.profiles[provider].codes.find((c) => c.meaning === meaning);
  if (!found) throw new Error(`the ${provider} profile has no code meaning "${meaning}"`);
  return found.code;
}

/**
 * Every held order is still inside its lifecycle and the limit is reached: a one-line 503 (not the
 * provider's envelope: this is the mock's own limit, not a provider answer), with a hint to retry.
 */
export function atCapacity(ctx: MockContext, provider: Provider): Reply {
  return {
    status: 503,
    headers: { 'content-type': 'application/json; charset=utf-8', 'retry-after': '1' },
    body: JSON.stringify({
      error: `mock at capacity: all ${ctx.maxOrders} ${provider} orders held are still in their lifecycle (raise --max-orders)`,
    }),
  };
}

export function isLoopback(url: URL): boolean {
  const h = url.hostname.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}
