/**
 * Budgets: the one request gate every request of a run passes (the transport asks it before every
 * attempt: creates, follow-ups, status polls, retries, the preflight and the positive control).
 *
 * - requests: attempts on the wire, retries included (`--max-requests`, CARD_CONFORMANCE_MAX_REQUESTS);
 * - rate: requests per second, a token bucket holding one token (`--rate`, CARD_CONFORMANCE_RATE);
 * - time: wall time from the session's start (`--max-time`, CARD_CONFORMANCE_MAX_TIME);
 * - spend per currency: the money the requests would move if accepted (`--max-spend USD=100`,
 *   CARD_CONFORMANCE_MAX_SPEND), counted when sent, never given back (a refusal that still debited
 *   would otherwise slip through).
 *
 * The ledger lives in the process that opens the session (vitest's global setup); the suites' worker
 * processes ask it over loopback HTTP before each request (`remoteGate`), so the budget is one for the
 * whole run. Without any budget (the embedded mock's default) there is no ledger and no server: the
 * transport's open gate costs nothing. Once one budget refuses a request, the run has run out: every
 * later request is refused too, never sent, and the rules not decided are `skipped` "budget: <which>".
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError } from '../config/errors.ts';
import type { GateTicket, RequestGate } from '../wire/http.ts';
import { undici } from '../wire/undici.ts';
import { beat } from './heartbeat.ts';
import { DURATION_EXAMPLES, parseDuration } from './waits.ts';

export const BUDGET_VARIABLES = {
  maxRequests: 'CARD_CONFORMANCE_MAX_REQUESTS',
  rate: 'CARD_CONFORMANCE_RATE',
  maxTime: 'CARD_CONFORMANCE_MAX_TIME',
  maxSpend: 'CARD_CONFORMANCE_MAX_SPEND',
} as const;

export interface BudgetLimits {
  maxRequests?: number;
  /** Requests per second. */
  rate?: number;
  maxTimeMs?: number;
  /** Major units per currency (USD, not cents). */
  maxSpend?: Record<string, number>;
}

/**
 * The defaults against any target that is not the embedded mock: 2 requests/s, 500 requests, 20,000 USD,
 * and 15 minutes of wall time. They hold smoke's whole MUST plan for both providers (425 requests at
 * most; the profile's longest wait for an asynchronous outcome is 6 minutes) with its money at once: the
 * valid upper amount edge (a 5,000 USD card, kept) while the deposit above the range (5,000.01 USD if a
 * provider wrongly takes it) and the other refused cases are in flight. A sandbox account plausibly holds
 * that much. What they leave out (full's ten-times-the-maximum case, 50,000 USD) is a planned exclusion.
 */
export const SANDBOX_BUDGETS: Readonly<Required<BudgetLimits>> = {
  maxRequests: 500,
  rate: 2,
  maxTimeMs: 15 * 60_000,
  maxSpend: { USD: 20_000 },
};

/** The budget names a refusal reports: `requests`, `time`, `spend USD`. (The rate only delays.) */
export type BudgetName = 'requests' | 'time' | `spend ${string}`;

export interface BudgetReport {
  limits: { maxRequests?: number; rate?: number; maxTimeMs?: number; maxSpend?: Record<string, number> };
  /** `spend`: the money of requests that may have moved it (sent, and not clearly refused); `released`: given back on a clear refusal. */
  used: { requests: number; timeMs: number; spend: Record<string, number>; released: Record<string, number> };
  /**
   * The first budget that refused a request, or null: `requests` or `time` ran out (every later request
   * was refused); `spend X` refused the requests that would have passed it (smaller ones still went).
   */
  exhausted: BudgetName | null;
  /** Requests refused by the gate (never sent). */
  refused: number;
  /** 429/503 answers whose `Retry-After` was waited out before sending the same request again. */
  retryAfter: { count: number; waitedMs: number };
}

