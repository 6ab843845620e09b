/**
 * Sealing GEP's `result` off the mock's main thread. Each sealed answer costs two or more RSA private-key
 * operations (about 90 µs each on the reference machine): under a sustained load that was a quarter of
 * the main thread's busy time, and every request queued behind it. A long-running mock (`card-conformance
 * mock`) hands the chunk encryptions to one worker thread; the main thread keeps only the JSON, the
 * Base64 and the chunking (`gep-envelope.ts`, so the bytes are the ones `sealText` gives) and answers the
 * next requests meanwhile.
 *
 * The worker does one thing: `privateEncrypt` with PKCS#1 v1.5 padding on the chunks it is given, with a
 * key it was sent once. It is evaluated from a string (no file to find in the sources or the build) and
 * never keeps the process alive. If it fails, the jobs it held fail (the request is answered 500, as any
 * failure inside the mock) and every later seal runs on the main thread.
 */
import type { KeyObject } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { jsonToSeal, plainChunks, rsaPrivateEncryptHex, sealedPlain } from '../wire/gep-envelope.ts';

export interface Sealer {
  /** `encodeSealed(value, key)`, byte for byte. */
  seal(value: unknown, key: KeyObject): Promise<string>;
  /** Whether the encryptions still run on the worker (false once it has failed or closed). */
  readonly threaded: boolean;
  close(): Promise<void>;
}

/**
 * The worker's whole program: keys by number; a job is the plain bytes and its chunks' lengths, and its
 * answer the chunks encrypted in order, in one buffer.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { privateEncrypt, constants } = require('node:crypto');
const keys = new Map();
parentPort.on('message', (m) => {
  if (m.key !== undefined) { keys.set(m.keyId, m.key); return; }
  const key = keys.get(m.keyId);
  const blocks = [];
  for (let at = 0, i = 0; i < m.lengths.length; at += m.lengths[i++]) {
    blocks.push(privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, m.plain.subarray(at, at + m.lengths[i])));
  }
  const out = Buffer.concat(blocks);
  const bytes = new Uint8Array(out.buffer, out.byteOffset, out.length).slice();
  parentPort.postMessage({ id: m.id, bytes }, [bytes.buffer]);
});
`;

interface Job {
  resolve: (hex: string) => void;
  reject: (err: Error) => void;
}

/** A sealer whose RSA runs on a worker thread of its own. */
export function threadSealer(): Sealer {
  // it holds two keys and one job at a time: a small heap, so its garbage (the chunks' buffers) goes soon
  let worker: Worker | undefined = new Worker(WORKER_SOURCE, {
    eval: true,
    resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 32 },
  });
  worker.unref();
  const keyIds = new WeakMap<KeyObject, number>();
  let nextKey = 0;
  let nextJob = 0;
  const jobs = new Map<number, Job>();
  const failAll = (err: Error) => {
    worker = undefined;
    for (const j of jobs.values()) j.reject(err);
    jobs.clear();
  };
  worker.on('message', (m: { id: number; bytes: Uint8Array }) => {
    const job = jobs.get(m.id);
    if (!job) return;
    jobs.delete(m.id);
    job.resolve(Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.length).toString('hex'));
  });
  worker.on('error', (err) => failAll(new Error(`the sealing thread failed: ${err.message}`)));
  worker.on('exit', () => failAll(new Error('the sealing thread stopped')));
  return {
    get threaded() {
      return worker !== undefined;
    },
    seal(value, key) {
      // on the main thread: the JSON (a value without one throws here, as encodeSealed does) and the chunks
      let bytes: Buffer;
      let lengths: number[];
      try {
        bytes = sealedPlain(jsonToSeal(value));
        lengths = plainChunks(bytes, key).map((c) => c.length);
        if (!worker) return Promise.resolve(rsaPrivateEncryptHex(bytes, key));
      } catch (err) {
        return Promise.reject(err as Error);
      }
      const plain = new Uint8Array(bytes); // its own memory, handed over whole (a Buffer may share a pooled slab)
      let keyId = keyIds.get(key);
      if (keyId === undefined) {
        keyId = nextKey++;
        keyIds.set(key, keyId);
        worker.postMessage({ keyId, key });
      }
      const id = nextJob++;
      return new Promise<string>((resolve, reject) => {
        jobs.set(id, { resolve, reject });
        worker!.postMessage({ id, keyId, plain, lengths }, [plain.buffer as ArrayBuffer]);
      });
    },
    async close() {
      const w = worker;
      if (!w) return;
      await w.terminate();
    },
  };
}
