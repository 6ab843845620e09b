/**
 * Every deviation of the mock's catalogue, proven: for each one a triggering scenario, derived from its
 * mechanism, is answered differently by the faithful mock and by a mock with that deviation, and the
 * difference is about the rule the deviation names.
 *
 * - `ignore`: the rule's own violations (invalidCases) are refused by the faithful mock with the rule's
 *   code, and at least one is accepted by the deviant (which then can only have skipped that rule);
 * - `tighten`: the rule's boundary valid cases (validCases) are accepted by the faithful mock, and at
 *   least one is refused by the deviant, naming that rule;
 * - `answer`: a valid request (GEP: outcome forced complete) whose faithful answer keeps the rule
 *   (evaluate → holds) is answered by the deviant in a way that breaks it (evaluate → broken);
 * - `flag`: a scenario per flag observes the named rule's behaviour; the faithful observation is the
 *   documented one, the deviant's differs.
 *
 * A deviation added without a trigger (a new flag with no scenario, no mechanism, a rule id not in the
 * catalogue) fails its test.
 */
import { afterAll, beforeAll, describe, type ExpectStatic, expect, it } from 'vitest';
import { type Case, invalidCases, validCases } from '../../properties/cases.ts';
import { addDays } from '../../properties/generate.ts';
import { evaluate } from '../../src/checks/registry.ts';
import type { CallResult } from '../../src/client/types.ts';
import { compareFollowUp } from '../../src/conformance/agreement.ts';
import { ALCHEMY_STEP_SECONDS } from '../../src/mock/alchemy.ts';
import { DEVIATIONS, type Deviation } from '../../src/mock/deviations.ts';
import { GEP_SETTLE_SECONDS } from '../../src/mock/gep.ts';
import type { Rule } from '../../src/spec/catalogue.ts';
import { getPath, todayIn } from '../../src/spec/evaluate.ts';
import type { Provider } from '../../src/spec/registry.ts';
import { encodeSealed } from '../../src/wire/gep-envelope.ts';
import { generateTestKeyPair } from '../../src/wire/keys.ts';
import { luhnValid } from '../../src/wire/luhn.ts';
import { examples } from '../helpers/fixtures.ts';
import {
  accepted,
  answerContext,
  cat,
  codeOf,
  envelopeOf,
  freshOrder,
  genContext,
  type Harness,
  newTransport,
  ORDER_FIELD,
  plainGepApply,
  type Receiver,
  resultOf,
  sharedKeys,
  startHarness,
  startReceiver,
  todayOf,
  uid,
  until,
} from './support.ts';

const SEED = 67;
const OPERATION: Record<Provider, string> = { alchemy: 'create', gep: 'apply' };
const rule = (id: string): Rule => {
  const r = cat.byId.get(id);
  if (!r) throw new Error(`no rule ${id} in the catalogue`);
  return r;
};

const transport = newTransport();
const shared = sharedKeys();
const stranger = generateTestKeyPair(1024);
const started: Harness[] = [];
const receivers: Receiver[] = [];
let faithful: Harness;

async function harness(deviations: readonly string[] = [], timeScale = 0.002): Promise<Harness> {
  const h = await startHarness(transport, { deviations, timeScale }, shared);
  started.push(h);
  return h;
}
async function receiver(): Promise<Receiver> {
  const r = await startReceiver();
  receivers.push(r);
  return r;
}

beforeAll(async () => {
  faithful = await harness();
});
afterAll(async () => {
  await Promise.all([...started.map((h) => h.close()), ...receivers.map((r) => r.close())]);
  await transport.close();
});

/** The create/apply call of a provider, with a fresh order number (same length) on every request. */
function send(h: Harness, provider: Provider, value: unknown, completeOutcome = false): Promise<CallResult> {
  const body = freshOrder(value, ORDER_FIELD[provider]);
  if (provider === 'alchemy') return h.alchemy.call('create', body);
  if (completeOutcome) h.mock.admin.gep.force(String(getPath(body, 'userReqNo')), 'complete');
  return h.gep.call('apply', body);
}

