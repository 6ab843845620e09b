/**
 * Waits are run settings: how long an asynchronous outcome may take (`--wait`), how long a final status
 * is watched (`--stability`), and every vitest timeout derived from them, so that an outcome that never
 * settles ends as a `fail` of its rule when the bound passes, never as a test timeout.
 */
import { catalogue } from '../spec/catalogue.ts';
import type { Provider } from '../spec/registry.ts';

export const DURATION_EXAMPLES = '5s, 500ms, 2m or 1m30s';

const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 } as const;

/**
 * A duration as people write it: `500ms`, `5s`, `2m`, `1m30s`, `1h`, units in that order, each at most
 * once, whole numbers. Undefined for anything else (a bare number too: its unit would be a guess).
 */
export function parseDuration(text: string): number | undefined {
  const m = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/.exec(text.trim());
  if (!m || text.trim() === '') return undefined;
  const [, h, min, s, ms] = m;
  const total = Number(h ?? 0) * UNIT_MS.h + Number(min ?? 0) * UNIT_MS.m + Number(s ?? 0) * UNIT_MS.s + Number(ms ?? 0) * UNIT_MS.ms;
  return Number.isSafeInteger(total) ? total : undefined;
}

/** Real ms a test may take besides its asynchronous waits: its requests, with their timeouts and retries. */
export const TEST_MARGIN_MS = 120_000;
/** Polls of the stability window when no `--stability` is given, and the fewest further polls it makes. */
export const STABILITY_POLLS = 5;
export const MIN_STABILITY_POLLS = 3;
/**
 * The first poll interval after a change (a create's answer, a new status, a final one): polls start this
 * fast and double up to the run's poll interval, so a fast provider is seen settling in seconds and a
 * status that flickers back right after a final one is seen.
 */
export const FAST_POLL_MS = 250;

/** The next poll interval: back to `fastMs` after a change, else doubled, never above `capMs`. */
export const nextPollMs = (current: number, changed: boolean, fastMs: number, capMs: number): number =>
  changed ? Math.min(fastMs, capMs) : Math.min(current * 2, capMs);

/**
 * The intervals of a watched final state's readings: from `fastMs` doubling up to `capMs` (the pace of a
 * change just seen), until they span the window, at least `MIN_STABILITY_POLLS`. Counted from the nominal
 * intervals, not timed: a slow answer lengthens the watch instead of dropping a reading.
 */
export function watchIntervals(stabilityMs: number, fastMs: number, capMs: number): number[] {
  const out: number[] = [];
  let interval = Math.max(1, Math.min(fastMs, capMs));
  let spanned = 0;
  while (spanned < stabilityMs || out.length < MIN_STABILITY_POLLS) {
    out.push(interval);
    spanned += interval;
    interval = nextPollMs(interval, false, fastMs, Math.max(1, capMs));
  }
  return out;
}

/**
 * The most polls a follow-up loop makes within `waitMs`: each of `changes` changes starts the pace over at
 * `fastMs` (doubling to `capMs`), and between them at most the wait at the cap.
 */
export function mostPolls(waitMs: number, fastMs: number, capMs: number, changes: number): number {
  const ramp = Math.max(1, Math.ceil(Math.log2(Math.max(1, capMs / Math.max(1, fastMs)))) + 1);
  return 1 + changes * ramp + Math.ceil(waitMs / Math.max(1, capMs));
}
/** Shortest default wait on the embedded mock (real ms), whatever its time scale. */
export const MOCK_MIN_WAIT_MS = 3000;

/** The profile's bound on an asynchronous outcome against a real target, in ms (the largest of `providers`). */
export function profileWaitMs(providers: readonly Provider[]): number {
  return Math.max(...providers.map((p) => catalogue().profiles[p].wait.ms));
}

/**
 * The default wait: the profile's bound against a sandbox; on the embedded mock the same bound in the
 * mock's time (its time scale), at least `MOCK_MIN_WAIT_MS`.
 */
export function defaultWaitMs(external: readonly Provider[], embedded: readonly Provider[], timeScale: number): number {
  const sandbox = external.length ? profileWaitMs(external) : 0;
  const mock = embedded.length ? Math.max(MOCK_MIN_WAIT_MS, Math.ceil(profileWaitMs(embedded) * timeScale)) : 0;
  return Math.max(sandbox, mock);
}

export const defaultStabilityMs = (pollMs: number): number => STABILITY_POLLS * pollMs;

/** What the watchdog allows beyond one request's deadline, all its attempts and a poll interval. */
export const WATCHDOG_MARGIN_MS = 10_000;

/**
 * The run-level watchdog's bound: the longest a working suite goes without a sign of progress — one
 * request through all its attempts (the fewer of its attempt cap and its ride-out window, plus the last
 * attempt's deadline), then a poll interval — plus a margin. Waits do not lengthen it: every wait polls,
 * and every poll is progress (the heartbeat).
 */
export function watchdogMs(limits: { callTimeoutMs: number; retries: number; rideOutMs?: number }, pollMs: number): number {
  const all = limits.callTimeoutMs * (limits.retries + 1);
  const request = limits.rideOutMs ? Math.min(all, limits.rideOutMs + limits.callTimeoutMs) : all;
  return request + pollMs + WATCHDOG_MARGIN_MS;
}

/**
 * A conformance test's vitest timeout: `waits` sequential asynchronous phases (each at most the wait
 * bound and then the stability window) plus the margin for its requests. A test with no asynchronous
 * outcome gets the margin alone.
 */
export function testTimeoutMs(w: { waitMs: number; stabilityMs: number }, waits: number): number {
  return waits * (w.waitMs + w.stabilityMs) + TEST_MARGIN_MS;
}
