/**
 * The follow-up agreement: pairs read from the contracts' table, compared as text, as amounts (numeric,
 * not textual) or as a prefix; absent sides not compared; secret values never printed. Hand-written
 * answers, positive case first.
 */
import { describe, expect, it } from 'vitest';
import { agreementOf, canonicalAmount, compareFollowUp, followUpsOf } from '../../src/conformance/agreement.ts';

const gepRequest = { userReqNo: 'r-1', localCurrency: 'USD', authLimitAmount: '100', binRangeId: '438357', channelType: '1' };
const gepResult = {
  orderId: '2408142015001005713',
  cardId: '2408142015000001190',
  localCurrency: 'USD',
  cardNo: '4383570000000001',
  cardVerifyNo: '123',
  cardExpiryDate: '01/2026',
};
const sides = { request: gepRequest, response: { success: true, result: gepResult } };
const bad = (o: ReturnType<typeof compareFollowUp>) => o.filter((x) => !x.agrees);

describe('canonicalAmount', () => {
  it('spells equal decimals alike and refuses what is not a decimal', () => {
    expect(canonicalAmount('100')).toBe('100');
    expect(canonicalAmount('100.00')).toBe('100');
    expect(canonicalAmount(100)).toBe('100');
    expect(canonicalAmount('0100.50')).toBe('100.5');
    expect(canonicalAmount('0.00')).toBe('0');
    expect(canonicalAmount('10.01')).not.toBe(canonicalAmount('10.1'));
    expect(canonicalAmount('1e3')).toBeUndefined();
    expect(canonicalAmount('')).toBeUndefined();
    expect(canonicalAmount('ten')).toBeUndefined();
  });
});

describe('the agreement table', () => {
  it('names the follow-ups of each create and ties each to its rule', () => {
    expect(followUpsOf('gep', 'apply')).toEqual(['info', 'queryCardOperate']);
    expect(followUpsOf('alchemy', 'create')).toEqual(['info']);
    expect(agreementOf('gep', 'apply', 'queryCardOperate').rule.id).toBe('gep.apply.queryCardOperate.agreesWithApply');
    expect(agreementOf('alchemy', 'create', 'info').rule.id).toBe('alchemy.create.info.agreesWithCreate');
  });
});

describe('GEP operation query against the apply', () => {
  const query = { result: { orderId: gepResult.orderId, cardId: gepResult.cardId, userReqNo: 'r-1', status: 2, amount: '100.00' } };

  it('agrees when the query says the same, "100.00" for "100" included', () => {
    const o = compareFollowUp('gep', 'apply', 'queryCardOperate', sides, query);
    expect(o.map((x) => x.pair.to).sort()).toEqual(['result.amount', 'result.cardId', 'result.orderId', 'result.userReqNo']);
    expect(bad(o)).toEqual([]);
  });

  it('finds an amount in cents where the decimal was asked for', () => {
    const o = compareFollowUp('gep', 'apply', 'queryCardOperate', sides, { result: { ...query.result, amount: '10000' } });
    expect(bad(o).map((x) => x.message)).toEqual([
      'queryCardOperate result.amount = "10000" is another amount than request.authLimitAmount = "100"',
    ]);
  });

  it('finds another order and another card', () => {
    const o = compareFollowUp('gep', 'apply', 'queryCardOperate', sides, { result: { ...query.result, orderId: '1', cardId: '2' } });
    expect(bad(o).map((x) => x.pair.to)).toEqual(['result.orderId', 'result.cardId']);
  });

  it('compares nothing the apply did not carry: a pending apply has no result', () => {
    const o = compareFollowUp('gep', 'apply', 'queryCardOperate', { request: gepRequest }, { result: { ...query.result, orderId: 'x' } });
    expect(o.map((x) => x.pair.to).sort()).toEqual(['result.amount', 'result.userReqNo']);
    expect(bad(o)).toEqual([]);
  });
});

