/**
 * `invalidCases` draws the valid bases of rules that ask for the same constraints once and shares them
 * (properties/cases.ts). Each rule's cases are still the ones its own draw gives, and no case shares an
 * object with another.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { invalidCases } from '../../properties/cases.ts';
import { constraintsFor, validObject } from '../../properties/generate.ts';
import { mutate } from '../../properties/mutate.ts';
import { planOf } from '../../properties/plan.ts';

const g = { mode: 'lenient' as const, today: '2026-11-29', knownValues: { segmentList: ['USD'] } };

/** A rule's cases drawn on their own: its bases, the first with every mutation, the others one each in turn. */
function alone(provider: 'alchemy' | 'gep', operation: string, ruleId: string, runs: number, seed: number) {
  const plan = planOf(provider, operation, 'request');
  const rule = plan.rules.find((r) => r.id === ruleId)!;
  const bases = fc.sample(validObject(plan, g, constraintsFor(rule, plan, g.mode)), { numRuns: runs, seed });
  return bases.flatMap((base, i) => {
    const muts = mutate(rule, base, plan, g);
    const chosen = i === 0 ? muts.map((_, k) => k) : muts.length ? [i % muts.length] : [];
    return chosen.map((k) => muts[k]!.value);
  });
}

describe('invalid cases of rules with the same constraints', () => {
  it('are what each rule drawn alone gives, for every rule of the fields that share them', () => {
    for (const [provider, operation] of [
      ['alchemy', 'create'],
      ['gep', 'apply'],
    ] as const) {
      const plan = planOf(provider, operation, 'request');
      const all = invalidCases(provider, operation, g, 5, 11);
      // the rules whose constraints another rule asks for too
      const byKey = new Map<string, string[]>();
      for (const r of plan.rules) {
        const key = JSON.stringify(constraintsFor(r, plan, g.mode));
        byKey.set(key, [...(byKey.get(key) ?? []), r.id]);
      }
      const shared = [...byKey.values()].filter((ids) => ids.length > 1).flat();
      const decided = shared.filter((id) => all.some((c) => c.rules[0] === id));
      expect(decided.length).toBeGreaterThan(3);
      for (const id of decided)
        expect(all.filter((c) => c.rules[0] === id).map((c) => c.value)).toEqual(alone(provider, operation, id, 5, 11));
    }
  });

  it('share no object: no object inside one case is inside another', () => {
    const all = invalidCases('gep', 'apply', g, 4, 3);
    const owner = new Map<object, number>();
    let objects = 0;
    const walk = (v: unknown, i: number) => {
      if (v === null || typeof v !== 'object') return;
      expect(owner.get(v) ?? i).toBe(i);
      owner.set(v, i);
      objects++;
      for (const x of Object.values(v)) walk(x, i);
    };
    for (const [i, c] of all.entries()) walk(c.value, i);
    expect(objects).toBeGreaterThan(all.length);
  });
});
