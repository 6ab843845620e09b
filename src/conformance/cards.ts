/**
 * Every card a run opened, so a team can close them (issue 15): the provider, the card id when an
 * answer named it, the order number, the amount and currency as sent. Never card data: no number, CVV,
 * expiry or activation link is ever read from an answer into this list.
 *
 * Which call opens a card, which field is its order number, which its amount and currency: all from the
 * catalogue (the operation whose idempotency rule names the order number; the amount is the field whose
 * money the provider moves — a `balanceDebited` behaviour, else an `amountRange` rule).
 */
import type { CallResult } from '../client/types.ts';
import { type Catalogue, catalogue } from '../spec/catalogue.ts';
import { getPath, isPlainObject } from '../spec/evaluate.ts';
import { keyedMemo } from '../spec/memo.ts';
import type { Provider } from '../spec/registry.ts';
import { WireError } from '../wire/errors.ts';
import { isBudgetExhausted } from './budget.ts';
import { idFieldOf } from './ids.ts';
import { envelopeOf } from './judge.ts';

export interface OpenedCard {
  provider: Provider;
  /** From the create's answer or a later answer about the same order; absent when none named it yet. */
  cardId?: string;
  orderNo: string;
  /** As sent, in the provider's unit (`amountField`: Alchemy `deposit` in cents, GEP `authLimitAmount` in the currency). */
  amount: string;
  currency?: string;
  amountField?: string;
  /**
   * `opened` (the create succeeded), `pending` (accepted, outcome later), `unknown` (no readable answer: it
   * may have opened one) or `refused` (the provider's refusal: no card). Only requests that were sent.
   */
  outcome: 'opened' | 'pending' | 'unknown' | 'refused';
}

/** Facts of the catalogue asked for every request a run sends: found once per catalogue (a scan of every rule each time was 3% of a worker). */
const facts = keyedMemo<Catalogue, unknown>();

/** The operation of `provider` that opens a card: the one with an idempotency rule. */
export function openingOperation(provider: Provider): string | undefined {
  const cat = catalogue();
  return facts(
    cat,
    `opening ${provider}`,
    () => cat.rules.find((r) => r.provider === provider && r.check.kind === 'behaviour' && r.check.behaviour === 'idempotent')?.operation,
  ) as string | undefined;
}

/** The money field of an opening operation, and its currency (a request field named so, else the amount rule's unit). */
export function amountOf(provider: Provider, operation: string): { field?: string; currency?: string; currencyField?: string } {
  const cat = catalogue();
  return facts(cat, `amount ${provider} ${operation}`, () => deriveAmountOf(cat, provider, operation)) as ReturnType<typeof amountOf>;
}
function deriveAmountOf(cat: Catalogue, provider: Provider, operation: string): ReturnType<typeof amountOf> {
  const rules = cat.rulesFor(provider, operation);
  const debit = rules.find((r) => r.check.kind === 'behaviour' && r.check.behaviour === 'balanceDebited');
  const range = rules.find((r) => r.side === 'request' && r.check.kind === 'amountRange');
  const field = debit?.field ?? range?.field;
  const currencyField = rules.find((r) => r.side === 'request' && /currency$/i.test(r.field))?.field;
  const unit = range?.check.kind === 'amountRange' ? /^[A-Z]{3}\b/.exec(range.check.unit ?? '')?.[0] : undefined;
  return { ...(field ? { field } : {}), ...(currencyField ? { currencyField } : unit ? { currency: unit } : {}) };
}

/** The `cardId` an answer names (WIRE.md: both providers call it so), anywhere in the first levels of its body. */
export function cardIdIn(body: unknown, depth = 3): string | undefined {
  if (!isPlainObject(body) || depth < 0) return undefined;
  const own = body['cardId'];
  if (typeof own === 'string' && own !== '') return own;
  for (const v of Object.values(body)) {
    const found = cardIdIn(v, depth - 1);
    if (found) return found;
  }
  return undefined;
}

