/**
 * The mock as a long-running service, over HTTP on 127.0.0.1: bounded order details (the oldest settled
 * order evicted first, an order in its lifecycle never, a one-line 503 when nothing can go), the used
 * order numbers kept so a duplicate is refused however many orders came after, the evicted card's
 * "does not exist" code read from the profile, callbacks through one bounded queue (delivered while
 * thousands of orders are evicted around them; a dead host's callback dropped after the profile's
 * attempts; a fixed number in flight), nothing scheduled per card, and counters that carry no order data.
 */
import { createHook } from 'node:async_hooks';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import type { CallResult } from '../../src/client/types.ts';
import { ALCHEMY_STEP_SECONDS } from '../../src/mock/alchemy.ts';
import { CallbackQueue } from '../../src/mock/callbacks.ts';
import { GEP_SETTLE_SECONDS } from '../../src/mock/gep.ts';
import { MOCK_DEFAULTS, statusLine } from '../../src/mock/server.ts';
import { getPath } from '../../src/spec/evaluate.ts';
import { examples } from '../helpers/fixtures.ts';
import {
  adminPost,
  cat,
  envelopeOf,
  type Harness,
  newTransport,
  plainGepApply,
  type Receiver,
  resultOf,
  startHarness,
  startReceiver,
  uid,
  until,
} from './support.ts';

const alchemyProfile = cat.profiles.alchemy;
const gepProfile = cat.profiles.gep;
/** The codes as the profiles list them, found by their meaning (the mock reads them the same way). */
const codeMeaning = (codes: { code: string; meaning: string }[], meaning: string) => {
  const c = codes.find((x) => x.meaning === meaning);
  if (!c) throw new Error(`no code meaning "${meaning}"`);
  return c.code;
};
const NO_CARD = codeMeaning(alchemyProfile.codes, 'user card information does not exist');
const EMPTY = codeMeaning(gepProfile.codes, 'empty result');
const DUPLICATE = cat.expectedCode(cat.byId.get('alchemy.create.orderNo.unique')!);
const ATTEMPTS = 1 + Number(alchemyProfile.wire['callbackRedeliveries']);
const ACTIVE_AFTER_SECONDS = (alchemyProfile.lifecycle!.order.length - 1) * ALCHEMY_STEP_SECONDS;

const transport = newTransport();
const harnesses: Harness[] = [];
const receivers: Receiver[] = [];
afterAll(async () => {
  await Promise.all([...harnesses.map((h) => h.close()), ...receivers.map((r) => r.close())]);
  await transport.close();
});
const harness = async (opts: Parameters<typeof startHarness>[1]) => {
  const h = await startHarness(transport, opts);
  harnesses.push(h);
  return h;
};
const receiver = async (opts: Parameters<typeof startReceiver>[0] = {}) => {
  const r = await startReceiver(opts);
  receivers.push(r);
  return r;
};

const alchemyRequest = (over: Record<string, unknown> = {}) => ({
  ...examples.alchemyCreateRequest(),
  orderNo: uid('s'),
  callbackUrl: 'http://192.0.2.1:9/cb', // not loopback: never contacted, recorded "not sent"
  ...over,
});
const gepRequest = (over: Record<string, unknown> = {}) => plainGepApply(uid('s'), over);
const codeOf = (r: CallResult, field: 'code' | 'errorCode') => String(envelopeOf(r)[field]);
const succeeded = (r: CallResult) => r.status === 200 && envelopeOf(r)['success'] === true;

/** Runs `n` calls, `width` at a time. */
async function inBatches<T>(n: number, width: number, call: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i += width)
    out.push(...(await Promise.all(Array.from({ length: Math.min(width, n - i) }, (_, k) => call(i + k)))));
  return out;
}