/** Thrown by a gate instead of sending: the request is never sent. */
export class BudgetExhausted extends Error {
  override readonly name = 'BudgetExhausted';
  readonly which: BudgetName;
  constructor(which: BudgetName) {
    super(`budget: ${which}`);
    this.which = which;
  }
}

/** Also across module instances (vitest workers load modules more than once). */
export const isBudgetExhausted = (err: unknown): err is BudgetExhausted =>
  err instanceof Error && err.name === 'BudgetExhausted' && typeof (err as { which?: unknown }).which === 'string';

/**
 * A spend refusal stops that one request, not the run: it would move more money than the budget has left,
 * while a request that moves less (a poll, a smaller amount) may still go. Requests and time run out for good.
 */
export const isSpendRefusal = (err: unknown): err is BudgetExhausted => isBudgetExhausted(err) && err.which.startsWith('spend ');

function positiveNumber(name: string, v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new ConfigError(name, `must be a positive number (got "${v}")`);
  return n;
}

/** `USD=100`, `USD=100,EUR=50` (also repeated flags joined by commas): major units per currency. */
export function parseSpend(name: string, text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([A-Za-z]{3})=(.+)$/.exec(part);
    if (!m) throw new ConfigError(name, `must be CURRENCY=AMOUNT pairs such as USD=100 (got "${part}")`);
    out[m[1]!.toUpperCase()] = positiveNumber(name, m[2]!);
  }
  if (Object.keys(out).length === 0) throw new ConfigError(name, 'must name at least one CURRENCY=AMOUNT, such as USD=100');
  return out;
}

/**
 * The run's budgets: each variable when set, else the sandbox default when any tested target is not the
 * embedded mock (`external`), else none. `off` switches one default off explicitly.
 */
export function readBudgetLimits(env: Readonly<Record<string, string | undefined>>, external: boolean): BudgetLimits {
  const get = (k: keyof typeof BUDGET_VARIABLES) => {
    const v = env[BUDGET_VARIABLES[k]]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const out: BudgetLimits = {};
  const pick = <K extends keyof BudgetLimits>(key: K, variable: keyof typeof BUDGET_VARIABLES, parse: (v: string) => BudgetLimits[K]) => {
    const v = get(variable);
    if (v === 'off') return;
    const value = v !== undefined ? parse(v) : external ? SANDBOX_BUDGETS[key] : undefined;
    if (value !== undefined) out[key] = value;
  };
  pick('maxRequests', 'maxRequests', (v) => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < 1) throw new ConfigError(BUDGET_VARIABLES.maxRequests, `must be a whole number of at least 1 (got "${v}")`);
    return n;
  });
  pick('rate', 'rate', (v) => positiveNumber(BUDGET_VARIABLES.rate, v));
  pick('maxTimeMs', 'maxTime', (v) => {
    const ms = parseDuration(v);
    if (ms === undefined || ms < 1)
      throw new ConfigError(BUDGET_VARIABLES.maxTime, `must be a positive duration such as ${DURATION_EXAMPLES} (got "${v}")`);
    return ms;
  });
  pick('maxSpend', 'maxSpend', (v) => parseSpend(BUDGET_VARIABLES.maxSpend, v));
  return out;
}

export const hasBudgets = (l: BudgetLimits): boolean => Object.keys(l).length > 0;

/** One line for the summary: `200 requests, 2/s, 15m, USD 100`. */
export function describeLimits(l: BudgetLimits): string {
  const parts = [
    ...(l.maxRequests !== undefined ? [`${l.maxRequests} requests`] : []),
    ...(l.rate !== undefined ? [`${l.rate} requests/s`] : []),
    ...(l.maxTimeMs !== undefined ? [`${Math.round(l.maxTimeMs / 1000)} s wall time`] : []),
    ...Object.entries(l.maxSpend ?? {}).map(([c, a]) => `${c} ${a}`),
  ];
  return parts.length ? parts.join(', ') : 'none';
}

/** A ledger's answer: send after `waitMs`, or refused. */
/** `later`: a spend refusal that may turn into an admission once requests in flight give their money back. */
export type Admission = { ok: true; waitMs: number } | { ok: false; which: BudgetName; later?: boolean };

