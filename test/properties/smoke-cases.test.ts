/**
 * What smoke sends, derived from the catalogue: the smallest legal amount of each amount field (the
 * range's minimum, the smallest positive decimal), one valid request carrying many edges at once that
 * keeps every rule, and one invalid case per violation class of each MUST request rule.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { combinedEdges, invalidCases } from '../../properties/cases.ts';
import { ctxOf, validObject } from '../../properties/generate.ts';
import { planOf } from '../../properties/plan.ts';
import { evaluate } from '../../src/checks/registry.ts';
import { amountRules, smallestAmounts, smokeInvalidCases, violationClassOf } from '../../src/conformance/profile.ts';
import { catalogue } from '../../src/spec/catalogue.ts';
import { SCHEMA_MODES } from '../../src/spec/registry.ts';

const OPS = [
  ['alchemy', 'create'],
  ['gep', 'apply'],
] as const;

describe.each(SCHEMA_MODES)('smoke cases (%s)', (mode) => {
  const g = { mode, today: '2030-01-01', knownValues: { segmentList: ['X1'] } };

  it('the smallest legal amounts: the amount range minimum (Alchemy deposit), the smallest positive decimal (GEP authLimitAmount)', () => {
    const range = catalogue()
      .rulesFor('alchemy', 'create')
      .find((r) => r.check.kind === 'amountRange')!;
    if (range.check.kind !== 'amountRange') throw new Error('no amount range');
    const min = range.check.min;
    expect(smallestAmounts('alchemy', 'create', g)).toEqual({ [range.field]: min });
    expect(amountRules('alchemy', 'create', g).map((r) => r.check.kind)).toEqual(
      expect.arrayContaining(['amountRange', 'amountMinorUnits']),
    );
    expect(smallestAmounts('gep', 'apply', g)).toEqual({ authLimitAmount: '0.01' });
    // the smallest is legal and one less is not: the minimum is an edge, not a guess
    expect(setField('alchemy', 'create', range.field, min).every((v) => v !== false)).toBe(true);
    const below = setField('alchemy', 'create', range.field, String(BigInt(min) - 1n));
    expect(below.some((v) => v === false)).toBe(true);
  });

  it.each(OPS)('%s %s: one valid request shows many edges at once and keeps every rule', (provider, operation) => {
    const plan = planOf(provider, operation, 'request');
    const amounts = smallestAmounts(provider, operation, g);
    const [base] = fc.sample(validObject(plan, g, { text: amounts }), { numRuns: 1, seed: 3 });
    const must = plan.rules.filter((r) => r.level === 'MUST' && r.check.kind !== 'acceptsValid').reverse();
    const c = combinedEdges(plan, g, base!, must, Object.keys(amounts));
    const ctx = ctxOf(g, catalogue().operation(provider, operation).defaults);
    const broken = plan.rules.filter((r) => r.check.kind !== 'noUntabledFields' && evaluate(r, c.value, ctx).holds === false);
    expect(broken.map((r) => r.id)).toEqual([]);
    expect(c.rules.length).toBeGreaterThanOrEqual(4);
    expect(c.notes.length).toBe(c.rules.length);
    // the amounts stay the smallest
    for (const [path, v] of Object.entries(amounts)) expect(String(c.value[path])).toBe(v);
    // every claimed rule applies to the request (a condition not met shows no edge)
    for (const id of c.rules) expect(evaluate(catalogue().byId.get(id)!, c.value, ctx).holds, id).toBe(true);
  });

  it.each(OPS)('%s %s: one invalid case per violation class of each MUST request rule, none for SHOULD or INFO', (provider, operation) => {
    const all = invalidCases(provider, operation, g, 1, 1);
    const smoke = smokeInvalidCases(all);
    const must = all.filter((c) => catalogue().byId.get(c.rules[0]!)!.level === 'MUST');
    // every MUST rule, every class of it, once each, and one rule per request
    const key = (c: (typeof all)[number]) => `${c.rules[0]} ${violationClassOf(c)}`;
    expect(new Set(smoke.map(key))).toEqual(new Set(must.map(key)));
    expect(smoke.map(key)).toEqual([...new Set(smoke.map(key))]);
    for (const c of smoke) expect(c.rules).toHaveLength(1);
    expect(smoke.length).toBeLessThan(all.length);
    // a two-sided rule is tried on both sides
    const sides = (id: string) => smoke.filter((c) => c.rules[0] === id).map(violationClassOf);
    if (provider === 'alchemy') expect(sides('alchemy.create.deposit.range').sort()).toEqual(['amount/above', 'amount/below']);
    else expect(sides('gep.apply.enableMultiUse.enum').sort()).toEqual(['enum/above', 'enum/below']);
  });

  function setField(provider: 'alchemy', operation: 'create', field: string, value: string) {
    const plan = planOf(provider, operation, 'request');
    const ctx = ctxOf(g, catalogue().operation(provider, operation).defaults);
    return plan.rules.filter((r) => r.field === field).map((r) => evaluate(r, { [field]: value }, ctx).holds);
  }
});
