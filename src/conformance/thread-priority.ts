/**
 * A thread's scheduling priority, lowered for itself alone. Linux schedules each thread on its own, and
 * `setpriority` given a thread's id applies to that thread (Node's `os.setPriority` passes the id as
 * it is); the id is read from /proc/thread-self. Elsewhere, or where it may not, nothing changes.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/** Sets the calling thread's niceness (0 the default, 19 the least); whether it was set. */
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

/** The calling thread's id as the kernel knows it (Linux); undefined elsewhere. */
export function kernelThreadId(): number | undefined {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}
