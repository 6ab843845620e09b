/**
 * The pace of polls: fast after a change, doubling up to the poll interval; the readings that watch a
 * final state through the stability window, counted from the window and that pace, never from the clock.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultStabilityMs, MIN_STABILITY_POLLS, mostPolls, nextPollMs, watchIntervals } from '../../src/conformance/waits.ts';

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('nextPollMs', () => {
  it('doubles up to the cap, and starts over fast after a change', () => {
    expect(nextPollMs(250, false, 250, 60_000)).toBe(500);
    expect(nextPollMs(40_000, false, 250, 60_000)).toBe(60_000);
    expect(nextPollMs(60_000, true, 250, 60_000)).toBe(250);
    // a cap below the fast pace (the embedded mock's 3 ms) is the pace
    expect(nextPollMs(3, true, 250, 3)).toBe(3);
  });
});

describe('watchIntervals', () => {
  it('a sandbox window of 5 s is watched at 250, 500, 1000, 1000… ms: the first look a quarter second after the final status', () => {
    expect(watchIntervals(5_000, 250, 1_000)).toEqual([250, 500, 1000, 1000, 1000, 1000, 1000]);
    // smoke's slow cap between changes does not slow the watch's start
    expect(watchIntervals(5_000, 250, 60_000)).toEqual([250, 500, 1000, 2000, 4000]);
    // the embedded mock: its 3 ms interval, five readings for the default window
    expect(watchIntervals(defaultStabilityMs(3), 250, 3)).toEqual([3, 3, 3, 3, 3]);
    expect(watchIntervals(0, 250, 1000)).toHaveLength(MIN_STABILITY_POLLS);
  });

  it('always spans the window, with at least the minimum of readings, and one fewer would not', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 120_000 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 50, max: 120_000 }),
        (windowMs, fast, cap) => {
          const xs = watchIntervals(windowMs, fast, cap);
          expect(xs.length).toBeGreaterThanOrEqual(MIN_STABILITY_POLLS);
          expect(sum(xs)).toBeGreaterThanOrEqual(windowMs);
          if (xs.length > MIN_STABILITY_POLLS) expect(sum(xs.slice(0, -1))).toBeLessThan(windowMs);
          expect(Math.max(...xs)).toBeLessThanOrEqual(Math.max(1, cap));
        },
      ),
    );
  });
});

describe('mostPolls', () => {
  it('bounds a follow-up loop: each change ramps up again, the rest at the cap', () => {
    // 6 minutes at a 60 s cap from 250 ms: 9 looks to reach the cap per change, 6 more at it, and the first
    expect(mostPolls(360_000, 250, 60_000, 1)).toBe(1 + 9 + 6);
    expect(mostPolls(360_000, 250, 60_000, 5)).toBe(1 + 5 * 9 + 6);
  });
});
