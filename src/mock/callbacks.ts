/**
 * The mock's outgoing callbacks, all through one bounded queue: one timer for the whole queue (never one
 * per card), at most `maxInFlight` deliveries at a time on an agent of its own with a short connect
 * timeout, `attempts` attempts per callback `retryMs` apart (the profile's redeliveries), and a per-host
 * backoff: after a host fails to answer (refused, timed out, reset), the attempts that fall due while it
 * backs off are counted as failed without a connection, the window doubling up to a cap and closing at
 * the host's next answer. A callback whose last attempt fails is dropped and counted. A waiting callback
 * is a small record (its target, its URL as text, attempt, due time) handled by the queue's one set of
 * functions: a closure per callback cost about 1 KB each, more than the card itself. It holds its card
 * only until its last attempt; close() drops everything and aborts what is in flight.
 */
import type { Agent } from 'undici';
import { undici } from '../wire/undici.ts';
import { small } from './context.ts';

export type AttemptStatus = number | string;

/** What the queue does with a callback's target (a card): the same functions for every callback. */
export interface CallbackHandler<T> {
  /** The body of one attempt (made when it is sent). */
  body: (target: T) => string;
  /** One attempt's outcome: the HTTP status, or why there was none. */
  onAttempt: (target: T, attempt: number, status: AttemptStatus) => void;
  /** The callback is finished: delivered, dropped after its last attempt, or not sendable. */
  onDone: (target: T, outcome: 'delivered' | 'dropped' | 'not sent') => void;
}

export interface CallbackQueueOptions<T> extends CallbackHandler<T> {
  /** Attempts in all: the first delivery and the profile's redeliveries. */
  attempts: number;
  /** Real milliseconds between a failed attempt and the next. */
  retryMs: number;
  /** What an acknowledging receiver answers (HTTP 200 with this body). */
  ack: string;
  /** Hosts a callback may go to; a job for another host is recorded `not sent: host not allowed`. */
  allowed: (url: URL) => boolean;
  maxInFlight?: number;
  connectTimeoutMs?: number;
  /** Whole attempt, headers and body. */
  requestTimeoutMs?: number;
  /** The first backoff window of a failing host, doubled at each further failure up to `backoffMaxMs`. */
  backoffMs?: number;
  backoffMaxMs?: number;
}

export const CALLBACK_DEFAULTS = { maxInFlight: 32, connectTimeoutMs: 1_000, requestTimeoutMs: 5_000, backoffMaxMs: 60_000 } as const;

export interface CallbackStats {
  /** Callbacks waiting for their next attempt. */
  waiting: number;
  inFlight: number;
  /** Callbacks acknowledged by their receiver. */
  delivered: number;
  /** Callbacks given up after their last attempt. */
  dropped: number;
  /** Callbacks never sent (a host that is not allowed, a URL that is not one). */
  notSent: number;
  /** Attempts in all, and those counted failed without a connection because their host was backing off. */
  attempts: number;
  backedOff: number;
  /** Hosts backing off now. */
  hostsBackingOff: number;
}

interface Entry<T> {
  target: T;
  /** Parsed when an attempt starts (a waiting callback holds only the text). */
  url: string;
  attempt: number;
  due: number;
  seq: number;
}

/** Real time for the queue: monotonic, unaffected by the mock's (possibly frozen or pinned) clock. */
const clock = () => performance.now();
/**
 * The due time `ms` from now in whole milliseconds, rounded up (an attempt is never early): a small
 * integer kept in the waiting callback's record rather than a heap number of its own.
 */
const dueIn = (ms: number) => small(Math.ceil(clock() + ms));

export class CallbackQueue<T> {
  private heap: Entry<T>[] = [];
  private seq = 0;
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private closed = false;
  /** Bumped by `clear()`: an attempt in flight from before it is forgotten when it ends. */
  private generation = 0;
  private readonly hosts = new Map<string, { until: number; windowMs: number }>();
  private readonly agent: Agent;
  private readonly counts = { delivered: 0, dropped: 0, notSent: 0, attempts: 0, backedOff: 0 };
  private readonly o: Required<CallbackQueueOptions<T>>;

  constructor(opts: CallbackQueueOptions<T>) {
    this.o = {
      maxInFlight: CALLBACK_DEFAULTS.maxInFlight,
      connectTimeoutMs: CALLBACK_DEFAULTS.connectTimeoutMs,
      requestTimeoutMs: CALLBACK_DEFAULTS.requestTimeoutMs,
      // half a redelivery interval: a host that failed once is tried again by the next redelivery
      backoffMs: Math.max(1, opts.retryMs / 2),
      backoffMaxMs: CALLBACK_DEFAULTS.backoffMaxMs,
      ...opts,
    };
    this.agent = new (undici().Agent)({
      connect: { timeout: this.o.connectTimeoutMs },
      headersTimeout: this.o.requestTimeoutMs,
      bodyTimeout: this.o.requestTimeoutMs,
      connections: this.o.maxInFlight,
    });
  }

