/**
 * Interactions are derived, not typed: a limit, a pattern or a code changed in the catalogue changes the
 * pact's matchers and examples; and a mismatch is blamed on the rules of the field it is at.
 */
import { describe, expect, it } from 'vitest';
import { deriveInteractions, leafMatcher } from '../../src/pact/interactions.ts';
import { blame } from '../../src/pact/verify.ts';
import { buildCatalogue } from '../../src/spec/build.ts';
import { catalogue } from '../../src/spec/catalogue.ts';

const at = (o: unknown, path: string): unknown => path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown>)?.[k], o);
const happy = (p: 'alchemy' | 'gep', cat = catalogue()) =>
  deriveInteractions(p, { cat }).find((i) => / a valid request /.test(i.description))!;

describe('derived interactions', () => {
  it('matchers come from the rules: a pattern as an anchored regex, a date as the V4 date matcher with a fresh value injected', () => {
    const a = happy('alchemy');
    const first = at(a.request.body, 'cardHolder.firstName') as Record<string, unknown>;
    const rule = catalogue().byId.get('alchemy.create.cardHolder.firstName.pattern')!;
    expect(first).toMatchObject({ 'pact:matcher:type': 'regex', regex: `^(?:${(rule.check as { pattern: string }).pattern})$` });
    const g = happy('gep');
    expect(at(g.request.body, 'startDate')).toMatchObject({
      'pact:matcher:type': 'date',
      format: 'yyyy-MM-dd',
      'pact:generator:type': 'ProviderState',
      expression: ['$', '{startDate}'].join(''),
    });
    expect(at(g.response.body, 'result.cardVerifyNo')).toMatchObject({ 'pact:matcher:type': 'regex', regex: '^(?:[0-9]{3})$' });
  });

  it('a pattern changed in the catalogue changes the matcher (nothing is typed twice)', () => {
    const cat = buildCatalogue(undefined, { 'alchemy.create.cardHolder.firstName.pattern': { check: { pattern: '[A-Z][a-z]{0,31}' } } });
    const first = at(happy('alchemy', cat).request.body, 'cardHolder.firstName') as Record<string, unknown>;
    expect(first['regex']).toBe('^(?:[A-Z][a-z]{0,31})$');
    expect(String(first['value'])).toMatch(/^[A-Z][a-z]{0,31}$/);
  });

  it('the amount range refusals send min − 1 and max + 1 of the catalogue, and expect its codes', () => {
    const cat = buildCatalogue(undefined, { 'alchemy.create.deposit.range': { check: { min: '500' } } });
    const below = deriveInteractions('alchemy', { cat }).find((i) => i.description.includes('below the range'))!;
    expect((below.send.body as Record<string, unknown>)['deposit']).toBe('499');
    expect(at(below.response.body, 'code')).toMatchObject({
      regex: `^(?:${cat.expectedCodes(cat.byId.get('alchemy.create.deposit.range')!, 'below').join('|')})$`,
    });
    expect(below.ruleIds).toContain('alchemy.create.deposit.range');
  });

  it('every family is there: happy paths, field rule, range, duplicate, balance, signature, seal, 140001 + query, incomplete + info, detail, segments', () => {
    const all = [...deriveInteractions('alchemy'), ...deriveInteractions('gep')].map((i) => i.ruleIds);
    for (const id of [
      'alchemy.create.request.acceptsValid',
      'alchemy.create.cardHolder.firstName.pattern',
      'alchemy.create.deposit.range',
      'alchemy.create.orderNo.unique',
      'alchemy.create.auth.signature',
      'alchemy.create.status.forwardOnly',
      'alchemy.create.vid.knownSegment',
      'gep.apply.request.acceptsValid',
      'gep.apply.authLimitAmount.insufficientBalance',
      'gep.apply.auth.encryption',
      'gep.apply.outcome.pendingResolves',
      'gep.apply.outcome.incompleteCompletes',
    ])
      expect(
        all.some((ids) => ids.includes(id)),
        id,
      ).toBe(true);
  });

  it('an example its own matcher refuses (a request broken on purpose) is sent as a literal', () => {
    const rules = catalogue()
      .rulesFor('alchemy', 'create')
      .filter((r) => r.field === 'cardHolder.firstName');
    expect(leafMatcher(rules, 'Milton').matcher).toMatchObject({ 'pact:matcher:type': 'regex' });
    expect(leafMatcher(rules, '7').matcher).toBe('7');
  });
});

describe('blame: a mismatch on the rules of its field', () => {
  const ids = happy('gep').ruleIds;
  it('a missing field fails its presence rule, a wrong value its value rule, a wrong type its type rule', () => {
    expect(blame(ids, [{ path: '$.result', message: 'Actual map is missing the following keys: orderId', type: 'BodyMismatch' }])).toEqual([
      'gep.apply.response.result.orderId.required',
    ]);
    expect(
      blame(ids, [
        {
          path: '$.result.cardVerifyNo',
          message: "Expected 'x1y' to match '^(?:[0-9]{3})$'",
          actual: '"x1y"',
          expected: '"123"',
          type: 'BodyMismatch',
        },
      ]),
    ).toEqual(['gep.apply.response.result.cardVerifyNo.threeDigits']);
    expect(
      blame(ids, [
        {
          path: '$.success',
          message: "Expected 'true' (String) to be equal to true (Boolean)",
          actual: '"true"',
          expected: 'true',
          type: 'BodyMismatch',
        },
      ]),
    ).toEqual(['gep.apply.response.success.type']);
  });
  it('a success flag the other way round fails the interaction’s own rule only', () => {
    expect(
      blame(ids, [
        {
          path: '$.success',
          message: 'Expected false (Boolean) to be equal to true (Boolean)',
          actual: 'false',
          expected: 'true',
          type: 'BodyMismatch',
        },
        { path: '$', message: 'Actual map is missing the following keys: result', type: 'BodyMismatch' },
      ]),
    ).toEqual(['gep.apply.request.acceptsValid']);
  });
});