describe('GEP card query against the apply', () => {
  const info = { result: { ...gepResult, cardStatus: 'ACTIVE', availableAmount: '100.00' } };
  delete (info.result as Record<string, unknown>)['orderId'];

  it('agrees on card, currency, elements and BIN', () => {
    const o = compareFollowUp('gep', 'apply', 'info', sides, info);
    expect(o.length).toBe(6);
    expect(bad(o)).toEqual([]);
  });

  it('finds another currency, and never prints a card number or CVV', () => {
    const other = { result: { ...info.result, localCurrency: 'EUR', cardNo: '5555550000000001', cardVerifyNo: '999' } };
    const o = bad(compareFollowUp('gep', 'apply', 'info', sides, other));
    expect(o.map((x) => x.pair.to)).toEqual(['result.localCurrency', 'result.cardNo', 'result.cardVerifyNo', 'result.cardNo']);
    const text = o.map((x) => x.message).join('\n');
    expect(text).toContain('"EUR"');
    expect(text).toContain('does not start with request.binRangeId = "438357" (values withheld)');
    for (const secret of ['5555550000000001', gepResult.cardNo, '999', gepResult.cardVerifyNo]) expect(text).not.toContain(secret);
  });

  it('leaves empty elements of an incomplete card uncompared', () => {
    const incomplete = { result: { ...info.result, cardNo: '', cardVerifyNo: '', cardExpiryDate: '' } };
    const o = compareFollowUp('gep', 'apply', 'info', sides, incomplete);
    expect(o.map((x) => x.pair.to).sort()).toEqual(['result.cardId', 'result.localCurrency']);
  });

  it('holds the default BIN of the card type when none is sent, and no BIN at all for the random one', () => {
    const { binRangeId: _b, ...noBin } = gepRequest;
    const o = bad(compareFollowUp('gep', 'apply', 'info', { request: noBin }, info));
    expect(o.map((x) => x.message)).toEqual(['info result.cardNo does not start with request.binRangeId = "222929" (values withheld)']);
    const random = compareFollowUp('gep', 'apply', 'info', { request: { ...gepRequest, binRangeId: '000000' } }, info);
    expect(random.some((x) => x.pair.from === 'request.binRangeId')).toBe(false);
  });
});

describe('Alchemy card detail against the create and its callback', () => {
  const request = { vid: 'USD', deposit: '1000', orderNo: 'o-1', cardHolder: { firstName: 'Milton', lastName: 'Schmitt' } };
  const card = { cardId: 'card_1', deposit: '1000', cardBin: '428852', last4: '0001', number: '4288520000000001', cvc: '123' };
  const callback = { eventType: 'CREATE_CARD', data: { ...card, orderNo: 'o-1', expYear: '2028', expMonth: '01' } };
  const info = { model: { cardHolder: { firstName: 'Milton', lastName: 'Schmitt' }, card: { ...card, expYear: '2028', expMonth: '01' } } };

  it('agrees when the detail describes the created card', () => {
    const o = compareFollowUp('alchemy', 'create', 'info', { request, callback }, info);
    expect(o.length).toBe(11);
    expect(bad(o)).toEqual([]);
  });

  it('finds a deposit in dollars where every amount is in cents, and swapped names', () => {
    const wrong = {
      model: { cardHolder: { firstName: 'Schmitt', lastName: 'Milton' }, card: { ...info.model.card, deposit: '10.00' } },
    };
    const o = bad(compareFollowUp('alchemy', 'create', 'info', { request, callback }, wrong));
    expect(o.map((x) => `${x.pair.from} ↔ ${x.pair.to}`)).toEqual([
      'request.deposit ↔ model.card.deposit',
      'request.cardHolder.firstName ↔ model.cardHolder.firstName',
      'request.cardHolder.lastName ↔ model.cardHolder.lastName',
      'callback.data.deposit ↔ model.card.deposit',
    ]);
  });

  it('compares the callback pairs only once a callback arrived', () => {
    const o = compareFollowUp('alchemy', 'create', 'info', { request }, info);
    expect(o.every((x) => x.pair.from.startsWith('request.'))).toBe(true);
  });
});
