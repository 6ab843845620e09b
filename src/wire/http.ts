/**
 * The HTTP transport of both providers, on undici. It moves bytes and classifies failures; it does not
 * judge answers (both providers answer business failures inside HTTP 200, so a status is returned, not
 * thrown).
 *
 * - Deadlines: the Agent's connect timeout, and `AbortSignal.timeout(callTimeoutMs)` per attempt as the
 *   tight overall bound (undici's own headers/body timers are only about a second precise).
 * - Size: the body is counted while it streams and the request is aborted as soon as it passes
 *   `maxBodyBytes` (or at once when Content-Length already says so); it is never buffered whole.
 * - Retry, only when asked: on transport failures (connect, reset, timeout) and HTTP 429/502/503/504, for
 *   as long as the policy's ride-out window (`forMs`) and its attempt cap allow, waiting at least the
 *   target's `Retry-After` (seconds or HTTP date), else a doubling backoff with jitter, capped.
 *
 * SAFETY RULE — a create/apply is never retried with a new order number. Every attempt sends the very
 * `body` value the caller gave (the same string or bytes, never rebuilt here), so the order number
 * (`orderNo` / `userReqNo`) inside it is the same on every attempt and the provider can recognise the
 * repeat. Only headers may be rebuilt, through `rebuildHeaders`, so that Alchemy's signature timestamp
 * does not go stale during a long wait: the hook must sign the SAME body.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createDispatcher } from './dispatcher.ts';
import { type CallContext, WireError, type WireErrorKind } from './errors.ts';
import { undici } from './undici.ts';

export interface TransportOptions {
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  maxBodyBytes: number;
  /** Deadline of one attempt, from sending to the last body byte. */
  callTimeoutMs: number;
}

export interface RetryPolicy {
  /** Attempts in all, the first included (a cap: the window usually ends the retries first). */
  tries: number;
  retryOn: '429/503/transport';
  /** Cap on one backoff wait; a `Retry-After` is honoured up to `MAX_RETRY_AFTER_MS`. */
  maxDelayMs: number;
  /** Ride-out window from the first attempt: no attempt is started whose wait would end past it. */
  forMs?: number;
}

export type HeaderRecord = Readonly<Record<string, string | undefined>>;

export interface SendRequest {
  provider: string;
  operation: string;
  method: string;
  url: string;
  headers: HeaderRecord;
  /** Sent as is on every attempt. */
  body?: string | Uint8Array;
  /**
   * The order number this call carries in its body. Not sent (neither provider documents an idempotency
   * header); named in timeout/reset errors, where the outcome is unknown and must be queried.
   */
  idempotencyKey?: string;
  retry?: RetryPolicy;
  /** Headers for attempts after the first, e.g. re-signed for a fresh timestamp. Same body. */
  rebuildHeaders?: () => HeaderRecord;
  /** The money this request would move if accepted (the spend budget); from the business body (src/client/money.ts). */
  money?: { currency: string; amount: number };
}

/** What the gate is asked before every attempt on the wire. */
export interface GateTicket {
  provider: string;
  operation: string;
  /** 1 for the first attempt of a `send`; later ones resend the same body. */
  attempt: number;
  /**
   * Money this attempt may move: the first attempt's, and again after a failure whose outcome is unknown
   * (timeout, reset); none after a 429/503 (the target said "not now", it did not act) or a connect failure.
   */
  money?: { currency: string; amount: number };
  /** Ms to wait before sending (a retry's Retry-After or backoff); the gate does the waiting. */
  delayMs: number;
  /** The wait is the target's own `Retry-After` on a 429/503. */
  retryAfter?: boolean;
}

/**
 * THE request gate (src/conformance/budget.ts holds the budgeted ones): every attempt of every request
 * a transport sends is first admitted by it. It resolves when the attempt may go (after waiting
 * `delayMs` and any rate-limit slot) or throws (a budget ran out): then the attempt is never sent.
 */
export interface RequestGate {
  acquire(ticket: GateTicket): Promise<void>;
  /**
   * Give back the spend of a request the target clearly refused (its failure envelope, with a code):
   * a refusal moves no money. Only a budgeted gate has it; an unclear answer is never released.
   */
  release?(money: { currency: string; amount: number }): Promise<void>;
}

const listeners = new Set<(t: GateTicket) => void>();
/**
 * Be told of every attempt a transport of this process sends (after its gate let it through): the
 * per-test and per-rule request counts. Returns the unsubscribe.
 */
