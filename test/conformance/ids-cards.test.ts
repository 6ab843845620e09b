/**
 * Order numbers from the run id, and the cards list. The order number of a case is a hash of the run id,
 * the seed, the test and the case, cut to the length the case was generated at (within the catalogue's
 * maxLength); the cards list keeps what a team needs to close a card and nothing of the card itself.
 */
import { describe, expect, it } from 'vitest';
import type { CallResult } from '../../src/client/types.ts';
import { BudgetExhausted } from '../../src/conformance/budget.ts';
import { amountOf, CardLedger, mergeCards, openingOperation } from '../../src/conformance/cards.ts';
import { orderNumberRules, orderToken, TOKEN_LENGTH, uniquify } from '../../src/conformance/ids.ts';
import { catalogue } from '../../src/spec/catalogue.ts';
import { WireError } from '../../src/wire/errors.ts';

describe('orderToken', () => {
  it('is the same for the same run, seed, scope and case; another run id gives another', () => {
    const a = orderToken('run-a', 7, 'fX', 'a1');
    expect(a).toHaveLength(TOKEN_LENGTH);
    expect(orderToken('run-a', 7, 'fX', 'a1')).toBe(a);
    for (const other of [
      orderToken('run-b', 7, 'fX', 'a1'),
      orderToken('run-a', 8, 'fX', 'a1'),
      orderToken('run-a', 7, 'fY', 'a1'),
      orderToken('run-a', 7, 'fX', 'a2'),
    ])
      expect(other).not.toBe(a);
    expect(orderToken('run-a', 7, 'fX', 'a1', true)).toMatch(/^\d+$/);
  });

  it('two runs of 2,000 cases each share no order number, even cut to the shortest length sent', () => {
    const cut = (run: string) => new Set(Array.from({ length: 2000 }, (_, i) => orderToken(run, 1, 'f', `a${i}`).slice(-10)));
    const [a, b] = [cut('ci-job-1'), cut('ci-job-2')];
    expect(a.size).toBe(2000);
    expect(b.size).toBe(2000);
    expect([...a].filter((x) => b.has(x))).toEqual([]);
  });
});

describe('uniquify keeps the catalogue limits of the order number', () => {
  for (const [provider, operation] of [
    ['alchemy', 'create'],
    ['gep', 'apply'],
  ] as const) {
    it(`${provider}.${operation}: same length as generated (at least 10), never over maxLength, different per run`, () => {
      const { field, max } = orderNumberRules(provider, operation);
      expect(max).toBe((catalogue().byId.get(`${provider}.${operation}.${field}.maxLength`)!.check as { max: number }).max);
      for (const len of [1, 10, 17, 40, max]) {
        const body = { [field]: 'v'.repeat(len) };
        const a = uniquify(provider, operation, body, orderToken('r1', 1, 'f', 'k'))[field] as string;
        const b = uniquify(provider, operation, body, orderToken('r2', 1, 'f', 'k'))[field] as string;
        expect(a.length, `${len}`).toBe(Math.min(Math.max(len, 10), max));
        expect(a).not.toBe(b);
      }
    });
  }
});

const result = (provider: 'alchemy' | 'gep', operation: string, body: unknown): CallResult =>
  ({
    provider,
    operation,
    request: { method: 'POST', url: 'http://127.0.0.1:1/x', headers: {}, body: {}, wireBody: '' },
    status: 200,
    headers: {},
    rawBody: JSON.stringify(body),
    body,
  }) as unknown as CallResult;

