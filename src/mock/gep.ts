/**
 * The GEP simulator: form envelope, RSA dataContent in and sealed result out, the apply rules of the
 * catalogue (conditional ones and dates in Asia/Shanghai included), default BINs, Luhn card numbers,
 * expiry from endDate, per-currency balances debited by authLimitAmount, the four outcomes of the seed
 * (complete, incomplete then completed, 140001 then resolved, refused), userReqNo idempotency. Every
 * outcome is computed from the mock's clock (an order's settle time), nothing is scheduled. Order details
 * are held in a bounded store: the oldest settled order is evicted first; its userReqNo stays on record, so
 * a repeat is refused (the profile's "or success false with 110001") rather than opening a second card.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { effectiveValue, getPath, isPlainObject } from '../spec/evaluate.ts';
import { decodeSealed, encodeSealed, parseGepForm } from '../wire/gep-envelope.ts';
import { hash32 } from '../wire/hash.ts';
import { withCheckDigit } from '../wire/luhn.ts';
import {
  type Answer,
  atCapacity,
  brokenRefusal,
  codeMeaning,
  deviateAnswer,
  hasFlag,
  json,
  type MockContext,
  type Reply,
  sinceEpoch,
} from './context.ts';
import type { Sealer } from './sealer.ts';
import { ByOrderNumber, listCodec, OrderStore } from './store.ts';
import { createValidator } from './validate.ts';

export interface GepKeys {
  userNo: string;
  merchantPublicKey: KeyObject;
  platformPrivateKey: KeyObject;
}

export type GepOutcome = 'complete' | 'incomplete' | 'pending';
/** Percent of applies per outcome, chosen by a hash of userReqNo (so the same run sees the same mix). */
export type OutcomeMix = Record<GepOutcome, number>;
export const DEFAULT_OUTCOMES: OutcomeMix = { complete: 80, incomplete: 10, pending: 10 };
/** "wait 1 to 5 minutes": provider seconds until an incomplete or pending order is settled. */
export const GEP_SETTLE_SECONDS = { min: 60, max: 300 };
export const DEFAULT_BALANCE = '1000000000.00';

interface Order {
  orderId: string;
  cardId: string;
  userReqNo: string;
  outcome: GepOutcome;
  amountCents: bigint;
  /** Milliseconds from the mock's `epoch` (`sinceEpoch`): shorter in the order's text than a clock time. */
  createdAt: number;
  settleAt: number;
  cardNo: string;
  cvv: string;
  expiry: string;
  currency: string;
  /** The queries have shown the final status / the complete elements (deviations change them afterwards). */
  shownFinal: boolean;
  shownElements: boolean;
}

/** A held order as one JSON array of its fields (its cardId is its key in the store); the amount in decimal digits. */
const ORDER_CODEC = listCodec<Order, 'cardId'>('cardId', {
  orderId: 'json',
  userReqNo: 'json',
  outcome: 'json',
  amountCents: 'bigint',
  createdAt: 'json',
  settleAt: 'json',
  cardNo: 'json',
  cvv: 'json',
  expiry: 'json',
  currency: 'json',
  shownFinal: 'json',
  shownElements: 'json',
});

const toCents = (v: unknown): bigint => {
  const s = String(v ?? '0');
  if (!/^\d+(\.\d+)?$/.test(s)) return 0n;
  const [i, f = ''] = s.split('.');
  return BigInt(i!) * 100n + BigInt((f + '00').slice(0, 2));
};
const fromCents = (c: bigint) => `${c / 100n}.${String(c % 100n).padStart(2, '0')}`;