describe('mock service: bounded order details', () => {
  it('below the limit every order is held and readable (positive case first); the default limit is documented', async () => {
    const h = await harness({ maxOrders: 3 });
    const reqs = [alchemyRequest(), alchemyRequest(), alchemyRequest()];
    for (const r of reqs) expect(succeeded(await h.alchemy.create(r))).toBe(true);
    for (const r of reqs) expect(codeOf(await h.alchemy.call('info', { orderNo: r.orderNo }), 'code')).toBe(alchemyProfile.successCode);
    expect(h.mock.stats().alchemy).toMatchObject({ orders: 3, max: 3, evicted: 0, refusedAtCapacity: 0, orderNumbers: 3 });
    expect(MOCK_DEFAULTS.maxOrders).toBe(50_000);
  });

  it('GEP: the oldest settled order goes first; one still pending is skipped, and goes once it has settled', async () => {
    const h = await harness({ maxOrders: 3, timeScale: 1 });
    h.clock.freeze();
    const [a, b, c, d, e, f] = Array.from({ length: 6 }, () => gepRequest());
    h.mock.admin.gep.force(String(b!['userReqNo']), 'pending');
    for (const r of [a, c, d, e, f]) h.mock.admin.gep.force(String(r!['userReqNo']), 'complete');
    const cardOf: Record<string, string> = {};
    const apply = async (r: Record<string, unknown>) => {
      const res = await h.gep.apply(r);
      expect(res.status).toBe(200);
      if (succeeded(res)) cardOf[String(r['userReqNo'])] = String(resultOf(res)['cardId']);
      return res;
    };
    const held = async (r: Record<string, unknown>) =>
      codeOf(await h.gep.queryCardOperate({ userReqNo: String(r['userReqNo']) }), 'errorCode') !== EMPTY;
    for (const r of [a, b, c]) await apply(r!);
    expect([await held(a!), await held(b!), await held(c!)]).toEqual([true, true, true]);
    await apply(d!); // a (settled, oldest) goes
    expect([await held(a!), await held(b!), await held(c!), await held(d!)]).toEqual([false, true, true, true]);
    await apply(e!); // b is still pending: c goes
    expect([await held(b!), await held(c!), await held(d!), await held(e!)]).toEqual([true, false, true, true]);
    h.clock.advance(GEP_SETTLE_SECONDS.max * 1000 + 1);
    await apply(f!); // b has settled: it goes before d
    expect([await held(b!), await held(d!), await held(e!), await held(f!)]).toEqual([false, true, true, true]);
    // the evicted card's detail answers the profile's "empty result"
    expect(codeOf(await h.gep.info({ cardId: cardOf[String(a!['userReqNo'])]! }), 'errorCode')).toBe(EMPTY);
    expect(h.mock.stats().gep).toMatchObject({ orders: 3, evicted: 3, refusedAtCapacity: 0, orderNumbers: 6 });
  });

  it('Alchemy: at capacity with every card in its lifecycle → a one-line 503, counted; once one settles it is evicted and reads "does not exist"', async () => {
    const h = await harness({ maxOrders: 2, timeScale: 0.002 });
    h.clock.freeze();
    const [a, b, c] = [alchemyRequest(), alchemyRequest(), alchemyRequest()];
    expect(succeeded(await h.alchemy.create(a))).toBe(true);
    expect(succeeded(await h.alchemy.create(b))).toBe(true);
    const cardId = String(getPath((await h.alchemy.call('info', { orderNo: a.orderNo })).body, 'model.card.cardId'));
    // the callbacks finish (not sent: the host is not loopback), but on the mock's frozen clock neither card is ACTIVE
    const callbacks = () => h.mock.admin.alchemy.state().callbacks;
    await until(() => (callbacks()[a.orderNo]?.length && callbacks()[b.orderNo]?.length ? true : undefined));
    const refused = await h.alchemy.create(c);
    expect(refused.status).toBe(503);
    expect(refused.rawBody).not.toContain('\n');
    expect(JSON.parse(refused.rawBody)).toEqual({
      error: 'mock at capacity: all 2 alchemy orders held are still in their lifecycle (raise --max-orders)',
    });
    expect(h.mock.stats().alchemy).toMatchObject({ orders: 2, evicted: 0, refusedAtCapacity: 1 });
    // the refused order number was not used up: once the cards are ACTIVE, the same create succeeds
    h.clock.advance(ACTIVE_AFTER_SECONDS * h.msPerSecond);
    expect(succeeded(await h.alchemy.create(c))).toBe(true);
    expect(h.mock.stats().alchemy).toMatchObject({ orders: 2, evicted: 1, refusedAtCapacity: 1 });
    expect(codeOf(await h.alchemy.call('info', { orderNo: a.orderNo }), 'code')).toBe(NO_CARD);
    expect(codeOf(await h.alchemy.call('info', { cardId }), 'code')).toBe(NO_CARD);
    expect(codeOf(await h.alchemy.call('info', { orderNo: b.orderNo }), 'code')).toBe(alchemyProfile.successCode);
  });

  it('GEP: a 503 at capacity too, when every held order is pending', async () => {
    const h = await harness({ maxOrders: 1, timeScale: 1 });
    h.clock.freeze();
    const [a, b] = [gepRequest(), gepRequest()];
    h.mock.admin.gep.force(String(a['userReqNo']), 'pending');
    expect(codeOf(await h.gep.apply(a), 'errorCode')).toBe(cat.expectedCode(cat.byId.get('gep.apply.outcome.pendingResolves')!));
    const r = await h.gep.apply(b);
    expect(r.status).toBe(503);
    expect(JSON.parse(r.rawBody)).toEqual({
      error: 'mock at capacity: all 1 gep orders held are still in their lifecycle (raise --max-orders)',
    });
    expect(h.mock.stats().gep.refusedAtCapacity).toBe(1);
  });
});

