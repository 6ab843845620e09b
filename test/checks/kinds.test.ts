/**
 * Each check kind's predicate against hand-written cases: values a person wrote down from the documents'
 * words, not values the module under test generated. Every kind of the registry must have its cases
 * here; the "exactly one rule" test relies on these predicates being right.
 */
import { describe, expect, it } from 'vitest';
import { CHECK_KINDS, evaluate, kindOf } from '../../src/checks/registry.ts';
import { expectedOf } from '../../src/conformance/evidence.ts';
import { catalogue, type Rule, type RuleCheck } from '../../src/spec/catalogue.ts';
import { type EvalContext, relativePath } from '../../src/spec/evaluate.ts';

type Holds = true | false | 'n/a';
interface HandCase {
  check: RuleCheck;
  field?: string;
  side?: Rule['side'];
  ctx?: Partial<EvalContext>;
  /** [object, expected verdict, (expected way)] */
  rows: [unknown, Holds, string?][];
}

const ctx0: EvalContext = { mode: 'lenient', today: '2027-03-10', defaults: {} };
const rule = (c: HandCase): Rule => ({
  id: `t.op.${c.field ?? 'f'}.${c.check.kind}`,
  provider: 'gep',
  operation: 'op',
  field: c.field ?? 'f',
  level: 'MUST',
  title: 't',
  source: 's',
  sourceRef: { doc: 'd', text: 's' },
  side: c.side ?? 'request',
  origin: 'table',
  check: c.check,
  codes: {},
});
const f = (v: unknown) => ({ f: v });