/**
 * Ask for admission; while only the spend budget refuses, and only for now (money staked by requests in
 * flight that a clear refusal will give back), ask again after 25, 50, … 1600 ms (about 3 s in all),
 * then for good.
 */
async function admitWaiting(ask: (tentative: boolean) => Promise<Admission> | Admission): Promise<Admission> {
  for (let wait = 25; ; wait *= 2) {
    const last = wait > 1600;
    const a = await ask(!last);
    if (a.ok || !a.later || last) return a;
    beat();
    await sleep(wait);
  }
}

/** The run's budgets and what has been used of them. One per run, in the session's process. */
export class BudgetLedger {
  readonly limits: BudgetLimits;
  private readonly now: () => number;
  private readonly started: number;
  private requests = 0;
  private refused = 0;
  private readonly spend: Record<string, number> = {};
  private readonly released: Record<string, number> = {};
  /** The first budget that refused a request (reported). */
  private exhausted: BudgetName | null = null;
  /** Requests or time ran out: from then on every request is refused. */
  private stopped: BudgetName | null = null;
  /** When the rate's next token is free (epoch ms). */
  private nextSlot = 0;
  private readonly retryAfter = { count: 0, waitedMs: 0 };

  constructor(limits: BudgetLimits, now: () => number = Date.now) {
    this.limits = limits;
    this.now = now;
    this.started = now();
  }

  /** Reserve one request: its place under every budget, and when it may be sent. */
  admit(t: Pick<GateTicket, 'money' | 'delayMs' | 'retryAfter'> & { tentative?: boolean }): Admission {
    const refuse = (which: BudgetName, settled = true): Admission => {
      // a tentative spend refusal is not recorded: the asker waits for in-flight refusals to give money back
      if (t.tentative && !settled) return { ok: false, which, later: true };
      this.exhausted ??= which;
      // a spend refusal refuses this request only (a smaller one may fit); requests and time end the run
      if (!which.startsWith('spend ')) this.stopped ??= which;
      this.refused++;
      return { ok: false, which: this.stopped ?? which };
    };
    if (this.stopped) return refuse(this.stopped);
    const l = this.limits;
    if (l.maxRequests !== undefined && this.requests + 1 > l.maxRequests) return refuse('requests');
    if (t.money && t.money.amount > 0) {
      const limit = l.maxSpend?.[t.money.currency];
      // a currency with no budget of its own, while spend budgets are set, is refused: it cannot be bounded
      if (l.maxSpend !== undefined && (limit === undefined || (this.spend[t.money.currency] ?? 0) + t.money.amount > limit + 1e-9))
        // more than the whole budget never fits; within it, it may once requests in flight are refused
        return refuse(`spend ${t.money.currency}`, limit === undefined || t.money.amount > limit + 1e-9);
    }
    const now = this.now();
    const at = Math.max(now + t.delayMs, l.rate !== undefined ? this.nextSlot : 0);
    if (l.maxTimeMs !== undefined && at >= this.started + l.maxTimeMs) return refuse('time');
    if (l.rate !== undefined) this.nextSlot = at + 1000 / l.rate;
    this.requests++;
    if (t.money && t.money.amount > 0) this.spend[t.money.currency] = (this.spend[t.money.currency] ?? 0) + t.money.amount;
    if (t.retryAfter) {
      this.retryAfter.count++;
      this.retryAfter.waitedMs += at - now;
    }
    return { ok: true, waitMs: at - now };
  }

  /**
   * A request the target clearly refused moved no money: its spend is free again (a budget that ran out
   * stays out: the run has stopped sending).
   */
  release(money: { currency: string; amount: number }): void {
    const used = this.spend[money.currency] ?? 0;
    const back = Math.min(used, Math.max(0, money.amount));
    if (back <= 0) return;
    this.spend[money.currency] = used - back;
    this.released[money.currency] = (this.released[money.currency] ?? 0) + back;
  }