/** The refusal message names the rule it broke (the mock's `field: title`). */
const message = (r: CallResult): string => String(envelopeOf(r)[r.provider === 'alchemy' ? 'msg' : 'errorMsg'] ?? '');
const codesOf = (r: Rule): Set<string> => new Set([cat.expectedCode(r), ...Object.keys(r.codes).map((way) => cat.expectedCode(r, way))]);

type Mechanism = 'ignore' | 'tighten' | 'answer' | 'flag' | 'predicate' | 'refuses';
function mechanismOf(d: Deviation): Mechanism {
  const present = (['ignore', 'tighten', 'answer', 'flag', 'predicate', 'refuses'] as const).filter((m) => d[m] !== undefined);
  if (present.length !== 1)
    throw new Error(`${d.name}: expected exactly one mechanism, found ${present.length ? present.join(', ') : 'none'}`);
  return present[0]!;
}

// ---------------------------------------------------------------------------------------------------
// Requests the flag scenarios start from

const alchemyRequest = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  ...examples.alchemyCreateRequest(),
  orderNo: uid('d'),
  ...over,
});
const gepRequest = (over: Record<string, unknown> = {}): Record<string, unknown> => plainGepApply(uid('d'), over);
/** Bad input: one rule broken (Alchemy deposit one cent below the minimum; GEP startDate yesterday). */
const alchemyBadInput = () => alchemyRequest({ deposit: (BigInt(rangeOf().min) - 1n).toString() });
const gepBadInput = () => gepRequest({ startDate: addDays(todayOf('gep'), -1) });
const rangeOf = () => rule('alchemy.create.deposit.range').check as { min: string; max: string };

const verdict = (ruleId: string, r: CallResult) => evaluate(rule(ruleId), r.body, answerContext(r.provider, r.request.body)).holds;
const statusOf = async (h: Harness, orderNo: string) =>
  String(getPath((await h.alchemy.call('info', { orderNo })).body, 'model.card.status'));
const lifecycle = () => cat.profiles.alchemy.lifecycle!.order;

/** Apply twice with one userReqNo (outcome complete), from a known XTS balance. */
async function applyTwice(h: Harness) {
  h.mock.admin.gep.setBalance('XTS', '1000.00');
  const req = gepRequest({ localCurrency: 'XTS', authLimitAmount: '100' });
  h.mock.admin.gep.force(String(req['userReqNo']), 'complete');
  const first = await h.gep.apply(req);
  const second = await h.gep.apply(req);
  return {
    bothSucceed: envelopeOf(first)['success'] === true && envelopeOf(second)['success'] === true,
    sameCard: resultOf(first)['cardId'] === resultOf(second)['cardId'],
    orders: h.mock.admin.gep.state().orders[String(req['userReqNo'])],
    balance: h.mock.admin.gep.state().balances['XTS'],
  };
}

interface Scenario {
  /** The rule the scenario observes: must be the deviation's own. */
  rule: string;
  /** What the faithful mock must show (the documented behaviour). */
  expected: unknown;
  /** Lifecycle scenarios step a frozen clock in real provider seconds. */
  timeScale?: number;
  run(h: Harness): Promise<unknown>;
}

