/*---
rules: [alchemy.create.status.forwardOnly, alchemy.create.status.endsActive, alchemy.create.callback.delivered, alchemy.create.callback.matchesOrder, alchemy.create.status.staysFinal, alchemy.create.info.agreesWithCreate]
source: |
  alchemy-card-create.original.txt: "creating a virtual card is an asynchronous operation. After creating a
  virtual card, the card usually goes through [Opening card -> Creating cardholder -> Creating virtual card
  -> Activating card -> Activated"; "1 represents 1 cent, that is, 1000 represents 10.00, all amounts in
  this system (such as balance) use this rule".
  WIRE.md (profile): "JSON POST of the card-open callback above to `callbackUrl` once the card reaches
  `ACTIVE`"; "`CREATE CARD FAILED REFUND` is the only other end; a status never goes back"; card detail:
  "model holds `cardHolder{…}` and `card{cardId, deposit, consume, balance, cvc, number, cardBin, last4,
  status, expYear, expMonth, …}`, amounts in cents".
---*/

import type { CallResult } from '../../src/client/types.ts';
import { agreementOf, compareFollowUp } from '../../src/conformance/agreement.ts';
import { attempt, conformance } from '../../src/conformance/harness.ts';
import { envelopeOf } from '../../src/conformance/judge.ts';
import { behaviourRule, validRequests } from '../../src/conformance/properties.ts';
import { catalogue } from '../../src/spec/catalogue.ts';
import { isPlainObject } from '../../src/spec/evaluate.ts';

const rule = (b: string) => behaviourRule('alchemy', 'create', b);
const FORWARD = rule('lifecycleForward');
const ACTIVE = rule('lifecycleEndsActive');
const DELIVERED = rule('callbackDelivered');
const MATCHES = rule('callbackMatchesOrder');
const STAYS = rule('finalStatusStable');
const AGREES = agreementOf('alchemy', 'create', 'info').rule.id;
const ALL = [FORWARD, ACTIVE, DELIVERED, MATCHES, STAYS, AGREES];
const profile = catalogue().profiles.alchemy;
const { order, failureEnd } = profile.lifecycle!;
const ends = [order.at(-1)!, failureEnd];
const statusOf = (r: CallResult) => {
  const s = (r.body as { model?: { card?: { status?: unknown } } } | undefined)?.model?.card?.status;
  return typeof s === 'string' ? s : undefined;
};

