/**
 * The soak's request maker, on a thread of its own: it signs the Alchemy creates and seals the GEP
 * applies (RSA, the costly part) in batches the main thread asks for a second ahead, so the thread that
 * sends requests and times their answers never stalls on making the next ones. Bench-only.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { catalogue } from '../src/spec/catalogue.ts';
import { todayIn } from '../src/spec/evaluate.ts';
import { alchemyCreate, type BenchKeys, benchKeys, gepApply, type Req } from './mock-process.ts';

export interface GeneratorData {
  liveUrl: string;
  deadUrl: string;
  keys: BenchKeys;
}
/** A request, and the order number whose callback must reach the live receiver. */
export type SoakReq = Req & { live?: string };

const data = workerData as GeneratorData;
benchKeys(data.keys);
const zone = catalogue().profiles.gep.timeZone;

function make(i: number, today: string): SoakReq {
  // the mock is this run's own: a short number keeps a GEP apply's sealed text to two chunks, the first one shared
  const orderNo = `soak-${i}`;
  if (i % 2 === 1) return gepApply(orderNo, today);
  const live = i % 4 === 0; // every other create (i is even for Alchemy)
  return { ...alchemyCreate(orderNo, live ? data.liveUrl : data.deadUrl), ...(live ? { live: orderNo } : {}) };
}

parentPort!.on('message', ({ from, to }: { from: number; to: number }) => {
  const today = todayIn(zone, new Date());
  const batch: SoakReq[] = [];
  for (let i = from; i < to; i++) batch.push(make(i, today));
  parentPort!.postMessage(batch);
});
