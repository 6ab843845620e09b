/** Where an operation goes, read from the provider profile (never typed twice), and the retry policy shared by both clients. */

import { catalogue, SpecError } from '../spec/catalogue.ts';
import type { Provider } from '../spec/registry.ts';
import type { RetryPolicy } from '../wire/http.ts';

export interface Endpoint {
  method: string;
  /** Absolute URL: the base URL's own path (if any) followed by the profile's path. */
  url: string;
  /** The path as sent (what Alchemy signs). */
  path: string;
}

export function endpoint(provider: Provider, operation: string, baseUrl: string): Endpoint {
  const call = catalogue().profiles[provider].calls.find((c) => c.operation === operation);
  if (!call) throw new SpecError(`${provider} has no operation "${operation}" in its profile (contracts/${provider}/provider.ts)`);
  const u = new URL(baseUrl);
  u.pathname = u.pathname.replace(/\/+$/, '') + call.path;
  return { method: call.method, url: u.toString(), path: u.pathname + u.search };
}

/** Cap on one wait between attempts, whatever `Retry-After` says. */
export const MAX_RETRY_DELAY_MS = 5_000;

/** Retries after the first attempt (a cap), and the ride-out window in ms when one bounds them. */
export function retryPolicy(retries: number, rideOutMs?: number): RetryPolicy {
  return {
    tries: Math.max(0, Math.floor(retries)) + 1,
    retryOn: '429/503/transport',
    maxDelayMs: MAX_RETRY_DELAY_MS,
    ...(rideOutMs !== undefined && rideOutMs > 0 ? { forMs: rideOutMs } : {}),
  };
}

/** The order number a body carries (`orderNo`, `userReqNo`), for the transport's "outcome unknown" errors. */
export function orderNumberOf(body: unknown, field: string): string | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const v = (body as Record<string, unknown>)[field];
  return typeof v === 'string' && v !== '' ? v : undefined;
}