const CASES: Record<RuleCheck['kind'], HandCase[]> = {
  jsonObject: [
    {
      check: { kind: 'jsonObject' },
      rows: [
        [{}, true],
        [{ a: 1 }, true],
        [[], false],
        ['x', false],
        [null, false],
        [3, false],
      ],
    },
  ],
  acceptsValid: [{ check: { kind: 'acceptsValid' }, rows: [[{}, 'n/a']] }],
  noUntabledFields: [{ check: { kind: 'noUntabledFields' }, rows: [[{ x: 1 }, 'n/a']] }],
  required: [
    {
      check: { kind: 'required' },
      rows: [
        [f('a'), true],
        [f(0), true],
        [{}, false],
        [f(''), false],
        [f(null), false],
      ],
    },
    {
      check: { kind: 'required', parent: 'h' },
      field: 'h.n',
      rows: [
        [{}, 'n/a'],
        [{ h: 'x' }, 'n/a'],
        [{ h: {} }, false],
        [{ h: { n: 'A' } }, true],
      ],
    },
    {
      check: { kind: 'required', mayArriveLater: true },
      ctx: { allowIncomplete: true },
      rows: [
        [f(''), 'n/a'],
        [f('4111'), true],
      ],
    },
  ],
  requiredWhen: [
    {
      check: { kind: 'requiredWhen', when: { field: 'channelType', in: ['1'] } },
      ctx: { defaults: { channelType: { value: '1' } } },
      rows: [
        [{}, false],
        [{ channelType: '2' }, 'n/a'],
        [{ channelType: 1 }, false],
        [{ channelType: '1', f: '100' }, true],
        [{ f: '' }, false],
      ],
    },
    {
      check: { kind: 'requiredWhen', when: { field: 'bin', in: ['000000'], and: { field: 'channelType', in: ['1'] } } },
      rows: [
        [{ bin: '000000', channelType: '1' }, false],
        [{ bin: '000000', channelType: '2' }, 'n/a'],
        [{ bin: '000000', channelType: '1', f: 'AA' }, true],
      ],
    },
  ],
  type: [
    {
      check: { kind: 'type', type: 'string' },
      rows: [
        [f('x'), true],
        [f(''), 'n/a'],
        // lenient: a scalar by its value, a number is a string's value too
        [f(1), true],
        [f(Number.NaN), false],
        [f(true), false],
        [f({}), false],
        [f([]), false],
      ],
    },
    {
      check: { kind: 'type', type: 'string' },
      ctx: { mode: 'strict' },
      rows: [
        [f('x'), true],
        [f(1), false],
      ],
    },
    {
      check: { kind: 'type', type: 'number' },
      rows: [
        [f(1.5), true],
        [f('1.5'), true],
        [f('-2'), true],
        [f('1e3'), false],
        [f('abc'), false],
        [f(true), false],
      ],
    },
    {
      check: { kind: 'type', type: 'number' },
      ctx: { mode: 'strict' },
      rows: [
        [f(100), true],
        [f('100'), false],
      ],
    },
    {
      check: { kind: 'type', type: 'long' },
      rows: [
        [f('0'), true],
        [f(12), true],
        [f(1.5), false],
        [f('1.5'), false],
      ],
    },
    {
      check: { kind: 'type', type: 'boolean' },
      rows: [
        [f(false), true],
        [f('true'), false],
        [f(1), false],
      ],
    },
    {
      check: { kind: 'type', type: 'object' },
      rows: [
        [f({}), true],
        [f([]), false],
        [f('x'), false],
      ],
    },
  ],
  maxLength: [
    {
      check: { kind: 'maxLength', max: 3 },
      rows: [
        [f('USD'), true],
        [f('USDX'), false],
        [f('卡卡卡'), true],
        [f('卡卡卡卡'), false],
        [f(1234), false],
        [f(true), 'n/a'],
      ],
    },
  ],
  pattern: [
    {
      check: { kind: 'pattern', pattern: '[a-zA-Z]{1,32}' },
      rows: [
        [f('Milton'), true],
        [f('Mil ton'), false],
        [f('Milt0n'), false],
        [f('José'), false],
        [f('a'.repeat(33)), false],
        [f(1), false],
      ],
    },
  ],
  format: [
    {
      check: { kind: 'format', format: 'date' },
      rows: [
        [f('2024-02-29'), true],
        [f('2023-02-29'), false],
        [f('2027-04-31'), false],
        [f('2027-13-01'), false],
        [f('2027-01-00'), false],
        [f('2027/01/15'), false],
        [f('2027-1-5'), false],
        [f(' 2027-01-15'), false],
        [f('15-01-2027'), false],
      ],
    },
    {
      check: { kind: 'format', format: 'monthYear' },
      rows: [
        [f('03/2022'), true],
        [f('3/2022'), false],
        [f('13/2022'), false],
        [f('2022-03'), false],
      ],
    },
    {
      check: { kind: 'format', format: 'url' },
      rows: [
        [f('https://www.baidu.com'), true],
        [f('http://127.0.0.1:9/cb'), true],
        [f('ftp://x.org/a'), false],
        [f('www.baidu.com'), false],
        [f('//x.org/a'), false],
        [f(' https://x.org'), false],
      ],
    },
    {
      check: { kind: 'format', format: 'hex32' },
      rows: [
        [f('665597457b9b37cb000187a035002030'), true],
        [f('665597457B9B37CB000187A035002030'), false],
      ],
    },
    {
      check: { kind: 'format', format: 'digits' },
      rows: [
        [f('0123'), true],
        [f('12a'), false],
      ],
    },
    {
      check: { kind: 'format', format: 'decimal' },
      rows: [
        [f('1.50'), true],
        [f('1,5'), false],
      ],
    },
  ],
  enum: [
    {
      check: { kind: 'enum', values: ['1', '0'] },
      rows: [
        [f('1'), true],
        [f(0), true],
        [f('2'), false],
        [f(-1), false],
        [f(true), 'n/a'],
      ],
    },
  ],
  amountMinorUnits: [
    {
      check: { kind: 'amountMinorUnits' },
      rows: [
        [f('1000'), true],
        [f('01000'), true],
        [f('10.00'), false, 'decimal'],
        [f('1e3'), false, 'exponent'],
        [f('+1000'), false, 'sign'],
        [f('-1000'), false, 'sign'],
      ],
    },
  ],
  amountRange: [
    {
      check: { kind: 'amountRange', min: '1000', max: '500000', unit: 'USD cents' },
      rows: [
        [f('1000'), true],
        [f('500000'), true],
        [f('999'), false, 'below'],
        [f('0'), false, 'below'],
        [f('500001'), false, 'above'],
        [f('10.5'), 'n/a'],
      ],
    },
  ],
  decimalPositive: [
    {
      check: { kind: 'decimalPositive' },
      rows: [
        [f('0.01'), true],
        [f('100'), true],
        [f(30.25), true],
        [f('0'), false],
        [f('0.00'), false],
        [f(-1), false],
        [f('abc'), false],
      ],
    },
  ],
  dateNotBeforeToday: [
    {
      check: { kind: 'dateNotBeforeToday' },
      rows: [
        [f('2027-03-10'), true],
        [f('2027-03-11'), true],
        [f('2027-03-09'), false],
        [f('2027/03/09'), 'n/a'],
      ],
    },
    { check: { kind: 'dateNotBeforeToday', exclusive: true }, rows: [[f('2027-03-10'), false]] },
  ],
  dateNotBefore: [
    {
      check: { kind: 'dateNotBefore', other: 'start' },
      rows: [
        [{ start: '2027-03-10', f: '2027-03-10' }, true],
        [{ start: '2027-03-10', f: '2027-03-09' }, false],
        [{ start: '2027-03-10', f: '2027-3-9' }, 'n/a'],
        [{ f: '2027-03-09' }, 'n/a'],
      ],
    },
  ],
  forbiddenWhen: [
    {
      check: { kind: 'forbiddenWhen', when: { field: 'channelType', in: ['2'] } },
      rows: [
        [{ channelType: '2' }, true],
        [{ channelType: '2', f: 'AA' }, false],
        [{ channelType: '1', f: 'AA' }, 'n/a'],
      ],
    },
  ],
  valueWhen: [
    {
      check: { kind: 'valueWhen', when: { field: 'bin', in: ['000000'] }, values: ['1004'] },
      rows: [
        [{ bin: '000000', f: '1004' }, true],
        [{ bin: '000000', f: 1004 }, true],
        [{ bin: '000000', f: '1005' }, false],
        [{ bin: '000000' }, 'n/a'],
        [{ bin: '222929', f: '1' }, 'n/a'],
        [{ bin: '000000', f: [] }, 'n/a'],
      ],
    },
  ],
  knownValue: [
    {
      check: { kind: 'knownValue', of: 'segmentList' },
      ctx: { knownValues: { segmentList: ['USD'] } },
      rows: [
        [f('USD'), true],
        [f('usd'), false],
        [f('ZZZ'), false],
      ],
    },
    { check: { kind: 'knownValue', of: 'segmentList' }, rows: [[f('ZZZ'), 'n/a']] },
  ],
  luhn: [
    {
      check: { kind: 'luhn' },
      side: 'response',
      rows: [
        [f('4111111111111111'), true],
        [f('4111111111111112'), false],
        [f('41x1'), 'n/a'],
      ],
    },
  ],
  startsWithBin: [
    {
      check: { kind: 'startsWithBin', binField: 'binRangeId' },
      side: 'response',
      ctx: { request: { binRangeId: '438357' } },
      rows: [
        [f('4383570000000000'), true],
        [f('4111111111111111'), false],
      ],
    },
    {
      check: { kind: 'startsWithBin', binField: 'binRangeId' },
      side: 'response',
      ctx: { request: { binRangeId: '000000' } },
      rows: [[f('4111111111111111'), 'n/a']],
    },
    {
      check: { kind: 'startsWithBin', binField: 'binRangeId' },
      side: 'response',
      ctx: { request: { channelType: '2' }, defaults: { binRangeId: { by: { field: 'channelType', values: { '2': '493193' } } } } },
      rows: [
        [f('4931930000000000'), true],
        [f('2229290000000000'), false],
      ],
    },
  ],
  monthYearOf: [
    {
      check: { kind: 'monthYearOf', dateField: 'endDate' },
      side: 'response',
      ctx: { request: { endDate: '2026-01-01' } },
      rows: [
        [f('01/2026'), true],
        [f('02/2026'), false],
        [f('01/2027'), false],
      ],
    },
  ],
  echo: [
    {
      check: { kind: 'echo', requestField: 'localCurrency' },
      side: 'response',
      ctx: { request: { localCurrency: 'USD' } },
      rows: [
        [f('USD'), true],
        [f('EUR'), false],
        [f(''), 'n/a'],
      ],
    },
  ],
  successCode: [
    {
      check: { kind: 'successCode', success: 'success', code: 'code', value: '0' },
      side: 'response',
      rows: [
        [{ success: true, code: '0' }, true],
        [{ success: true, code: 0 }, true],
        [{ success: true, code: '200' }, false],
        [{ success: false, code: '0' }, false],
        [{ success: false, code: '1002' }, true],
        [{ success: 'true', code: '0' }, 'n/a'],
      ],
    },
  ],
  oppositeFlags: [
    {
      check: { kind: 'oppositeFlags', success: 'success', error: 'error' },
      side: 'response',
      rows: [
        [{ success: true, error: false }, true],
        [{ success: true, error: true }, false],
        [{ success: true }, 'n/a'],
      ],
    },
  ],
  codeInCatalogue: [
    {
      check: { kind: 'codeInCatalogue' },
      side: 'response',
      ctx: { codes: new Set(['0', '1002']) },
      rows: [
        [{ success: false, f: '1002' }, true],
        [{ success: false, f: '9999' }, false],
        [{ success: true, f: '9999' }, 'n/a'],
      ],
    },
  ],
  codeMatchesRule: [{ check: { kind: 'codeMatchesRule' }, side: 'response', rows: [[{ success: false, f: '1002' }, 'n/a']] }],
  behaviour: [{ check: { kind: 'behaviour', behaviour: 'idempotent' }, side: 'behaviour', rows: [[{}, 'n/a']] }],
};