/** One scenario per `<provider>/<flag>`. */
const SCENARIOS: Record<string, Scenario> = {
  'alchemy/unknownRefusalCode': {
    rule: 'alchemy.create.response.code.inCatalogue',
    expected: { success: false, inCatalogue: true },
    run: async (h) => {
      const r = await h.alchemy.create(alchemyBadInput());
      return { success: envelopeOf(r)['success'], inCatalogue: verdict('alchemy.create.response.code.inCatalogue', r) };
    },
  },
  'alchemy/genericRefusalCode': {
    rule: 'alchemy.create.response.code.matchesRule',
    expected: { below: '2646', above: '2723', duplicate: '2722' },
    run: async (h) => {
      const dup = alchemyRequest();
      await h.alchemy.create(dup);
      return {
        below: codeOf(await h.alchemy.create(alchemyBadInput())),
        above: codeOf(await h.alchemy.create(alchemyRequest({ deposit: (BigInt(rangeOf().max) + 1n).toString() }))),
        duplicate: codeOf(await h.alchemy.create(dup)),
      };
    },
  },
  'alchemy/http500OnBadInput': {
    rule: 'alchemy.create.response.jsonObject',
    expected: { status: 200, jsonObject: true },
    run: async (h) => {
      const r = await h.alchemy.create(alchemyBadInput());
      return { status: r.status, jsonObject: verdict('alchemy.create.response.jsonObject', r) };
    },
  },
  'alchemy/htmlOnBadInput': {
    rule: 'alchemy.create.response.jsonObject',
    expected: { status: 200, jsonObject: true },
    run: async (h) => {
      const r = await h.alchemy.create(alchemyBadInput());
      return { status: r.status, jsonObject: verdict('alchemy.create.response.jsonObject', r) };
    },
  },
  'alchemy/statusGoesBack': {
    rule: 'alchemy.create.status.forwardOnly',
    expected: { forwardOnly: true, last: 'ACTIVE' },
    timeScale: 1,
    run: async (h) => {
      h.clock.freeze();
      const req = alchemyRequest();
      await h.alchemy.create(req);
      const seen: number[] = [];
      for (let step = 0; step < 10; step++) {
        seen.push(lifecycle().indexOf(await statusOf(h, String(req['orderNo']))));
        h.clock.advance(ALCHEMY_STEP_SECONDS * 1000);
      }
      return { forwardOnly: seen.every((s, i) => s >= 0 && (i === 0 || s >= seen[i - 1]!)), last: lifecycle()[seen.at(-1)!] };
    },
  },
  'alchemy/neverActive': {
    rule: 'alchemy.create.status.endsActive',
    expected: { status: 'ACTIVE' },
    timeScale: 1,
    run: async (h) => {
      h.clock.freeze();
      const req = alchemyRequest();
      await h.alchemy.create(req);
      h.clock.advance(20 * ALCHEMY_STEP_SECONDS * 1000);
      return { status: await statusOf(h, String(req['orderNo'])) };
    },
  },
  'alchemy/noCallback': {
    rule: 'alchemy.create.callback.delivered',
    expected: { delivered: true },
    run: async (h) => {
      const rec = await receiver();
      await h.alchemy.create(alchemyRequest({ callbackUrl: `${rec.url}/cb` }));
      // ACTIVE comes after 4 steps (40 ms here); 3 s is far past it.
      await until(() => (rec.received.length > 0 ? true : undefined), 3_000);
      return { delivered: rec.received.length > 0 };
    },
  },
  'alchemy/callbackOtherOrder': {
    rule: 'alchemy.create.callback.matchesOrder',
    expected: { sameOrder: true, sameDeposit: true },
    run: async (h) => {
      const rec = await receiver();
      const req = alchemyRequest({ deposit: '4200', callbackUrl: `${rec.url}/cb` });
      await h.alchemy.create(req);
      await until(() => (rec.received.length > 0 ? true : undefined));
      const data = getPath(rec.received[0]?.body, 'data');
      return { sameOrder: getPath(data, 'orderNo') === req['orderNo'], sameDeposit: getPath(data, 'deposit') === '4200' };
    },
  },
  'alchemy/duplicateWrongCode': {
    rule: 'alchemy.create.orderNo.unique',
    expected: { first: '0', second: '2722' },
    run: async (h) => {
      const req = alchemyRequest();
      return { first: codeOf(await h.alchemy.create(req)), second: codeOf(await h.alchemy.create(req)) };
    },
  },
  'alchemy/duplicateOpensCard': {
    rule: 'alchemy.create.orderNo.idempotent',
    expected: { secondSucceeds: false, cards: 1, debitedCents: '1500' },
    run: async (h) => {
      const req = alchemyRequest({ deposit: '1500' });
      await h.alchemy.create(req);
      const second = await h.alchemy.create(req);
      const s = h.mock.admin.alchemy.state();
      return { secondSucceeds: envelopeOf(second)['success'], cards: s.orders[String(req['orderNo'])], debitedCents: s.debitedCents };
    },
  },
  'alchemy/acceptBadSignature': {
    rule: 'alchemy.create.auth.signature',
    expected: { success: false, code: '2604' },
    run: async (h) => {
      const r = await h.alchemy.create(alchemyRequest(), { signature: Buffer.alloc(32).toString('base64') });
      return { success: envelopeOf(r)['success'], code: codeOf(r) };
    },
  },
  'gep/unknownRefusalCode': {
    rule: 'gep.apply.response.errorCode.inCatalogue',
    expected: { success: false, inCatalogue: true },
    run: async (h) => {
      const r = await h.gep.apply(gepBadInput());
      return { success: envelopeOf(r)['success'], inCatalogue: verdict('gep.apply.response.errorCode.inCatalogue', r) };
    },
  },
  'gep/genericRefusalCode': {
    rule: 'gep.apply.response.errorCode.matchesRule',
    expected: { insufficientBalance: '110005' },
    run: async (h) => {
      h.mock.admin.gep.setBalance('XTS', '1.00');
      return { insufficientBalance: codeOf(await h.gep.apply(gepRequest({ localCurrency: 'XTS', authLimitAmount: '100' }))) };
    },
  },
  'gep/htmlOnBadInput': {
    rule: 'gep.apply.response.jsonObject',
    expected: { status: 200, jsonObject: true },
    run: async (h) => {
      const r = await h.gep.apply(gepBadInput());
      return { status: r.status, jsonObject: verdict('gep.apply.response.jsonObject', r) };
    },
  },
  'gep/duplicateOpensCard': {
    rule: 'gep.apply.userReqNo.idempotent',
    expected: { bothSucceed: true, sameCard: true, orders: 1, balance: '900.00' },
    run: applyTwice,
  },
  'gep/duplicateDebitsTwice': {
    rule: 'gep.apply.userReqNo.idempotent',
    expected: { bothSucceed: true, sameCard: true, orders: 1, balance: '900.00' },
    run: applyTwice,
  },
  'gep/noDebit': {
    rule: 'gep.apply.authLimitAmount.debitsBalance',
    expected: { success: true, balance: '900.00' },
    run: async (h) => {
      h.mock.admin.gep.setBalance('XTS', '1000.00');
      const req = gepRequest({ localCurrency: 'XTS', authLimitAmount: '100' });
      h.mock.admin.gep.force(String(req['userReqNo']), 'complete');
      const r = await h.gep.apply(req);
      return { success: envelopeOf(r)['success'], balance: h.mock.admin.gep.state().balances['XTS'] };
    },
  },
  'gep/allowOverdraft': {
    rule: 'gep.apply.authLimitAmount.insufficientBalance',
    expected: { success: false, code: '110005', balance: '10.00' },
    run: async (h) => {
      h.mock.admin.gep.setBalance('XTS', '10.00');
      const req = gepRequest({ localCurrency: 'XTS', authLimitAmount: '100' });
      h.mock.admin.gep.force(String(req['userReqNo']), 'complete');
      const r = await h.gep.apply(req);
      return { success: envelopeOf(r)['success'], code: codeOf(r), balance: h.mock.admin.gep.state().balances['XTS'] };
    },
  },
  'gep/pendingForever': {
    rule: 'gep.apply.outcome.pendingResolves',
    expected: { apply: '140001', before: 1, afterSettleTime: 2 },
    run: async (h) => {
      h.clock.freeze();
      const req = gepRequest();
      const userReqNo = String(req['userReqNo']);
      h.mock.admin.gep.force(userReqNo, 'pending');
      const apply = codeOf(await h.gep.apply(req));
      const before = resultOf(await h.gep.queryCardOperate({ userReqNo }))['status'];
      h.clock.advance((GEP_SETTLE_SECONDS.max + 1) * h.msPerSecond);
      const afterSettleTime = resultOf(await h.gep.queryCardOperate({ userReqNo }))['status'];
      return { apply, before, afterSettleTime };
    },
  },
  'gep/incompleteForever': {
    rule: 'gep.apply.outcome.incompleteCompletes',
    expected: { applyCardNo: '', completedAfterSettleTime: true },
    run: async (h) => {
      h.clock.freeze();
      const req = gepRequest();
      h.mock.admin.gep.force(String(req['userReqNo']), 'incomplete');
      const r = resultOf(await h.gep.apply(req));
      h.clock.advance((GEP_SETTLE_SECONDS.max + 1) * h.msPerSecond);
      const info = resultOf(await h.gep.info({ cardId: String(r['cardId']) }));
      return { applyCardNo: r['cardNo'], completedAfterSettleTime: luhnValid(String(info['cardNo'] ?? '')) };
    },
  },
  'gep/flickerRefusalCode': {
    rule: 'gep.apply.response.errorCode.inCatalogue',
    expected: { firstOutsideCatalogue: 0, againRight: 16 },
    run: async (h) => {
      // sixteen bad requests, each sent twice: the second answer to each is the profile's code
      let firstOutsideCatalogue = 0;
      let againRight = 0;
      for (let i = 0; i < 16; i++) {
        const bad = gepBadInput();
        if (codeOf(await h.gep.apply(bad)) === '999999') firstOutsideCatalogue++;
        if (codeOf(await h.gep.apply(bad)) === '110001') againRight++;
      }
      return { firstOutsideCatalogue, againRight };
    },
  },
  'alchemy/acceptUnknownKey': {
    rule: 'alchemy.create.auth.accessKey',
    expected: { success: false, code: '2601' },
    run: async (h) => {
      const r = await h.alchemy.create(alchemyRequest(), { tamper: { headers: { 'ach-access-key': 'ak_another_merchant_0001' } } });
      return { success: envelopeOf(r)['success'], code: codeOf(r) };
    },
  },
  'alchemy/ignoreTimestampWindow': {
    rule: 'alchemy.create.auth.timestamp',
    expected: { stale: '2604', future: '2604' },
    run: async (h) => ({
      stale: codeOf(await h.alchemy.create(alchemyRequest(), { timestampOffsetMs: -20 * 60_000 })),
      future: codeOf(await h.alchemy.create(alchemyRequest(), { timestampOffsetMs: 20 * 60_000 })),
    }),
  },
  'alchemy/signatureAnyPath': {
    rule: 'alchemy.create.auth.signedInput',
    expected: { success: false, code: '2604' },
    run: async (h) => {
      const other = cat.profiles.alchemy.calls.find((c) => c.operation === 'info')!.path;
      const r = await h.alchemy.create(alchemyRequest(), { tamper: { signAs: { path: other } } });
      return { success: envelopeOf(r)['success'], code: codeOf(r) };
    },
  },
  'gep/acceptUnsealed': {
    rule: 'gep.apply.auth.encryption',
    expected: { success: false, code: '110001' },
    run: async (h) => {
      const r = await h.gep.apply(gepRequest(), { probe: { seal: 'unsealed' } });
      return { success: envelopeOf(r)['success'], code: codeOf(r) };
    },
  },
  'gep/acceptOtherUserNo': {
    rule: 'gep.apply.auth.identity',
    expected: { success: false, code: '110001' },
    run: async (h) => {
      const r = await h.gep.apply(gepRequest(), { probe: { form: { userNo: '9000000000000000001' } } });
      return { success: envelopeOf(r)['success'], code: codeOf(r) };
    },
  },
  'gep/acceptUndecryptable': {
    rule: 'gep.apply.auth.encryption',
    expected: { success: false, code: '110001' },
    run: async (h) => {
      const req = gepRequest();
      const r = await h.gep.apply(req, { rawDataContent: encodeSealed(req, stranger.privateKey) });
      return { success: envelopeOf(r)['success'], code: codeOf(r) };
    },
  },
  'alchemy/statusLeavesFinal': {
    rule: 'alchemy.create.status.staysFinal',
    expected: { statuses: ['ACTIVE', 'ACTIVE', 'ACTIVE'] },
    timeScale: 1,
    run: async (h) => {
      h.clock.freeze();
      const req = alchemyRequest();
      await h.alchemy.create(req);
      h.clock.advance(20 * ALCHEMY_STEP_SECONDS * 1000);
      const statuses: string[] = [];
      for (let i = 0; i < 3; i++) statuses.push(await statusOf(h, String(req['orderNo'])));
      return { statuses };
    },
  },
  'alchemy/infoOtherDeposit': {
    rule: 'alchemy.create.info.agreesWithCreate',
    expected: { deposit: '4200', disagreements: [] },
    run: async (h) => {
      const req = alchemyRequest({ deposit: '4200' });
      await h.alchemy.create(req);
      const info = await h.alchemy.call('info', { orderNo: req['orderNo'] });
      const pairs = compareFollowUp('alchemy', 'create', 'info', { request: req }, info.body);
      expect(pairs.length).toBeGreaterThan(0);
      return { deposit: getPath(info.body, 'model.card.deposit'), disagreements: pairs.filter((p) => !p.agrees).map((p) => p.message) };
    },
  },
  'gep/operationStatusFlips': {
    rule: 'gep.apply.outcome.staysFinal',
    expected: { statuses: [2, 2, 2] },
    run: async (h) => {
      const req = gepRequest();
      const userReqNo = String(req['userReqNo']);
      h.mock.admin.gep.force(userReqNo, 'complete');
      await h.gep.apply(req);
      const statuses: unknown[] = [];
      for (let i = 0; i < 3; i++) statuses.push(resultOf(await h.gep.queryCardOperate({ userReqNo }))['status']);
      return { statuses };
    },
  },
  'gep/elementsVanish': {
    rule: 'gep.apply.outcome.elementsStay',
    expected: { cardNumbersValid: [true, true, true] },
    run: async (h) => {
      const req = gepRequest();
      h.mock.admin.gep.force(String(req['userReqNo']), 'complete');
      const cardId = String(resultOf(await h.gep.apply(req))['cardId']);
      const cardNumbersValid: boolean[] = [];
      for (let i = 0; i < 3; i++) cardNumbersValid.push(luhnValid(String(resultOf(await h.gep.info({ cardId }))['cardNo'] ?? '')));
      return { cardNumbersValid };
    },
  },
  'gep/infoOtherCurrency': {
    rule: 'gep.apply.info.agreesWithApply',
    expected: { disagreements: [] },
    run: async (h) => {
      const req = gepRequest();
      h.mock.admin.gep.force(String(req['userReqNo']), 'complete');
      const apply = await h.gep.apply(req);
      const info = await h.gep.info({ cardId: String(resultOf(apply)['cardId']) });
      const pairs = compareFollowUp('gep', 'apply', 'info', { request: req, response: apply.body }, info.body);
      expect(pairs.length).toBeGreaterThan(0);
      return { disagreements: pairs.filter((p) => !p.agrees).map((p) => p.message) };
    },
  },
  'gep/queryOtherAmount': {
    rule: 'gep.apply.queryCardOperate.agreesWithApply',
    expected: { amount: '100.00', disagreements: [] },
    run: async (h) => {
      const req = gepRequest({ authLimitAmount: '100' });
      const userReqNo = String(req['userReqNo']);
      h.mock.admin.gep.force(userReqNo, 'complete');
      const apply = await h.gep.apply(req);
      const query = await h.gep.queryCardOperate({ userReqNo });
      const pairs = compareFollowUp('gep', 'apply', 'queryCardOperate', { request: req, response: apply.body }, query.body);
      expect(pairs.length).toBeGreaterThan(0);
      return { amount: resultOf(query)['amount'], disagreements: pairs.filter((p) => !p.agrees).map((p) => p.message) };
    },
  },
};

