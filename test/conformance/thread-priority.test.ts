/** The drawing thread lowers its own priority, not its process's (src/conformance/thread-priority.ts). */
import { getPriority } from 'node:os';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';

const THREAD = `
const { parentPort } = require('node:worker_threads');
// alive until terminated: its priority is read from outside
parentPort.on('message', () => {});
import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(new URL('../../src/conformance/thread-priority.ts', import.meta.url).href)}); })
  .then((m) => parentPort.postMessage({ set: m.lowerThisThread(7), tid: m.kernelThreadId() }));
`;

describe('lowerThisThread', () => {
  it.skipIf(process.platform !== 'linux')('sets the calling thread to the niceness given, and leaves the process as it was', async () => {
    const before = getPriority(process.pid);
    const w = new Worker(THREAD, { eval: true });
    const m = await new Promise<{ set: boolean; tid: number }>((resolve) => w.once('message', resolve));
    expect(m.set).toBe(true);
    expect(m.tid).not.toBe(process.pid);
    expect(getPriority(m.tid)).toBe(7);
    expect(getPriority(process.pid)).toBe(before);
    await w.terminate();
  });
});
