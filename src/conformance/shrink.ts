/**
 * Shrinking against a live target: replay a failing random case from its seed and path and let
 * fast-check shrink it, sending each candidate, until the smallest request that still fails is found.
 * Bounded in time and in requests: against a sandbox every candidate is a real create.
 */
import fc from 'fast-check';
import { isBudgetExhausted } from './budget.ts';

export interface Shrunk {
  value: unknown;
  path: string;
  /** Candidates sent to the target (the replayed case included); none past the budget is counted. */
  tries: number;
}

export async function shrinkFailure(
  arb: fc.Arbitrary<unknown>,
  seed: number,
  path: string,
  fails: (value: unknown) => Promise<boolean>,
  budget = { ms: 4000, tries: 60 },
): Promise<Shrunk | undefined> {
  let tries = 0;
  let stopped = false;
  const details = await fc.check(
    fc.asyncProperty(arb, async (v) => {
      // past the budget every candidate "holds", unsent: shrinking stops at the last failure found
      if (tries >= budget.tries || stopped) return true;
      tries++;
      try {
        return !(await fails(v));
      } catch (err) {
        // the run's request budget ran out: a candidate that was never sent neither fails nor holds; stop here
        if (!isBudgetExhausted(err)) throw err;
        stopped = true;
        return true;
      }
    }),
    { seed, path, interruptAfterTimeLimit: budget.ms, markInterruptAsFailure: false, endOnFailure: false },
  );
  if (!details.failed || !details.counterexample || details.counterexamplePath === null) return undefined;
  return { value: details.counterexample[0], path: details.counterexamplePath, tries };
}
