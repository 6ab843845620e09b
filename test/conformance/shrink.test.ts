import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caseArbitrary, invalidCases } from '../../properties/cases.ts';
import { shrinkFailure } from '../../src/conformance/shrink.ts';
import { getPath } from '../../src/spec/evaluate.ts';

describe('shrinking a failing case from its seed and path', () => {
  it('finds the smallest value that still fails', async () => {
    const arb = fc.integer({ min: 0, max: 10_000 });
    const seed = 5;
    const values = fc.sample(arb, { numRuns: 50, seed });
    const i = values.findIndex((v) => v >= 37);
    expect(i).toBeGreaterThanOrEqual(0);
    const shrunk = await shrinkFailure(arb, seed, String(i), async (v) => (v as number) >= 37);
    expect(shrunk?.value).toBe(37);
  });

  it('replays a random violation of a rule and shrinks the rest of the request around it', async () => {
    const g = { mode: 'lenient' as const, today: '2026-11-22', knownValues: { segmentList: ['USD'] } };
    const c = invalidCases('alchemy', 'create', g, 6, 11).find(
      (x) => x.rules[0] === 'alchemy.create.cardHolder.firstName.pattern' && x.path !== '0',
    )!;
    const arb = caseArbitrary('alchemy', 'create', g, c)!;
    // the replayed case is the very case the run sent
    const [replayed] = fc.sample(arb, { numRuns: Number(c.path) + 1, seed: c.seed }).slice(-1);
    expect(replayed).toEqual(c.value);
    // "the provider accepts a firstName with a non-letter": every candidate still breaks the rule
    const shrunk = await shrinkFailure(arb, c.seed, c.path!, async (v) => /[^a-zA-Z]/.test(String(getPath(v, 'cardHolder.firstName'))));
    expect(shrunk).toBeDefined();
    const name = String(getPath(shrunk!.value, 'cardHolder.firstName'));
    expect(name.length).toBeLessThanOrEqual(String(getPath(c.value, 'cardHolder.firstName')).length);
    expect(String(getPath(shrunk!.value, 'orderNo')).length).toBe(1);
  });

  it('stops at its budget of tries, and counts only the candidates it sent', async () => {
    // a failure that takes many steps to shrink: every value from 500,000 up fails
    const arb = fc.integer({ min: 0, max: 1_000_000 });
    const seed = 3;
    const i = fc.sample(arb, { numRuns: 50, seed }).findIndex((v) => v >= 500_000);
    const shrinkWith = async (tries: number) => {
      let calls = 0;
      const shrunk = await shrinkFailure(
        arb,
        seed,
        String(i),
        async (v) => {
          calls++;
          return (v as number) >= 500_000;
        },
        { ms: 10_000, tries },
      );
      return { shrunk, calls };
    };
    const [small, large] = await Promise.all([shrinkWith(5), shrinkWith(100_000)]);
    // the positive case: with room it reaches the smallest failing value, in more than 5 candidates
    expect(large.shrunk?.value).toBe(500_000);
    expect(large.calls).toBeGreaterThan(5);
    expect(large.shrunk?.tries).toBe(large.calls);
    // with a budget of 5 it sends exactly 5 and reports 5, its best value still a failing one, larger
    expect(small.calls).toBe(5);
    expect(small.shrunk?.tries).toBe(5);
    expect(small.shrunk?.value as number).toBeGreaterThan(500_000);
  });
});
