/**
 * The request gate's parts: the ledger (each budget admits up to its limit and refuses the next; once
 * one runs out every later request is refused), the money derived from the catalogue, the limits read
 * from the environment, the ledger served to other processes, and the transport asking the gate before
 * every attempt (a refused request never reaches the server). The whole-run tests are test/run/budgets.test.ts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { moneyOf } from '../../src/client/money.ts';
import {
  type BudgetExhausted,
  BudgetLedger,
  isBudgetExhausted,
  localGate,
  parseSpend,
  readBudgetLimits,
  remoteGate,
  SANDBOX_BUDGETS,
  serveLedger,
} from '../../src/conformance/budget.ts';
import { catalogue } from '../../src/spec/catalogue.ts';
import { proxyFor } from '../../src/wire/dispatcher.ts';
import { createTransport, onRequest } from '../../src/wire/http.ts';

const LIMITS = { connectTimeoutMs: 2000, headersTimeoutMs: 2000, bodyTimeoutMs: 2000, maxBodyBytes: 1 << 20, callTimeoutMs: 3000 };
const servers: Server[] = [];
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

describe('ledger', () => {
  it('admits exactly maxRequests, then refuses "requests" and keeps refusing', () => {
    const l = new BudgetLedger({ maxRequests: 3 });
    const admitted = Array.from({ length: 5 }, () => l.admit({ delayMs: 0 }).ok);
    expect(admitted).toEqual([true, true, true, false, false]);
    expect(l.report()).toMatchObject({ used: { requests: 3 }, exhausted: 'requests', refused: 2 });
  });

  it('admits spend up to the limit per currency, refuses what would pass it, and a currency without a budget', () => {
    const l = new BudgetLedger({ maxSpend: { USD: 100 } });
    expect(l.admit({ delayMs: 0, money: { currency: 'USD', amount: 60 } }).ok).toBe(true);
    expect(l.admit({ delayMs: 0, money: { currency: 'USD', amount: 40 } }).ok).toBe(true);
    expect(l.admit({ delayMs: 0 }).ok).toBe(true); // a poll moves no money
    expect(l.admit({ delayMs: 0, money: { currency: 'USD', amount: 0.01 } })).toEqual({ ok: false, which: 'spend USD' });
    expect(l.report().used.spend).toEqual({ USD: 100 });
    // a spend refusal refuses that request only: a poll (no money) still goes, and the report names the budget
    expect(l.admit({ delayMs: 0 }).ok).toBe(true);
    expect(l.report()).toMatchObject({ exhausted: 'spend USD', refused: 1 });
    // requests and time end the run: after them even a poll is refused
    const ended = new BudgetLedger({ maxRequests: 1, maxSpend: { USD: 100 } });
    expect(ended.admit({ delayMs: 0 }).ok).toBe(true);
    expect(ended.admit({ delayMs: 0, money: { currency: 'USD', amount: 1 } })).toEqual({ ok: false, which: 'requests' });
    expect(ended.admit({ delayMs: 0 })).toEqual({ ok: false, which: 'requests' });
    const other = new BudgetLedger({ maxSpend: { USD: 100 } });
    expect(other.admit({ delayMs: 0, money: { currency: 'EUR', amount: 1 } })).toEqual({ ok: false, which: 'spend EUR' });
  });

  it('gives back the spend of a clearly refused request, never more than was spent', () => {
    const l = new BudgetLedger({ maxSpend: { USD: 100 } });
    const usd = (amount: number) => ({ delayMs: 0, money: { currency: 'USD', amount } });
    expect(l.admit(usd(60)).ok).toBe(true);
    // the positive case of the release: without it the next 60 would be refused
    expect(new BudgetLedger({ maxSpend: { USD: 100 } }).admit(usd(60)).ok).toBe(true);
    l.release({ currency: 'USD', amount: 60 });
    expect(l.admit(usd(60)).ok).toBe(true);
    expect(l.report().used).toMatchObject({ spend: { USD: 60 }, released: { USD: 60 } });
    // a release cannot make room the run never spent
    l.release({ currency: 'USD', amount: 500 });
    expect(l.report().used.spend).toEqual({ USD: 0 });
    expect(l.admit(usd(100)).ok).toBe(true);
    expect(l.admit(usd(1)).ok).toBe(false);
  });

  it('a spend refusal that money in flight may undo is tentative: not recorded, and the gate waits for the release', async () => {
    const l = new BudgetLedger({ maxSpend: { USD: 100 } });
    const usd = (amount: number, tentative: boolean) => ({ delayMs: 0, money: { currency: 'USD', amount }, tentative });
    expect(l.admit(usd(90, false)).ok).toBe(true);
    expect(l.admit(usd(20, true))).toEqual({ ok: false, which: 'spend USD', later: true });
    expect(l.report()).toMatchObject({ exhausted: null, refused: 0 });
    // more than the whole budget never fits: refused for good at once
    expect(l.admit(usd(101, true))).toEqual({ ok: false, which: 'spend USD' });
    expect(l.report()).toMatchObject({ exhausted: 'spend USD', refused: 1 });
    // the gate asks again while the first request's refusal gives its 90 back
    const gate = localGate(l);
    const waiting = gate.acquire({
      provider: 'alchemy',
      operation: 'create',
      attempt: 1,
      delayMs: 0,
      money: { currency: 'USD', amount: 20 },
    });
    setTimeout(() => void gate.release!({ currency: 'USD', amount: 90 }), 60);
    await expect(waiting).resolves.toBeUndefined();
    expect(l.report().used.spend).toEqual({ USD: 20 });
    // nothing given back: after about 3 s it is refused for good
    const full = new BudgetLedger({ maxSpend: { USD: 10 } });
    expect(full.admit(usd(10, false)).ok).toBe(true);
    await expect(
      localGate(full).acquire({ provider: 'alchemy', operation: 'create', attempt: 1, delayMs: 0, money: { currency: 'USD', amount: 5 } }),
    ).rejects.toThrow('budget: spend USD');
  });

  it('spaces requests by the rate (one token) and refuses a slot past the wall time', () => {
    let clock = 1_000_000;
    const l = new BudgetLedger({ rate: 4, maxTimeMs: 1000 }, () => clock);
    // four requests asked at once: sent 250 ms apart
    expect(Array.from({ length: 4 }, () => l.admit({ delayMs: 0 }))).toEqual([0, 250, 500, 750].map((waitMs) => ({ ok: true, waitMs })));
    // the fifth slot, 1000 ms after the start, is at the end of the 1 s wall time: refused without waiting for it
    expect(l.admit({ delayMs: 0 })).toEqual({ ok: false, which: 'time' });
    // without a wall time: after an idle second the bucket holds its token again, the next request goes at once
    const fresh = new BudgetLedger({ rate: 4 }, () => clock);
    for (let i = 0; i < 4; i++) fresh.admit({ delayMs: 0 });
    clock += 2000;
    expect(fresh.admit({ delayMs: 0 })).toEqual({ ok: true, waitMs: 0 });
    expect(fresh.admit({ delayMs: 0 })).toEqual({ ok: true, waitMs: 250 });
    expect(fresh.report().used.requests).toBe(6);
  });

  it('sends a request it admitted, though the budget runs out while it waits for its slot (local and remote gates)', async () => {
    const ticket = { provider: 'alchemy', operation: 'create', attempt: 1, delayMs: 0 };
    for (const kind of ['local', 'remote'] as const) {
      const l = new BudgetLedger({ maxRequests: 2, rate: 10 });
      const served = kind === 'remote' ? await serveLedger(l) : undefined;
      const gate = served ? remoteGate(served.url) : localGate(l);
      try {
        // the first goes at once, the second is admitted for a slot 100 ms later
        await gate.acquire(ticket);
        const second = gate.acquire(ticket);
        await new Promise((r) => setTimeout(r, 20));
        // meanwhile a third is refused: the requests budget has run out
        await expect(gate.acquire(ticket)).rejects.toThrow('budget: requests');
        // the second was counted within the budget: it goes when its slot comes
        await expect(second, kind).resolves.toBeUndefined();
        expect(l.report()).toMatchObject({ used: { requests: 2 }, exhausted: 'requests', refused: 1 });
      } finally {
        await served?.close();
      }
    }
  });

  it('counts Retry-After waits', () => {
    const l = new BudgetLedger({ maxRequests: 10 });
    const a = l.admit({ delayMs: 1000, retryAfter: true });
    expect(a).toEqual({ ok: true, waitMs: 1000 });
    expect(l.report().retryAfter).toEqual({ count: 1, waitedMs: 1000 });
  });
});

describe('limits', () => {
  it('the sandbox defaults for a non-mock target, none for the embedded mock, each overridable or off', () => {
    expect(readBudgetLimits({}, true)).toEqual(SANDBOX_BUDGETS);
    expect(readBudgetLimits({}, false)).toEqual({});
    expect(
      readBudgetLimits(
        {
          CARD_CONFORMANCE_MAX_REQUESTS: '50',
          CARD_CONFORMANCE_RATE: '0.5',
          CARD_CONFORMANCE_MAX_TIME: '1m30s',
          CARD_CONFORMANCE_MAX_SPEND: 'USD=20,eur=5.5',
        },
        false,
      ),
    ).toEqual({ maxRequests: 50, rate: 0.5, maxTimeMs: 90_000, maxSpend: { USD: 20, EUR: 5.5 } });
    expect(readBudgetLimits({ CARD_CONFORMANCE_RATE: 'off' }, true)).not.toHaveProperty('rate');
  });

  it('bad values are one line naming the variable', () => {
    expect(() => readBudgetLimits({ CARD_CONFORMANCE_MAX_REQUESTS: '0' }, false)).toThrow(/^CARD_CONFORMANCE_MAX_REQUESTS: .*at least 1/);
    expect(() => readBudgetLimits({ CARD_CONFORMANCE_MAX_TIME: '10' }, false)).toThrow(/^CARD_CONFORMANCE_MAX_TIME: .*duration/);
    expect(() => parseSpend('X', 'USD100')).toThrow(/^X: .*CURRENCY=AMOUNT/);
    expect(() => parseSpend('X', 'USD=-1')).toThrow(/^X: .*positive/);
  });
});

describe('money, from the catalogue', () => {
  it('Alchemy deposit is cents of USD (amountRange unit), GEP authLimitAmount a decimal in localCurrency', () => {
    const range = catalogue().byId.get('alchemy.create.deposit.range')!.check;
    expect(range).toMatchObject({ kind: 'amountRange', unit: 'USD cents' });
    expect(moneyOf('alchemy', 'create', { deposit: '1000' })).toEqual({ currency: 'USD', amount: 10 });
    expect(moneyOf('gep', 'apply', { authLimitAmount: '100.5', localCurrency: 'usd' })).toEqual({ currency: 'USD', amount: 100.5 });
    // an unreadable amount moves nothing a provider could read; follow-ups move none at all
    expect(moneyOf('alchemy', 'create', { deposit: 'abc' })).toEqual({ currency: 'USD', amount: 0 });
    // a negative case without a well-formed currency is charged to the currency the document names
    expect(moneyOf('gep', 'apply', { authLimitAmount: '7' })).toEqual({ currency: 'USD', amount: 7 });
    expect(moneyOf('gep', 'apply', { authLimitAmount: '7', localCurrency: 'USDX' })).toEqual({ currency: 'USD', amount: 7 });
    expect(moneyOf('alchemy', 'info', { cardId: 'x' })).toBeUndefined();
    expect(moneyOf('gep', 'queryCardOperate', { userReqNo: 'x' })).toBeUndefined();
  });
});

describe('proxy route', () => {
  it('https takes HTTPS_PROXY (else HTTP_PROXY), http only HTTP_PROXY; NO_PROXY has no loopback default', () => {
    const env = { HTTPS_PROXY: 'http://user:pw@proxy.example:3128', HTTP_PROXY: 'http://plain.example:8080' };
    expect(proxyFor('https://sbx.example/x', env)).toBe('http://proxy.example:3128'); // no credentials shown
    expect(proxyFor('http://127.0.0.1:4010', env)).toBe('http://plain.example:8080');
    expect(proxyFor('http://127.0.0.1:4010', { HTTPS_PROXY: env.HTTPS_PROXY })).toBeUndefined();
    expect(proxyFor('https://sbx.example', { HTTP_PROXY: env.HTTP_PROXY })).toBe('http://plain.example:8080');
    expect(proxyFor('https://api.sbx.example', { ...env, NO_PROXY: '.sbx.example' })).toBeUndefined();
    expect(proxyFor('http://127.0.0.1:4010', { ...env, NO_PROXY: '127.0.0.1:9999' })).toBe('http://plain.example:8080');
    expect(proxyFor('http://127.0.0.1:4010', { ...env, NO_PROXY: '127.0.0.1' })).toBeUndefined();
  });
});

describe('the transport asks the gate before every attempt', () => {
  it('a refused attempt never reaches the server; retries pass the gate again, money charged once', async () => {
    let hits = 0;
    const server = createServer((_req, res) => {
      hits++;
      // the first answer says "not now": the transport resends the same request after the wait
      if (hits === 1) res.writeHead(429, { 'retry-after': '0' }).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
    const ledger = new BudgetLedger({ maxRequests: 3, maxSpend: { USD: 100 } });
    const t = createTransport(LIMITS, localGate(ledger));
    const seen: number[] = [];
    const off = onRequest((x) => seen.push(x.attempt));
    const send = () =>
      t.send({
        provider: 'alchemy',
        operation: 'create',
        method: 'POST',
        url,
        headers: {},
        body: '{}',
        money: { currency: 'USD', amount: 30 },
        retry: { tries: 3, retryOn: '429/503/transport', maxDelayMs: 10 },
      });
    try {
      expect((await send()).attempts).toBe(2);
      expect(hits).toBe(2);
      expect(ledger.report().used).toMatchObject({ requests: 2, spend: { USD: 30 } });
      expect((await send()).status).toBe(200);
      // the fourth attempt would pass the request budget: refused, never sent
      const err = await send().catch((e: unknown) => e);
      expect(isBudgetExhausted(err)).toBe(true);
      expect((err as BudgetExhausted).which).toBe('requests');
      expect(hits).toBe(3);
      expect(seen).toEqual([1, 2, 1]);
    } finally {
      off();
      await t.close();
    }
  });

  it('the ledger served over loopback is one budget for several clients (worker processes)', async () => {
    const ledger = new BudgetLedger({ maxRequests: 5 });
    const served = await serveLedger(ledger);
    try {
      const a = remoteGate(served.url);
      const b = remoteGate(served.url);
      const ticket = { provider: 'gep', operation: 'apply', attempt: 1, delayMs: 0 };
      const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).acquire(ticket)));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
      const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(refused).toHaveLength(3);
      expect(refused.every((r) => isBudgetExhausted(r.reason) && r.reason.message === 'budget: requests')).toBe(true);
      expect(ledger.report().used.requests).toBe(5);
    } finally {
      await served.close();
    }
  });

  it("a worker releases a refused request's spend through the served ledger", async () => {
    const ledger = new BudgetLedger({ maxSpend: { USD: 10 } });
    const served = await serveLedger(ledger);
    try {
      const gate = remoteGate(served.url);
      const ticket = { provider: 'alchemy', operation: 'create', attempt: 1, delayMs: 0, money: { currency: 'USD', amount: 10 } };
      await gate.acquire(ticket);
      await gate.release!({ currency: 'USD', amount: 10 });
      await gate.acquire(ticket);
      expect(ledger.report().used).toMatchObject({ requests: 2, spend: { USD: 10 }, released: { USD: 10 } });
    } finally {
      await served.close();
    }
  });
});