// ---------------------------------------------------------------------------------------------------
// Triggers per mechanism

async function ignoreTrigger(expect: ExpectStatic, d: Deviation, dev: Harness): Promise<void> {
  const r = rule(d.ruleId);
  const cases = invalidCases(d.provider, OPERATION[d.provider], genContext(d.provider), 2, SEED).filter((c) => c.rules[0] === d.ruleId);
  expect(cases.length, `no violation case for ${d.ruleId}`).toBeGreaterThan(0);
  const acceptedByDeviant: Case[] = [];
  for (const c of cases) {
    const f = await send(faithful, d.provider, c.value);
    expect({ note: c.note, accepted: accepted(f), code: codeOf(f) }).toEqual({
      note: c.note,
      accepted: false,
      code: cat.expectedCode(r, c.way),
    });
    if (accepted(await send(dev, d.provider, c.value))) acceptedByDeviant.push(c);
  }
  expect(
    acceptedByDeviant.length,
    `${d.name} refused every violation of ${d.ruleId}: ${cases.map((c) => c.note).join('; ')}`,
  ).toBeGreaterThan(0);
}

async function tightenTrigger(expect: ExpectStatic, d: Deviation, dev: Harness): Promise<void> {
  const r = rule(d.ruleId);
  const cases = validCases(d.provider, OPERATION[d.provider], genContext(d.provider), 1, SEED).filter((c) => c.rules[0] === d.ruleId);
  expect(cases.length, `no boundary case for ${d.ruleId}`).toBeGreaterThan(0);
  let refusedForTheRule = 0;
  for (const c of cases) {
    const f = await send(faithful, d.provider, c.value);
    expect({ note: c.note, accepted: accepted(f) }, JSON.stringify(f.body)).toEqual({ note: c.note, accepted: true });
    const v = await send(dev, d.provider, c.value);
    if (!accepted(v) && codesOf(r).has(String(codeOf(v))) && message(v).includes(r.title)) refusedForTheRule++;
  }
  expect(refusedForTheRule, `${d.name} accepted every boundary of ${d.ruleId}`).toBeGreaterThan(0);
}

