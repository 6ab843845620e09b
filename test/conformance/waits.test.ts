/** How many readings watch a final state through the stability window: counted from the window, never from the clock. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultStabilityMs, MIN_STABILITY_POLLS, STABILITY_POLLS, stabilityPolls } from '../../src/conformance/waits.ts';

describe('stabilityPolls', () => {
  it('enough readings a poll interval apart to span the window, never fewer than the minimum', () => {
    expect(stabilityPolls(1000, 200)).toBe(5);
    expect(stabilityPolls(1001, 200)).toBe(6);
    expect(stabilityPolls(100, 200)).toBe(MIN_STABILITY_POLLS);
    expect(stabilityPolls(0, 0)).toBe(MIN_STABILITY_POLLS);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3_600_000 }), fc.integer({ min: 1, max: 60_000 }), (windowMs, pollMs) => {
        const n = stabilityPolls(windowMs, pollMs);
        expect(n).toBeGreaterThanOrEqual(MIN_STABILITY_POLLS);
        // the readings, each a poll interval after the one before, reach the end of the window …
        expect(n * pollMs).toBeGreaterThanOrEqual(windowMs);
        // … and one fewer would not (unless the minimum asks for more)
        if (n > MIN_STABILITY_POLLS) expect((n - 1) * pollMs).toBeLessThan(windowMs);
      }),
    );
  });

  it('the default window is STABILITY_POLLS readings', () => {
    for (const pollMs of [3, 50, 2000]) expect(stabilityPolls(defaultStabilityMs(pollMs), pollMs)).toBe(STABILITY_POLLS);
  });
});
