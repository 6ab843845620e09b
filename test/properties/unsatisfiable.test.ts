/**
 * The generator never searches without end: every combination the catalogue can express that no valid
 * object meets ends at once (or after a bounded number of draws) with one GeneratorError line naming the
 * rule and the value. Each combination is a mutation fixed whole: all of its fields set, the others absent.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { invalidCases } from '../../properties/cases.ts';
import { type Constraints, GeneratorError, validObject } from '../../properties/generate.ts';
import { planOf } from '../../properties/plan.ts';
import type { GenContext } from '../../src/checks/types.ts';
import { buildCatalogue } from '../../src/spec/build.ts';
import { catalogue, SpecError } from '../../src/spec/catalogue.ts';
import { getPath, isPlainObject } from '../../src/spec/evaluate.ts';
import { OPERATIONS, PROVIDERS, SCHEMA_MODES } from '../../src/spec/registry.ts';

const TODAY = '2027-06-15';
const ids = new Set(catalogue().rules.map((r) => r.id));

/** The mutated object as constraints: every leaf of the table set to its value, or absent. */
function fixedWhole(value: Record<string, unknown>, fields: readonly { path: string; children: readonly unknown[] }[]): Constraints {
  const set: Record<string, unknown> = {};
  const absent: string[] = [];
  for (const f of fields) {
    const v = getPath(value, f.path);
    if (f.children.length > 0 && isPlainObject(v)) continue; // its children say it
    if (v === undefined) {
      if (f.children.length === 0 || !f.path.includes('.')) absent.push(f.path);
    } else set[f.path] = v;
  }
  return { set, absent: absent.filter((p) => !Object.keys(set).some((s) => p.startsWith(`${s}.`))) };
}

const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
};

for (const provider of PROVIDERS) {
  const operation = OPERATIONS[provider][0];
  const plan = planOf(provider, operation, 'request');
  const leaves = plan.fields.filter((f) => f.children.length === 0).map((f) => f.path);
  const fields = plan.fields;
  for (const mode of SCHEMA_MODES) {
    describe(`${provider} ${operation}, ${mode} mode`, () => {
      const g: GenContext = { mode, today: TODAY, knownValues: { segmentList: ['USD'] } };
      it('the positive case: a valid object fixed whole is generated as it is', () => {
        const [valid] = fc.sample(validObject(plan, g), { numRuns: 1, seed: 3 });
        const c = fixedWhole(valid!, fields);
        const [again] = fc.sample(validObject(plan, g, c), { numRuns: 1, seed: 4 });
        for (const p of leaves) expect(getPath(again, p), p).toEqual(getPath(valid, p));
      });
      it('every mutation fixed whole throws one line naming a rule of the catalogue and the value', () => {
        const cases = invalidCases(provider, operation, g, 1, 1).filter(
          (c) => isPlainObject(c.value) && !c.rules[0]!.endsWith('.noUntabledFields'),
        );
        expect(cases.length).toBeGreaterThan(40);
        const problems: string[] = [];
        for (const c of cases) {
          const err = thrown(() =>
            fc.sample(validObject(plan, g, fixedWhole(c.value as Record<string, unknown>, fields)), { numRuns: 1, seed: 1 }),
          );
          if (!(err instanceof GeneratorError)) {
            problems.push(`${c.note}: ${err === undefined ? 'generated a valid object' : String(err)}`);
            continue;
          }
          const named = [...ids].filter((id) => err.message.includes(id));
          if (named.length === 0 || err.message.includes('\n')) problems.push(`${c.note}: ${err.message}`);
        }
        expect(problems).toEqual([]);
      });
      it('a field outside the table, or a required field fixed absent, is refused at once', () => {
        expect(() => validObject(plan, g, { set: { untabledField: 'x' } })).toThrow(/untabledField is not a field of its table/);
        const required = plan.fields.find((f) => f.required && !f.path.includes('.'))!;
        expect(() => validObject(plan, g, { absent: [required.path] })).toThrow(GeneratorError);
      });
    });
  }
}

describe('a catalogue that no value can meet', () => {
  it('an amount range whose minimum is above its maximum is refused at load', () => {
    expect(() => buildCatalogue(undefined, { 'alchemy.create.deposit.range': { check: { min: '600000' } } })).toThrow(SpecError);
    expect(() => buildCatalogue(undefined, { 'alchemy.create.deposit.range': { check: { min: '600000' } } })).toThrow(/above the maximum/);
  });
  it('a maximum length shorter than the field format allows ends the search with the field named', () => {
    const cat = buildCatalogue(undefined, { 'gep.apply.startDate.maxLength': { check: { max: 8 } } });
    const plan = planOf('gep', 'apply', 'request', cat);
    const err = thrown(() => fc.sample(validObject(plan, { mode: 'lenient', today: TODAY }), { numRuns: 1, seed: 1 }));
    expect(err).toBeInstanceOf(GeneratorError);
    expect(String((err as Error).message)).toMatch(/startDate/);
  });
});
