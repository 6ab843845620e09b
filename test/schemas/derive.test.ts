import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { constraintsFor, type GenContext, validObject } from '../../properties/generate.ts';
import { mutate } from '../../properties/mutate.ts';
import { planOf } from '../../properties/plan.ts';
import { requestSchema, responseSchema, type SchemaOptions, validate } from '../../src/schemas/derive.ts';
import { catalogue } from '../../src/spec/catalogue.ts';
import type { Provider, SchemaMode } from '../../src/spec/registry.ts';
import { examples } from '../helpers/fixtures.ts';
import { documentExamples, specs } from '../helpers/seeds.ts';

// The GEP example was written on 2024-08-14; 01:00 UTC is 09:00 that day in Asia/Shanghai.
const EXAMPLE_DAY = () => new Date('2024-08-14T01:00:00Z');
const ids = (v: { violations: { ruleId: string }[] }) => v.violations.map((x) => x.ruleId);

type Examples = typeof examples;

/** The same checks on the fixtures (always) and on the documents' own examples (when they are present). */
function exampleChecks(ex: Examples) {
  it('the Alchemy create request and response are valid in lenient mode', () => {
    expect(validate(requestSchema('alchemy', 'create', { mode: 'lenient' }), ex.alchemyCreateRequest())).toEqual({
      ok: true,
      violations: [],
    });
    expect(validate(responseSchema('alchemy', 'create', { mode: 'lenient' }), ex.alchemyCreateResponse())).toEqual({
      ok: true,
      violations: [],
    });
  });

  it('the GEP dataContent and result are valid in lenient mode with today fixed at 2024-08-14', () => {
    const request = ex.gepApplyRequest();
    expect(validate(requestSchema('gep', 'apply', { mode: 'lenient', now: EXAMPLE_DAY }), request)).toEqual({ ok: true, violations: [] });
    const answer = { success: true, result: ex.gepApplyResult() };
    expect(validate(responseSchema('gep', 'apply', { mode: 'lenient', request }), answer)).toEqual({ ok: true, violations: [] });
  });

  it('strict mode refuses what only the examples do: numbers sent as strings, code as a string, "" for absent', () => {
    const gep = validate(requestSchema('gep', 'apply', { mode: 'strict', now: EXAMPLE_DAY }), ex.gepApplyRequest());
    expect(ids(gep).sort()).toEqual([
      'gep.apply.authLimitAmount.type',
      'gep.apply.enableCurrencyCheck.type',
      'gep.apply.enableMultiUse.type',
    ]);
    const alchemy = validate(responseSchema('alchemy', 'create', { mode: 'strict' }), ex.alchemyCreateResponse());
    expect(ids(alchemy)).toEqual(['alchemy.create.response.code.type']);
  });

  it('the GEP example is refused once its start date is in the past', () => {
    const later = () => new Date('2024-08-15T01:00:00Z');
    expect(ids(validate(requestSchema('gep', 'apply', { mode: 'lenient', now: later }), ex.gepApplyRequest()))).toEqual([
      'gep.apply.startDate.notBeforeToday',
    ]);
  });
}

describe("the fixture examples (the documents' examples with test card values)", () => exampleChecks(examples));

describe.skipIf(!specs.available)(`the documents' own examples ${specs.note}`, () => exampleChecks(documentExamples));

describe("today is the provider's calendar date", () => {
  const req = { ...examples.gepApplyRequest(), startDate: '2024-08-15', endDate: '2024-08-15' };
  // 2024-08-14T17:00Z is already 2024-08-15 01:00 in Shanghai, still the 14th in UTC.
  const at = (iso: string, timeZone?: string) =>
    validate(requestSchema('gep', 'apply', { mode: 'lenient', now: () => new Date(iso), ...(timeZone ? { timeZone } : {}) }), req);

  it('accepts startDate = today in Asia/Shanghai when UTC is still on the day before', () => {
    expect(at('2024-08-14T17:00:00Z').ok).toBe(true);
  });
  it('refuses startDate = yesterday in Asia/Shanghai although it is today in UTC', () => {
    expect(ids(at('2024-08-15T17:00:00Z'))).toEqual(['gep.apply.startDate.notBeforeToday']);
    expect(at('2024-08-15T17:00:00Z', 'UTC').ok).toBe(true);
  });
  it('accepts endDate equal to startDate and refuses the day before', () => {
    expect(at('2024-08-14T17:00:00Z').ok).toBe(true);
    const r = validate(requestSchema('gep', 'apply', { mode: 'lenient', now: () => new Date('2024-08-14T17:00:00Z') }), {
      ...req,
      endDate: '2024-08-14',
    });
    expect(ids(r)).toEqual(['gep.apply.endDate.notBeforeStartDate']);
  });
  it('knows leap days: 2028-02-29 is a date, 2027-02-29 is not', () => {
    const now = () => new Date('2027-01-01T00:00:00Z');
    const s = requestSchema('gep', 'apply', { mode: 'lenient', now });
    expect(validate(s, { ...req, startDate: '2028-02-29', endDate: '2028-02-29' }).ok).toBe(true);
    expect(ids(validate(s, { ...req, startDate: '2027-02-28', endDate: '2027-02-29' }))).toEqual(['gep.apply.endDate.format']);
  });
});

