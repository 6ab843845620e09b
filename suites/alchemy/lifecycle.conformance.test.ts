/*---
rules: [alchemy.create.status.forwardOnly, alchemy.create.status.endsActive, alchemy.create.callback.delivered, alchemy.create.callback.matchesOrder]
source: |
  alchemy-card-create.original.txt: "creating a virtual card is an asynchronous operation. After creating a
  virtual card, the card usually goes through [Opening card -> Creating cardholder -> Creating virtual card
  -> Activating card -> Activated"; WIRE.md (profile): "JSON POST of the card-open callback above to
  `callbackUrl` once the card reaches `ACTIVE`".
---*/

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
const profile = catalogue().profiles.alchemy;
const order = profile.lifecycle!.order;

conformance(
  'alchemy',
  'a created card moves forward to ACTIVE and its CREATE_CARD callback names the order',
  [FORWARD, ACTIVE, DELIVERED, MATCHES],
  async (f, h) => {
    const cards = validRequests(h, 'alchemy', 'create', 3, 101);
    await h.pool(cards, async (body) => {
      const orderNo = String(body['orderNo']);
      const created = await attempt(() => h.alchemy!.create(body), h);
      if ('error' in created) {
        for (const id of [FORWARD, ACTIVE, DELIVERED, MATCHES]) f.error(id, created.error);
        return;
      }
      if (!envelopeOf('alchemy', 'create').read(created).succeeded) {
        for (const id of [FORWARD, ACTIVE, DELIVERED, MATCHES])
          f.error(id, `the create for ${orderNo} was refused, nothing to follow`, h.evidence(created, 'create refused'));
        return;
      }
      // Statuses through info, until the last documented one or the failure end.
      const seen: string[] = [];
      let last = created;
      const final = await h.until(async () => {
        const r = await h.alchemy!.call('info', { orderNo });
        last = r;
        const status = (r.body as { model?: { card?: { status?: unknown } } } | undefined)?.model?.card?.status;
        if (typeof status !== 'string') return undefined;
        if (seen.at(-1) !== status) seen.push(status);
        return status === order.at(-1) || status === profile.lifecycle!.failureEnd ? status : undefined;
      });
      const idx = seen.map((s) => order.indexOf(s));
      const back = idx.findIndex((v, i) => i > 0 && v >= 0 && idx[i - 1]! >= 0 && v < idx[i - 1]!);
      if (seen.length === 0) f.error(FORWARD, `info never showed a status for ${orderNo}`, h.evidence(last, 'info'));
      else if (back > 0)
        f.fail(
          FORWARD,
          h.evidence(last, `${orderNo}: status went back from ${seen[back - 1]} to ${seen[back]} (seen: ${seen.join(' → ')})`),
        );
      else if (seen.some((s) => !order.includes(s) && s !== profile.lifecycle!.failureEnd))
        f.fail(FORWARD, h.evidence(last, `${orderNo}: undocumented status (seen: ${seen.join(' → ')})`));
      else f.pass(FORWARD);
      if (final === order.at(-1)) f.pass(ACTIVE);
      else
        f.fail(
          ACTIVE,
          h.evidence(last, `${orderNo}: not ${order.at(-1)} within ${h.s.waitMs} ms (seen: ${seen.join(' → ') || 'nothing'})`),
        );
      // The callback, at the receiver path the suite gave this order.
      const callbacks = await h.until(async () => {
        const got = await h.received(orderNo);
        return got.length > 0 ? got : undefined;
      });
      if (!callbacks) {
        f.fail(DELIVERED, h.evidence(created, `${orderNo}: no ${profile.wire['callbackEvent']} callback within ${h.s.waitMs} ms`));
        return;
      }
      const cb = callbacks[0]!.body;
      const data = isPlainObject(cb) && isPlainObject(cb['data']) ? cb['data'] : undefined;
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
    });
    return cards.length;
  },
);
