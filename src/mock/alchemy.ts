/**
 * The Alchemy Pay simulator: signed requests, the create rules of the catalogue, duplicate orderNo,
 * the card lifecycle computed from the mock's clock, the CREATE_CARD callback at ACTIVE through the
 * mock's one callback queue (redelivered on failure), balances in cents. Every code comes from the
 * provider profile. Card details are held in a bounded store: the oldest settled card (ACTIVE, its
 * callback finished) is evicted first, and its orderNo stays on record as used.
 */
import type { Catalogue } from '../spec/catalogue.ts';
import { getPath, isPlainObject } from '../spec/evaluate.ts';
import { verifyAlchemyRequest } from '../wire/alchemy-sign.ts';
import { withCheckDigit } from '../wire/luhn.ts';
import { CallbackQueue } from './callbacks.ts';
import {
  atCapacity,
  brokenRefusal,
  codeMeaning,
  deviateAnswer,
  faceOf,
  flat,
  hasFlag,
  json,
  type MockContext,
  type Reply,
  sinceEpoch,
} from './context.ts';
import { ByOrderNumber, listCodec, OrderStore } from './store.ts';
import { createValidator } from './validate.ts';

export interface AlchemyKeys {
  accessKey: string;
  secretKey: string;
}

interface Card {
  cardId: string;
  orderNo: string;
  deposit: string;
  number: string;
  cvc: string;
  expMonth: string;
  expYear: string;
  holder: { firstName?: string; lastName?: string };
  /** Milliseconds from the mock's `epoch` (`sinceEpoch`): shorter in the card's text than a clock time. */
  createdAt: number;
  callbackUrl: string;
  /**
   * The callback's attempts, one line each: its number, a space, its status (the HTTP status, or why there
   * was none). One flat string: a list of records was an array and an object per attempt for every card held.
   */
  callbacks: string;
  /** The callback is finished (delivered, dropped after its last attempt, or none to send). */
  callbackDone: boolean;
  /** The card detail has shown the final status (deviation: it leaves it afterwards). */
  shownFinal: boolean;
  /** Reads of the card detail from the fourth status on (deviation: the status falls back once). */
  lateReads: number;
}

/** A held card as one JSON array of its fields (its cardId is its key in the store). */
const CARD_CODEC = listCodec<Card, 'cardId'>('cardId', {
  orderNo: 'json',
  deposit: 'json',
  number: 'json',
  cvc: 'json',
  expMonth: 'json',
  expYear: 'json',
  holder: 'json',
  createdAt: 'json',
  callbackUrl: 'json',
  callbacks: 'json',
  callbackDone: 'json',
  shownFinal: 'json',
  lateReads: 'json',
});

/** A card's callback attempts as records: `{ attempt, status }`, the status a number when it is an HTTP status. */
const attemptsOf = (card: Card): { attempt: number; status: number | string }[] =>
  card.callbacks === ''
    ? []
    : card.callbacks.split('\n').map((line) => {
        const at = line.indexOf(' ');
        const status = line.slice(at + 1);
        return { attempt: Number(line.slice(0, at)), status: /^\d+$/.test(status) ? Number(status) : status };
      });

/** The card as the provider shows it (card detail and callback alike); amounts in cents. */
const cardView = (card: Card, status: string) => ({
  cardId: card.cardId,
  deposit: card.deposit,
  consume: '0',
  balance: card.deposit,
  cvc: card.cvc,
  number: card.number,
  cardBin: card.number.slice(0, 6),
  last4: card.number.slice(-4),
  status,
  expYear: card.expYear,
  expMonth: card.expMonth,
});

/** Provider seconds per lifecycle step (Opening card → … → Activated). */
export const ALCHEMY_STEP_SECONDS = 5;

/** The mock's card segments (its segment list): one, the profile's fallback vid, in USD. */
export function mockSegments(cat: Catalogue) {
  const vid = String(cat.profiles.alchemy.wire['fallbackVid']);
  return [{ vid, currency: 'USD', name: `${vid} virtual card`, bin: '428852' }];
}