describe('check kinds: hand-written cases', () => {
  it('every kind of the registry has hand-written cases, and every module names its kind', () => {
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(CHECK_KINDS).sort());
    for (const [k, m] of Object.entries(CHECK_KINDS)) {
      expect(m.kind).toBe(k);
      expect(m.describe.length).toBeGreaterThan(10);
    }
  });
  for (const [kind, cases] of Object.entries(CASES)) {
    describe(kind, () => {
      for (const c of cases) {
        it.for(c.rows.map(([obj, want, way]) => [JSON.stringify(obj) ?? String(obj), obj, want, way] as const))(
          `${JSON.stringify(c.check)}: %s`,
          ([, obj, want, way]) => {
            const v = evaluate(rule(c), obj, { ...ctx0, ...c.ctx });
            expect(v.holds).toBe(want);
            if (way !== undefined) expect(v.holds === false && v.way).toBe(way);
          },
        );
      }
      it('the module is the one the registry dispatches to', () => expect(kindOf(cases[0]!.check).kind).toBe(kind));
    });
  }
});

describe('check kinds: what a rule expected, in one line', () => {
  const cat = catalogue();
  const byKind = (kind: RuleCheck['kind']) => cat.rules.find((r) => r.check.kind === kind)!;

  it('the issue example: an expiry is the MM/yyyy of the requested endDate', () => {
    const r = byKind('monthYearOf');
    const check = r.check as Extract<RuleCheck, { kind: 'monthYearOf' }>;
    const request = { [check.dateField]: '2027-03-15' };
    expect(expectedOf(r, { root: { result: {} }, ctx: { ...ctx0, request } })).toBe(
      `${relativePath(r)} MM/yyyy of ${check.dateField} 2027-03-15 → 03/2027`,
    );
    // without the request, the rule's general wording
    expect(expectedOf(r)).toBe(`${relativePath(r)} MM/yyyy of ${check.dateField}`);
  });

  it('limits come from the catalogue, and the context fills in today and the codes', () => {
    const range = byKind('amountRange');
    const { min, max } = range.check as Extract<RuleCheck, { kind: 'amountRange' }>;
    expect(expectedOf(range)).toContain(`between ${min} and ${max}`);
    expect(expectedOf(byKind('dateNotBeforeToday'), { ctx: ctx0 })).toContain(`(${ctx0.today})`);
    expect(expectedOf(byKind('codeMatchesRule'), { codes: ['110001', '110002'] })).toBe('a refusal with code 110001 or 110002');
  });

  it('every rule of the catalogue gets one non-empty line from its kind module, with or without an object', () => {
    for (const r of cat.rules) {
      for (const line of [expectedOf(r), expectedOf(r, { root: {}, ctx: ctx0 })]) {
        expect(line, r.id).toMatch(/\S/);
        expect(line, r.id).not.toContain('\n');
        expect(line, r.id).not.toContain('undefined');
      }
    }
  });
});
