/**
 * Alchemy Pay client: every call signed with `alchemyHeaders` (ach-access-key / -timestamp / -sign,
 * email, optional language) over `JSON.stringify(body)`; operations and paths from the provider profile.
 *
 * What is signed is derived from the bytes sent (`signedBodyOf`): an object's canonical form, any other
 * body as sent. Negative-test options reach the wire unchanged: a given `signature` replaces the real one,
 * a `timestampOffsetMs` moves the signed timestamp, `rawBody` replaces the bytes sent (and is what is
 * signed), `contentType` replaces `application/json`. A request that did not ask for a broken signature
 * and is refused with an authentication code is signed and sent once more; refused so again, the result
 * says it decides nothing (`undecided`).
 *
 * Codec `plaintext` (for the codec proxy and Pact): the same JSON and headers (the proxy signs them again
 * with the configured keys); a wrong `signature` is asked for with the `card-conformance-codec` header.
 *
 * Retry: every operation retries on 429/503/transport failures, sending the very same body string; the
 * headers of later attempts are re-signed over that same body with a fresh timestamp, so a slow retry
 * does not go stale. No order number is ever made here.
 */
import type { OPERATIONS } from '../spec/registry.ts';
import {
  ALCHEMY_AUTH_HEADERS,
  type AlchemyHeaders,
  alchemyHeaders,
  alchemySignature,
  signedBodyForms,
  signedBodyOf,
} from '../wire/alchemy-sign.ts';
import { createRedactor } from '../wire/redact.ts';
import { authenticationRefusal, callResult, readAnswer } from './answer.ts';
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
  /**
   * An authentication probe: the signature made over another request's input (another timestamp, method,
   * path or body), then headers left out (`null`) or replaced. Such a request touches authentication.
   */
  tamper?: {
    signAs?: { timestamp?: string; timestampOffsetMs?: number; method?: string; path?: string; body?: string };
    headers?: Record<string, string | null>;
  };
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
    // what is signed is derived from the bytes sent; a retry may sign the other reading of a body that is no object
    const forms = signedBodyForms(wireBody);
    const sign = (signedBody: string): AlchemyHeaders => {
      const headers = alchemyHeaders({
        accessKey: target.accessKey,
        secret: target.secretKey,
        email: target.email,
        ...(target.language ? { language: target.language } : {}),
        method,
        path,
        signedBody,
        now: () => now() + (options.timestampOffsetMs ?? 0),
      });
      // plaintext: the proxy signs again; a wrong signature is asked for, not sent
      if (options.signature !== undefined && plaintext) headers[CODEC_DIRECTIVE_HEADER] = 'bad-signature' satisfies CodecDirective;
      else if (options.signature !== undefined) headers['ach-access-sign'] = options.signature;
      if (options.contentType !== undefined) headers['content-type'] = options.contentType as 'application/json';
      const t = options.tamper;
      if (t?.signAs) {
        // a valid signature, of another request: the one sent differs in exactly the part named
        const other = t.signAs;
        headers[ALCHEMY_AUTH_HEADERS.sign] = alchemySignature({
          secret: target.secretKey,
          timestamp: other.timestamp ?? String(Number(headers[ALCHEMY_AUTH_HEADERS.timestamp]) + (other.timestampOffsetMs ?? 0)),
          method: other.method ?? method,
          path: other.path ?? path,
          signedBody: other.body !== undefined ? signedBodyOf(other.body) : signedBody,
        });
      }
      for (const [name, v] of Object.entries(t?.headers ?? {})) {
        if (v === null) delete headers[name];
        else headers[name] = v;
      }
      return headers;
    };
    const orderNo = orderNumberOf(body, 'orderNo');
    // `charge`: the retry of a refusal is not charged again (the first's money stays counted until the answer is read)
    const exchange = async (signedBody: string, charge = true): Promise<CallResult> => {
      let sent = sign(signedBody);
      const res = await opts.transport.send({
        provider: 'alchemy',
        operation,
        method,
        url,
        headers: sent,
        ...(wireBody === '' ? {} : { body: wireBody }),
        ...(orderNo ? { idempotencyKey: orderNo } : {}),
        retry: retryPolicy(opts.retries, opts.rideOutMs),
        ...(charge ? { money: moneyOf('alchemy', operation, body) } : {}),
        rebuildHeaders: () => {
          sent = sign(signedBody);
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
    };
    const first = await exchange(forms[0]!);
    // A request that did not touch authentication, refused as not the merchant's own: its rules are not what
    // was judged. Sent once more (the same bytes and order number: a refused request opened nothing), signed
    // afresh, in the other reading where the page leaves one; refused so again, it decides nothing.
    const touchesAuth =
      options.signature !== undefined || options.timestampOffsetMs !== undefined || options.tamper !== undefined || plaintext;
    const code = touchesAuth ? undefined : authenticationRefusal('alchemy', operation, first.body);
    if (code === undefined) return first;
    const again = await exchange(forms[1] ?? forms[0]!, false);
    const still = authenticationRefusal('alchemy', operation, again.body);
    const attempts = first.attempts + again.attempts;
    if (still === undefined) return { ...again, attempts };
    return {
      ...again,
      attempts,
      undecided: `refused as not the merchant's own (code ${still}) though the request did not touch authentication, also when signed again: the answer decides nothing about the case`,
    };
  }

  return {
    create: (body, options) => call('create', body, options),
    info: (body, options) => call('info', body, options),
    segmentList: (options) => call('segmentList', undefined, options),
    call,
  };
}
