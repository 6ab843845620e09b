/**
 * The embedded GEP simulator, driven over HTTP on 127.0.0.1 through the typed client (dataContent
 * sealed with the merchant key, result opened with the platform key). Every request rule of the
 * catalogue is accepted at its boundaries and refused one violation at a time with the profile's code;
 * then the named rules (dates in Asia/Shanghai, conditional fields, BINs, expiry, balance, userReqNo),
 * the pending and incomplete outcomes and their follow-up queries, idempotency under concurrency, and
 * bad input.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invalidCases, validCases } from '../../properties/cases.ts';
import { addDays } from '../../properties/generate.ts';
import { createGepClient } from '../../src/client/gep.ts';
import type { CallResult } from '../../src/client/types.ts';
import { GEP_SETTLE_SECONDS } from '../../src/mock/gep.ts';
import { encodeSealed } from '../../src/wire/gep-envelope.ts';
import { generateTestKeyPair } from '../../src/wire/keys.ts';
import { luhnValid } from '../../src/wire/luhn.ts';
import { examples } from '../helpers/fixtures.ts';
import {
  accepted,
  adminPost,
  brokenResponseRules,
  CODES,
  cat,
  envelopeOf,
  expectNoInsides,
  freshOrder,
  genContext,
  type Harness,
  newTransport,
  resultOf,
  startHarness,
  todayOf,
  uid,
  until,
} from './support.ts';

const SEED = 8_140;
const profile = cat.profiles.gep;
const FIELD = profile.fieldRuleCode;
const PENDING = '140001';
const rule = (id: string) => {
  const r = cat.byId.get(id);
  if (!r) throw new Error(`no rule ${id} in the catalogue`);
  return r;
};

const transport = newTransport();
let h: Harness;
beforeAll(async () => {
  h = await startHarness(transport, { timeScale: 0.002, seed: SEED });
});
afterAll(async () => {
  await h?.close();
  await transport.close();
});

const today = () => todayOf('gep');
/** The seed's own request, dates moved to today (Asia/Shanghai) and a year on, with a fresh userReqNo. */
function seedRequest(over: Record<string, unknown> = {}): Record<string, unknown> {
  const t = today();
  const req: Record<string, unknown> = {
    ...examples.gepApplyRequest(),
    startDate: t,
    endDate: addDays(t, 365),
    userReqNo: uid('g'),
    ...over,
  };
  for (const [k, v] of Object.entries(over)) if (v === undefined) delete req[k];
  return req;
}
/** A regular card on the default BIN: no BIN, no cardUserId. */
const plainRequest = (over: Record<string, unknown> = {}) =>
  seedRequest({ binRangeId: undefined, cardUserId: undefined, groupId: undefined, ...over });
/** A subsidiary card of a shared group. */
const subsidiaryRequest = (over: Record<string, unknown> = {}) =>
  plainRequest({ channelType: '2', groupId: 'grp-0001', authLimitAmount: undefined, enableCurrencyCheck: undefined, ...over });

const forceOutcome = (req: Record<string, unknown>, outcome: 'complete' | 'incomplete' | 'pending') =>
  h.mock.admin.gep.force(String(req['userReqNo']), outcome);
/** Applies with the outcome forced to complete: the answer carries every card element. */
async function applyComplete(req: Record<string, unknown>): Promise<CallResult> {
  forceOutcome(req, 'complete');
  return h.gep.apply(req);
}

function expectAccepted(r: CallResult): void {
  const e = envelopeOf(r);
  expect(r.problem).toBeUndefined();
  expect(accepted(r), JSON.stringify(e)).toBe(true);
  if (e['success'] === true) {
    const incomplete = resultOf(r)['cardNo'] === '';
    expect(brokenResponseRules(r, { allowIncomplete: incomplete })).toEqual([]);
  }
}

function expectComplete(r: CallResult): Record<string, unknown> {
  const e = envelopeOf(r);
  expect(r.problem).toBeUndefined();
  expect(e, JSON.stringify(e)).toMatchObject({ success: true, errorCode: '' });
  expect(brokenResponseRules(r)).toEqual([]);
  return resultOf(r);
}

