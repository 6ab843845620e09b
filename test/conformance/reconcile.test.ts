/**
 * Reconciliation by order number may only count what the client could read: a query answered with a
 * success envelope around a result sealed with another key (or cut short) is no evidence that the
 * first attempt was processed.
 */
import { describe, expect, it } from 'vitest';
import type { AlchemyClient } from '../../src/client/alchemy.ts';
import type { GepClient } from '../../src/client/gep.ts';
import type { CallResult } from '../../src/client/types.ts';
import { envelopeOf } from '../../src/conformance/judge.ts';
import { reconcile } from '../../src/conformance/reconcile.ts';
import { catalogue } from '../../src/spec/catalogue.ts';

// the duplicate code when the catalogue has one for GEP apply; else any refusal (WIRE.md: GEP may answer 110001)
const dupRule = catalogue()
  .rulesFor('gep', 'apply')
  .find((r) => r.check.kind === 'behaviour' && r.check.behaviour === 'uniqueOrderNo');
const dup = dupRule ? catalogue().expectedCode(dupRule) : '110001';

const result = (over: Partial<CallResult>): CallResult => ({
  provider: 'gep',
  operation: 'apply',
  request: { method: 'POST', url: 'http://127.0.0.1:1/x', headers: {}, body: {}, wireBody: '' },
  status: 200,
  headers: {},
  rawBody: '',
  body: undefined,
  at: new Date(0).toISOString(),
  durationMs: 1,
  attempts: 1,
  ...over,
});

// the refusal in the provider's own envelope field (GEP: errorCode)
const retriedDuplicate = result({ attempts: 2, body: { success: false, [envelopeOf('gep', 'apply').codeField]: dup } });
const body = { userReqNo: 'order-123' };
const clientAnswering = (found: CallResult) => ({ gep: { queryCardOperate: async () => found } as unknown as GepClient }) as const;

describe('reconcile', () => {
  it('a retried apply answered as a duplicate, found by a readable query: reconciled', async () => {
    const found = result({ operation: 'queryCardOperate', body: { success: true, result: { userReqNo: 'order-123' } } });
    const r = await reconcile(clientAnswering(found), 'gep', 'apply', body, retriedDuplicate);
    expect(r?.found).toBe(found);
    expect(r?.note).toContain('order-123');
  });

  it('the same, but the query result could not be decrypted: not reconciled', async () => {
    const found = result({
      operation: 'queryCardOperate',
      body: { success: true, result: 'c2VhbGVk' },
      problem: { kind: 'decrypt', message: 'result: chunk 1 of 2 could not be decrypted' },
    });
    expect(await reconcile(clientAnswering(found), 'gep', 'apply', body, retriedDuplicate)).toBeUndefined();
  });

  it('Alchemy: a retry refused with another code than the duplicate one is not reconciled; with the duplicate code it is', async () => {
    const env = envelopeOf('alchemy', 'create');
    const dupRule = catalogue().byId.get('alchemy.create.orderNo.unique')!;
    const alchemyDup = catalogue().expectedCode(dupRule);
    const found = result({ provider: 'alchemy', operation: 'info', body: { success: true, [env.codeField]: '0' } });
    const clients = { alchemy: { call: async () => found } as unknown as AlchemyClient };
    const retried = (code: string) =>
      result({ provider: 'alchemy', operation: 'create', attempts: 2, body: { success: false, [env.codeField]: code } });
    const order = { orderNo: 'order-9' };
    expect((await reconcile(clients, 'alchemy', 'create', order, retried(alchemyDup)))?.found).toBe(found);
    expect(await reconcile(clients, 'alchemy', 'create', order, retried(`${alchemyDup}9`))).toBeUndefined();
  });

  it('a first attempt (no retry) is never reconciled', async () => {
    const found = result({ operation: 'queryCardOperate', body: { success: true } });
    expect(await reconcile(clientAnswering(found), 'gep', 'apply', body, { ...retriedDuplicate, attempts: 1 })).toBeUndefined();
  });
});
