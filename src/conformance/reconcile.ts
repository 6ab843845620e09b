/**
 * An unclear outcome, reconciled by its own order number. A create/apply whose connection failed after
 * it was sent was retried by the transport with the same body (never a new order number); when the retry
 * is answered "that order number was used before", the first attempt was processed. The run then asks
 * the provider's own query call by that order number (Alchemy `info` by orderNo, GEP `queryCardOperate`
 * by userReqNo) and judges what it finds, never "a valid request refused".
 */
import type { AlchemyClient } from '../client/alchemy.ts';
import type { GepClient } from '../client/gep.ts';
import type { CallResult } from '../client/types.ts';
import { catalogue } from '../spec/catalogue.ts';
import { getPath } from '../spec/evaluate.ts';
import type { Provider } from '../spec/registry.ts';
import { idFieldOf } from './ids.ts';
import { envelopeOf } from './judge.ts';

export interface Reconciled {
  /** The query that found the order, one line. */
  note: string;
  /** The query's answer. */
  found: CallResult;
}

/** The refusal code of "order number used before" (the uniqueOrderNo rule's), if the provider has one. */
const duplicateCode = (provider: Provider, operation: string): string | undefined => {
  const rule = catalogue()
    .rulesFor(provider, operation)
    .find((r) => r.check.kind === 'behaviour' && r.check.behaviour === 'uniqueOrderNo');
  return rule ? catalogue().expectedCode(rule) : undefined;
};

/**
 * When `result` is a retried create/apply answered as a duplicate of itself, the order as the provider's
 * query shows it; otherwise undefined (nothing unclear, or nothing found).
 */
export async function reconcile(
  clients: { alchemy?: AlchemyClient | undefined; gep?: GepClient | undefined },
  provider: Provider,
  operation: string,
  body: unknown,
  result: CallResult,
): Promise<Reconciled | undefined> {
  // the envelope as every judge reads it: an answer the client could not read (another key, a cut body) is no evidence
  const env = envelopeOf(provider, operation);
  const answer = env.read(result);
  if (result.attempts < 2 || answer.succeeded) return undefined;
  const dup = duplicateCode(provider, operation);
  const code = answer.code;
  // Alchemy names the duplicate (2722); GEP may answer 110001 to the same userReqNo (WIRE.md): either way, ask
  if (dup !== undefined && code !== dup) return undefined;
  const orderNo = getPath(body, idFieldOf(provider, operation));
  if (typeof orderNo !== 'string' || orderNo === '') return undefined;
  const found =
    provider === 'alchemy' ? await clients.alchemy?.call('info', { orderNo }) : await clients.gep?.queryCardOperate({ userReqNo: orderNo });
  // the query's answer has the provider's one envelope (the same fields as the create/apply's)
  if (!found || !env.read(found).succeeded) return undefined;
  return {
    found,
    note: `the connection failed after the ${operation} was sent; its retry was answered ${code ?? 'with a refusal'} (used before), and ${
      provider === 'alchemy' ? 'info' : 'queryCardOperate'
    } by ${orderNo} finds the order: the first attempt was processed`,
  };
}