/** Refused with `code` in the provider's envelope: HTTP 200, success false, nothing leaked. */
function expectRefusal(r: CallResult, code: string): void {
  const e = envelopeOf(r);
  expect(r.problem).toBeUndefined();
  expect(r.status).toBe(200);
  expect(e, JSON.stringify(e)).toMatchObject({ success: false, errorCode: code });
  expect(typeof e['errorMsg']).toBe('string');
  expect(e['result'] ?? '').toBe('');
  expect(CODES.gep.has(code)).toBe(true);
  expect(brokenResponseRules(r)).toEqual([]);
  expectNoInsides(r.rawBody);
}

const balanceOf = (currency: string) => h.mock.admin.gep.state().balances[currency];

describe('GEP mock: the positive control', () => {
  it('accepts the seed example (dates moved to today): Luhn card number of the requested BIN, expiry of endDate, currency echoed', async () => {
    const req = seedRequest();
    const result = expectComplete(await applyComplete(req));
    const cardNo = String(result['cardNo']);
    expect(cardNo).toMatch(/^\d{16}$/);
    expect(cardNo.startsWith(String(req['binRangeId']))).toBe(true);
    expect(luhnValid(cardNo)).toBe(true);
    expect(result['cardVerifyNo']).toMatch(/^\d{3}$/);
    const end = String(req['endDate']);
    expect(result['cardExpiryDate']).toBe(`${end.slice(5, 7)}/${end.slice(0, 4)}`);
    expect(result['localCurrency']).toBe(req['localCurrency']);
    expect(String(result['cardId'])).not.toBe('');
  });
});

describe('GEP mock: every request rule at its boundaries (cases from the catalogue)', () => {
  const g = genContext('gep');
  const VALID = validCases('gep', 'apply', g, 8, SEED);
  const INVALID = invalidCases('gep', 'apply', g, 3, SEED);

  it('every decidable request rule has a violation case, and the boundary rules valid cases', () => {
    const decidable = cat
      .rulesFor('gep', 'apply')
      .filter((r) => r.side === 'request' && !['acceptsValid', 'noUntabledFields'].includes(r.check.kind))
      .map((r) => r.id);
    expect(decidable.length).toBeGreaterThan(30);
    expect(decidable.filter((id) => !INVALID.some((c) => c.rules[0] === id))).toEqual([]);
    for (const id of [
      'gep.apply.startDate.notBeforeToday',
      'gep.apply.endDate.notBeforeStartDate',
      'gep.apply.userReqNo.maxLength',
      'gep.apply.airLineCode.requiredWhen',
    ]) {
      expect(
        VALID.some((c) => c.rules[0] === id),
        id,
      ).toBe(true);
    }
  });

  it.for(VALID.map((c, i) => [`#${i} ${c.note}`, c] as const))('accepts %s', async ([, c]) => {
    expectAccepted(await h.gep.call('apply', freshOrder(c.value, 'userReqNo')));
  });

  it.for(INVALID.map((c, i) => [`#${i} ${c.note} (${c.rules[0]})`, c] as const))(
    'refuses %s with its code, naming the rule',
    async ([, c]) => {
      const broken = rule(c.rules[0]!);
      const r = await h.gep.call('apply', c.value);
      // the rule, or a rule of the same field the mutation names as broken with it (the mock names the first)
      const named = [broken, ...(c.overlaps ?? []).map(rule)].find((x) => envelopeOf(r)['errorMsg'] === `${x.field}: ${x.title}`);
      expect(named, String(envelopeOf(r)['errorMsg'])).toBeDefined();
      expectRefusal(r, cat.expectedCode(named!, named === broken ? c.way : undefined));
    },
  );
});

describe('GEP mock: dates in Asia/Shanghai', () => {
  it('startDate = today in Asia/Shanghai is accepted, yesterday is refused with 110001', async () => {
    const t = today();
    expectAccepted(await h.gep.apply(seedRequest({ startDate: t })));
    expectRefusal(await h.gep.apply(seedRequest({ startDate: addDays(t, -1) })), FIELD);
  });

  it('at 17:00 UTC, "today" is already the next calendar day in Shanghai', async () => {
    const own = await startHarness(transport, { timeScale: 0.002 });
    try {
      own.clock.freeze(Date.UTC(2030, 0, 1, 17, 0, 0));
      const req = (startDate: string) => seedRequest({ startDate, endDate: '2030-12-31' });
      expectAccepted(await own.gep.apply(req('2030-01-02')));
      expectRefusal(await own.gep.apply(req('2030-01-01')), FIELD);
    } finally {
      await own.close();
    }
  });

  it('endDate = startDate is accepted, the day before startDate is refused with 110001', async () => {
    const start = addDays(today(), 10);
    expectAccepted(await h.gep.apply(seedRequest({ startDate: start, endDate: start })));
    expectRefusal(await h.gep.apply(seedRequest({ startDate: start, endDate: addDays(start, -1) })), FIELD);
  });
});