/**
 * `predicate`: the rule judged by the deviation's own predicate differs from the kind's on one class of
 * values: a violation of the rule that the faithful mock refuses and the deviant accepts, or a valid
 * edge of the rule that the faithful mock accepts and the deviant refuses naming the rule.
 */
async function predicateTrigger(expect: ExpectStatic, d: Deviation, dev: Harness): Promise<void> {
  const r = rule(d.ruleId);
  let g = genContext(d.provider);
  let own = faithful;
  if (d.clock) {
    // visible only at some hours: both mocks' clocks stopped at the deviation's instant, "today" taken there
    const at = Date.parse(d.clock);
    own = await harness();
    for (const h of [own, dev]) h.clock.freeze(at);
    g = { ...g, today: todayIn(cat.profiles[d.provider].timeZone, new Date(at)) };
  }
  const violations = invalidCases(d.provider, OPERATION[d.provider], g, 2, SEED).filter((c) => c.rules[0] === d.ruleId);
  const edges = validCases(d.provider, OPERATION[d.provider], g, 1, SEED).filter((c) => c.rules[0] === d.ruleId);
  expect(violations.length + edges.length, `no case decides ${d.ruleId}`).toBeGreaterThan(0);
  const differs: string[] = [];
  for (const c of violations) {
    const f = await send(own, d.provider, c.value);
    expect({ note: c.note, accepted: accepted(f) }).toEqual({ note: c.note, accepted: false });
    if (accepted(await send(dev, d.provider, c.value))) differs.push(`accepts ${c.note}`);
  }
  for (const c of edges) {
    const f = await send(own, d.provider, c.value);
    expect({ note: c.note, accepted: accepted(f) }).toEqual({ note: c.note, accepted: true });
    const v = await send(dev, d.provider, c.value);
    if (!accepted(v) && message(v).includes(r.title)) differs.push(`refuses ${c.note}`);
  }
  expect(differs.length, `${d.name} judged every case of ${d.ruleId} as the faithful mock does`).toBeGreaterThan(0);
}