  report(): BudgetReport {
    return {
      limits: { ...this.limits },
      used: {
        requests: this.requests,
        timeMs: this.now() - this.started,
        spend: Object.fromEntries(Object.entries(this.spend).map(([c, a]) => [c, Math.round(a * 1e6) / 1e6])),
        released: Object.fromEntries(Object.entries(this.released).map(([c, a]) => [c, Math.round(a * 1e6) / 1e6])),
      },
      exhausted: this.exhausted,
      refused: this.refused,
      retryAfter: { ...this.retryAfter },
    };
  }
}

async function pass(a: Admission): Promise<void> {
  if (!a.ok) throw new BudgetExhausted(a.which);
  // waiting for a rate slot is progress: the run's watchdog hears it (a slow rate is not a stuck suite)
  for (let left = a.waitMs; left > 0; left -= 1000) {
    beat();
    await sleep(Math.min(left, 1000));
  }
}

/** The gate of the session's own process (preflight, positive control). */
export function localGate(ledger: BudgetLedger): RequestGate {
  return {
    async acquire(t) {
      // an admitted request is sent: the ledger counted it and its spend, and its slot is within the time
      // budget, so it is within every budget however the run runs out meanwhile (a dropped one would be
      // counted as used, and as a card perhaps opened, without ever reaching the target)
      await pass(await admitWaiting((tentative) => ledger.admit({ ...t, tentative })));
    },
    async release(money) {
      ledger.release(money);
    },
  };
}

/** The gate of a worker process: asks the session's ledger over loopback before every request. */
export function remoteGate(url: string): RequestGate {
  // never through a proxy: the ledger is on this machine
  const { Agent, request } = undici();
  const agent = new Agent({ connections: 4 });
  let refused: BudgetName | undefined;
  return {
    async acquire(t) {
      if (refused) throw new BudgetExhausted(refused);
      const a = await admitWaiting(async (tentative) => {
        const res = await request(`${url}/admit`, {
          method: 'POST',
          dispatcher: agent,
          body: JSON.stringify({ delayMs: t.delayMs, retryAfter: t.retryAfter === true, money: t.money, tentative }),
        });
        return (await res.body.json()) as Admission;
      });
      if (!a.ok && a.which.startsWith('spend ')) throw new BudgetExhausted(a.which);
      if (!a.ok) refused = a.which;
      // admitted: sent at its slot, whatever this worker learns meanwhile (as in localGate)
      await pass(a);
    },
    async release(money) {
      const res = await request(`${url}/release`, { method: 'POST', dispatcher: agent, body: JSON.stringify(money) });
      await res.body.text();
    },
  };
}

/** The ledger's loopback server, for the worker processes. */
export async function serveLedger(ledger: BudgetLedger): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let answer: Admission | BudgetReport;
      try {
        const t = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Pick<GateTicket, 'money' | 'delayMs' | 'retryAfter'> & {
          tentative?: boolean;
        };
        if (req.url === '/release') {
          const m = t as unknown as { currency?: unknown; amount?: unknown };
          if (typeof m.currency === 'string' && typeof m.amount === 'number') ledger.release({ currency: m.currency, amount: m.amount });
        }
        answer =
          req.url === '/admit' ? ledger.admit({ ...t, delayMs: Number(t.delayMs) || 0, tentative: t.tentative === true }) : ledger.report();
      } catch {
        res.writeHead(400).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/**
 * The run's ledger, for the report written in the same process (vitest's global setup and the run's
 * reporter may load this module twice: the ledger is found through a process-wide symbol).
 */
const LEDGER = Symbol.for('card-conformance.budget-ledger');
export function publishLedger(ledger: BudgetLedger | undefined): void {
  (globalThis as Record<symbol, unknown>)[LEDGER] = ledger;
}
export function budgetReport(): BudgetReport | undefined {
  return ((globalThis as Record<symbol, unknown>)[LEDGER] as BudgetLedger | undefined)?.report();
}
