/**
 * The catalogue as JSON Schema and OpenAPI 3.1: a maintained OpenAPI validator (@readme/openapi-parser)
 * and linter (@redocly/openapi-core, recommended rules, example checks raised to errors) take the
 * documents; generated valid requests pass their JSON Schema with format assertion on (ajv 2020 +
 * ajv-formats), every mutation of a rule JSON Schema can express fails it, and the rules it cannot
 * express are listed on their property as such.
 */
import { validate as validateOpenApi } from '@readme/openapi-parser';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { invalidCases, validCases } from '../../properties/cases.ts';
import { jsonSchemaDocument, rangePattern, sideSchema } from '../../src/schemas/json-schema.ts';
import { openApiDocument } from '../../src/schemas/openapi.ts';
import { catalogueOf } from '../../src/spec/catalogue.ts';
import { todayIn } from '../../src/spec/evaluate.ts';
import { PROVIDERS, SCHEMA_MODES } from '../../src/spec/registry.ts';

const OPS = [
  ['alchemy', 'create'],
  ['gep', 'apply'],
] as const;
const VERSIONS: string[][] = [[], ['alchemy-v2']];
/** ajv-formats is CommonJS: its plugin is the module itself, typed as its default. */
const addFormats = ((formats as unknown as { default?: unknown }).default ?? formats) as (ajv: Ajv2020) => Ajv2020;

const newAjv = () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  return ajv;
};
const gen = (cat: ReturnType<typeof catalogueOf>, provider: 'alchemy' | 'gep', mode: 'strict' | 'lenient') => ({
  mode,
  today: todayIn(cat.profiles[provider].timeZone, new Date()),
  knownValues: { segmentList: ['USD'] },
});

describe('rangePattern', () => {
  it('matches exactly the whole numbers of the range, leading zeros allowed', () => {
    expect(new RegExp(rangePattern(1000n, 500000n)).test('1000')).toBe(true);
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 7n }),
        fc.bigInt({ min: 0n, max: 10n ** 7n }),
        fc.bigInt({ min: 0n, max: 2n * 10n ** 7n }),
        (a, b, n) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          const re = new RegExp(rangePattern(lo, hi));
          expect(re.test(n.toString()), `${n} in [${lo}, ${hi}]`).toBe(n >= lo && n <= hi);
          expect(re.test(`00${n}`)).toBe(n >= lo && n <= hi);
        },
      ),
      { numRuns: 300, seed: 17 },
    );
  });
});

describe.each(VERSIONS.map((v) => [v.join() || 'seeds', v] as const))('JSON Schema of versions [%s]', (_, names) => {
  const cat = catalogueOf(names);
  describe.each(SCHEMA_MODES)('%s mode', (mode) => {
    const doc = jsonSchemaDocument(PROVIDERS, { mode, catalogue: cat });
    const ajv = newAjv();
    ajv.addSchema(doc);
    it.each(OPS)('%s %s: generated valid requests pass, with format assertion on', (provider, operation) => {
      const validate = ajv.getSchema(`${doc['$id']}#/$defs/${provider}.${operation}.request`)!;
      const cases = validCases(provider, operation, gen(cat, provider, mode), 40, 11, cat);
      expect(cases.length).toBeGreaterThan(40);
      for (const c of cases) expect(validate(c.value), `${c.note}: ${JSON.stringify(validate.errors?.slice(0, 2))}`).toBe(true);
    });
    it.each(OPS)('%s %s: every mutation of a rule JSON Schema expresses fails it', (provider, operation) => {
      const validate = ajv.getSchema(`${doc['$id']}#/$defs/${provider}.${operation}.request`)!;
      const { rules } = sideSchema(provider, operation, 'request', { mode, catalogue: cat });
      const expressed = new Set(rules.filter((r) => r.expressed).map((r) => r.id));
      const cases = invalidCases(provider, operation, gen(cat, provider, mode), 3, 11, mode, cat).filter((c) => expressed.has(c.rules[0]!));
      expect(cases.length).toBeGreaterThan(100);
      for (const c of cases) expect(validate(c.value), `${c.rules[0]}: ${c.note}`).toBe(false);
    });
  });
});

