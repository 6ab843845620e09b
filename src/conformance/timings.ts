/**
 * Phase marks of a run, for `npm run bench`: when CARD_CONFORMANCE_TIMINGS names a file, each mark
 * appends one line `{"mark":…,"at":epochMs,"pid":…}` to it (the CLI, the global setup and the workers
 * all append to the same file, so one clock orders them). Without the variable it does nothing. Marks
 * carry names and times only, never a value of the run.
 */
import { appendFileSync } from 'node:fs';

export const TIMINGS_VARIABLE = 'CARD_CONFORMANCE_TIMINGS';

export function mark(name: string, at = Date.now()): void {
  const file = process.env[TIMINGS_VARIABLE];
  if (!file) return;
  try {
    appendFileSync(file, `${JSON.stringify({ mark: name, at, pid: process.pid })}\n`);
  } catch {
    // a benchmark aid: a mark that cannot be written is not the run's problem
  }
}