describe('mock service: thousands of orders and evictions', () => {
  it('Alchemy: a reused orderNo is still refused as a duplicate after 3,000 other orders, and every loopback callback is delivered once', async () => {
    const rec = await receiver();
    // 0.0002: a card is ACTIVE 4 ms after its create, so cards settle while the load goes on
    const h = await harness({ maxOrders: 100, timeScale: 0.0002 });
    const first = alchemyRequest();
    expect(succeeded(await h.alchemy.create(first))).toBe(true);
    const N = 3_000;
    const toReceiver = new Set<string>();
    const reqs = Array.from({ length: N }, (_, i) => {
      if (i % 10 !== 0) return alchemyRequest();
      const r = alchemyRequest({ callbackUrl: `${rec.url}/cb` });
      toReceiver.add(r.orderNo);
      return r;
    });
    const answers = await inBatches(N, 16, async (i) => {
      // a 503 is the mock saying no card has settled yet: the same request again a moment later
      for (let tries = 0; tries < 200; tries++) {
        const r = await h.alchemy.create(reqs[i]!);
        if (r.status !== 503) return r;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      throw new Error('still at capacity after 200 tries');
    });
    expect(answers.filter((r) => !succeeded(r))).toEqual([]);
    const s = h.mock.stats().alchemy;
    expect(s.orders).toBeLessThanOrEqual(100);
    expect(s.evicted).toBeGreaterThanOrEqual(N + 1 - 100);
    expect(s.orderNumbers).toBe(N + 1);
    // the first card's detail is long gone, its number is not
    expect(codeOf(await h.alchemy.call('info', { orderNo: first.orderNo }), 'code')).toBe(NO_CARD);
    const again = await h.alchemy.create(first);
    expect(again.status).toBe(200);
    expect(codeOf(again, 'code')).toBe(DUPLICATE);
    expect(h.mock.stats().alchemy.orderNumbers).toBe(N + 1);
    // every callback to the live receiver arrives, once
    await until(() => (rec.received.length >= toReceiver.size ? true : undefined), 20_000);
    const got = rec.received.map((x) => String(getPath(x.body, 'data.orderNo')));
    expect(got.length).toBe(toReceiver.size);
    expect(new Set(got)).toEqual(toReceiver);
    expect(h.mock.stats().callbacks.delivered).toBe(toReceiver.size);
  });

  it('GEP: a reused userReqNo is still refused (never a second card or debit) after 1,500 other orders', async () => {
    const h = await harness({ maxOrders: 100, timeScale: 0.0002 });
    h.mock.admin.gep.setBalance('XTS', '1000.00');
    const first = gepRequest({ localCurrency: 'XTS', authLimitAmount: '10' });
    h.mock.admin.gep.force(String(first['userReqNo']), 'complete');
    expect(succeeded(await h.gep.apply(first))).toBe(true);
    expect(succeeded(await h.gep.apply(first))).toBe(true); // while held: the same card again
    const N = 1_500;
    const answers = await inBatches(N, 16, async () => {
      const req = gepRequest();
      for (let tries = 0; tries < 200; tries++) {
        const r = await h.gep.apply(req);
        if (r.status !== 503) return r;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      throw new Error('still at capacity after 200 tries');
    });
    expect(answers.filter((r) => r.status !== 200)).toEqual([]);
    expect(h.mock.stats().gep.evicted).toBeGreaterThanOrEqual(N + 1 - 100);
    expect(codeOf(await h.gep.queryCardOperate({ userReqNo: String(first['userReqNo']) }), 'errorCode')).toBe(EMPTY);
    const cards = h.mock.stats().gep.orders;
    const again = await h.gep.apply(first);
    expect(envelopeOf(again)).toMatchObject({ success: false, errorCode: gepProfile.fieldRuleCode });
    expect(h.mock.stats().gep.orders).toBe(cards);
    expect(h.mock.admin.gep.state().balances['XTS']).toBe('990.00');
  });
});

describe('mock service: the callback queue', () => {
  it('a callback to a dead port is attempted as the profile says, then dropped and counted; its card then settles', async () => {
    // a port that was just free and is closed again: connections are refused
    const dead = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as AddressInfo;
        s.close(() => resolve(port));
      });
    });
    const h = await harness({ maxOrders: 1, timeScale: 0.002 });
    const a = alchemyRequest({ callbackUrl: `http://127.0.0.1:${dead}/cb` });
    expect(succeeded(await h.alchemy.create(a))).toBe(true);
    await until(() => (h.mock.stats().callbacks.dropped >= 1 ? true : undefined));
    const attempts = h.mock.admin.alchemy.state().callbacks[a.orderNo]!;
    expect(attempts.map((x) => x.attempt)).toEqual(Array.from({ length: ATTEMPTS }, (_, i) => i + 1));
    expect(attempts[0]!.status).toBe('unreachable');
    expect(attempts.every((x) => x.status === 'unreachable' || x.status === 'not sent: host backing off')).toBe(true);
    expect(h.mock.stats().callbacks).toMatchObject({ delivered: 0, dropped: 1, waiting: 0, inFlight: 0, attempts: ATTEMPTS });
    // dropped is finished: the card settles and makes room
    expect(succeeded(await h.alchemy.create(alchemyRequest()))).toBe(true);
    expect(h.mock.stats().alchemy.evicted).toBe(1);
  });

  it('holds at most maxInFlight deliveries at once; the rest wait and are delivered when slots free', async () => {
    let release!: () => void;
    const rec = await receiver({ hold: new Promise<void>((resolve) => (release = resolve)) });
    const done: string[] = [];
    const queue = new CallbackQueue<number>({
      attempts: ATTEMPTS,
      retryMs: 10,
      ack: 'SUCCESS',
      allowed: () => true,
      maxInFlight: 4,
      body: (i) => JSON.stringify({ i }),
      onAttempt: () => {},
      onDone: (_i, o) => done.push(o),
    });
    try {
      for (let i = 0; i < 10; i++) queue.add(i, `${rec.url}/cb`, 0);
      await until(() => (rec.received.length >= 4 ? true : undefined));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(rec.received).toHaveLength(4);
      expect(queue.stats()).toMatchObject({ inFlight: 4, waiting: 6 });
      release();
      await until(() => (done.length >= 10 ? true : undefined));
      expect(done).toEqual(Array.from({ length: 10 }, () => 'delivered'));
      expect(rec.received).toHaveLength(10);
    } finally {
      await queue.close();
    }
  });

  it('clear() drops the waiting callbacks and forgets the one in flight: its outcome is not recorded, and the queue goes on', async () => {
    let release!: () => void;
    const rec = await receiver({ hold: new Promise<void>((resolve) => (release = resolve)) });
    const attempts: string[] = [];
    const done: string[] = [];
    const queue = new CallbackQueue<string>({
      attempts: ATTEMPTS,
      retryMs: 10,
      ack: 'SUCCESS',
      allowed: () => true,
      maxInFlight: 1,
      body: (id) => JSON.stringify({ id }),
      onAttempt: (id, _n, status) => attempts.push(`${id} ${status}`),
      onDone: (id, o) => done.push(`${id} ${o}`),
    });
    try {
      for (const id of ['a', 'b', 'c']) queue.add(id, `${rec.url}/cb`, 0);
      await until(() => (rec.received.length >= 1 ? true : undefined));
      expect(queue.stats()).toMatchObject({ inFlight: 1, waiting: 2 });
      queue.clear();
      expect(queue.stats()).toMatchObject({ inFlight: 1, waiting: 0 });
      release();
      await until(() => (queue.stats().inFlight === 0 ? true : undefined));
      expect({ attempts, done }).toEqual({ attempts: [], done: [] });
      // positive case: a callback added after clear() is delivered and recorded
      queue.add('d', `${rec.url}/cb`, 0);
      await until(() => (done.length >= 1 ? true : undefined));
      expect({ attempts, done }).toEqual({ attempts: ['d 200'], done: ['d delivered'] });
      expect(rec.received).toHaveLength(2);
    } finally {
      await queue.close();
    }
  });

  it("the mock's reset forgets the cards whose callbacks wait: they are not sent, and new cards' callbacks are", async () => {
    const rec = await receiver();
    const h = await harness({ timeScale: 0.002 });
    const before = alchemyRequest({ callbackUrl: `${rec.url}/cb` });
    expect(succeeded(await h.alchemy.create(before))).toBe(true);
    expect(h.mock.stats().callbacks.waiting).toBe(1);
    await adminPost(h.url, '/__mock/reset', {});
    expect(h.mock.stats().callbacks.waiting).toBe(0);
    const after = alchemyRequest({ callbackUrl: `${rec.url}/cb` });
    expect(succeeded(await h.alchemy.create(after))).toBe(true);
    await until(() => (h.mock.stats().callbacks.delivered >= 1 ? true : undefined));
    const orderNos = rec.received.map((r) => (r.body as { data: { orderNo: string } }).data.orderNo);
    expect(orderNos).toEqual([after.orderNo]);
    expect(h.mock.admin.alchemy.state().callbacks[after.orderNo]).toEqual([{ attempt: 1, status: 200 }]);
  });

  it("nothing is scheduled per card: 200 orders create the queue's one timer, not one each (positive case: that one is seen)", async () => {
    // Timers the mock's own code creates (setTimeout called from src/mock/), unref-ed or not; the clients in
    // this process make their own, and node's http keeps a Date header cache.
    let mockTimers = 0;
    const limit = Error.stackTraceLimit;
    const hook = createHook({
      init: (_id, type) => {
        if (type !== 'Timeout') return;
        const frames = (new Error().stack ?? '').split('\n');
        const at = frames.findIndex((f) => /at set(Timeout|Interval) \(node:timers/.test(f));
        if (at >= 0 && /\/src\/mock\//.test(frames[at + 1] ?? '')) mockTimers++;
      },
    });
    const rec = await receiver();
    const h = await harness({ timeScale: 1 });
    Error.stackTraceLimit = 50;
    hook.enable();
    try {
      // real time: every callback is due 20 s on and every pending GEP outcome minutes on
      await inBatches(100, 16, () => h.alchemy.create(alchemyRequest({ callbackUrl: `${rec.url}/cb` })));
      await inBatches(100, 16, () => h.gep.apply(gepRequest()));
    } finally {
      hook.disable();
      Error.stackTraceLimit = limit;
    }
    expect(h.mock.stats().alchemy.orders + h.mock.stats().gep.orders).toBe(200);
    expect(h.mock.stats().callbacks.waiting).toBe(100);
    expect(mockTimers).toBe(1);
  });
});

