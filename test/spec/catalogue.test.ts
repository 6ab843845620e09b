import { describe, expect, it } from 'vitest';
import { dataModules } from '../../contracts/index.ts';
import published from '../../contracts/published-rule-ids.json' with { type: 'json' };
import { buildCatalogue } from '../../src/spec/build.ts';
import { catalogue, SpecError } from '../../src/spec/catalogue.ts';
import { getPath } from '../../src/spec/evaluate.ts';
import { LEVELS, OPERATIONS, ORIGINS, PROVIDERS } from '../../src/spec/registry.ts';
import { documentExamples, readSpec, specs, tableFields } from '../helpers/seeds.ts';

const cat = catalogue();
const norm = (s: string) => s.replace(/\s+/g, ' ').trim();

describe.skipIf(!specs.available)(`rule catalogue against the documents ${specs.note}`, () => {
  it('covers every row of the four tables of the seed documents', () => {
    const t = tableFields();
    expect(t.alchemyRequest).toEqual(['vid', 'cardHolder', 'firstName', 'lastName', 'deposit', 'orderNo', 'callbackUrl']);
    expect(t.alchemyResponse).toEqual(['success', 'error', 'code', 'msg', 'traceId', 'model', 'activeLink']);
    expect(t.gepRequest).toHaveLength(14);
    expect(t.gepResult).toHaveLength(6);
    const fields = (p: string, side: string) =>
      new Set(
        cat
          .rulesFor(p as 'gep')
          .filter((r) => r.side === side)
          .map((r) => r.field.split('.').at(-1)),
      );
    for (const f of t.alchemyRequest) expect(fields('alchemy', 'request'), f).toContain(f);
    for (const f of t.alchemyResponse) expect(fields('alchemy', 'response'), f).toContain(f);
    for (const f of t.gepRequest) expect(fields('gep', 'request'), f).toContain(f);
    for (const f of t.gepResult)
      expect(
        cat.rulesFor('gep').some((r) => r.field === `response.result.${f}`),
        f,
      ).toBe(true);
  });

  it("every row's example is the value of that field in the document's own example (request and answer)", () => {
    const examples = {
      request: { alchemy: documentExamples.alchemyCreateRequest(), gep: documentExamples.gepApplyRequest() },
      response: { alchemy: documentExamples.alchemyCreateResponse(), gep: { result: documentExamples.gepApplyResult() } },
    };
    const withExample = cat.operations.flatMap((o) =>
      (['request', 'response'] as const).flatMap((side) =>
        o.spec[side].filter((r) => r.example !== undefined).map((r) => ({ o, side, r })),
      ),
    );
    expect(withExample.filter((x) => x.side === 'request').length).toBeGreaterThan(0);
    expect(withExample.filter((x) => x.side === 'response').length).toBeGreaterThan(0);
    for (const { o, side, r } of withExample)
      expect(getPath(examples[side][o.spec.provider], r.path), `${o.module} ${side} ${r.path}`).toBe(r.example);
  });

  it('quotes every source verbatim from its document', () => {
    const docs = new Map<string, string>();
    for (const r of cat.rules) {
      const doc = docs.get(r.sourceRef.doc) ?? norm(readSpec(r.sourceRef.doc));
      docs.set(r.sourceRef.doc, doc);
      expect(doc.includes(norm(r.sourceRef.text)), `${r.id}: ${r.sourceRef.text}`).toBe(true);
    }
  });
  it('quotes the source of every follow-up agreement pair verbatim, and ties each pair to a followUpAgrees rule', () => {
    const pairs = cat.operations.flatMap((o) => (o.spec.agreements ?? []).map((a) => ({ o, a })));
    expect(pairs.length).toBeGreaterThan(0);
    for (const { o, a } of pairs) {
      expect(norm(readSpec(a.source.doc)).includes(norm(a.source.text)), `${a.from} ↔ ${a.read} ${a.to}`).toBe(true);
      const checks = cat
        .rulesFor(o.spec.provider, o.spec.operation)
        .filter((r) => r.field === a.read && r.side === 'behaviour')
        .map((r) => r.check);
      expect(checks, a.read).toContainEqual({ kind: 'behaviour', behaviour: 'followUpAgrees' });
    }
  });
});

