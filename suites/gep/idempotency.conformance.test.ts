/*---
rules: [gep.apply.userReqNo.idempotent]
source: |
  01. | 请求流水号 | userReqNo | M | String(128) | 唯一单号 |
  WIRE.md (profile): "no second card and no second deduction: either the same `orderId`/`cardId` again, or
  `success: false` with `110001`".
---*/
import type { CallResult } from '../../src/client/types.ts';
import { attempt, conformance } from '../../src/conformance/harness.ts';
import { envelopeOf } from '../../src/conformance/judge.ts';
import { behaviourRule, validRequests } from '../../src/conformance/properties.ts';
import { catalogue } from '../../src/spec/catalogue.ts';
import { isPlainObject } from '../../src/spec/evaluate.ts';

const IDEMPOTENT = behaviourRule('gep', 'apply', 'idempotent');
const env = envelopeOf('gep', 'apply');
const cardOf = (r: CallResult) =>
  isPlainObject(r.body) && isPlainObject(r.body['result']) ? String(r.body['result']['cardId'] ?? '') : undefined;
/** A currency only this test uses, so the mock's balance shows its own debits alone. */
const CURRENCY = 'XTS';

conformance('gep', 'the same userReqNo twice never opens a second card nor debits twice', [IDEMPOTENT], async (f, h) => {
  const set: Record<string, string> = h.admin ? { localCurrency: CURRENCY, channelType: '1' } : {};
  const [first, burst] = validRequests(h, 'gep', 'apply', 2, 505, set);
  if (h.admin) for (const b of [first!, burst!]) await h.admin.post('gep/outcome', { userReqNo: b['userReqNo'], outcome: 'complete' });
  const before = h.admin ? await h.admin.state() : undefined;
  const accepted = (r: CallResult) => {
    return env.read(r).accepted;
  };
  const a = await attempt(() => h.gep!.apply(first!), h);
  if ('error' in a || !accepted(a)) {
    f.error(IDEMPOTENT, 'the first apply was not accepted; nothing to repeat');
    return 1;
  }
  const b = await attempt(() => h.gep!.apply(first!), h);
  if ('error' in b) {
    f.error(IDEMPOTENT, b.error);
    return 2;
  }
  const e = env.read(b);
  // A pending first answer has no card yet: the operation query names it.
  let firstCard = cardOf(a);
  if (firstCard === undefined) {
    const q = await attempt(() => h.gep!.queryCardOperate({ userReqNo: String(first!['userReqNo']) }), h);
    if (!('error' in q) && isPlainObject(q.body) && isPlainObject(q.body['result']))
      firstCard = String(q.body['result']['cardId'] ?? '') || undefined;
  }
  // the profile's two answers to a repeat: the same card again, or the documented refusal (its code); the same
  // order still pending says so too. Anything else — another card, another code, an answer outside the
  // envelope — is not what the rule allows.
  const refusal = catalogue().expectedCodes(catalogue().byId.get(IDEMPOTENT)!);
  if (e.pending) f.pass(IDEMPOTENT);
  else if (!e.succeeded && e.ok && e.code !== undefined && refusal.includes(e.code)) f.pass(IDEMPOTENT);
  else if (!e.succeeded)
    f.fail(
      IDEMPOTENT,
      h.evidence(
        b,
        `userReqNo ${first!['userReqNo']} twice: the repeat answered ${e.ok ? `code ${JSON.stringify(e.code)}` : 'outside the envelope'}`,
        {
          rule: IDEMPOTENT,
          expected: `the same card again, or a refusal with ${refusal.join(' or ')}`,
        },
      ),
    );
  else if (firstCard !== undefined && cardOf(b) === firstCard) f.pass(IDEMPOTENT);
  else if (firstCard !== undefined)
    f.fail(IDEMPOTENT, h.evidence(b, `userReqNo ${first!['userReqNo']} twice: card ${firstCard} then card ${cardOf(b)}`));
  // smoke: the repeat above decides the rule; no burst
  const burstSize = h.s.settings.profile === 'smoke' ? 0 : 10;
  const burstAnswers = await Promise.all(Array.from({ length: burstSize }, () => attempt(() => h.gep!.apply(burst!), h)));
  const cards = new Set(burstAnswers.flatMap((r) => ('error' in r || !env.read(r).succeeded ? [] : [cardOf(r)])));
  if (cards.size > 1)
    f.fail(IDEMPOTENT, { message: `${burstSize} concurrent applies with userReqNo ${burst!['userReqNo']} opened ${cards.size} cards` });
  else if (burstSize) f.pass(IDEMPOTENT);
  if (h.admin && before) {
    const after = await h.admin.state();
    const bal = (s: Record<string, Record<string, unknown>>) =>
      Number(((s['gep']?.['balances'] ?? {}) as Record<string, string>)[CURRENCY] ?? s['gep']?.['defaultBalance']);
    const spent = Math.round((bal(before) - bal(after)) * 100);
    const opened = burstSize ? [first!, burst!] : [first!];
    const expected = Math.round(opened.reduce((n, b) => n + Number(b['authLimitAmount'] ?? 0), 0) * 100);
    if (spent !== expected)
      f.fail(IDEMPOTENT, {
        message: `the ${CURRENCY} account was debited ${spent / 100} for ${opened.length} card(s) whose limits add up to ${expected / 100}`,
      });
    else f.pass(IDEMPOTENT);
  }
  return 2 + burstSize;
});
