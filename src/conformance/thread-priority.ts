/**
 * A thread's scheduling priority, lowered for itself alone. Linux schedules each thread on its own, and
 * `setpriority` given a thread's id applies to that thread (Node's `os.setPriority` passes the id as
 * it is); the id is read from /proc/thread-self. Elsewhere, or where it may not, nothing changes.
 * Returns whether the priority was set.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

export function lowerThisThread(nice: number): boolean {
  const tid = kernelThreadId();
  if (tid === undefined) return false;
  try {
    setPriority(tid, nice);
    return true;
  } catch {
    return false;
  }
}

/** This thread's id as the kernel knows it (Linux), for tests; undefined elsewhere. */
export function kernelThreadId(): number | undefined {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}
