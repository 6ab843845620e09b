/**
 * Faults the mock can put on the wire, for the suite's own tests and for integrators testing their own
 * clients (`card-conformance mock --fault NAME`). Each applies to the provider routes only (never the
 * admin surface), on a fixed share of requests, so that a run against it is repeatable. Transient faults
 * are ridden out by a client that retries with the same body; persistent ones leave nothing to judge.
 */
import { createHash } from 'node:crypto';
import { CardConformanceError, EXIT } from '../wire/errors.ts';

export const FAULTS = {
  slow: { transient: false, description: 'answers after 20 s, beyond any client deadline' },
  ratelimit: { transient: true, description: 'answers every second request HTTP 429 with Retry-After: 1' },
  unavailable: { transient: true, description: 'answers every third request HTTP 503' },
  'ratelimit-steady': {
    transient: true,
    description: 'answers every second request HTTP 429 with Retry-After: 1, a retry as likely as any other request',
  },
  'unavailable-steady': { transient: true, description: 'answers every third request HTTP 503, a retry as likely as any other request' },
  html: { transient: false, description: 'answers an HTML page with HTTP 200' },
  reset: { transient: true, description: 'drops every second connection before reading its request' },
  huge: { transient: false, description: 'answers a 20 MB body' },
  truncated: { transient: false, description: 'answers JSON cut short' },
  'wrong-key': { transient: false, description: "seals GEP results with a key that is not the platform's" },
  'reset-after-commit': {
    transient: true,
    description: 'processes every second create/apply, then drops the connection before answering',
  },
} as const satisfies Record<string, { transient: boolean; description: string }>;

export type FaultName = keyof typeof FAULTS;
export const FAULT_NAMES = Object.keys(FAULTS) as FaultName[];

export const SLOW_FAULT_MS = 20_000;
export const HUGE_FAULT_BYTES = 20 * 1024 * 1024;

/**
 * A fault's decision for the n-th provider request (0-based), before and after the provider's logic.
 * A transient fault strikes a given request at most once: the same bytes sent again (a client's retry)
 * go through, as they would once a real rate limit or restart has passed.
 */
export interface FaultPlan {
  /** Whether this request (by its bytes) was struck before; marks it struck. */
  strikeOnce(raw: string): boolean;
  /** Drop the connection before the provider reads the request. */
  resetBefore(n: number): boolean;
  /** An answer in place of the provider's (429, 503, HTML, huge), or undefined; transient ones only on a first strike. */
  replace(n: number, strike: boolean): { status: number; headers: Record<string, string>; body: string } | undefined;
  /** Let the provider act, then drop the connection unanswered (create/apply only). */
  resetAfter(n: number, isCreate: boolean): boolean;
  /** Delay before answering, ms. */
  delayMs: number;
  /** Cut the answer short. */
  truncate: boolean;
  /** Seal GEP results with a stranger's key. */
  wrongKey: boolean;
}

export function faultPlan(faults: readonly FaultName[]): FaultPlan {
  const on = new Set(faults);
  const struck = new Set<string>();
  // only a transient fault asks whether a request was struck before: without one, no request is hashed or remembered
  const transient = faults.some((f) => FAULTS[f].transient);
  return {
    strikeOnce(raw) {
      if (!transient) return false;
      const key = createHash('sha256').update(raw).digest('base64');
      if (struck.has(key)) return false;
      if (struck.size > 100_000) struck.clear();
      struck.add(key);
      return true;
    },
    resetBefore: (n) => on.has('reset') && n % 2 === 1,
    replace(n, strike): { status: number; headers: Record<string, string>; body: string } | undefined {
      if (on.has('ratelimit') && strike && n % 2 === 1)
        return { status: 429, headers: { 'content-type': 'application/json', 'retry-after': '1' }, body: '{"error":"rate limited"}' };
      if (on.has('unavailable') && strike && n % 3 === 2)
        return { status: 503, headers: { 'content-type': 'text/plain' }, body: 'Service Unavailable' };
      // steady: by the request's place in the count alone, retries included (a real limiter's way)
      if (on.has('ratelimit-steady') && n % 2 === 1)
        return { status: 429, headers: { 'content-type': 'application/json', 'retry-after': '1' }, body: '{"error":"rate limited"}' };
      if (on.has('unavailable-steady') && n % 3 === 2)
        return {
          status: 503,
          headers: { 'content-type': 'text/html' },
          body: '<html><body><h1>503 Service Unavailable</h1></body></html>',
        };
      if (on.has('html'))
        return { status: 200, headers: { 'content-type': 'text/html' }, body: '<html><body><h1>Maintenance</h1></body></html>' };
      if (on.has('huge'))
        return { status: 200, headers: { 'content-type': 'application/json' }, body: `{"pad":"${'x'.repeat(HUGE_FAULT_BYTES)}"}` };
      return undefined;
    },
    resetAfter: (n, isCreate) => on.has('reset-after-commit') && isCreate && n % 2 === 1,
    delayMs: on.has('slow') ? SLOW_FAULT_MS : 0,
    truncate: on.has('truncated'),
    wrongKey: on.has('wrong-key'),
  };
}

export class FaultError extends CardConformanceError {
  override name = 'FaultError';
  readonly exitCode = EXIT.usage;
}

export function resolveFaults(names: readonly string[]): FaultName[] {
  return names.map((n) => {
    if (!(n in FAULTS)) throw new FaultError(`unknown fault "${n}" (faults: ${FAULT_NAMES.join(', ')})`);
    return n as FaultName;
  });
}