describe('GEP mock: conditional fields', () => {
  it('authLimitAmount is required for channelType 1 and for the default channel', async () => {
    expectAccepted(await h.gep.apply(plainRequest({ channelType: '1' })));
    expectAccepted(await h.gep.apply(plainRequest({ channelType: undefined })));
    expectRefusal(await h.gep.apply(plainRequest({ channelType: '1', authLimitAmount: undefined })), FIELD);
    expectRefusal(await h.gep.apply(plainRequest({ channelType: undefined, authLimitAmount: undefined })), FIELD);
  });

  it('groupId is required for channelType 2 (which needs no authLimitAmount)', async () => {
    expectAccepted(await h.gep.apply(subsidiaryRequest()));
    expectRefusal(await h.gep.apply(subsidiaryRequest({ groupId: undefined })), FIELD);
  });

  it('cardUserId is required with BIN 485932', async () => {
    expectAccepted(await h.gep.apply(plainRequest({ binRangeId: '485932', cardUserId: '2408070955000000409' })));
    expectRefusal(await h.gep.apply(plainRequest({ binRangeId: '485932' })), FIELD);
  });

  it('airLineCode is required with the random BIN 000000, and sceneCode must then be 1004 (or absent)', async () => {
    const random = (over: Record<string, unknown>) => plainRequest({ binRangeId: '000000', airLineCode: 'AA', ...over });
    expectAccepted(await h.gep.apply(random({})));
    expectAccepted(await h.gep.apply(random({ sceneCode: '1004' })));
    expectRefusal(await h.gep.apply(random({ airLineCode: undefined })), FIELD);
    expectRefusal(await h.gep.apply(random({ sceneCode: '1005' })), FIELD);
  });

  it('a BIN that is not digits is refused with 110001, not a crash', async () => {
    expectAccepted(await h.gep.apply(plainRequest({ binRangeId: '438357' })));
    expectRefusal(await h.gep.apply(plainRequest({ binRangeId: 'ABCDEF' })), FIELD);
  });
});

describe('GEP mock: the card it makes', () => {
  it('the default BINs are 222929 (regular) and 493193 (subsidiary), and the card number starts with them', async () => {
    expect(cat.operation('gep', 'apply').defaults['binRangeId']?.by?.values).toEqual({ '1': '222929', '2': '493193' });
    expect(String(expectComplete(await applyComplete(plainRequest()))['cardNo'])).toMatch(/^222929\d{10}$/);
    expect(String(expectComplete(await applyComplete(subsidiaryRequest()))['cardNo'])).toMatch(/^493193\d{10}$/);
  });

  it('card numbers are Luhn-valid and start with the requested BIN; the random BIN gives a Luhn-valid number too', async () => {
    for (const bin of ['438357', '222929', '493193', '48682100']) {
      const req = plainRequest({ binRangeId: bin, cardUserId: 'u-1' });
      const cardNo = String(expectComplete(await applyComplete(req))['cardNo']);
      expect(cardNo.startsWith(bin), `${cardNo} for ${bin}`).toBe(true);
      expect(luhnValid(cardNo), cardNo).toBe(true);
    }
    const random = String(expectComplete(await applyComplete(plainRequest({ binRangeId: '000000', airLineCode: 'AA' })))['cardNo']);
    expect(random).toMatch(/^\d{16}$/);
    expect(luhnValid(random)).toBe(true);
  });

  it('the expiry is MM/yyyy of endDate', async () => {
    for (const endDate of ['2031-01-31', '2032-02-29', '2040-12-01']) {
      expect(expectComplete(await applyComplete(plainRequest({ endDate })))['cardExpiryDate']).toBe(
        `${endDate.slice(5, 7)}/${endDate.slice(0, 4)}`,
      );
    }
  });
});

