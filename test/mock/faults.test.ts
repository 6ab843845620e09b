/** The fault plan's per-request memory: only a transient fault remembers which requests it struck. */
import { describe, expect, it } from 'vitest';
import { FAULT_NAMES, FAULTS, faultPlan } from '../../src/mock/faults.ts';

describe('faultPlan.strikeOnce', () => {
  it('with a transient fault: the first sending of some bytes is struck, the same bytes again are not', () => {
    const transient = FAULT_NAMES.filter((f) => FAULTS[f].transient);
    expect(transient.length).toBeGreaterThan(0);
    for (const f of transient) {
      const plan = faultPlan([f]);
      expect(plan.strikeOnce('/x a')).toBe(true);
      expect(plan.strikeOnce('/x a')).toBe(false);
      expect(plan.strikeOnce('/x b')).toBe(true);
    }
  });

  it('with no fault, or only persistent ones: nothing is struck (no request is hashed or remembered)', () => {
    const persistent = FAULT_NAMES.filter((f) => !FAULTS[f].transient);
    for (const faults of [[], persistent, ...persistent.map((f) => [f])]) {
      const plan = faultPlan(faults);
      expect(plan.strikeOnce('/x a')).toBe(false);
      expect(plan.strikeOnce('/x a')).toBe(false);
    }
  });
});