describe('the cards list', () => {
  const gepOp = openingOperation('gep')!;
  const alOp = openingOperation('alchemy')!;
  const amount = amountOf('gep', gepOp);
  const alAmount = amountOf('alchemy', alOp);

  it('the catalogue names the opening call, the order number and the money field of each provider', () => {
    expect([alOp, gepOp]).toEqual(['create', 'apply']);
    expect(alAmount).toEqual({ field: 'deposit', currency: 'USD' });
    expect(amount).toEqual({ field: 'authLimitAmount', currencyField: 'localCurrency' });
  });

  it('lists an accepted apply with its card id, amount and currency, and nothing of the card', () => {
    const ledger = new CardLedger();
    const sent = { userReqNo: 'ord-1', authLimitAmount: 25, localCurrency: 'USD', cardHolderName: 'A B' };
    const answer = {
      success: true,
      errorCode: '',
      result: { orderId: 'o1', cardId: 'c-77', cardNo: '4111111111111111', cardVerifyNo: '123', cardExpiryDate: '2030-01' },
    };
    ledger.note('gep', gepOp, sent, result('gep', gepOp, answer));
    expect(ledger.list()).toEqual([
      {
        provider: 'gep',
        cardId: 'c-77',
        orderNo: 'ord-1',
        amount: '25',
        currency: 'USD',
        amountField: 'authLimitAmount',
        outcome: 'opened',
      },
    ]);
    const text = JSON.stringify(ledger.list());
    for (const secret of ['4111111111111111', '123"', '2030-01', 'A B']) expect(text).not.toContain(secret);
  });

  it('every create sent is listed with its outcome: refused (no card), or unknown when its answer never came', () => {
    const ledger = new CardLedger();
    const body = { orderNo: 'ord-2', deposit: '1000', vid: 'USD' };
    ledger.note('alchemy', alOp, body, result('alchemy', alOp, { success: false, code: '1002', msg: 'bad' }));
    expect(ledger.list()).toEqual([
      { provider: 'alchemy', orderNo: 'ord-2', amount: '1000', currency: 'USD', amountField: 'deposit', outcome: 'refused' },
    ]);
    ledger.clear();
    const call = { provider: 'alchemy', operation: alOp, url: 'http://127.0.0.1:1/open/api/card/create' };
    // a timeout after sending: it may have opened one
    ledger.note('alchemy', alOp, { ...body, orderNo: 'ord-3' }, undefined, new WireError(call, 'timeout', 'slow', { attempts: 1 }));
    expect(ledger.list()).toMatchObject([{ orderNo: 'ord-3', amount: '1000', currency: 'USD', outcome: 'unknown' }]);
    // no connection on the only attempt, or a name that does not resolve: nothing was sent
    ledger.note(
      'alchemy',
      alOp,
      { ...body, orderNo: 'ord-5' },
      undefined,
      new WireError(call, 'connect', 'x', { attempts: 1, code: 'ECONNREFUSED' }),
    );
    ledger.note(
      'alchemy',
      alOp,
      { ...body, orderNo: 'ord-6' },
      undefined,
      new WireError(call, 'connect', 'x', { attempts: 3, code: 'EAI_AGAIN' }),
    );
    expect(ledger.list().map((c) => c.orderNo)).toEqual(['ord-3']);
    // but a connect failure after earlier attempts may follow one that was sent
    ledger.note(
      'alchemy',
      alOp,
      { ...body, orderNo: 'ord-7' },
      undefined,
      new WireError(call, 'connect', 'x', { attempts: 2, code: 'ECONNREFUSED' }),
    );
    expect(ledger.list().map((c) => c.orderNo)).toEqual(['ord-3', 'ord-7']);
    // a budget that refused a create: it never left, so it is not listed (a run that sent 3 creates lists 3)
    ledger.note('alchemy', alOp, { ...body, orderNo: 'ord-8' }, undefined, new BudgetExhausted('requests'));
    expect(ledger.list().map((c) => c.orderNo)).toEqual(['ord-3', 'ord-7']);
  });

  it("merging: a refusal gives way to an unknown or opened outcome of the same order (a timed-out create's retry is refused as used)", () => {
    const card = { provider: 'alchemy' as const, orderNo: 'ord-9', amount: '1000' };
    expect(mergeCards([[{ ...card, outcome: 'refused' }], [{ ...card, outcome: 'unknown' }]])).toEqual([{ ...card, outcome: 'unknown' }]);
    expect(mergeCards([[{ ...card, outcome: 'opened' }], [{ ...card, outcome: 'refused' }]])).toEqual([{ ...card, outcome: 'opened' }]);
    expect(mergeCards([[{ ...card, outcome: 'refused' }], [{ ...card, outcome: 'refused' }]])).toEqual([{ ...card, outcome: 'refused' }]);
  });

  it("a later answer about the same order fills in the card id (Alchemy's create answer has none)", () => {
    const ledger = new CardLedger();
    const body = { orderNo: 'ord-4', deposit: '1000', vid: 'USD' };
    ledger.note('alchemy', alOp, body, result('alchemy', alOp, { success: true, code: '0', model: { activeLink: 'https://x/jwt' } }));
    expect(ledger.list()[0]).not.toHaveProperty('cardId');
    ledger.note(
      'alchemy',
      'info',
      { orderNo: 'ord-4' },
      result('alchemy', 'info', { success: true, model: { card: { cardId: 'k9', cvc: '999' } } }),
    );
    expect(ledger.list()).toEqual([expect.objectContaining({ orderNo: 'ord-4', cardId: 'k9', outcome: 'opened' })]);
    expect(JSON.stringify(ledger.list())).not.toMatch(/activeLink|jwt|999/);
    // the same order twice (an idempotency case) is one card
    ledger.note('alchemy', alOp, body, result('alchemy', alOp, { success: false, code: '2722' }));
    expect(ledger.list()).toHaveLength(1);
  });

  it('merging the workers keeps one card per order, the card id and the firmest outcome', () => {
    const base = { provider: 'gep' as const, orderNo: 'o', amount: '5' };
    expect(mergeCards([[{ ...base, outcome: 'unknown' }], [{ ...base, cardId: 'c', outcome: 'opened' }]])).toEqual([
      { ...base, cardId: 'c', outcome: 'opened' },
    ]);
  });
});