describe('GEP mock: the currency account', () => {
  it('an opened card debits its authLimitAmount; a limit above the balance is refused with 110005 and debits nothing', async () => {
    h.mock.admin.gep.setBalance('XTS', '150.00');
    expectComplete(await applyComplete(plainRequest({ localCurrency: 'XTS', authLimitAmount: '100' })));
    expect(balanceOf('XTS')).toBe('50.00');
    const short = plainRequest({ localCurrency: 'XTS', authLimitAmount: '50.01' });
    const cardsBefore = h.mock.admin.gep.state().cards;
    expectRefusal(await h.gep.apply(short), cat.expectedCode(rule('gep.apply.authLimitAmount.insufficientBalance')));
    expect(balanceOf('XTS')).toBe('50.00');
    expect(h.mock.admin.gep.state().cards).toBe(cardsBefore);
    expect(h.mock.admin.gep.state().orders[String(short['userReqNo'])]).toBeUndefined();
    expectComplete(await applyComplete(plainRequest({ localCurrency: 'XTS', authLimitAmount: '50.00' })));
    expect(balanceOf('XTS')).toBe('0.00');
  });

  it('the same userReqNo twice answers the same card and debits once', async () => {
    h.mock.admin.gep.setBalance('XBA', '1000.00');
    const req = plainRequest({ localCurrency: 'XBA', authLimitAmount: '120.50' });
    const first = expectComplete(await applyComplete(req));
    const second = expectComplete(await h.gep.apply(req));
    expect(second['cardId']).toBe(first['cardId']);
    expect(second['orderId']).toBe(first['orderId']);
    expect(balanceOf('XBA')).toBe('879.50');
    expect(h.mock.admin.gep.state().orders[String(req['userReqNo'])]).toBe(1);
  });
});

describe('GEP mock: pending and incomplete outcomes, followed up', () => {
  const statusOf = async (userReqNo: string) => resultOf(await h.gep.queryCardOperate({ userReqNo }))['status'];
  const settleLimitMs = () => GEP_SETTLE_SECONDS.max * h.msPerSecond * 20 + 2_000;

  it('pending (forced over the admin surface): 140001, queryCardOperate 1 then 2, then info has every element', async () => {
    const req = plainRequest();
    const userReqNo = String(req['userReqNo']);
    await adminPost(h.url, '/__mock/gep/outcome', { userReqNo, outcome: 'pending' });
    const r = await h.gep.apply(req);
    expect(envelopeOf(r)).toMatchObject({ success: false, errorCode: PENDING });
    const first = await h.gep.queryCardOperate({ userReqNo });
    const op = resultOf(first);
    expect(op).toMatchObject({ userReqNo, opType: 0, status: 1 });
    const cardId = String(op['cardId']);
    expect(envelopeOf(await h.gep.info({ cardId }))).toMatchObject({ success: false, errorCode: PENDING });
    const seen: unknown[] = [1];
    const settled = await until(async () => {
      const s = await statusOf(userReqNo);
      if (seen.at(-1) !== s) seen.push(s);
      return s === 2 ? s : undefined;
    }, settleLimitMs());
    expect(settled).toBe(2);
    expect(seen).toEqual([1, 2]);
    const info = resultOf(await h.gep.info({ cardId }));
    expect(info).toMatchObject({ cardId, localCurrency: req['localCurrency'], cardStatus: 'ACTIVE' });
    expect(String(info['cardNo'])).toMatch(/^222929\d{10}$/);
    expect(luhnValid(String(info['cardNo']))).toBe(true);
    expect(info['cardVerifyNo']).toMatch(/^\d{3}$/);
    const end = String(req['endDate']);
    expect(info['cardExpiryDate']).toBe(`${end.slice(5, 7)}/${end.slice(0, 4)}`);
    // The same userReqNo now answers the settled card.
    expect(expectComplete(await h.gep.apply(req))['cardId']).toBe(cardId);
  });

  it('incomplete: success with empty card elements, which info fills in later', async () => {
    const req = plainRequest();
    forceOutcome(req, 'incomplete');
    const r = await h.gep.apply(req);
    const result = resultOf(r);
    expect(envelopeOf(r)).toMatchObject({ success: true, errorCode: '' });
    expect(result).toMatchObject({ cardNo: '', cardVerifyNo: '', cardExpiryDate: '', localCurrency: req['localCurrency'] });
    expect(String(result['cardId'])).not.toBe('');
    // The elements' presence rules allow this only because they may arrive later.
    expect(brokenResponseRules(r, { allowIncomplete: true })).toEqual([]);
    expect(brokenResponseRules(r)).toEqual([
      'gep.apply.response.result.cardNo.required',
      'gep.apply.response.result.cardVerifyNo.required',
      'gep.apply.response.result.cardExpiryDate.required',
    ]);
    const cardId = String(result['cardId']);
    const filled = await until(async () => {
      const info = resultOf(await h.gep.info({ cardId }));
      return info['cardNo'] ? info : undefined;
    }, settleLimitMs());
    expect(filled).toBeDefined();
    expect(luhnValid(String(filled!['cardNo']))).toBe(true);
    expect(filled!['cardVerifyNo']).toMatch(/^\d{3}$/);
    expect(filled!['cardExpiryDate']).toMatch(/^\d{2}\/\d{4}$/);
  });

  it('queryCardOperate and info of an unknown order answer 120001 (empty result)', async () => {
    expectRefusal(await h.gep.queryCardOperate({ userReqNo: uid('nobody') }), '120001');
    expectRefusal(await h.gep.info({ cardId: '0000000000000000000' }), '120001');
  });
});