export function onRequest(listener: (t: GateTicket) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The gate without budgets: it only waits the delay it is given. */
export const OPEN_GATE: RequestGate = {
  acquire: async (t) => {
    if (t.delayMs > 0) await sleep(t.delayMs);
  },
};

export interface SendResult {
  status: number;
  /** Lower-case names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  rawBody: string;
  /** All attempts and waits. */
  durationMs: number;
  attempts: number;
}

export interface Transport {
  send(req: SendRequest): Promise<SendResult>;
  close(): Promise<void>;
}

const RETRIED_KINDS: ReadonlySet<WireErrorKind> = new Set(['connect', 'reset', 'timeout']);
/**
 * Statuses that say "not now", not "no" (a rate limit, a gateway or a service briefly away): retried with
 * the same body, and never a provider's answer to judge.
 */
export const RETRIED_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);
const FIRST_BACKOFF_MS = 200;
/** The longest `Retry-After` honoured as given; a longer one is waited this long (the window still bounds it). */
export const MAX_RETRY_AFTER_MS = 60_000;

/**
 * How long to wait before attempt `attempt + 1`: at least the target's `Retry-After` (plus up to a tenth
 * more, so that clients told the same second do not come back together); else 200 ms doubling, capped at
 * `maxDelayMs`, with full jitter over its upper half. `random` in [0, 1).
 */
export function retryDelayMs(
  retryAfter: string | undefined,
  attempt: number,
  maxDelayMs: number,
  now = Date.now(),
  random: () => number = Math.random,
): number {
  const value = retryAfter?.trim() ?? '';
  let asked: number | undefined;
  if (/^\d+$/.test(value)) asked = Number(value) * 1000;
  else if (value !== '' && !Number.isNaN(Date.parse(value))) asked = Math.max(0, Date.parse(value) - now);
  if (asked !== undefined) {
    const base = Math.min(asked, MAX_RETRY_AFTER_MS);
    return Math.round(base + base * 0.1 * random());
  }
  const backoff = Math.min(FIRST_BACKOFF_MS * 2 ** (attempt - 1), maxDelayMs);
  return Math.round(backoff / 2 + (backoff / 2) * random());
}

interface Classified {
  kind: WireErrorKind;
  detail: string;
  code?: string;
}

const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ETIMEDOUT']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|EPROTO$)|CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|HOSTNAME_MISMATCH/;

/** The error code of a low-level failure, looking into `cause` and AggregateError members. */
function codeOf(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown }; errors?: Array<{ code?: unknown }> } | undefined;
  const code = e?.code ?? e?.cause?.code ?? e?.errors?.[0]?.code;
  return typeof code === 'string' ? code : undefined;
}

function classify(err: unknown, options: TransportOptions): Classified {
  const name = (err as { name?: unknown } | undefined)?.name;
  if (name === 'TimeoutError') return { kind: 'timeout', detail: `no complete answer within ${options.callTimeoutMs} ms` };
  const code = codeOf(err);
  if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    // Connect failures mean nothing was sent: kind `connect`, not `timeout` (whose outcome is unknown).
    return { kind: 'connect', code, detail: `no connection within ${options.connectTimeoutMs} ms` };
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT')
    return { kind: 'timeout', code, detail: `no response headers within ${options.headersTimeoutMs} ms` };
  if (code === 'UND_ERR_BODY_TIMEOUT') return { kind: 'timeout', code, detail: `the body stalled for ${options.bodyTimeoutMs} ms` };
  if (code === undefined) return { kind: 'reset', detail: `the request failed (${typeof name === 'string' ? name : 'unknown error'})` };
  if (CONNECT_CODES.has(code)) return { kind: 'connect', code, detail: `cannot connect (${code})` };
  if (RESET_CODES.has(code)) return { kind: 'reset', code, detail: `the connection was closed before the answer was complete (${code})` };
  if (TLS_CODE.test(code)) return { kind: 'tls', code, detail: `TLS failed (${code})` };
  if (code.startsWith('UND_ERR_INVALID') || code.startsWith('ERR_INVALID'))
    return { kind: 'config', code, detail: `the request is malformed (${code})` };
  return { kind: 'reset', code, detail: `the request failed (${code})` };
}

function flatHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(h)) if (v !== undefined) out[name.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function definedHeaders(h: HeaderRecord): Record<string, string> {
  return Object.fromEntries(Object.entries(h).filter((e): e is [string, string] => e[1] !== undefined));
}

export function createTransport(options: TransportOptions, gate: RequestGate = OPEN_GATE): Transport {
  // the one route of every command (run, call, proxy, verify-pacts): HTTP(S)_PROXY / NO_PROXY honoured
  const agent = createDispatcher(options);

  /** One attempt. Throws a `WireError` for too-large, anything else raw (classified by the caller). */
  async function attempt(req: SendRequest, call: CallContext, headers: HeaderRecord, n: number) {
    const tooLarge = (size: string) =>
      new WireError(call, 'too-large', `the answer is larger than ${options.maxBodyBytes} bytes (${size})`, { attempts: n });
    const res = await undici().request(req.url, {
      method: req.method,
      headers: definedHeaders(headers),
      body: req.body,
      dispatcher: agent,
      signal: AbortSignal.timeout(options.callTimeoutMs),
    });
    const declared = Number(res.headers['content-length']);
    if (declared > options.maxBodyBytes) {
      res.body.destroy();
      throw tooLarge(`Content-Length ${declared}`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > options.maxBodyBytes) {
        res.body.destroy();
        throw tooLarge(`stopped reading at ${size} bytes`);
      }
      chunks.push(chunk);
    }
    return { status: res.statusCode, headers: flatHeaders(res.headers), rawBody: Buffer.concat(chunks).toString('utf8') };
  }

  async function send(req: SendRequest): Promise<SendResult> {
    const call: CallContext = { provider: req.provider, operation: req.operation, url: req.url };
    if (!/^https?:$/.test(URL.canParse(req.url) ? new URL(req.url).protocol : '')) {
      throw new WireError(call, 'config', 'the URL is not an absolute http(s) URL');
    }
    const started = performance.now();
    const tries = req.retry ? Math.max(1, Math.floor(req.retry.tries)) : 1;
    const maxDelayMs = req.retry?.maxDelayMs ?? 0;
    const windowMs = req.retry?.forMs;
    // another attempt only while its wait ends inside the ride-out window (and under the attempt cap)
    const mayRetry = (n: number, delayMs: number) =>
      n < tries && (windowMs === undefined || performance.now() - started + delayMs <= windowMs);
    let headers = req.headers;
    // what the next attempt asks the gate: the wait before it and the money it may move
    let next: { delayMs: number; retryAfter?: boolean; charge: boolean } = { delayMs: 0, charge: true };
    for (let n = 1; ; n++) {
      const ticket: GateTicket = {
        provider: req.provider,
        operation: req.operation,
        attempt: n,
        delayMs: next.delayMs,
        ...(next.retryAfter ? { retryAfter: true } : {}),
        ...(next.charge && req.money ? { money: req.money } : {}),
      };
      await gate.acquire(ticket);
      for (const l of listeners) l(ticket);
      if (n > 1 && req.rebuildHeaders) headers = req.rebuildHeaders();
      try {
        const res = await attempt(req, call, headers, n);
        if (RETRIED_STATUSES.has(res.status)) {
          const retryAfter = res.headers['retry-after'];
          const delayMs = retryDelayMs(retryAfter, n, maxDelayMs);
          if (mayRetry(n, delayMs)) {
            next = { delayMs, ...(retryAfter ? { retryAfter: true } : {}), charge: false };
            continue;
          }
        }
        return { ...res, durationMs: performance.now() - started, attempts: n };
      } catch (err) {
        if (err instanceof WireError) throw err;
        const failure = classify(err, options);
        const delayMs = retryDelayMs(undefined, n, maxDelayMs);
        if (RETRIED_KINDS.has(failure.kind) && mayRetry(n, delayMs)) {
          next = { delayMs, charge: failure.kind !== 'connect' };
          continue;
        }
        const tried = n > 1 ? ` after ${n} attempts` : '';
        // After a timeout or a reset the request may have been acted on; connect/TLS/config failures sent nothing.
        const sentMaybe = failure.kind === 'timeout' || failure.kind === 'reset';
        const unknown =
          sentMaybe && req.idempotencyKey !== undefined
            ? `; outcome unknown for order ${req.idempotencyKey}: query it, do not resend with a new order number`
            : '';
        throw new WireError(call, failure.kind, failure.detail + tried + unknown, {
          attempts: n,
          ...(failure.code ? { code: failure.code } : {}),
        });
      }
    }
  }

  return { send, close: () => agent.close() };
}