/**
 * For every rule a schema decides: a valid object generated under the rule's own conditions passes
 * (the positive case first), and each mutation of it that breaks the rule is refused with that rule's id.
 */
describe('each rule: one valid case accepted, its violation refused with its id', () => {
  const today = '2024-08-14';
  const knownValues = { segmentList: ['USD'] };
  const cat = catalogue();
  const decidable = (kind: string, mode: SchemaMode) =>
    !['behaviour', 'codeMatchesRule', 'codeInCatalogue', 'acceptsValid'].includes(kind) &&
    (kind !== 'noUntabledFields' || mode === 'strict');
  const cases: [Provider, string, 'request' | 'response', SchemaMode][] = [];
  for (const op of cat.operations)
    for (const side of ['request', 'response'] as const)
      for (const mode of ['lenient', 'strict'] as const) cases.push([op.spec.provider, op.spec.operation, side, mode]);

  it.each(cases)('%s %s %s (%s)', (provider, operation, side, mode) => {
    const g: GenContext = { mode, today, knownValues };
    const opts: SchemaOptions = { mode, now: () => new Date(`${today}T04:00:00Z`), knownValues };
    if (side === 'response') {
      const [request] = fc.sample(validObject(planOf(provider, operation, 'request'), { mode: 'lenient', today, knownValues }), {
        numRuns: 1,
        seed: 7,
      });
      g.request = request!;
      opts.request = request!;
    }
    const schema = side === 'request' ? requestSchema(provider, operation, opts) : responseSchema(provider, operation, opts);
    const plan = planOf(provider, operation, side);
    const rules = plan.rules.filter((r) => decidable(r.check.kind, mode));
    expect(rules.length).toBeGreaterThan(5);
    for (const rule of rules) {
      const c = constraintsFor(rule, plan, mode);
      if (side === 'response') c.set = { success: true, ...c.set };
      const [valid] = fc.sample(validObject(plan, g, c), { numRuns: 1, seed: 42 });
      expect(validate(schema, valid), `${rule.id}: the valid case`).toEqual({ ok: true, violations: [] });
      const mutations = mutate(rule, valid!, plan, g);
      expect(mutations.length, `${rule.id} has a mutator`).toBeGreaterThan(0);
      for (const m of mutations) {
        const r = validate(schema, m.value);
        expect(ids(r), `${rule.id}: ${m.note}`).toContain(rule.id);
        if (m.way) expect(r.violations.find((v) => v.ruleId === rule.id)?.way).toBe(m.way);
      }
    }
  });

  it('a refusal with a code outside the catalogue breaks codeInCatalogue; one inside does not', () => {
    const s = responseSchema('gep', 'apply', { mode: 'lenient' });
    expect(ids(validate(s, { success: false, errorCode: '999999', errorMsg: 'x' }))).toEqual(['gep.apply.response.errorCode.inCatalogue']);
    expect(validate(s, { success: false, errorCode: '110001', errorMsg: 'x' }).ok).toBe(true);
    const a = responseSchema('alchemy', 'create', { mode: 'lenient' });
    expect(ids(validate(a, { success: false, error: true, code: '4242', msg: 'x', traceId: 'a'.repeat(32), model: null }))).toEqual([
      'alchemy.create.response.code.inCatalogue',
    ]);
  });

  it('an HTML page is not an answer', () => {
    expect(ids(validate(responseSchema('alchemy', 'create', { mode: 'lenient' }), '<html>502</html>'))).toEqual([
      'alchemy.create.response.jsonObject',
    ]);
  });
});