/** `sealer`: seals the results off the main thread (a long-running mock); without it they are sealed in line. */
export function createGep(ctx: MockContext, keys: GepKeys, outcomes: OutcomeMix = DEFAULT_OUTCOMES, sealer?: Sealer) {
  const profile = ctx.cat.profiles.gep;
  const paths = Object.fromEntries(profile.calls.map((c) => [c.path, c.operation]));
  // the wrong-key fault seals with a stranger's key: the client cannot read any result
  const sealKey = ctx.wrongKey ? generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey : keys.platformPrivateKey;
  const validate = createValidator(ctx.cat, 'gep', 'apply', ctx.deviations, {
    now: ctx.now,
    mode: ctx.schemaMode,
    literalStrings: ctx.leeway.has('literal-strings'),
    reverseOrder: ctx.leeway.has('fields-first'),
  });
  const { defaults } = ctx.cat.operation('gep', 'apply');
  const flag = (f: Parameters<typeof hasFlag>[2]) => hasFlag(ctx, 'gep', f);
  /** "outcome not known yet": the code of the pendingResolves rule. */
  const PENDING = ctx.cat.expectedCode(ctx.cat.byId.get('gep.apply.outcome.pendingResolves')!);
  /** "empty result": an order or card never made, or one whose detail was evicted. */
  const EMPTY = codeMeaning(ctx, 'gep', 'empty result');
  const state = {
    balances: new Map<string, bigint>(),
    /** The cardIds of the held orders by userReqNo (several only where the duplicateOpensCard deviation opened them). */
    orders: new ByOrderNumber<string>(),
    /** Outcomes a test asked for, by userReqNo (admin surface). */
    forced: new Map<string, GepOutcome>(),
  };
  const store: OrderStore<Order> = new OrderStore<Order>({
    max: ctx.maxOrders,
    codec: ORDER_CODEC,
    now: ctx.now,
    settlesAt: (o) => (stuck(o) ? Number.POSITIVE_INFINITY : ctx.epoch + o.settleAt),
    onEvict: (cardId, o) => {
      state.orders.remove(o.userReqNo, cardId);
    },
  });
  /** The first order held for `userReqNo`. */
  const orderFor = (userReqNo: string): Order | undefined => {
    const cardId = state.orders.first(userReqNo);
    return cardId === undefined ? undefined : store.get(cardId);
  };
  const balance = (cur: string) => state.balances.get(cur) ?? toCents(DEFAULT_BALANCE);

  /** Requests (by their business JSON) already answered once by the flickering deviation. */
  const flickered = new Set<string>();
  const flickers = (data: unknown): boolean => {
    if (!flag('flickerRefusalCode')) return false;
    const key = JSON.stringify(data);
    // half of the refusals, each the first time only: the same request sent again is answered right
    if (flickered.has(key) || hash32(key) % 2 === 1) return false;
    flickered.add(key);
    return true;
  };
  const fail = (code: string, msg: string, badInput = true, data?: unknown): Reply => {
    const broken = badInput ? brokenRefusal(ctx, 'gep') : undefined;
    if (broken) return broken;
    const unknown = (flag('unknownRefusalCode') || (data !== undefined && flickers(data))) && code !== PENDING;
    return json({ success: false, errorCode: unknown ? '999999' : code, errorMsg: msg });
  };
  const ok = (result: Record<string, unknown>, deviate: boolean): Answer => {
    const envelope: Record<string, unknown> = { success: true, errorCode: '', errorMsg: '', result };
    if (deviate) deviateAnswer(ctx, 'gep', envelope);
    const { result: r, ...rest } = envelope;
    if (sealer) return sealer.seal(r, sealKey).then((sealed) => json({ ...rest, result: sealed }));
    return json({ ...rest, result: encodeSealed(r, sealKey) });
  };

  /** Never settles (deviations). */
  const stuck = (o: Order) =>
    (o.outcome === 'pending' && flag('pendingForever')) || (o.outcome === 'incomplete' && flag('incompleteForever'));
  const settled = (o: Order) => sinceEpoch(ctx) >= o.settleAt && !stuck(o);
  const cardResult = (o: Order, complete: boolean) => ({
    orderId: o.orderId,
    cardId: o.cardId,
    localCurrency: o.currency,
    cardNo: complete ? o.cardNo : '',
    cardVerifyNo: complete ? o.cvv : '',
    cardExpiryDate: complete ? o.expiry : '',
  });

  const chooseOutcome = (userReqNo: string): GepOutcome => {
    const forced = state.forced.get(userReqNo);
    if (forced) return forced;
    const roll = hash32(userReqNo) % 100;
    if (roll < outcomes.pending) return 'pending';
    if (roll < outcomes.pending + outcomes.incomplete) return 'incomplete';
    return 'complete';
  };

  const open = (req: Record<string, unknown>): Order => {
    const bin = effectiveValue(req, 'binRangeId', defaults) ?? '';
    const realBin = /^0+$/.test(bin) || bin === '' ? `4${ctx.rng.digits(5)}` : bin;
    const end = String(req['endDate']);
    const userReqNo = String(req['userReqNo'] ?? '');
    const outcome = chooseOutcome(userReqNo);
    const span = GEP_SETTLE_SECONDS.max - GEP_SETTLE_SECONDS.min;
    const t = sinceEpoch(ctx);
    const o: Order = {
      orderId: ctx.rng.digits(19),
      // the store's key (digits() is one flat string)
      cardId: ctx.rng.digits(19),
      userReqNo,
      outcome,
      amountCents: toCents(req['authLimitAmount']),
      createdAt: t,
      settleAt: outcome === 'complete' ? t : t + (GEP_SETTLE_SECONDS.min + ctx.rng.int(span + 1)) * ctx.msPerSecond,
      cardNo: withCheckDigit(realBin + ctx.rng.digits(Math.max(0, 15 - realBin.length))),
      cvv: ctx.rng.digits(3),
      expiry: /^\d{4}-\d{2}-\d{2}$/.test(end) ? `${end.slice(5, 7)}/${end.slice(0, 4)}` : '',
      currency: String(req['localCurrency'] ?? ''),
      shownFinal: false,
      shownElements: false,
    };
    store.add(o.cardId, o);
    store.used.add(userReqNo);
    state.orders.add(userReqNo, o.cardId);
    return o;
  };

  const debit = (o: Order) => {
    if (!flag('noDebit')) state.balances.set(o.currency, balance(o.currency) - o.amountCents);
  };

  const answerFor = (o: Order): Answer => {
    if (o.outcome === 'pending' && !settled(o)) return fail(PENDING, 'unknown order status, query the operation later', false);
    return ok(cardResult(o, o.outcome === 'complete' || settled(o)), true);
  };

  const apply = (data: unknown): Answer => {
    const refusal = validate(data);
    if (refusal) return fail(ctx.cat.expectedCode(refusal.rule, refusal.way), `${refusal.rule.field}: ${refusal.rule.title}`, true, data);
    const req = data as Record<string, unknown>;
    // No rule of the table limits binRangeId to digits, but a card number can only start with digits:
    // refuse such a BIN as a field error rather than fail to make the card (it was an HTTP 500).
    if (!/^\d*$/.test(effectiveValue(req, 'binRangeId', defaults) ?? ''))
      return fail(profile.fieldRuleCode, 'binRangeId: not a card BIN (digits) this merchant can issue');
    const userReqNo = String(req['userReqNo'] ?? '');
    const seen = orderFor(userReqNo);
    if (seen && !flag('duplicateOpensCard')) {
      if (flag('duplicateDebitsTwice')) debit(seen);
      return answerFor(seen);
    }
    // Used before, its detail since evicted: the same card cannot be shown again, and a second one must not be opened.
    if (store.used.has(userReqNo) && !flag('duplicateOpensCard'))
      return fail(profile.fieldRuleCode, 'userReqNo: already used (the order is no longer held by this mock)', false);
    const currency = String(req['localCurrency'] ?? '');
    const amount = toCents(req['authLimitAmount']);
    if (amount > balance(currency) && !flag('allowOverdraft')) {
      const rule = ctx.cat.byId.get('gep.apply.authLimitAmount.insufficientBalance')!;
      return fail(flag('genericRefusalCode') ? profile.fieldRuleCode : ctx.cat.expectedCode(rule), 'insufficient account balance', false);
    }
    if (!store.admit()) return atCapacity(ctx, 'gep');
    const o = open(req);
    debit(o);
    return answerFor(o);
  };

  const queryCardOperate = (data: unknown): Answer => {
    const userReqNo = getPath(data, 'userReqNo');
    const o = typeof userReqNo === 'string' ? orderFor(userReqNo) : undefined;
    if (!o) return fail(EMPTY, 'empty result', false);
    const done = o.outcome !== 'pending' || settled(o);
    let status = done ? 2 : 1;
    if (flag('operationStatusFlips') && done) {
      if (o.shownFinal) status = Number(Object.entries(profile.operationStatuses ?? {}).find(([, v]) => v === 'failed')?.[0] ?? status);
      else {
        o.shownFinal = true;
        store.save(o.cardId, o);
      }
    }
    return ok(
      {
        orderId: o.orderId,
        cardId: o.cardId,
        userReqNo: o.userReqNo,
        opType: 0,
        status,
        statusDesc: profile.operationStatuses?.[String(status)],
        amount: flag('queryOtherAmount') ? o.amountCents.toString() : fromCents(o.amountCents),
        createAt: new Date(ctx.epoch + o.createdAt + 8 * 3600_000).toISOString().replace('T', ' ').slice(0, 19),
      },
      false,
    );
  };

  const info = (data: unknown): Answer => {
    const cardId = getPath(data, 'cardId');
    const o = typeof cardId === 'string' ? store.get(cardId) : undefined;
    if (!o) return fail(EMPTY, 'empty result', false);
    if (o.outcome === 'pending' && !settled(o)) return fail(PENDING, 'unknown order status', false);
    let complete = o.outcome === 'complete' || settled(o);
    if (flag('elementsVanish') && complete) {
      complete = !o.shownElements;
      if (!o.shownElements) {
        o.shownElements = true;
        store.save(o.cardId, o);
      }
    }
    const { orderId: _o, ...card } = cardResult(o, complete);
    if (flag('infoOtherCurrency')) card.localCurrency = card.localCurrency === 'EUR' ? 'USD' : 'EUR';
    return ok({ ...card, cardStatus: complete ? 'ACTIVE' : 'PROCESSING', availableAmount: fromCents(o.amountCents) }, true);
  };

  return {
    paths,
    handle(path: string, headers: Record<string, string | string[] | undefined>, raw: string): Answer {
      const operation = paths[path];
      if (!operation) return json({ success: false, errorCode: '130001', errorMsg: 'no such API' }, 404);
      if (!String(headers['content-type'] ?? '').includes('application/x-www-form-urlencoded'))
        return fail(profile.fieldRuleCode, 'content type must be application/x-www-form-urlencoded');
      const form = parseGepForm(raw);
      const missing = ['version', 'certificateId', 'userNo', 'dataType', 'dataContent'].find((k) => !form[k]);
      if (missing) return fail(profile.fieldRuleCode, `form field ${missing} is required`);
      if (form.userNo !== keys.userNo && !flag('acceptOtherUserNo')) return fail(profile.fieldRuleCode, 'unknown merchant userNo', false);
      let data: unknown;
      try {
        data = decodeSealed(form.dataContent!, keys.merchantPublicKey);
      } catch {
        const unsealed = flag('acceptUnsealed') ? readUnsealed(form.dataContent!) : undefined;
        if (unsealed !== undefined) data = unsealed;
      }
      if (data === undefined) {
        if (flag('acceptUndecryptable') && operation === 'apply') {
          if (!store.admit()) return atCapacity(ctx, 'gep');
          const o = open({ userReqNo: `undecryptable-${ctx.rng.hex(8)}`, localCurrency: 'USD', endDate: '2030-01-01' });
          return ok(cardResult(o, true), false);
        }
        const rule = ctx.cat.byId.get('gep.apply.auth.encryption')!;
        return fail(ctx.cat.expectedCode(rule), 'dataContent could not be decrypted with the merchant key', false);
      }
      if (!isPlainObject(data) && operation !== 'apply') return fail(profile.fieldRuleCode, 'dataContent is not a JSON object');
      if (operation === 'apply') return apply(data);
      if (operation === 'queryCardOperate') return queryCardOperate(data);
      return info(data);
    },
    admin: {
      state: () => ({
        balances: Object.fromEntries([...state.balances].map(([k, v]) => [k, fromCents(v)])),
        defaultBalance: DEFAULT_BALANCE,
        cards: store.size,
        orders: state.orders.counts(),
      }),
      /** Counters only: cheap enough to read every second under load. */
      stats: () => store.stats(),
      setBalance: (currency: string, amount: string) => state.balances.set(currency, toCents(amount)),
      force: (userReqNo: string, outcome: GepOutcome) => state.forced.set(userReqNo, outcome),
      reset: () => {
        state.balances.clear();
        state.orders.clear();
        store.clear();
        state.forced.clear();
      },
    },
  };
}

/** The Base64 JSON in hex, never sealed (the `acceptUnsealed` deviation reads it); undefined when it is not that. */
function readUnsealed(hex: string): unknown {
  try {
    return JSON.parse(Buffer.from(Buffer.from(hex, 'hex').toString('utf8'), 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
}
