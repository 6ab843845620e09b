/**
 * Every mutation breaks exactly its one rule: over 5 seeds and both schema modes, for every request
 * rule a request can break, each mutation (every violation class of its kind) is judged by all the
 * operation's predicates; the intended rule must be broken and no other, except the rules of the same
 * field the mutation names as an overlap (with its reason). The predicates themselves are proven by the
 * kind modules' hand-written cases (kinds.test.ts), so this is not the generator checking itself.
 */
import { describe, expect, it } from 'vitest';
import { invalidCases } from '../../properties/cases.ts';
import { planOf } from '../../properties/plan.ts';
import { ctxOf } from '../../properties/sites.ts';
import { evaluate } from '../../src/checks/registry.ts';
import type { GenContext, ViolationClass } from '../../src/checks/types.ts';
import { catalogue } from '../../src/spec/catalogue.ts';
import { relativePath } from '../../src/spec/evaluate.ts';
import { OPERATIONS, PROVIDERS, SCHEMA_MODES } from '../../src/spec/registry.ts';

const SEEDS = [1, 2, 3, 4, 5];
const TODAY = '2027-06-15';
const cat = catalogue();

/** The classes the issue asks for, per kind, where the kind allows (a field with a pattern cannot take every length). */
const REQUIRED_CLASSES: Partial<Record<string, ViolationClass[]>> = {
  required: ['presence'],
  requiredWhen: ['presence'],
  type: ['type'],
  maxLength: ['length'],
  format: ['format'],
  enum: ['enum'],
  amountMinorUnits: ['amount'],
  amountRange: ['amount'],
  dateNotBeforeToday: ['dateWindow'],
  dateNotBefore: ['dateWindow'],
};

for (const provider of PROVIDERS) {
  const operation = OPERATIONS[provider][0];
  const plan = planOf(provider, operation, 'request');
  for (const mode of SCHEMA_MODES) {
    describe(`${provider} ${operation}, ${mode} mode`, () => {
      const g: GenContext = { mode, today: TODAY, knownValues: { segmentList: ['USD', 'EUR'] } };
      const ctx = ctxOf(g, cat.operation(provider, operation).defaults);
      const judged = plan.rules.filter((r) => r.check.kind !== 'noUntabledFields');
      it.for(SEEDS)('seed %i: each mutation breaks its rule and only its rule (or a named overlap of the same field)', (seed) => {
        const cases = invalidCases(provider, operation, g, 3, seed);
        expect(cases.length).toBeGreaterThan(50);
        const problems: string[] = [];
        for (const c of cases) {
          const target = c.rules[0]!;
          if (cat.byId.get(target)!.check.kind === 'noUntabledFields') continue;
          const broken = judged.filter((r) => evaluate(r, c.value, ctx).holds === false).map((r) => r.id);
          const allowed = new Set([target, ...(c.overlaps ?? [])]);
          if (!broken.includes(target)) problems.push(`${c.note}: ${target} is not broken`);
          const extra = broken.filter((id) => !allowed.has(id));
          if (extra.length) problems.push(`${c.note}: also breaks ${extra.join(', ')}`);
          // an overlap may only name rules of the mutated field
          for (const id of c.overlaps ?? [])
            if (relativePath(cat.byId.get(id)!) !== relativePath(cat.byId.get(target)!))
              problems.push(`${c.note}: overlap ${id} is another field's`);
        }
        expect(problems).toEqual([]);
      });
      it('every kind is tried with the violation classes it allows', () => {
        const cases = invalidCases(provider, operation, g, 1, 1);
        const missing: string[] = [];
        for (const r of plan.rules) {
          const want = REQUIRED_CLASSES[r.check.kind] ?? [];
          const got = new Set(cases.filter((c) => c.rules[0] === r.id).map((c) => c.cls));
          for (const cls of want) if (!got.has(cls)) missing.push(`${r.id}: no ${cls} mutation`);
        }
        expect(missing).toEqual([]);
      });
    });
  }
}

describe('the date format mutations carry a date a lenient parser reads inside the window and in order', () => {
  const g: GenContext = { mode: 'lenient', today: TODAY };
  const cases = invalidCases('gep', 'apply', g, 1, 3).filter((c) => c.rules[0] === 'gep.apply.startDate.format');
  it('has every class of wrong date: separators, order, padding, impossible dates, whitespace', () => {
    const notes = cases.map((c) => c.note).join('\n');
    for (const what of [
      'slashes',
      'day first',
      'no zero padding',
      '29 February',
      'day 31',
      'month 13',
      'day 0',
      'leading space',
      'trailing space',
    ])
      expect(notes).toContain(what);
  });
  it('impossible calendar dates lie in the future, and endDate stays after what they roll over to', () => {
    for (const c of cases.filter((x) => /29 February|day 31|month 13|day 0/.test(x.note))) {
      const body = c.value as Record<string, string>;
      expect(body['startDate']! > TODAY, c.note).toBe(true);
      expect(body['endDate']! >= TODAY, c.note).toBe(true);
    }
  });
});
