/**
 * The embedded Alchemy Pay simulator, driven over HTTP on 127.0.0.1 through the typed client (signed
 * requests, the wire layer's transport). Every request rule of the catalogue is accepted at its
 * boundaries and refused one violation at a time with the profile's code; then the named boundaries,
 * the duplicate order, the lifecycle and the callback, idempotency under concurrency, and bad input.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invalidCases, validCases } from '../../properties/cases.ts';
import { createAlchemyClient } from '../../src/client/alchemy.ts';
import type { CallResult } from '../../src/client/types.ts';
import { ALCHEMY_STEP_SECONDS } from '../../src/mock/alchemy.ts';
import { getPath } from '../../src/spec/evaluate.ts';
import { luhnValid } from '../../src/wire/luhn.ts';
import { examples } from '../helpers/fixtures.ts';
import {
  brokenResponseRules,
  CODES,
  cat,
  envelopeOf,
  expectNoInsides,
  freshOrder,
  genContext,
  type Harness,
  newTransport,
  type Receiver,
  sleep,
  startHarness,
  startReceiver,
  uid,
  until,
} from './support.ts';

const SEED = 20_241;
const profile = cat.profiles.alchemy;
const rule = (id: string) => {
  const r = cat.byId.get(id);
  if (!r) throw new Error(`no rule ${id} in the catalogue`);
  return r;
};
const LIFECYCLE = profile.lifecycle!.order;
const ACTIVE = LIFECYCLE.at(-1)!;
const REDELIVERIES = Number(profile.wire['callbackRedeliveries']);

const transport = newTransport();
let h: Harness;
beforeAll(async () => {
  h = await startHarness(transport, { timeScale: 0.002, seed: SEED });
});
afterAll(async () => {
  await h?.close();
  await transport.close();
});

/** The seed's own request with a fresh orderNo (its callbackUrl is remote: never contacted). */
const seedRequest = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  ...examples.alchemyCreateRequest(),
  orderNo: uid('a'),
  ...over,
});
const withHolder = (first: string, last = 'Schmitt') => seedRequest({ cardHolder: { firstName: first, lastName: last } });

/** A success envelope; for a create, one that keeps every response rule of the catalogue. */
function expectSuccess(r: CallResult): void {
  const e = envelopeOf(r);
  expect(r.problem).toBeUndefined();
  expect(r.status).toBe(200);
  expect(e, JSON.stringify(e)).toMatchObject({ success: true, error: false, code: profile.successCode });
  if (r.operation === 'create') expect(brokenResponseRules(r)).toEqual([]);
}

/** Refused with `code` in the provider's envelope: HTTP 200, success false, error true, model null, nothing leaked. */
function expectRefusal(r: CallResult, code: string): void {
  const e = envelopeOf(r);
  expect(r.problem).toBeUndefined();
  expect(r.status).toBe(200);
  expect(e, JSON.stringify(e)).toMatchObject({ success: false, error: true, code, model: null });
  expect(typeof e['msg']).toBe('string');
  expect(CODES.alchemy.has(code)).toBe(true);
  expect(brokenResponseRules(r)).toEqual([]);
  expectNoInsides(r.rawBody);
}

const state = () => h.mock.admin.alchemy.state();