describe('mock service: what it reports', () => {
  it('/__mock/state and /__mock/stats carry the counters; the status line names no order number, key or card', async () => {
    const h = await harness({ maxOrders: 5 });
    const req = alchemyRequest();
    const created = await h.alchemy.create(req);
    expect(succeeded(created)).toBe(true);
    const info = await h.alchemy.call('info', { orderNo: req.orderNo });
    const state = (await adminPost(h.url, '/__mock/state', {})) as Record<string, Record<string, unknown>>;
    expect(state['service']).toMatchObject({ maxOrders: 5, alchemy: { orders: 1, evicted: 0, refusedAtCapacity: 0 } });
    const stats = (await adminPost(h.url, '/__mock/stats', { resetLoopDelay: true })) as Record<string, unknown>;
    expect(stats).toMatchObject({ maxOrders: 5, gep: { orders: 0 }, callbacks: { delivered: 0, dropped: 0 } });
    expect(Object.keys(stats['process'] as object).sort()).toEqual([
      'eventLoopDelayMs',
      'externalBytes',
      'heapTotalBytes',
      'heapUsedBytes',
      'rssBytes',
      'sealing',
    ]);
    // the harness's mock seals in line, as the embedded mock of a run does (`card-conformance mock` on its thread)
    const proc = stats['process'] as Record<string, unknown>;
    expect(proc['sealing']).toBe('inline');
    // the heap held from the system is at least the part in use; the buffers outside it are counted apart
    expect(proc['heapTotalBytes']).toBeGreaterThanOrEqual(proc['heapUsedBytes'] as number);
    expect(proc['externalBytes']).toBeGreaterThan(0);
    const line = statusLine(h.mock.stats());
    expect(line).toMatch(/^alchemy 1\/5 orders held, 0 evicted, 0 refused at capacity \(503\); gep 0\/5 orders held/);
    expect(line).not.toContain('\n');
    const secrets = [
      req.orderNo,
      h.mock.client.alchemy.accessKey,
      h.mock.client.alchemy.secretKey,
      String(getPath(info.body, 'model.card.number')),
      String(getPath(info.body, 'model.card.cardId')),
    ];
    for (const s of secrets) expect(line).not.toContain(s);
  });
});