export function createAlchemy(ctx: MockContext, keys: AlchemyKeys) {
  const profile = ctx.cat.profiles.alchemy;
  const lifecycle = profile.lifecycle!;
  const SEGMENTS = mockSegments(ctx.cat);
  const last = lifecycle.order.length - 1;
  /** Status indices per step: the documented order, or (deviation) never the last. */
  const sequence = (): number[] => {
    if (flag('neverActive')) return lifecycle.order.slice(0, -1).map((_, i) => i);
    return [...lifecycle.order.keys()];
  };
  const paths = Object.fromEntries(profile.calls.map((c) => [c.path, c.operation]));
  const validate = createValidator(ctx.cat, 'alchemy', 'create', ctx.deviations, {
    mode: ctx.schemaMode,
    now: ctx.now,
    knownValues: { segmentList: SEGMENTS.map((s) => s.vid) },
    literalStrings: ctx.leeway.has('literal-strings'),
    reverseOrder: ctx.leeway.has('fields-first'),
  });
  const fieldsFirst = ctx.leeway.has('fields-first');
  const flag = (f: Parameters<typeof hasFlag>[2]) => hasFlag(ctx, 'alchemy', f);
  const windowMs = Number(profile.wire['signatureWindowMs']);
  const redeliveries = Number(profile.wire['callbackRedeliveries']);
  /** "user card information does not exist": a card never made, or one whose detail was evicted. */
  const NO_CARD = codeMeaning(ctx, 'alchemy', 'user card information does not exist');
  /** The cardIds of the held cards by orderNo (several only where the duplicateOpensCard deviation opened them). */
  const orders = new ByOrderNumber<string>();
  const store: OrderStore<Card> = new OrderStore<Card>({
    max: ctx.maxOrders,
    codec: CARD_CODEC,
    now: ctx.now,
    // settled: ACTIVE on the clock and the callback finished (an event: the queue wakes the card)
    settlesAt: (card) =>
      flag('neverActive') || !card.callbackDone
        ? Number.POSITIVE_INFINITY
        : ctx.epoch + card.createdAt + activeAfterSeconds() * ctx.msPerSecond,
    onEvict: (cardId, card) => {
      orders.remove(card.orderNo, cardId);
    },
  });
  const state = { debitedCents: 0n };
  /** The card's callback is finished: it settles (ACTIVE on the clock) and may be evicted. */
  const callbackDone = (cardId: string) => {
    const card = store.get(cardId);
    if (!card) return;
    card.callbackDone = true;
    store.save(cardId, card);
    store.wake(cardId);
  };
  /** The queue holds each waiting callback's cardId, not its card: the card is read when an attempt is made. */
  const queue = new CallbackQueue<string>({
    attempts: 1 + redeliveries,
    retryMs: ALCHEMY_STEP_SECONDS * ctx.msPerSecond,
    ack: String(profile.wire['callbackAck']),
    allowed: ctx.callbackAllowed,
    // a card is held until its callback is done (the queue is cleared when the cards are)
    body: (cardId) => JSON.stringify(callbackBody(store.get(cardId)!)),
    onAttempt: (cardId, attempt, status) => {
      const card = store.get(cardId);
      if (!card) return;
      card.callbacks = `${card.callbacks}${card.callbacks === '' ? '' : '\n'}${attempt} ${status}`;
      store.save(cardId, card);
    },
    onDone: callbackDone,
  });

  const traceId = () => ctx.rng.hex(32);
  // every Alchemy answer has the create's envelope; its numeric fields are written as the mock's face asks
  const envelope = (code: string, msg: string, model: unknown): Record<string, unknown> =>
    faceOf(ctx, 'alchemy', 'create', {
      code,
      msg,
      model,
      traceId: traceId(),
      success: code === profile.successCode,
      error: code !== profile.successCode,
    });
  const refuse = (code: string, msg: string, badInput = true): Reply => {
    const broken = badInput ? brokenRefusal(ctx, 'alchemy') : undefined;
    if (broken) return broken;
    const actual = flag('unknownRefusalCode') ? '9999' : flag('genericRefusalCode') ? profile.fieldRuleCode : code;
    return json(envelope(actual, msg, null));
  };

  /** The status index at time t: the documented order, or the deviation's broken one. */
  const statusAt = (card: Card, t: number): string => {
    const step = Math.floor((t - ctx.epoch - card.createdAt) / (ALCHEMY_STEP_SECONDS * ctx.msPerSecond));
    const seq = sequence();
    return lifecycle.order[seq[Math.min(Math.max(step, 0), seq.length - 1)]!]!;
  };
  const activeAfterSeconds = () => (sequence().length - 1) * ALCHEMY_STEP_SECONDS;

  const callbackBody = (card: Card) => ({
    eventType: profile.wire['callbackEvent'],
    eventId: `ev_${ctx.rng.hex(16)}`,
    webhookSubscribeId: `wsb_${ctx.rng.hex(12)}`,
    data: {
      userId: `u_${ctx.rng.hex(8)}`,
      cardHolderId: `ch_${ctx.rng.hex(8)}`,
      holderName: [card.holder.firstName, card.holder.lastName].filter(Boolean).join(' '),
      cardSeqNo: ctx.rng.digits(10),
      cardCustomerId: `cc_${ctx.rng.hex(8)}`,
      ...cardView(card, lifecycle.order.at(-1)!),
      statusText: 'Activated',
      gmtCreate: new Date(ctx.epoch + card.createdAt).toISOString(),
      orderNo: flag('callbackOtherOrder') ? `${card.orderNo}-other` : card.orderNo,
    },
  });

  /** Whether the card has a callback to send: when it reaches ACTIVE, through the queue. */
  const sendsCallback = (callbackUrl: string) => !flag('noCallback') && !flag('neverActive') && URL.canParse(callbackUrl);

  const open = (body: Record<string, unknown>): Card => {
    const segment = SEGMENTS.find((s) => s.vid === body['vid']) ?? SEGMENTS[0]!;
    const number = withCheckDigit(segment.bin + ctx.rng.digits(9));
    const exp = new Date(ctx.now());
    const holder = isPlainObject(body['cardHolder']) ? (body['cardHolder'] as Card['holder']) : {};
    const callbackUrl = String(body['callbackUrl'] ?? '');
    const callback = sendsCallback(callbackUrl);
    const card: Card = {
      // the store's key, one flat string (a template of more than 12 characters is a rope of its pieces)
      cardId: flat(`card_${ctx.rng.hex(16)}`),
      orderNo: String(body['orderNo'] ?? ''),
      deposit: String(body['deposit']),
      number,
      cvc: ctx.rng.digits(3),
      expMonth: String(exp.getUTCMonth() + 1).padStart(2, '0'),
      expYear: String(exp.getUTCFullYear() + 3),
      holder,
      createdAt: sinceEpoch(ctx),
      callbackUrl,
      callbacks: '',
      callbackDone: !callback,
      shownFinal: false,
      lateReads: 0,
    };
    store.add(card.cardId, card);
    store.used.add(card.orderNo);
    orders.add(card.orderNo, card.cardId);
    if (/^\d+$/.test(card.deposit)) state.debitedCents += BigInt(card.deposit);
    if (callback) queue.add(card.cardId, callbackUrl, activeAfterSeconds() * ctx.msPerSecond);
    return card;
  };

  const activeLink = () => {
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const token = `${b64({ alg: 'none', kid: 'mock' })}.${b64({ sub: ctx.rng.hex(16), iat: Math.floor(ctx.now() / 1000) })}.${ctx.rng.hex(32)}`;
    return `${ctx.baseUrl()}/login?wallet=${ctx.rng.digits(4)}&token=${token}`;
  };

  const create = (body: unknown): Reply => {
    const refusal = validate(body);
    if (refusal) return refuse(ctx.cat.expectedCode(refusal.rule, refusal.way), `${refusal.rule.field}: ${refusal.rule.title}`);
    const b = body as Record<string, unknown>;
    const orderNo = String(b['orderNo'] ?? '');
    if (store.used.has(orderNo) && !flag('duplicateOpensCard')) {
      const dup = ctx.cat.byId.get('alchemy.create.orderNo.unique')!;
      return refuse(flag('duplicateWrongCode') ? profile.fieldRuleCode : ctx.cat.expectedCode(dup), 'duplicate order number', false);
    }
    if (!store.admit()) return atCapacity(ctx, 'alchemy');
    open(b);
    return json(deviateAnswer(ctx, 'alchemy', envelope(profile.successCode, 'success', { activeLink: activeLink() })));
  };

  const info = (body: unknown): Reply => {
    const cardId = getPath(body, 'cardId');
    const orderNo = getPath(body, 'orderNo');
    const id = typeof cardId === 'string' ? cardId : typeof orderNo === 'string' ? orders.first(orderNo) : undefined;
    const card = id === undefined ? undefined : store.get(id);
    if (!card) return refuse(NO_CARD, 'user card information does not exist', false);
    let status = statusAt(card, ctx.now());
    if (flag('statusGoesBack') && lifecycle.order.indexOf(status) >= last - 1) {
      // Counted in reads, not in time, so that any poller sees it: the first read from the fourth status on
      // shows the fourth, the next one falls back to the third, then the card goes on.
      card.lateReads++;
      store.save(card.cardId, card);
      if (card.lateReads <= 2) status = lifecycle.order[last - card.lateReads]!;
    }
    if (flag('statusLeavesFinal') && status === lifecycle.order.at(-1)) {
      // the first published status that is neither on the way to ACTIVE nor the failure end (FREEZE)
      if (card.shownFinal) status = lifecycle.statuses?.find((s) => !lifecycle.order.includes(s) && s !== lifecycle.failureEnd) ?? status;
      else {
        card.shownFinal = true;
        store.save(card.cardId, card);
      }
    }
    const view = cardView(card, status);
    // every amount is in cents; the deviation shows the deposit in dollars
    if (flag('infoOtherDeposit') && /^\d+$/.test(view.deposit))
      view.deposit = `${BigInt(view.deposit) / 100n}.${String(BigInt(view.deposit) % 100n).padStart(2, '0')}`;
    return json(
      envelope(profile.successCode, 'success', {
        orderNo: card.orderNo,
        cardHolder: card.holder,
        card: view,
      }),
    );
  };

  const segmentList = (): Reply =>
    json(
      envelope(
        profile.successCode,
        'success',
        SEGMENTS.map(({ vid, currency, name }) => ({ vid, currency, name })),
      ),
    );

  return {
    paths,
    handle(path: string, method: string, headers: Record<string, string | string[] | undefined>, raw: string): Reply {
      const operation = paths[path];
      if (!operation) return json(envelope('1', 'no such API', null), 404);
      const ct = String(headers['content-type'] ?? '');
      let body: unknown;
      if (raw !== '') {
        if (!ct.includes('json')) return refuse(profile.fieldRuleCode, 'content type must be application/json');
        try {
          body = JSON.parse(raw);
        } catch {
          return refuse(profile.fieldRuleCode, 'the body is not JSON');
        }
      }
      // fields-first: a create's fields are judged before its signature
      if (fieldsFirst && operation === 'create') {
        const refusal = validate(body);
        if (refusal) return refuse(ctx.cat.expectedCode(refusal.rule, refusal.way), `${refusal.rule.field}: ${refusal.rule.title}`);
      }
      const verified = verifyAlchemyRequest({
        headers,
        method,
        path,
        rawBody: raw,
        secretFor: (k) => (k === keys.accessKey || flag('acceptUnknownKey') ? keys.secretKey : undefined),
        now: ctx.now(),
        windowMs: flag('ignoreTimestampWindow') ? Number.POSITIVE_INFINITY : windowMs,
        bytesOnly: ctx.leeway.has('bytes-signed'),
        ...(flag('signatureAnyPath') ? { alsoPaths: Object.keys(paths) } : {}),
      });
      if (!verified.ok && !(flag('acceptBadSignature') && verified.reason === 'bad-signature')) {
        const code =
          verified.reason === 'unknown-key'
            ? codeMeaning(ctx, 'alchemy', 'merchant does not exist')
            : verified.reason === 'bad-body'
              ? profile.fieldRuleCode
              : ctx.cat.expectedCode(ctx.cat.byId.get('alchemy.create.auth.signature')!);
        return refuse(code, verified.detail, false);
      }
      if (!headers['email']) return refuse(profile.fieldRuleCode, 'header email is required', false);
      if (operation === 'create') return create(body);
      if (operation === 'info') return info(body);
      return segmentList();
    },
    /** Admin: what a test may look at and set (only when the admin surface is on). */
    admin: {
      /** The held cards (evicted ones are gone from `orders` and `callbacks`). */
      state: () => ({
        cards: store.size,
        debitedCents: state.debitedCents.toString(),
        orders: orders.counts(),
        callbacks: Object.fromEntries([...store.entries()].map(([, c]) => [c.orderNo, attemptsOf(c)])),
      }),
      /** Counters only: cheap enough to read every second under load. */
      stats: () => ({ ...store.stats(), callbacks: queue.stats() }),
      useOrder: (orderNo: string) => store.used.add(orderNo),
      /** A card opened for `orderNo` as a valid create would (the range's smallest deposit, no callback); its cardId. */
      openCard: (orderNo: string): string => {
        const range = ctx.cat.byId.get('alchemy.create.deposit.range')!.check;
        const deposit = range.kind === 'amountRange' ? range.min : '0';
        return open({ vid: SEGMENTS[0]!.vid, orderNo, deposit, callbackUrl: '' }).cardId;
      },
      reset: () => {
        orders.clear();
        store.clear();
        queue.clear();
        state.debitedCents = 0n;
      },
    },
    /** Drops the waiting callbacks and aborts those in flight. */
    close: () => queue.close(),
  };
}