describe('rule catalogue', () => {
  it('gives every tabled field a type rule, and every M row a presence rule', () => {
    for (const op of cat.operations) {
      for (const side of ['request', 'response'] as const) {
        for (const row of op.spec[side]) {
          const field = side === 'response' ? `response.${row.path}` : row.path;
          const ids = cat
            .rulesFor(op.spec.provider, op.spec.operation)
            .filter((r) => r.field === field)
            .map((r) => r.id.split('.').at(-1));
          expect(ids, field).toContain('type');
          if (row.presence === 'M') expect(ids, field).toContain('required');
          if (row.maxLength) expect(ids, field).toContain('maxLength');
        }
      }
    }
  });

  it('uses stable, unique ids of the form provider.operation.field.rule and only registered values', () => {
    const ids = cat.rules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of cat.rules) {
      expect(r.id).toMatch(/^[a-z]+\.[a-zA-Z]+\.([a-zA-Z0-9]+\.)+[a-zA-Z0-9]+$/);
      expect(r.id.startsWith(`${r.provider}.${r.operation}.${r.field}.`)).toBe(true);
      expect(PROVIDERS).toContain(r.provider);
      expect(OPERATIONS[r.provider] as readonly string[]).toContain(r.operation);
      expect(LEVELS).toContain(r.level);
      expect(ORIGINS).toContain(r.origin);
      expect(r.title.length).toBeGreaterThan(5);
    }
  });

  it('never drops or renames a published id (new ones are added to contracts/published-rule-ids.json)', () => {
    const ids = new Set(cat.rules.map((r) => r.id));
    const missing = published.filter((id) => !ids.has(id));
    expect(missing, 'published ids that vanished').toEqual([]);
    const unpublished = [...ids].filter((id) => !published.includes(id));
    expect(unpublished, 'new ids: add them to contracts/published-rule-ids.json').toEqual([]);
  });

  it('maps refusal codes from the profile: the range breaks with 2646 below and 2723 above', () => {
    const range = cat.byId.get('alchemy.create.deposit.range')!;
    expect(cat.expectedCode(range, 'below')).toBe('2646');
    expect(cat.expectedCode(range, 'above')).toBe('2723');
    expect(cat.expectedCode(cat.byId.get('alchemy.create.orderNo.maxLength')!)).toBe('1002');
    expect(cat.expectedCode(cat.byId.get('gep.apply.endDate.notBeforeStartDate')!)).toBe('110001');
  });

  it('marks every return code published, inferred or profile', () => {
    for (const p of PROVIDERS) for (const c of cat.profiles[p].codes) expect(['published', 'inferred', 'profile']).toContain(c.status);
    expect(cat.profiles.gep.codes.find((c) => c.code === '140001')?.status).toBe('published');
    expect(cat.profiles.gep.codes.find((c) => c.code === '110005')?.status).toBe('inferred');
  });
});

describe('malformed data modules fail at load with the module and row named', () => {
  const modules = () =>
    structuredClone(dataModules) as unknown as { module: string; kind: 'profile' | 'operation'; data: Record<string, unknown> }[];
  const gepApply = (ms: ReturnType<typeof modules>) =>
    ms.find((m) => m.module === 'contracts/gep/apply.ts')!.data as { request: Record<string, unknown>[]; rules: Record<string, unknown>[] };

  it('a length that is not a positive integer', () => {
    const ms = modules();
    gepApply(ms).request[2]!['maxLength'] = 0;
    expect(() => buildCatalogue(ms)).toThrow(
      new SpecError('contracts/gep/apply.ts: request row 03 (startDate) maxLength: must be a positive integer'),
    );
  });

  it('a rule without source', () => {
    const ms = modules();
    delete gepApply(ms).rules[0]!['source'];
    expect(() => buildCatalogue(ms)).toThrow(/^contracts\/gep\/apply\.ts: rule startDate\.notBeforeToday source: /);
  });

  it('a duplicate id', () => {
    const ms = modules();
    const rules = gepApply(ms).rules;
    rules.push(structuredClone(rules[0]!));
    expect(() => buildCatalogue(ms)).toThrow(
      new SpecError('contracts/gep/apply.ts: duplicate rule id gep.apply.startDate.notBeforeToday (row 03)'),
    );
  });

  it('an agreement pair whose follow-up has no rule, or whose request side is no row', () => {
    const ms = modules();
    const apply = gepApply(ms) as unknown as { agreements: Record<string, unknown>[] };
    apply.agreements[0]!['read'] = 'segmentList';
    expect(() => buildCatalogue(ms)).toThrow(/contracts\/gep\/apply\.ts: agreement 0 .*segmentList is not an operation of gep/);
    apply.agreements[0]!['read'] = 'info';
    apply.agreements[0]!['from'] = 'request.cardHolder';
    expect(() => buildCatalogue(ms)).toThrow(/agreement 0 \(request\.cardHolder ↔ info result\.cardId\): request\.cardHolder is not a row/);
  });

  it('a rule about a field that no row has', () => {
    const ms = modules();
    gepApply(ms).rules[0]!['field'] = 'startDay';
    expect(() => buildCatalogue(ms)).toThrow(/contracts\/gep\/apply\.ts: rule 0 \(startDay\.notBeforeToday\): field startDay is not a row/);
  });
});

describe('overrides: another version of a document is configuration, not code', () => {
  it('changes the deposit range and the name pattern of the catalogue', () => {
    const other = buildCatalogue(undefined, {
      'alchemy.create.deposit.range': { check: { min: '500' } },
      'alchemy.create.cardHolder.firstName.pattern': { check: { pattern: '.{3,}' } },
    });
    const range = other.byId.get('alchemy.create.deposit.range')!.check;
    expect(range).toMatchObject({ kind: 'amountRange', min: '500', max: '500000' });
    expect(other.byId.get('alchemy.create.cardHolder.firstName.pattern')!.check).toMatchObject({ pattern: '.{3,}' });
  });

  it('refuses an override of an unknown rule or with a bad value', () => {
    expect(() => buildCatalogue(undefined, { 'alchemy.create.nope.range': { check: { min: '1' } } })).toThrow(/no such rule/);
    expect(() => buildCatalogue(undefined, { 'alchemy.create.deposit.range': { check: { min: 'ten' } } })).toThrow(
      /override alchemy\.create\.deposit\.range/,
    );
    expect(() => buildCatalogue(undefined, { 'alchemy.create.orderNo.maxLength': { check: { max: -1 } } })).toThrow(
      /max must be a positive integer/,
    );
  });
});