  /** Queues a callback to `url` for `target`, its first attempt due in `delayMs` real milliseconds. */
  add(target: T, url: string, delayMs: number): void {
    if (this.closed) return;
    this.push({ target, url, attempt: 1, due: dueIn(delayMs), seq: this.seq++ });
    this.pump();
  }

  stats(): CallbackStats {
    const now = clock();
    let backingOff = 0;
    for (const h of this.hosts.values()) if (h.until > now) backingOff++;
    return { waiting: this.heap.length, inFlight: this.inFlight, ...this.counts, hostsBackingOff: backingOff };
  }

  /** Drops every waiting callback, aborts those in flight; nothing is attempted or recorded afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.heap = [];
    this.hosts.clear();
    await this.agent.destroy().catch(() => undefined);
  }

  /**
   * Drops every waiting callback and forgets those in flight: their outcomes are not recorded and they are
   * not attempted again (the mock's reset, whose cards are gone). The queue goes on taking callbacks.
   */
  clear(): void {
    this.generation++;
    this.disarm();
    this.heap = [];
    this.hosts.clear();
  }

  private pump(): void {
    if (this.closed) return;
    const now = clock();
    while (this.inFlight < this.o.maxInFlight && this.heap.length > 0 && this.heap[0]!.due <= now) this.start(this.pop()!, now);
    this.arm();
  }

  /** One timer for the queue: at the next due attempt, unless the in-flight slots are full (a finishing attempt pumps). */
  private arm(): void {
    const next = this.heap[0]?.due;
    if (next === undefined || this.inFlight >= this.o.maxInFlight) {
      this.disarm();
      return;
    }
    if (this.timer && this.timerAt <= next) return;
    this.disarm();
    this.timerAt = next;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Number.POSITIVE_INFINITY;
        this.pump();
      },
      Math.max(0, next - clock()),
    );
    this.timer.unref();
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
  }

  private start(e: Entry<T>, now: number): void {
    const target = e.target;
    const o = this.o;
    let url: URL;
    try {
      url = new URL(e.url);
    } catch {
      this.counts.notSent++;
      o.onAttempt(target, e.attempt, 'not sent: not a URL');
      o.onDone(target, 'not sent');
      return;
    }
    if (!o.allowed(url)) {
      this.counts.notSent++;
      o.onAttempt(target, e.attempt, 'not sent: host not allowed');
      o.onDone(target, 'not sent');
      return;
    }
    this.counts.attempts++;
    const host = this.hosts.get(url.host);
    if (host && host.until > now) {
      this.counts.backedOff++;
      o.onAttempt(target, e.attempt, 'not sent: host backing off');
      this.failed(e);
      return;
    }
    this.inFlight++;
    const generation = this.generation;
    /** The attempt ended: false when the queue was closed or cleared meanwhile (nothing is recorded then). */
    const ended = (): boolean => {
      this.inFlight--;
      if (this.closed) return false;
      if (generation === this.generation) return true;
      this.pump();
      return false;
    };
    undici()
      .request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: o.body(target),
        dispatcher: this.agent,
      })
      .then(async (res) => {
        const text = await res.body.text();
        return { status: res.statusCode, text };
      })
      .then(
        ({ status, text }) => {
          if (!ended()) return;
          this.hosts.delete(url.host); // it answered: no backoff
          o.onAttempt(target, e.attempt, status);
          if (status === 200 && text.trim() === o.ack) {
            this.counts.delivered++;
            o.onDone(target, 'delivered');
          } else this.failed(e);
          this.pump();
        },
        () => {
          if (!ended()) return;
          const h = this.hosts.get(url.host);
          const windowMs = h ? Math.min(h.windowMs * 2, this.o.backoffMaxMs) : this.o.backoffMs;
          this.hosts.set(url.host, { until: clock() + windowMs, windowMs });
          o.onAttempt(target, e.attempt, 'unreachable');
          this.failed(e);
          this.pump();
        },
      );
  }

  private failed(e: Entry<T>): void {
    if (e.attempt >= this.o.attempts) {
      this.counts.dropped++;
      this.o.onDone(e.target, 'dropped');
      return;
    }
    e.attempt++;
    e.due = dueIn(this.o.retryMs);
    e.seq = this.seq++;
    this.push(e);
  }

  private push(e: Entry<T>): void {
    const h = this.heap;
    h.push(e);
    for (let i = h.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): Entry<T> | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (top === undefined || last === undefined || h.length === 0) return top;
    h[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l]!, h[m]!)) m = l;
      if (r < h.length && before(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
    return top;
  }
}

const before = <T>(a: Entry<T>, b: Entry<T>) => a.due < b.due || (a.due === b.due && a.seq < b.seq);