/** `refuses`: a valid request of the class the deviation refuses is accepted by the faithful mock and refused by the deviant. */
async function refusesTrigger(expect: ExpectStatic, d: Deviation, dev: Harness): Promise<void> {
  const cases = validCases(d.provider, OPERATION[d.provider], genContext(d.provider), 4, SEED).filter(
    (c) => typeof c.value === 'object' && d.refuses!(c.value as Record<string, unknown>),
  );
  expect(cases.length, `no valid case of the class ${d.name} refuses`).toBeGreaterThan(0);
  let refused = 0;
  for (const c of cases) {
    expect({ note: c.note, accepted: accepted(await send(faithful, d.provider, c.value)) }).toEqual({ note: c.note, accepted: true });
    if (!accepted(await send(dev, d.provider, c.value))) refused++;
  }
  expect(refused).toBe(cases.length);
}

async function answerTrigger(expect: ExpectStatic, d: Deviation, dev: Harness): Promise<void> {
  const r = rule(d.ruleId);
  expect(r.side).toBe('response');
  const g = genContext(d.provider);
  const candidates = [
    d.provider === 'alchemy' ? alchemyRequest() : gepRequest({ binRangeId: '438357' }),
    ...validCases(d.provider, OPERATION[d.provider], g, 4, SEED).map((c) => c.value),
  ];
  for (const value of candidates) {
    const f = await send(faithful, d.provider, value, true);
    if (envelopeOf(f)['success'] !== true || evaluate(r, f.body, answerContext(d.provider, f.request.body)).holds !== true) continue;
    const v = await send(dev, d.provider, value, true);
    expect(v.problem).toBeUndefined();
    expect(evaluate(r, v.body, answerContext(d.provider, v.request.body)), JSON.stringify(v.body)).toEqual({ holds: false });
    return;
  }
  throw new Error(`${d.name}: no valid request whose faithful answer decides ${d.ruleId}`);
}

