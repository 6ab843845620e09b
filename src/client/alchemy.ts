/**
 * Alchemy Pay client: every call signed with `alchemyHeaders` (ach-access-key / -timestamp / -sign,
 * email, optional language) over `JSON.stringify(body)`; operations and paths from the provider profile.
 *
 * Negative-test options reach the wire unchanged: a given `signature` replaces the real one, a
 * `timestampOffsetMs` moves the signed timestamp, `rawBody` replaces the bytes sent (the signature still
 * covers `body`, so sending bytes other than the signed body is itself a test), `contentType` replaces
 * `application/json`.
 *
 * Codec `plaintext` (for the codec proxy and Pact): the same JSON and headers (the proxy signs them again
 * with the configured keys); a wrong `signature` is asked for with the `card-conformance-codec` header.
 *
 * Retry: every operation retries on 429/503/transport failures, sending the very same body string; the
 * headers of later attempts are re-signed over that same body with a fresh timestamp, so a slow retry
 * does not go stale. No order number is ever made here.
 */
import type { OPERATIONS } from '../spec/registry.ts';
import { type AlchemyHeaders, alchemyHeaders } from '../wire/alchemy-sign.ts';
import { createRedactor } from '../wire/redact.ts';
import { callResult, readAnswer } from './answer.ts';
import { endpoint, orderNumberOf, retryPolicy } from './call-spec.ts';
import { moneyOf } from './money.ts';
import { type AlchemyTarget, type CallResult, type ClientOptions, CODEC_DIRECTIVE_HEADER, type CodecDirective } from './types.ts';

export type AlchemyOperation = (typeof OPERATIONS)['alchemy'][number];

export interface AlchemyCallOptions {
  /** Sent instead of the real `ach-access-sign`. */
  signature?: string;
  /** Added to the clock for `ach-access-timestamp` (e.g. −10 min: a stale timestamp). */
  timestampOffsetMs?: number;
  /** Exactly these bytes are sent; the signature still covers `body`. */
  rawBody?: string;
  /** Sent instead of `application/json`. */
  contentType?: string;
}

export interface AlchemyClientOptions extends ClientOptions {
  /** Clock in milliseconds; `Date.now` by default. */
  now?: () => number;
}

export interface AlchemyClient {
  create(body: Record<string, unknown>, options?: AlchemyCallOptions): Promise<CallResult>;
  info(body: { cardId: string }, options?: AlchemyCallOptions): Promise<CallResult>;
  /** The profile's card-segment list: an empty body. */
  segmentList(options?: AlchemyCallOptions): Promise<CallResult>;
  call(operation: AlchemyOperation, body: unknown, options?: AlchemyCallOptions): Promise<CallResult>;
}

export function createAlchemyClient(target: AlchemyTarget, opts: AlchemyClientOptions): AlchemyClient {
  const now = opts.now ?? Date.now;
  const plaintext = opts.codec === 'plaintext';
  const redactor = opts.redactor ?? createRedactor({ secrets: [target.secretKey, target.accessKey] });

  async function call(operation: AlchemyOperation, body: unknown, options: AlchemyCallOptions = {}): Promise<CallResult> {
    const { method, url, path } = endpoint('alchemy', operation, target.baseUrl);
    // JSON.stringify(undefined) is undefined: no body at all, and the signature covers ''.
    const wireBody = options.rawBody ?? JSON.stringify(body) ?? '';
    const sign = (): AlchemyHeaders => {
      const headers = alchemyHeaders({
        accessKey: target.accessKey,
        secret: target.secretKey,
        email: target.email,
        ...(target.language ? { language: target.language } : {}),
        method,
        path,
        body,
        now: () => now() + (options.timestampOffsetMs ?? 0),
      });
      // plaintext: the proxy signs again; a wrong signature is asked for, not sent
      if (options.signature !== undefined && plaintext) headers[CODEC_DIRECTIVE_HEADER] = 'bad-signature' satisfies CodecDirective;
      else if (options.signature !== undefined) headers['ach-access-sign'] = options.signature;
      if (options.contentType !== undefined) headers['content-type'] = options.contentType as 'application/json';
      return headers;
    };
    let sent = sign();
    const orderNo = orderNumberOf(body, 'orderNo');
    const res = await opts.transport.send({
      provider: 'alchemy',
      operation,
      method,
      url,
      headers: sent,
      ...(wireBody === '' ? {} : { body: wireBody }),
      ...(orderNo ? { idempotencyKey: orderNo } : {}),
      retry: retryPolicy(opts.retries),
      money: moneyOf('alchemy', operation, body),
      rebuildHeaders: () => {
        sent = sign();
        return sent;
      },
    });
    return callResult(
      'alchemy',
      operation,
      { method, url, headers: redactor.headers(sent), body, wireBody, ...(options.rawBody !== undefined ? { raw: true as const } : {}) },
      res,
      readAnswer('alchemy', operation, url, res),
    );
  }

  return {
    create: (body, options) => call('create', body, options),
    info: (body, options) => call('info', body, options),
    segmentList: (options) => call('segmentList', undefined, options),
    call,
  };
}