conformance(
  'alchemy',
  'a created card moves forward to ACTIVE, stays there, its CREATE_CARD callback names the order and its detail agrees with the create',
  ALL,
  async (f, h) => {
    // smoke: one lifecycle
    const cards = validRequests(h, 'alchemy', 'create', h.s.settings.profile === 'smoke' ? 1 : 3, 101);
    // every card at once: the whole test waits one bound, whatever the pool's concurrency
    await Promise.all(
      cards.map(async (body) => {
        const orderNo = String(body['orderNo']);
        const created = await attempt(() => h.alchemy!.create(body), h);
        if ('error' in created) {
          for (const id of ALL) f.error(id, created.error);
          return;
        }
        if (!envelopeOf('alchemy', 'create').read(created).succeeded) {
          for (const id of ALL)
            f.error(id, `the create for ${orderNo} was refused, nothing to follow`, h.evidence(created, 'create refused'));
          return;
        }
        // The card must be made within the wait, counted from the create's answer.
        const deadline = h.deadline();
        const info = () => h.alchemy!.call('info', { orderNo });
        // Statuses through info, until the last documented one or the failure end.
        const seen: string[] = [];
        let last = created;
        const final = await h.until(
          async () => {
            const r = await info();
            last = r;
            const status = statusOf(r);
            if (status === undefined) return undefined;
            if (seen.at(-1) !== status) seen.push(status);
            return ends.includes(status) ? status : undefined;
          },
          { deadline },
        );
        const idx = seen.map((s) => order.indexOf(s));
        const back = idx.findIndex((v, i) => i > 0 && v >= 0 && idx[i - 1]! >= 0 && v < idx[i - 1]!);
        if (seen.length === 0) f.error(FORWARD, `info never showed a status for ${orderNo}`, h.evidence(last, 'info'));
        else if (back > 0)
          f.fail(
            FORWARD,
            h.evidence(last, `${orderNo}: status went back from ${seen[back - 1]} to ${seen[back]} (seen: ${seen.join(' → ')})`),
          );
        else if (seen.some((s) => !order.includes(s) && s !== failureEnd))
          f.fail(FORWARD, h.evidence(last, `${orderNo}: undocumented status (seen: ${seen.join(' → ')})`));
        else f.pass(FORWARD);
        if (final === order.at(-1)) f.pass(ACTIVE);
        else
          f.fail(
            ACTIVE,
            h.evidence(last, `${orderNo}: not ${order.at(-1)} within ${h.s.waitMs} ms (seen: ${seen.join(' → ') || 'nothing'})`),
          );
        // Once final, the status stays final through the stability window.
        if (final !== undefined) {
          const later = await h.watch(info);
          last = later.at(-1) ?? last;
          const left = later.find((r) => statusOf(r) !== final);
          if (left)
            f.fail(
              STAYS,
              h.evidence(
                left,
                `${orderNo}: ${final}, then ${JSON.stringify(statusOf(left) ?? null)} within ${h.s.stabilityMs} ms (${later.map((r) => statusOf(r) ?? '?').join(' → ')})`,
              ),
            );
          else f.pass(STAYS, later.length);
        }
        // The callback, at the receiver path the suite gave this order (none can arrive when the session says why).
        const callbacks = h.s.callbackSkip
          ? undefined
          : await h.until(
              async () => {
                const got = await h.received(orderNo);
                return got.length > 0 ? got : undefined;
              },
              { deadline },
            );
        const cb = callbacks?.[0]?.body;
        const data = isPlainObject(cb) && isPlainObject(cb['data']) ? cb['data'] : undefined;
        // The card detail against the create, and against the callback once one came.
        const pairs = compareFollowUp('alchemy', 'create', 'info', { request: body, ...(data ? { callback: cb } : {}) }, last.body);
        const differ = pairs.filter((p) => !p.agrees);
        if (differ.length) f.fail(AGREES, h.evidence(last, `${orderNo}: ${differ.map((p) => p.message).join('; ')}`));
        else if (pairs.length) f.pass(AGREES, pairs.length);
        if (h.s.callbackSkip) {
          f.exclude(DELIVERED, h.s.callbackSkip);
          f.exclude(MATCHES, h.s.callbackSkip);
          return;
        }
        if (!callbacks) {
          f.fail(DELIVERED, h.evidence(created, `${orderNo}: no ${profile.wire['callbackEvent']} callback within ${h.s.waitMs} ms`));
          return;
        }
        if (!isPlainObject(cb) || cb['eventType'] !== profile.wire['callbackEvent'] || !data) {
          f.fail(DELIVERED, h.evidence(created, `${orderNo}: the callback is not a ${profile.wire['callbackEvent']} event with data`));
          return;
        }
        f.pass(DELIVERED);
        if (data['orderNo'] === orderNo && String(data['deposit']) === String(body['deposit'])) f.pass(MATCHES);
        else
          f.fail(
            MATCHES,
            h.evidence(
              created,
              `the callback for ${orderNo} names order ${JSON.stringify(data['orderNo'])} with deposit ${JSON.stringify(data['deposit'])} (sent ${JSON.stringify(body['deposit'])})`,
            ),
          );
      }),
    );
    if (!f.list().some((x) => x.ruleId === STAYS))
      f.exclude(STAYS, `no card reached ${ends.join(' or ')} within ${h.s.waitMs} ms: no final status to watch`);
    return cards.length;
  },
  { waits: 1 },
);