async function flagScenario(expect: ExpectStatic, d: Deviation): Promise<void> {
  const key = `${d.provider}/${d.flag}`;
  const s = SCENARIOS[key];
  if (!s) throw new Error(`${d.name}: no scenario for flag ${key} (add one to SCENARIOS)`);
  expect(s.rule, `the ${key} scenario observes another rule`).toBe(d.ruleId);
  const [own, dev] = await Promise.all([harness([], s.timeScale), harness([d.name], s.timeScale)]);
  const [fo, dv] = await Promise.all([s.run(own), s.run(dev)]);
  expect(fo, `faithful mock, ${key}`).toEqual(s.expected);
  expect(dv, `${d.name} behaves like the faithful mock`).not.toEqual(fo);
}

describe('the deviation catalogue', () => {
  it('every deviation has a unique name, one mechanism and a rule of the catalogue', () => {
    expect(DEVIATIONS.length).toBeGreaterThan(0);
    expect(new Set(DEVIATIONS.map((d) => d.name)).size).toBe(DEVIATIONS.length);
    for (const d of DEVIATIONS) {
      expect(cat.byId.has(d.ruleId), `${d.name}: ${d.ruleId}`).toBe(true);
      expect(rule(d.ruleId).provider).toBe(d.provider);
      expect(() => mechanismOf(d)).not.toThrow();
    }
  });

  it('every scenario belongs to a deviation (no stale scenario)', () => {
    const keys = new Set(DEVIATIONS.filter((d) => d.flag).map((d) => `${d.provider}/${d.flag}`));
    expect(Object.keys(SCENARIOS).filter((k) => !keys.has(k))).toEqual([]);
  });
});

describe.concurrent('each deviation: the faithful and the deviant mock differ on its rule', () => {
  it.for(DEVIATIONS.map((d) => [`${d.name} (${mechanismOfSafe(d)}, ${d.ruleId})`, d] as const))('%s', async ([, d], { expect }) => {
    const mechanism = mechanismOf(d);
    if (mechanism === 'flag') return flagScenario(expect, d);
    const dev = await harness([d.name]);
    if (mechanism === 'ignore') return ignoreTrigger(expect, d, dev);
    if (mechanism === 'tighten') return tightenTrigger(expect, d, dev);
    if (mechanism === 'predicate') return predicateTrigger(expect, d, dev);
    if (mechanism === 'refuses') return refusesTrigger(expect, d, dev);
    return answerTrigger(expect, d, dev);
  });
});

function mechanismOfSafe(d: Deviation): string {
  try {
    return mechanismOf(d);
  } catch {
    return 'no mechanism';
  }
}