describe('Alchemy mock: the positive control', () => {
  it('accepts the seed example: success envelope, code 0, an absolute activeLink, every response rule holds', async () => {
    const r = await h.alchemy.create(seedRequest());
    expectSuccess(r);
    const link = String(getPath(r.body, 'model.activeLink'));
    expect(new URL(link).protocol).toMatch(/^https?:$/);
    expect(getPath(r.body, 'traceId')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('the segment list names exactly the vids the generators are given', async () => {
    const r = await h.alchemy.segmentList();
    expectSuccess(r);
    const vids = (envelopeOf(r)['model'] as { vid: string }[]).map((s) => s.vid);
    expect(vids).toEqual(genContext('alchemy').knownValues?.['segmentList']);
  });
});

describe('Alchemy mock: every request rule at its boundaries (cases from the catalogue)', () => {
  const g = genContext('alchemy');
  const VALID = validCases('alchemy', 'create', g, 8, SEED);
  const INVALID = invalidCases('alchemy', 'create', g, 3, SEED);

  it('every decidable request rule has a violation case, and the boundary rules valid cases', () => {
    const decidable = cat
      .rulesFor('alchemy', 'create')
      .filter((r) => r.side === 'request' && !['acceptsValid', 'noUntabledFields'].includes(r.check.kind))
      .map((r) => r.id);
    expect(decidable.length).toBeGreaterThan(20);
    expect(decidable.filter((id) => !INVALID.some((c) => c.rules[0] === id))).toEqual([]);
    for (const id of [
      'alchemy.create.deposit.range',
      'alchemy.create.cardHolder.firstName.maxLength',
      'alchemy.create.orderNo.maxLength',
      'alchemy.create.vid.knownSegment',
    ]) {
      expect(
        VALID.some((c) => c.rules[0] === id),
        id,
      ).toBe(true);
    }
  });

  it.for(VALID.map((c, i) => [`#${i} ${c.note}`, c] as const))('accepts %s', async ([, c]) => {
    expectSuccess(await h.alchemy.call('create', freshOrder(c.value, 'orderNo')));
  });

  it.for(INVALID.map((c, i) => [`#${i} ${c.note} (${c.rules[0]})`, c] as const))(
    'refuses %s with its code, naming the rule',
    async ([, c]) => {
      const broken = rule(c.rules[0]!);
      const r = await h.alchemy.call('create', c.value);
      // the rule, or a rule of the same field the mutation names as broken with it (the mock names the first)
      const named = [broken, ...(c.overlaps ?? []).map(rule)].find((x) => envelopeOf(r)['msg'] === `${x.field}: ${x.title}`);
      expect(named, String(envelopeOf(r)['msg'])).toBeDefined();
      expectRefusal(r, cat.expectedCode(named!, named === broken ? c.way : undefined));
    },
  );
});

describe('Alchemy mock: the named boundaries', () => {
  const range = rule('alchemy.create.deposit.range');

  it('the catalogue says 10 USD to 5000 USD in cents, and [a-zA-Z]{1,32} names', () => {
    expect(range.check).toMatchObject({ kind: 'amountRange', min: '1000', max: '500000' });
    expect(rule('alchemy.create.cardHolder.firstName.maxLength').check).toMatchObject({ max: 32 });
  });

  it('accepts a deposit of exactly 1000 and exactly 500000 (cents)', async () => {
    expectSuccess(await h.alchemy.create(seedRequest({ deposit: '1000' })));
    expectSuccess(await h.alchemy.create(seedRequest({ deposit: '500000' })));
  });

  it('refuses 999 with 2646, 500001 with 2723 and "1000.00" with 2723', async () => {
    expect([
      cat.expectedCode(range, 'below'),
      cat.expectedCode(range, 'above'),
      cat.expectedCode(rule('alchemy.create.deposit.minorUnits')),
    ]).toEqual(['2646', '2723', '2723']);
    expectRefusal(await h.alchemy.create(seedRequest({ deposit: '999' })), '2646');
    expectRefusal(await h.alchemy.create(seedRequest({ deposit: '500001' })), '2723');
    expectRefusal(await h.alchemy.create(seedRequest({ deposit: '1000.00' })), '2723');
  });

  it('accepts a 32-letter firstName and refuses 33 letters with 1002', async () => {
    expectSuccess(await h.alchemy.create(withHolder('A'.repeat(32))));
    expectRefusal(await h.alchemy.create(withHolder('A'.repeat(33))), '1002');
  });

  it('a duplicate orderNo is refused with 2722 and opens no second card, debits nothing more', async () => {
    const req = seedRequest({ deposit: '2500' });
    const orderNo = String(req['orderNo']);
    expectSuccess(await h.alchemy.create(req));
    const before = state();
    expect(before.orders[orderNo]).toBe(1);
    expectRefusal(await h.alchemy.create({ ...req, deposit: '3000' }), cat.expectedCode(rule('alchemy.create.orderNo.unique')));
    const after = state();
    expect(after.orders[orderNo]).toBe(1);
    expect(after.cards).toBe(before.cards);
    expect(after.debitedCents).toBe(before.debitedCents);
  });

  it('info finds the card by orderNo and by cardId, and refuses an unknown one with 2654', async () => {
    const req = seedRequest({ deposit: '4321' });
    expectSuccess(await h.alchemy.create(req));
    const byOrder = await h.alchemy.call('info', { orderNo: req['orderNo'] });
    expect(envelopeOf(byOrder)).toMatchObject({ success: true, model: { orderNo: req['orderNo'], card: { deposit: '4321' } } });
    const cardId = String(getPath(byOrder.body, 'model.card.cardId'));
    const byCard = await h.alchemy.info({ cardId });
    // The status moves on in real time between the two calls; everything else is the same card.
    const { status: _s1, ...a } = getPath(byCard.body, 'model.card') as Record<string, unknown>;
    const { status: _s2, ...b } = getPath(byOrder.body, 'model.card') as Record<string, unknown>;
    expect(a).toEqual(b);
    const number = String(getPath(byCard.body, 'model.card.number'));
    expect(luhnValid(number)).toBe(true);
    expectRefusal(await h.alchemy.info({ cardId: 'card_does_not_exist' }), '2654');
  });
});

describe('Alchemy mock: lifecycle and the CREATE_CARD callback', () => {
  const receivers: Receiver[] = [];
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
  });
  const receiver = async (opts: Parameters<typeof startReceiver>[0] = {}) => {
    const r = await startReceiver(opts);
    receivers.push(r);
    return r;
  };
  const stepMs = () => ALCHEMY_STEP_SECONDS * h.msPerSecond;
  /** Long enough for every redelivery the profile allows, and more: used to show nothing else comes. */
  const afterRedeliveries = () => sleep((REDELIVERIES + 3) * stepMs() + 100);
  const callbacksOf = (orderNo: string) => state().callbacks[orderNo] ?? [];

  it('on a frozen clock, each 5-second step shows the next status of the profile order, then ACTIVE stays', async () => {
    const own = await startHarness(transport, { timeScale: 1 });
    try {
      own.clock.freeze();
      const req = seedRequest();
      expectSuccess(await own.alchemy.create(req));
      const seen: string[] = [];
      for (let step = 0; step < LIFECYCLE.length + 2; step++) {
        const r = await own.alchemy.call('info', { orderNo: req['orderNo'] });
        seen.push(String(getPath(r.body, 'model.card.status')));
        own.clock.advance(ALCHEMY_STEP_SECONDS * 1000);
      }
      expect(LIFECYCLE).toEqual(['INIT', 'INIT CREATE CARD HOLDER', 'INIT CREATE CARD', 'INIT ACTIVE CARD', 'ACTIVE']);
      expect(seen).toEqual([...LIFECYCLE, ACTIVE, ACTIVE]);
    } finally {
      await own.close();
    }
  });

  it('in real time (timeScale 0.002) info shows the statuses moving forward only, ending ACTIVE', async () => {
    const req = seedRequest();
    expectSuccess(await h.alchemy.create(req));
    const seen: string[] = [];
    const done = await until(async () => {
      const r = await h.alchemy.call('info', { orderNo: req['orderNo'] });
      const status = String(getPath(r.body, 'model.card.status'));
      if (seen.at(-1) !== status) seen.push(status);
      return status === ACTIVE ? status : undefined;
    });
    expect(done).toBe(ACTIVE);
    const indexes = seen.map((s) => LIFECYCLE.indexOf(s));
    expect(indexes.every((i) => i >= 0)).toBe(true);
    expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
  });

  it('the callback reaches a receiver on 127.0.0.1 once, with the order, its deposit and the active card', async () => {
    const rec = await receiver();
    const req = seedRequest({ deposit: '123456', callbackUrl: `${rec.url}/cb` });
    const orderNo = String(req['orderNo']);
    expectSuccess(await h.alchemy.create(req));
    await until(() => (callbacksOf(orderNo).length >= 1 ? true : undefined));
    expect(rec.received).toHaveLength(1);
    const { body, path, contentType } = rec.received[0]!;
    expect(path).toBe('/cb');
    expect(contentType).toMatch(/application\/json/);
    expect(body).toMatchObject({ eventType: profile.wire['callbackEvent'], data: { orderNo, deposit: '123456', status: ACTIVE } });
    const info = await h.alchemy.call('info', { orderNo });
    expect(getPath(body, 'data.cardId')).toBe(getPath(info.body, 'model.card.cardId'));
    expect(luhnValid(String(getPath(body, 'data.number')))).toBe(true);
    expect(callbacksOf(orderNo)).toEqual([{ attempt: 1, status: 200 }]);
    await afterRedeliveries();
    expect(rec.received).toHaveLength(1);
  });

  it(`a receiver answering 500 gets the callback ${REDELIVERIES} more times, then no more`, async () => {
    const rec = await receiver({ status: 500, body: 'busy' });
    const req = seedRequest({ callbackUrl: `${rec.url}/cb` });
    const orderNo = String(req['orderNo']);
    expectSuccess(await h.alchemy.create(req));
    await until(() => (rec.received.length >= REDELIVERIES + 1 ? true : undefined));
    await afterRedeliveries();
    expect(rec.received).toHaveLength(REDELIVERIES + 1);
    expect(rec.received.every((x) => getPath(x.body, 'data.orderNo') === orderNo)).toBe(true);
    expect(callbacksOf(orderNo)).toEqual(Array.from({ length: REDELIVERIES + 1 }, (_, i) => ({ attempt: i + 1, status: 500 })));
  });

  it('a non-loopback callbackUrl is never contacted (a loopback one beside it is)', async () => {
    const rec = await receiver();
    const local = seedRequest({ callbackUrl: `${rec.url}/cb` });
    const remote = seedRequest({ callbackUrl: 'http://192.0.2.1:9/cb' });
    expectSuccess(await h.alchemy.create(local));
    expectSuccess(await h.alchemy.create(remote));
    await until(() =>
      callbacksOf(String(local['orderNo'])).length >= 1 && callbacksOf(String(remote['orderNo'])).length >= 1 ? true : undefined,
    );
    await afterRedeliveries();
    expect(callbacksOf(String(local['orderNo']))).toEqual([{ attempt: 1, status: 200 }]);
    expect(callbacksOf(String(remote['orderNo']))).toEqual([{ attempt: 1, status: 'not sent: host not allowed' }]);
    expect(rec.received.map((x) => getPath(x.body, 'data.orderNo'))).toEqual([local['orderNo']]);
  });

  it('once the mock is closed, a callback answered afterwards is not redelivered', async () => {
    let release!: () => void;
    const rec = await receiver({ status: 500, hold: new Promise<void>((resolve) => (release = resolve)) });
    const own = await startHarness(transport, { timeScale: 0.002 });
    expectSuccess(await own.alchemy.create(seedRequest({ callbackUrl: `${rec.url}/cb` })));
    await until(() => (rec.received.length >= 1 ? true : undefined));
    await own.close();
    release();
    await sleep((REDELIVERIES + 3) * ALCHEMY_STEP_SECONDS * own.msPerSecond + 100);
    expect(rec.received).toHaveLength(1);
  });
});

describe('Alchemy mock: idempotency under concurrency', () => {
  it('100 concurrent creates with one orderNo open exactly one card and debit once', async () => {
    const req = seedRequest({ deposit: '77700' });
    const orderNo = String(req['orderNo']);
    const before = state();
    const results = await Promise.all(Array.from({ length: 100 }, () => h.alchemy.create(req)));
    const codes = results.map((r) => String(envelopeOf(r)['code']));
    expect(codes.filter((c) => c === profile.successCode)).toHaveLength(1);
    expect(codes.filter((c) => c === '2722')).toHaveLength(99);
    const after = state();
    expect(after.orders[orderNo]).toBe(1);
    expect(after.cards).toBe(before.cards + 1);
    expect(BigInt(after.debitedCents) - BigInt(before.debitedCents)).toBe(77_700n);
  });
});

describe('Alchemy mock: bad input gets the provider envelope, never a crash', () => {
  it('malformed JSON → 1002', async () => {
    expectRefusal(await h.alchemy.create(seedRequest(), { rawBody: '{"deposit":"1000",' }), '1002');
  });

  it('a wrong content type → 1002', async () => {
    expectRefusal(await h.alchemy.create(seedRequest(), { contentType: 'text/plain' }), '1002');
  });

  it('an empty body → 1002 (the body is not a JSON object)', async () => {
    const r = await h.alchemy.call('create', undefined);
    expect(r.request.wireBody).toBe('');
    expectRefusal(r, '1002');
  });

  it('a wrong secret → 2604, a stale timestamp → 2604', async () => {
    const wrong = createAlchemyClient(
      { baseUrl: h.url, ...h.mock.client.alchemy, secretKey: 'not-the-secret-0000' },
      { transport, retries: 0 },
    );
    expectRefusal(await wrong.create(seedRequest()), '2604');
    expectRefusal(await h.alchemy.create(seedRequest(), { timestampOffsetMs: -10 * 60_000 }), '2604');
  });

  it('an unknown access key → 2601 (merchant does not exist)', async () => {
    const stranger = createAlchemyClient({ baseUrl: h.url, ...h.mock.client.alchemy, accessKey: 'ak-nobody' }, { transport, retries: 0 });
    expectRefusal(await stranger.create(seedRequest()), '2601');
  });

  it('a 10 MB body → 413, nothing leaked, and the mock keeps serving', async () => {
    const res = await request(`${h.url}/open/api/card/create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.alloc(10 * 1024 * 1024, 0x20),
    });
    const text = await res.body.text();
    expect(res.statusCode).toBe(413);
    expectNoInsides(text);
    expectSuccess(await h.alchemy.create(seedRequest()));
  });
});