/**
 * A failure that proves the request never reached the provider: a budget that refused it, no connection,
 * TLS or a key/config error on the only attempt, or a host name that does not resolve (no attempt can have
 * connected).
 */
export function neverSent(err: unknown): boolean {
  // a budget refused it: the gate threw before the request left
  if (isBudgetExhausted(err)) return true;
  if (!(err instanceof WireError)) return false;
  if (err.kind === 'config' || err.kind === 'key') return true;
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return true;
  return (err.kind === 'connect' || err.kind === 'tls') && (err.attempts ?? 1) <= 1;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);

/**
 * The creates one worker (or the session) sent, one per provider and order number, with what came of
 * each: a create's answer adds one, a later answer about the same order fills in the card id.
 */
export class CardLedger {
  private readonly byOrder = new Map<string, OpenedCard>();

  /** A call went out and `result` came back (`undefined`: it threw `err`; unless that proves nothing was sent, the outcome is unknown). */
  note(provider: Provider, operation: string, body: unknown, result: CallResult | undefined, err?: unknown): void {
    if (!isPlainObject(body) || (result === undefined && neverSent(err))) return;
    const opening = openingOperation(provider);
    const orderField = opening ? idFieldOf(provider, opening) : undefined;
    const orderNo = orderField ? text(getPath(body, orderField)) : undefined;
    if (orderNo === undefined) return;
    const key = `${provider}\u0000${orderNo}`;
    const known = this.byOrder.get(key);
    const cardId = result && !result.problem ? cardIdIn(result.body) : undefined;
    if (known) {
      if (cardId && !known.cardId) known.cardId = cardId;
      if (operation === opening && known.outcome !== 'opened' && result && envelopeOf(provider, operation).read(result).succeeded)
        known.outcome = 'opened';
      // a later answer about the order (a query naming its card) shows a refused-then-retried order opened
      if (known.outcome === 'refused' && cardId) known.outcome = 'opened';
      return;
    }
    if (operation !== opening) return;
    let outcome: OpenedCard['outcome'] = 'unknown';
    if (result && !result.problem) {
      const e = envelopeOf(provider, operation).read(result);
      if (!e.ok) outcome = 'unknown';
      else if (e.succeeded) outcome = 'opened';
      else if (e.pending) outcome = 'pending';
      else outcome = 'refused';
    }
    const m = amountOf(provider, operation);
    const currency = m.currencyField ? text(getPath(body, m.currencyField)) : m.currency;
    this.byOrder.set(key, {
      provider,
      ...(cardId ? { cardId } : {}),
      orderNo,
      amount: (m.field ? text(getPath(body, m.field)) : undefined) ?? '',
      ...(currency ? { currency } : {}),
      ...(m.field ? { amountField: m.field } : {}),
      outcome,
    });
  }

  list(): OpenedCard[] {
    return [...this.byOrder.values()];
  }

  clear(): void {
    this.byOrder.clear();
  }
}

/**
 * The run's list from every worker's: one card per provider and order number, a card id or a firmer
 * outcome from any of them, in a stable order.
 */
export function mergeCards(lists: readonly (readonly OpenedCard[])[]): OpenedCard[] {
  // refused < unknown: a create that timed out and was refused on its retry ("used before") may have opened one
  const rank = { refused: 0, unknown: 1, pending: 2, opened: 3 } as const;
  const out = new Map<string, OpenedCard>();
  for (const c of lists.flat()) {
    const key = `${c.provider}\u0000${c.orderNo}`;
    const known = out.get(key);
    if (!known) out.set(key, { ...c });
    else {
      if (!known.cardId && c.cardId) known.cardId = c.cardId;
      if (rank[c.outcome] > rank[known.outcome]) known.outcome = c.outcome;
    }
  }
  return [...out.values()].sort((a, b) => a.provider.localeCompare(b.provider) || a.orderNo.localeCompare(b.orderNo));
}
