/**
 * The property suites' case lists, drawn while vitest starts. Drawing a default run's lists is about a
 * CPU-second, and the suites' workers used to draw them once they had started, on two cores already
 * busy sending and answering. `run` (from the CLI's build) opens its session while vitest starts; as soon
 * as the session knows the lists' inputs (the providers' "today", the segment list) it starts one thread
 * in its own process that draws every list the run's property suites will ask for (case-lists.ts
 * `runLists`), in the order they ask, on the core vitest's start leaves idle. A list kept from an earlier
 * run (case-cache.ts) is read, not drawn; a list drawn is kept for the next.
 *
 * The suites' workers are threads of the same process: a property test asks the drawing thread for its
 * lists over a BroadcastChannel (the run names it in CARD_CONFORMANCE_PREDRAW, which the workers inherit)
 * and waits for them; the lists come back serialized (`v8.serialize`, as kept on disk). A list the thread
 * does not draw (an extra suite's inputs) is answered "not drawn here", and the worker draws it as it
 * always did; so does every worker once the thread has failed or ended (the run's process answers for
 * it). Without the variable (`npm test`, `npx vitest`, a selfcheck) nothing waits and every list is drawn
 * where it is used.
 */
import { BroadcastChannel, Worker } from 'node:worker_threads';
import { type CaseInputs, caseKey, isKept, received } from './case-cache.ts';
import { buildDir } from './from-build.ts';

export const PREDRAW_VARIABLE = 'CARD_CONFORMANCE_PREDRAW';
/** How a channel the run names begins (any other value of the variable names none). */
const CHANNEL_PREFIX = 'card-conformance:cases:';

/** The messages on the channel. */
export type PredrawMessage =
  /** A worker wants a list (by its key). */
  | { want: string }
  /** The drawing thread listens: wants sent before it did are sent again. */
  | { listening: true }
  /** A list, serialized; null: not drawn here (the worker draws it). */
  | { key: string; list: Uint8Array | null }
  /** The drawing thread is gone (failed, or the run is closing): nothing more will come from it. */
  | { gone: true };

type Env = Readonly<Record<string, string | undefined>>;

/**
 * In a suite's worker: waits until the drawing thread has handed over each of `lists` that is not kept
 * on disk already (or has said it will not). Returns at once without a drawing thread.
 */
export async function predrawn(lists: readonly CaseInputs[], env: Env = process.env): Promise<void> {
  const name = env[PREDRAW_VARIABLE];
  // only a channel a run named (a value a user set, `on` say, names no thread: nothing would ever answer)
  if (!name?.startsWith(CHANNEL_PREFIX)) return;
  const left = new Set(lists.map((l) => caseKey(l, env)).filter((k) => !received.has(k) && !isKept(k, env)));
  if (left.size === 0) return;
  const channel = new BroadcastChannel(name);
  try {
    await new Promise<void>((resolve) => {
      const ask = () => {
        for (const want of left) channel.postMessage({ want } satisfies PredrawMessage);
      };
      channel.onmessage = (e) => {
        const m = (e as { data: PredrawMessage }).data;
        if ('gone' in m) return resolve();
        if ('listening' in m) return ask();
        if ('key' in m && left.delete(m.key)) {
          received.set(m.key, m.list);
          if (left.size === 0) resolve();
        }
      };
      ask();
    });
  } finally {
    channel.close();
  }
}

export interface Predraw {
  /** Starts the drawing thread on the lists not kept already (once; later calls do nothing). */
  start(lists: readonly CaseInputs[]): void;
  /** Ends the thread; a worker still waiting draws for itself. */
  close(): Promise<void>;
}

/** The thread's program: the build's module, or (tests) a source to evaluate. */
export type PredrawThread = URL | { eval: string };

/**
 * In the run's process, before vitest starts its workers: names the channel in the environment (the
 * workers inherit it) and answers for the drawing thread once it is gone. Undefined when the run is not
 * on the CLI's build (the thread's module is the build's), or CARD_CONFORMANCE_PREDRAW is `off`: then
 * nothing is named and nothing waits.
 */
export function openPredraw(env: NodeJS.ProcessEnv = process.env, thread?: PredrawThread): Predraw | undefined {
  if (env[PREDRAW_VARIABLE] === 'off') return undefined;
  const program =
    thread ?? (buildDir(env) && import.meta.url.endsWith('.js') ? new URL('./predraw-thread.js', import.meta.url) : undefined);
  if (!program) return undefined;
  const name = `${CHANNEL_PREFIX}${process.pid}:${Date.now().toString(36)}`;
  env[PREDRAW_VARIABLE] = name;
  const channel = new BroadcastChannel(name);
  channel.unref();
  let worker: Worker | undefined;
  let gone = false;
  const end = () => {
    if (gone) return;
    gone = true;
    channel.postMessage({ gone: true } satisfies PredrawMessage);
  };
  // once the thread is gone (or was never needed), every want is answered "gone": the worker draws for itself
  channel.onmessage = (e) => {
    if (gone && 'want' in (e as { data: PredrawMessage }).data) channel.postMessage({ gone: true } satisfies PredrawMessage);
  };
  return {
    start(lists) {
      if (worker || gone) return;
      const missing = lists.filter((l) => !isKept(caseKey(l, env), env));
      // every list kept already: the workers read them from disk
      if (missing.length === 0) return end();
      const workerData = { channel: name, lists: missing };
      worker =
        program instanceof URL ? new Worker(program, { workerData, env }) : new Worker(program.eval, { eval: true, workerData, env });
      worker.unref();
      worker.on('error', end);
      worker.on('exit', end);
    },
    async close() {
      end();
      await worker?.terminate();
      channel.close();
      // a later vitest of this process (none in a run) must not wait for a thread that is gone
      if (env[PREDRAW_VARIABLE] === name) delete env[PREDRAW_VARIABLE];
    },
  };
}
