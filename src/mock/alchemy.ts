/**
 * The Alchemy Pay simulator: signed requests, the create rules of the catalogue, duplicate orderNo,
 * the card lifecycle advancing on the mock's clock, the CREATE_CARD callback at ACTIVE (redelivered on
 * failure), balances in cents. Every code comes from the provider profile.
 */
import { request } from 'undici';
import { getPath, isPlainObject } from '../spec/evaluate.ts';
import { verifyAlchemyRequest } from '../wire/alchemy-sign.ts';
import { withCheckDigit } from '../wire/luhn.ts';
import { brokenRefusal, deviateAnswer, faceOf, hasFlag, json, later, type MockContext, type Reply } from './context.ts';
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
  createdAt: number;
  callbackUrl: string;
  callbacks: { attempt: number; status: number | string }[];
  /** The card detail has shown the final status (deviation: it leaves it afterwards). */
  shownFinal?: boolean;
  /** Reads of the card detail from the fourth status on (deviation: the status falls back once). */
  lateReads?: number;
}

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

export function createAlchemy(ctx: MockContext, keys: AlchemyKeys) {
  const profile = ctx.cat.profiles.alchemy;
  const lifecycle = profile.lifecycle!;
  /** The mock's one card segment: the profile's fallback vid, in USD. */
  const vid = String(profile.wire['fallbackVid']);
  const SEGMENTS = [{ vid, currency: 'USD', name: `${vid} virtual card`, bin: '428852' }];
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
  });
  const flag = (f: Parameters<typeof hasFlag>[2]) => hasFlag(ctx, 'alchemy', f);
  const windowMs = Number(profile.wire['signatureWindowMs']);
  const redeliveries = Number(profile.wire['callbackRedeliveries']);
  const state = { orders: new Map<string, Card[]>(), cards: new Map<string, Card>(), debitedCents: 0n };

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
    const step = Math.floor((t - card.createdAt) / (ALCHEMY_STEP_SECONDS * ctx.msPerSecond));
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
      gmtCreate: new Date(card.createdAt).toISOString(),
      orderNo: flag('callbackOtherOrder') ? `${card.orderNo}-other` : card.orderNo,
    },
  });

  const deliver = (card: Card, attempt: number) => {
    if (flag('noCallback') || flag('neverActive')) return;
    let url: URL;
    try {
      url = new URL(card.callbackUrl);
    } catch {
      return;
    }
    if (!ctx.callbackAllowed(url)) {
      card.callbacks.push({ attempt, status: 'not sent: host not allowed' });
      return;
    }
    request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(callbackBody(card)),
      signal: AbortSignal.timeout(5000),
    })
      .then(async (res) => {
        const text = await res.body.text();
        card.callbacks.push({ attempt, status: res.statusCode });
        if ((res.statusCode !== 200 || text.trim() !== profile.wire['callbackAck']) && attempt <= redeliveries)
          later(ctx, ALCHEMY_STEP_SECONDS, () => deliver(card, attempt + 1));
      })
      .catch(() => {
        card.callbacks.push({ attempt, status: 'unreachable' });
        if (attempt <= redeliveries) later(ctx, ALCHEMY_STEP_SECONDS, () => deliver(card, attempt + 1));
      });
  };

  const open = (body: Record<string, unknown>): Card => {
    const segment = SEGMENTS.find((s) => s.vid === body['vid']) ?? SEGMENTS[0]!;
    const number = withCheckDigit(segment.bin + ctx.rng.digits(9));
    const exp = new Date(ctx.now());
    const holder = isPlainObject(body['cardHolder']) ? (body['cardHolder'] as Card['holder']) : {};
    const card: Card = {
      cardId: `card_${ctx.rng.hex(16)}`,
      orderNo: String(body['orderNo'] ?? ''),
      deposit: String(body['deposit']),
      number,
      cvc: ctx.rng.digits(3),
      expMonth: String(exp.getUTCMonth() + 1).padStart(2, '0'),
      expYear: String(exp.getUTCFullYear() + 3),
      holder,
      createdAt: ctx.now(),
      callbackUrl: String(body['callbackUrl'] ?? ''),
      callbacks: [],
    };
    state.cards.set(card.cardId, card);
    const list = state.orders.get(card.orderNo) ?? [];
    list.push(card);
    state.orders.set(card.orderNo, list);
    if (/^\d+$/.test(card.deposit)) state.debitedCents += BigInt(card.deposit);
    later(ctx, activeAfterSeconds(), () => deliver(card, 1));
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
    if (state.orders.has(orderNo) && !flag('duplicateOpensCard')) {
      const dup = ctx.cat.byId.get('alchemy.create.orderNo.unique')!;
      return refuse(flag('duplicateWrongCode') ? profile.fieldRuleCode : ctx.cat.expectedCode(dup), 'duplicate order number', false);
    }
    open(b);
    return json(deviateAnswer(ctx, 'alchemy', envelope(profile.successCode, 'success', { activeLink: activeLink() })));
  };

  const info = (body: unknown): Reply => {
    const cardId = getPath(body, 'cardId');
    const orderNo = getPath(body, 'orderNo');
    const card =
      typeof cardId === 'string' ? state.cards.get(cardId) : typeof orderNo === 'string' ? state.orders.get(orderNo)?.[0] : undefined;
    if (!card) return refuse('2654', 'user card information does not exist', false);
    let status = statusAt(card, ctx.now());
    if (flag('statusGoesBack') && lifecycle.order.indexOf(status) >= last - 1) {
      // Counted in reads, not in time, so that any poller sees it: the first read from the fourth status on
      // shows the fourth, the next one falls back to the third, then the card goes on.
      card.lateReads = (card.lateReads ?? 0) + 1;
      if (card.lateReads <= 2) status = lifecycle.order[last - card.lateReads]!;
    }
    if (flag('statusLeavesFinal') && status === lifecycle.order.at(-1)) {
      // the first published status that is neither on the way to ACTIVE nor the failure end (FREEZE)
      if (card.shownFinal) status = lifecycle.statuses?.find((s) => !lifecycle.order.includes(s) && s !== lifecycle.failureEnd) ?? status;
      card.shownFinal = true;
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
      const verified = verifyAlchemyRequest({
        headers,
        method,
        path,
        rawBody: raw,
        secretFor: (k) => (k === keys.accessKey ? keys.secretKey : undefined),
        now: ctx.now(),
        windowMs,
      });
      if (!verified.ok && !(flag('acceptBadSignature') && verified.reason === 'bad-signature')) {
        const code =
          verified.reason === 'unknown-key'
            ? '2601'
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
      state: () => ({
        cards: state.cards.size,
        debitedCents: state.debitedCents.toString(),
        orders: Object.fromEntries([...state.orders].map(([k, v]) => [k, v.length])),
        callbacks: Object.fromEntries([...state.cards.values()].map((c) => [c.orderNo, c.callbacks])),
      }),
      useOrder: (orderNo: string) => state.orders.set(orderNo, state.orders.get(orderNo) ?? []),
      /** A card opened for `orderNo` as a valid create would (the range's smallest deposit, no callback); its cardId. */
      openCard: (orderNo: string): string => {
        const range = ctx.cat.byId.get('alchemy.create.deposit.range')!.check;
        const deposit = range.kind === 'amountRange' ? range.min : '0';
        return open({ vid, orderNo, deposit, callbackUrl: '' }).cardId;
      },
      reset: () => {
        state.orders.clear();
        state.cards.clear();
        state.debitedCents = 0n;
      },
    },
  };
}