describe('JSON Schema: rules it cannot express are listed, never dropped', () => {
  const cat = catalogueOf([]);
  it('lists every rule of a side once, and marks the refinements zod keeps to itself as not expressible, with why', () => {
    for (const [provider, operation] of OPS)
      for (const side of ['request', 'response'] as const) {
        const { rules } = sideSchema(provider, operation, side, { mode: 'lenient', catalogue: cat });
        const want = cat.rulesFor(provider, operation).filter((r) => r.side === side || (side === 'request' && r.side === 'behaviour'));
        expect(rules.map((r) => r.id).sort()).toEqual(want.map((r) => r.id).sort());
      }
    const props = sideSchema('gep', 'apply', 'request', { mode: 'lenient', catalogue: cat }).schema['properties'] as Record<
      string,
      { 'x-rule-ids': { id: string; expressed: boolean; why?: string }[] }
    >;
    const on = (field: string, id: string) => props[field]!['x-rule-ids'].find((r) => r.id === id);
    expect(on('startDate', 'gep.apply.startDate.notBeforeToday')).toMatchObject({
      expressed: false,
      why: expect.stringContaining('today'),
    });
    expect(on('endDate', 'gep.apply.endDate.notBeforeStartDate')).toMatchObject({ expressed: false });
    expect(on('startDate', 'gep.apply.startDate.format')).toMatchObject({ expressed: true });
    const result = sideSchema('gep', 'apply', 'response', { mode: 'lenient', catalogue: cat }).schema['properties'] as Record<
      string,
      { properties: Record<string, { 'x-rule-ids': { id: string; expressed: boolean }[] }> } & {
        anyOf: { properties?: Record<string, { 'x-rule-ids': { id: string; expressed: boolean }[] }> }[];
      }
    >;
    const cardNo = result['result']!.anyOf.find((s) => s.properties)!.properties!['cardNo']!;
    expect(cardNo['x-rule-ids'].find((r) => r.id === 'gep.apply.response.result.cardNo.luhn')).toMatchObject({ expressed: false });
  });
});

describe.each(SCHEMA_MODES)('OpenAPI 3.1 (%s mode)', (mode) => {
  for (const names of VERSIONS) {
    const cat = catalogueOf(names);
    const doc = openApiDocument(PROVIDERS, { mode, catalogue: cat });
    it(`[${names.join() || 'seeds'}] validates with @readme/openapi-parser`, async () => {
      const r = await validateOpenApi(structuredClone(doc) as never);
      expect(r.valid, JSON.stringify(r)).toBe(true);
    });
    it(`[${names.join() || 'seeds'}] lints with Redocly's recommended rules without an error, its examples checked against the schemas`, async () => {
      const config = await createConfig({
        extends: ['recommended'],
        rules: {
          // the conditional subschemas constrain some properties of a body; the rest are not "additional"
          'no-invalid-schema-examples': { severity: 'error', allowAdditionalProperties: true },
          'no-invalid-media-type-examples': { severity: 'error', allowAdditionalProperties: true },
        },
      } as never);
      const problems = await lintFromString({ source: JSON.stringify(doc), absoluteRef: `/${mode}.openapi.json`, config });
      expect(problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
    });
    it(`[${names.join() || 'seeds'}] carries the envelopes, the signature scheme, the versions, and examples that pass their schemas`, () => {
      const ajv = newAjv();
      const schemas = (doc['components'] as { schemas: Record<string, Record<string, unknown>> }).schemas;
      for (const name of ['alchemy.create.request', 'alchemy.create.response', 'gep.apply.request', 'gep.apply.response']) {
        const { examples, ...schema } = schemas[name]!;
        const validate = ajv.compile(schema);
        expect(examples, name).toHaveLength(1);
        expect(validate((examples as unknown[])[0]), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
      }
      // no card number or CVV in any output: the answer's card elements are shown as not yet there
      expect((schemas['gep.apply.response']!['examples'] as { result: Record<string, unknown> }[])[0]!.result).toMatchObject({
        cardNo: '',
        cardVerifyNo: '',
      });
      const paths = doc['paths'] as Record<string, Record<string, Record<string, unknown>>>;
      expect(paths['/api/vas/card/apply']!['post']!['x-gep-envelope']).toMatchObject({
        request: { $ref: '#/components/schemas/gep.apply.request' },
      });
      expect(
        Object.values((doc['components'] as { securitySchemes: Record<string, { name: string }> }).securitySchemes).map((s) => s.name),
      ).toEqual(['ach-access-key', 'ach-access-timestamp', 'ach-access-sign', 'email']);
      expect(doc['x-spec-versions']).toEqual(cat.versions);
    });
  }
});
