/**
 * Document versions as data: the embedded mock follows the version it is given, and a suite that follows
 * another version sees exactly where the two disagree. The alchemy-v2 mock (5–5000 USD, names of at least
 * 3 letters, a required feeType) is judged under the seed's rules (10–5000 USD, [a-zA-Z]{1,32}) and under
 * its own, through the real client over loopback.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Case, invalidCases, validCases } from '../../properties/cases.ts';
import { validObject } from '../../properties/generate.ts';
import { planOf } from '../../properties/plan.ts';
import { type Catalogue, catalogueOf } from '../../src/spec/catalogue.ts';
import { accepted, freshOrder, genContext, type Harness, newTransport, startHarness } from './support.ts';

const seed = catalogueOf([]);
const v2 = catalogueOf(['alchemy-v2']);
const RANGE = 'alchemy.create.deposit.range';
const NAMES = ['alchemy.create.cardHolder.firstName.pattern', 'alchemy.create.cardHolder.lastName.pattern'];

let h: Harness;
beforeAll(async () => {
  h = await startHarness(newTransport(), { catalogue: v2 });
});
afterAll(() => h?.close());

/**
 * The rules a version's own cases find broken on the mock: a valid case refused fails the rules it
 * decides, a case breaking one rule that is accepted fails that rule. `extra`: fields sent with every case.
 */
async function failingUnder(cat: Catalogue, extra: Record<string, unknown> = {}) {
  const g = genContext('alchemy');
  const failing = new Set<string>();
  const misjudged: Record<string, unknown>[] = [];
  const send = async (c: Case, shouldPass: boolean) => {
    const body = freshOrder({ ...(c.value as Record<string, unknown>), ...extra }, 'orderNo') as Record<string, unknown>;
    const r = await h.alchemy.call('create', body);
    if (accepted(r) === shouldPass) return;
    for (const id of shouldPass ? c.rules : c.rules.slice(0, 1)) failing.add(id);
    misjudged.push(body);
  };
  for (const c of validCases('alchemy', 'create', g, 10, 7, cat)) await send(c, true);
  for (const c of invalidCases('alchemy', 'create', g, 2, 7, g.mode, cat).filter((x) => [RANGE, ...NAMES].includes(x.rules[0]!)))
    await send(c, false);
  return { failing, misjudged };
}

describe('document versions: the alchemy-v2 mock', () => {
  it('passes every range, name and acceptance case of its own version (positive case first)', async () => {
    expect(v2.versions.alchemy).toBe('alchemy-v2');
    const { failing, misjudged } = await failingUnder(v2);
    expect(misjudged).toEqual([]);
    expect(failing).toEqual(new Set());
  });

  it('refuses every request of the seed version: it requires feeType, which the seed does not know', async () => {
    const g = genContext('alchemy');
    const [body] = fc.sample(validObject(planOf('alchemy', 'create', 'request', seed), g), { numRuns: 1, seed: 3 });
    const r = await h.alchemy.call('create', freshOrder(body, 'orderNo'));
    expect(accepted(r)).toBe(false);
  });

  it("under the seed's rules, with the fields only v2 adds sent too, fails the range and name rules, and only over names under 3 letters or 5 to 9.99 USD", async () => {
    // the fields the v2 table has and the seed's lacks, with valid v2 values (derived, not typed here)
    const g = genContext('alchemy');
    const [v2Body] = fc.sample(validObject(planOf('alchemy', 'create', 'request', v2), g), { numRuns: 1, seed: 5 });
    const seedFields = new Set(planOf('alchemy', 'create', 'request', seed).roots.map((f) => f.path));
    const extra = Object.fromEntries(Object.entries(v2Body!).filter(([k]) => !seedFields.has(k)));
    expect(Object.keys(extra)).toEqual(['feeType']);
    const { failing, misjudged } = await failingUnder(seed, extra);
    for (const id of [RANGE, ...NAMES]) expect(failing, id).toContain(id);
    // every disagreement is one the two versions' rows explain: a name the seed allows and v2 does not,
    // or a deposit v2 allows and the seed does not (a pair of edges fails both of its rules, as in a run)
    const holder = (b: Record<string, unknown>) => (b['cardHolder'] ?? {}) as Record<string, unknown>;
    const shortName = (b: Record<string, unknown>) =>
      [holder(b)['firstName'], holder(b)['lastName']].some((n) => typeof n === 'string' && n.length < 3);
    const v2OnlyDeposit = (b: Record<string, unknown>) =>
      /^\d+$/.test(String(b['deposit'])) && Number(b['deposit']) >= 500 && Number(b['deposit']) < 1000;
    expect(misjudged.filter((b) => !shortName(b) && !v2OnlyDeposit(b))).toEqual([]);
  });
});
