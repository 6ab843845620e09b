/**
 * The drawing thread of a run (predraw.ts): draws, or reads where they were kept, the lists it was given,
 * one after the other, and hands each to the worker that asks for it. It yields between two lists, so a
 * worker's request is answered as soon as its list is ready; a list it was not given is answered "not
 * drawn here" at once. It lives until the run ends it.
 */
import { BroadcastChannel, workerData } from 'node:worker_threads';
import { type CaseInputs, caseKey, keptList } from './case-cache.ts';
import { drawList } from './case-lists.ts';
import type { PredrawMessage } from './predraw.ts';
import { lowerThisThread } from './thread-priority.ts';
import { mark } from './timings.ts';

/** The drawing thread's niceness (0 the run's own; 19 the least). */
const PREDRAW_NICE = 5;

const { channel: name, lists } = workerData as { channel: string; lists: CaseInputs[] };
const keys = lists.map((l) => caseKey(l));
const done = new Map<string, Uint8Array | null>();
const wanted = new Set<string>();
const channel = new BroadcastChannel(name);
const post = (m: PredrawMessage) => channel.postMessage(m);

channel.onmessage = (e) => {
  const m = (e as { data: PredrawMessage }).data;
  if (!('want' in m)) return;
  if (done.has(m.want)) post({ key: m.want, list: done.get(m.want)! });
  else if (keys.includes(m.want)) wanted.add(m.want);
  else post({ key: m.want, list: null });
};
post({ listening: true });
mark('predraw-start');
// the run's own threads first (vitest's start, the mock, the suites' workers): the lists are drawn in
// what they leave (measured: a first default run 4.82 -> 4.69 s, mean of 6)
lowerThisThread(PREDRAW_NICE);

for (const [i, inputs] of lists.entries()) {
  // a turn of the event loop first: the requests that came in meanwhile are heard
  await new Promise((resolve) => setImmediate(resolve));
  const key = keys[i]!;
  let list: Uint8Array | null;
  try {
    list = keptList(inputs, () => drawList(inputs));
  } catch {
    // a list that cannot be drawn here is drawn by the worker, which reports why
    list = null;
  }
  done.set(key, list);
  if (wanted.delete(key)) post({ key, list });
}
mark('predraw-done');
