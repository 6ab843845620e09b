import { describe, expect, it } from 'vitest';
import { heapGrowingFlag, MOCK_HEAP_GROWING_PERCENT } from '../../src/cli/mock.ts';

describe('card-conformance mock: the heap growth it sets for itself', () => {
  it('sets its own growing percent when the user gave none (positive case first)', () => {
    expect(heapGrowingFlag([], '')).toBe(`--heap-growing-percent=${MOCK_HEAP_GROWING_PERCENT}`);
    expect(heapGrowingFlag(['--enable-source-maps'], '--max-old-space-size=512')).toBe(
      `--heap-growing-percent=${MOCK_HEAP_GROWING_PERCENT}`,
    );
    // a flag whose name merely starts the same is not the user's choice of growth
    expect(heapGrowingFlag(['--heap-growing-percentage-typo'], '')).toBe(`--heap-growing-percent=${MOCK_HEAP_GROWING_PERCENT}`);
  });

  it("leaves the user's own choice standing, on node's command line or in NODE_OPTIONS, in either spelling", () => {
    expect(heapGrowingFlag(['--heap-growing-percent=30'], '')).toBeUndefined();
    expect(heapGrowingFlag([], '--inspect --heap_growing_percent=30')).toBeUndefined();
    expect(heapGrowingFlag(['--heap-growing-percent', '30'])).toBeUndefined();
  });
});
