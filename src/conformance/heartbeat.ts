/**
 * The suites' heartbeat, read by the run's watchdog: one file per worker (thread) in a folder the run
 * makes (`CARD_CONFORMANCE_HEARTBEAT`). A test writes its name and rules there when it starts and clears
 * them when it ends; every request, poll and wait step touches the file (at most every 200 ms). So a
 * test that waits on a provider shows progress, and a suite that does nothing at all (a worker spinning
 * in a loop, where no test event can reach the run) is named by its stale file. Without the variable (a
 * plain `npx vitest`) it does nothing.
 */
import { readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';

export const HEARTBEAT_VARIABLE = 'CARD_CONFORMANCE_HEARTBEAT';
const EVERY_MS = 200;
let last = 0;

// one file per worker: the suites' workers are threads of one process (vitest.config.ts), and two
// sharing a file would name each other's test
const own = (): string | undefined => {
  const dir = process.env[HEARTBEAT_VARIABLE];
  return dir ? join(dir, `${process.pid}-${threadId}`) : undefined;
};

export function beat(): void {
  // every request beats: the clock first, the file's name only when it is time
  const now = Date.now();
  if (now - last < EVERY_MS) return;
  const path = own();
  if (!path) return;
  last = now;
  try {
    utimesSync(path, new Date(now), new Date(now));
  } catch {
    writeFileSync(path, '{}');
  }
}

export interface Running {
  test: string;
  provider: string;
  rules: string[];
}

/** The test this worker runs now (written synchronously, before the suite can block the worker). */
export function running(test: Running | undefined): void {
  const path = own();
  if (!path) return;
  writeFileSync(path, JSON.stringify(test ?? {}));
  last = Date.now();
}

/** The latest sign of life in the folder, and the tests whose workers have shown none for `staleMs`. */
export function readHeartbeats(dir: string, staleMs: number): { latest: number; stuck: Running[] } {
  let latest = 0;
  const stuck: Running[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return { latest, stuck };
  }
  const now = Date.now();
  for (const name of names) {
    try {
      const path = join(dir, name);
      const t = statSync(path).mtimeMs;
      latest = Math.max(latest, t);
      const r = JSON.parse(readFileSync(path, 'utf8')) as Partial<Running>;
      if (r.test && now - t >= staleMs) stuck.push({ test: r.test, provider: r.provider ?? '', rules: r.rules ?? [] });
    } catch {
      // a file being written: the next look reads it
    }
  }
  return { latest, stuck };
}