describe('GEP mock: idempotency under concurrency', () => {
  it('100 concurrent applies with one userReqNo: one card, one debit, the same answer', async () => {
    h.mock.admin.gep.setBalance('XBB', '150.00');
    const req = plainRequest({ localCurrency: 'XBB', authLimitAmount: '100' });
    forceOutcome(req, 'complete');
    const results = await Promise.all(Array.from({ length: 100 }, () => h.gep.apply(req)));
    expect(results.every((r) => envelopeOf(r)['success'] === true)).toBe(true);
    expect(new Set(results.map((r) => resultOf(r)['cardId'])).size).toBe(1);
    expect(h.mock.admin.gep.state().orders[String(req['userReqNo'])]).toBe(1);
    expect(balanceOf('XBB')).toBe('50.00');
  });

  it('100 concurrent applies with distinct userReqNos and a balance for 10: 10 cards, 90 × 110005, balance 0.00, never below', async () => {
    h.mock.admin.gep.setBalance('XBC', '1000.00');
    const reqs = Array.from({ length: 100 }, () => plainRequest({ localCurrency: 'XBC', authLimitAmount: '100' }));
    const results = await Promise.all(reqs.map((req) => h.gep.apply(req)));
    expect(results.filter(accepted)).toHaveLength(10);
    expect(results.filter((r) => envelopeOf(r)['errorCode'] === '110005')).toHaveLength(90);
    expect(balanceOf('XBC')).toBe('0.00');
    const orders = h.mock.admin.gep.state().orders;
    expect(reqs.filter((r) => orders[String(r['userReqNo'])] === 1)).toHaveLength(10);
  });
});

describe('GEP mock: bad input gets the provider envelope, never a crash', () => {
  const encryption = () => cat.expectedCode(rule('gep.apply.auth.encryption'));

  it('a body that is not the form → 110001', async () => {
    expectRefusal(await h.gep.apply(plainRequest(), { rawBody: 'this is not a form &&&=%%%' }), FIELD);
  });

  it('a wrong content type → 110001', async () => {
    expectRefusal(await h.gep.apply(plainRequest(), { contentType: 'application/json' }), FIELD);
  });

  it('an empty body → 110001', async () => {
    expectRefusal(await h.gep.apply(plainRequest(), { rawBody: '' }), FIELD);
  });

  it('a dataContent sealed with another key → 110001; garbage hex → 110001', async () => {
    const stranger = generateTestKeyPair(1024);
    const req = plainRequest();
    expectRefusal(await h.gep.apply(req, { rawDataContent: encodeSealed(req, stranger.privateKey) }), encryption());
    expectRefusal(await h.gep.apply(req, { rawDataContent: 'zz'.repeat(128) }), encryption());
    expect(h.mock.admin.gep.state().orders[String(req['userReqNo'])]).toBeUndefined();
  });

  it('a wrong userNo → 110001', async () => {
    const keys = h.mock.client.gep!;
    const other = createGepClient(
      {
        baseUrl: h.url,
        userNo: '9999999999999999999',
        certificateId: keys.certificateId,
        merchantPrivateKey: keys.merchantPrivateKey,
        platformPublicKey: keys.platformPublicKey,
      },
      { transport, retries: 0 },
    );
    expectRefusal(await other.apply(plainRequest()), FIELD);
  });

  it('a 10 MB body → 413, nothing leaked, and the mock keeps serving', async () => {
    const res = await request(`${h.url}${profile.calls.find((c) => c.operation === 'apply')!.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: Buffer.alloc(10 * 1024 * 1024, 0x61),
    });
    const text = await res.body.text();
    expect(res.statusCode).toBe(413);
    expectNoInsides(text);
    expectComplete(await applyComplete(plainRequest()));
  });
});
