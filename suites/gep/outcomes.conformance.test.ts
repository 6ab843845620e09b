/*---
rules: [gep.apply.outcome.pendingResolves, gep.apply.outcome.incompleteCompletes, gep.apply.outcome.staysFinal, gep.apply.outcome.elementsStay, gep.apply.info.agreesWithApply, gep.apply.queryCardOperate.agreesWithApply]
source: |
  (1)开卡成功,卡要素齐全
  (2)开卡成功,卡要素不全,需等待1到5分钟,调用卡片查询接口查询卡要素
  (3)开卡返回false,errorCode为[140001],需等待1到5分钟,调用查询接口卡片操作查询
  WIRE.md (profile): operation query "result `{ orderId, cardId, userReqNo, opType, status, statusDesc,
  amount, createAt }`, `status` as in the group query (0 pending, 1 processing, 2 success, 3 failed)"; card
  query "result `{ cardId, localCurrency, cardNo, cardVerifyNo, cardExpiryDate, cardStatus, availableAmount }`";
  "`authLimitAmount` is a decimal amount in the card currency (the example sends `"100"`), not minor units".
---*/
import type { CallResult } from '../../src/client/types.ts';
import { agreementOf, compareFollowUp } from '../../src/conformance/agreement.ts';
import { attempt, conformance, type Harness } from '../../src/conformance/harness.ts';
import { envelopeOf } from '../../src/conformance/judge.ts';
import { behaviourRule, validRequests } from '../../src/conformance/properties.ts';
import { catalogue } from '../../src/spec/catalogue.ts';
import { isPlainObject } from '../../src/spec/evaluate.ts';

const rule = (b: string) => behaviourRule('gep', 'apply', b);
const PENDING = rule('pendingResolves');
const INCOMPLETE = rule('incompleteCompletes');
const STAYS = rule('finalStatusStable');
const ELEMENTS_STAY = rule('elementsStable');
const INFO_AGREES = agreementOf('gep', 'apply', 'info').rule.id;
const QUERY_AGREES = agreementOf('gep', 'apply', 'queryCardOperate').rule.id;
const ALL = [PENDING, INCOMPLETE, STAYS, ELEMENTS_STAY, INFO_AGREES, QUERY_AGREES];
const env = envelopeOf('gep', 'apply');
const statusMeaning = (meaning: string) =>
  Object.entries(catalogue().profiles.gep.operationStatuses ?? {}).find(([, v]) => v === meaning)?.[0];
const SUCCESS_STATUS = statusMeaning('success');
const FAILED_STATUS = statusMeaning('failed');
/** The card elements of the result table that may arrive later (rows marked so in the data), by name in the result. */
const ELEMENTS = env.laterFields.map((p) => p.replace(/^result\./, ''));

const result = (r: CallResult | undefined) =>
  r && isPlainObject(r.body) && isPlainObject(r.body['result']) ? r.body['result'] : undefined;
const statusOf = (r: CallResult | undefined) => {
  const s = result(r)?.['status'];
  return s === undefined || s === null ? undefined : String(s);
};
const isFinal = (s: string | undefined) => s !== undefined && (s === SUCCESS_STATUS || s === FAILED_STATUS);
/** The elements that differ between two card query results, by name (their values are secrets). */
const changedElements = (a: Record<string, unknown>, b: Record<string, unknown> | undefined) =>
  ELEMENTS.filter((k) => String(b?.[k] ?? '') !== String(a[k] ?? ''));

/** Poll a follow-up until `done` holds of its answer or the deadline passes; the last answer either way. */
async function follow(h: Harness, read: () => Promise<CallResult>, done: (r: CallResult) => boolean, deadline: number) {
  let last: CallResult | undefined;
  const hit = await h.until(
    async () => {
      last = await read();
      return done(last) ? last : undefined;
    },
    { deadline },
  );
  return { hit, last };
}

conformance(
  'gep',
  'a pending (140001) or incomplete card is settled through the query calls within the wait, stays settled, and the queries agree with the apply',
  ALL,
  async (f, h) => {
    const smoke = h.s.settings.profile === 'smoke';
    const all = [
      { rule: PENDING, outcome: 'pending' },
      { rule: INCOMPLETE, outcome: 'incomplete' },
      { rule: undefined, outcome: 'complete' },
      { rule: PENDING, outcome: 'pending' },
      { rule: INCOMPLETE, outcome: 'incomplete' },
      { rule: undefined, outcome: 'complete' },
    ];
    // smoke: one follow-up of each asynchronous outcome (asked for on the mock; on a sandbox, what two applies show)
    const wanted = smoke ? all.slice(0, 2) : all;
    const bodies = validRequests(h, 'gep', 'apply', h.admin ? wanted.length : smoke ? 2 : 8, 404);
    // Against the embedded mock the outcomes are asked for; against a sandbox they are observed.
    if (h.admin)
      for (const [i, w] of wanted.entries()) await h.admin.post('gep/outcome', { userReqNo: bodies[i]!['userReqNo'], outcome: w.outcome });
    const observed = new Set<string>();
    // every apply at once: the whole test waits one bound, whatever the pool's concurrency
    await Promise.all(
      bodies.map(async (body) => {
        const userReqNo = String(body['userReqNo']);
        const r = await attempt(() => h.gep!.apply(body), h);
        if ('error' in r) {
          for (const id of ALL) f.error(id, r.error);
          return;
        }
        // The outcome must be known within the wait, counted from the apply's answer.
        const deadline = h.deadline();
        const e = env.read(r);
        if (!e.accepted) return; // refused: nothing to follow (the acceptance suite judges refusals of valid requests)
        const query = () => h.gep!.queryCardOperate({ userReqNo });
        const info = (cardId: string) => h.gep!.info({ cardId });
        const op = await follow(h, query, (q) => isFinal(statusOf(q)), deadline);
        let card: Awaited<ReturnType<typeof follow>> | undefined;
        if (e.pending) {
          observed.add(PENDING);
          if (!op.hit)
            return f.fail(
              PENDING,
              h.evidence(r, `userReqNo ${userReqNo}: still pending (140001) after ${h.s.waitMs} ms of operation queries`),
            );
          if (statusOf(op.hit) === SUCCESS_STATUS) {
            card = await follow(
              h,
              () => info(String(result(op.hit)?.['cardId'])),
              (c) => env.complete(c.body),
              deadline,
            );
            if (card.hit) f.pass(PENDING);
            else f.fail(PENDING, h.evidence(op.hit, `userReqNo ${userReqNo}: resolved, but the card query never gave the card elements`));
          } else f.pass(PENDING); // resolved: failed is an outcome too
        } else {
          const res = result(r);
          const cardId = String(res?.['cardId'] ?? '');
          if (!env.complete(r.body)) observed.add(INCOMPLETE);
          card = await follow(
            h,
            () => info(cardId),
            (c) => env.complete(c.body),
            deadline,
          );
          if (!env.complete(r.body)) {
            if (card.hit) f.pass(INCOMPLETE);
            else f.fail(INCOMPLETE, h.evidence(r, `card ${cardId}: elements still missing after ${h.s.waitMs} ms of card queries`));
          }
        }
        // Once final, the operation status and the complete elements stay through the stability window.
        const cardId = String(result(card?.hit)?.['cardId'] ?? '');
        const reference = result(card?.hit);
        const later = await h.watch(async () => ({
          q: op.hit ? await query() : undefined,
          i: reference ? await info(cardId) : undefined,
        }));
        if (op.hit) {
          const first = statusOf(op.hit);
          const flip = later.find((x) => statusOf(x.q) !== first);
          if (flip?.q)
            f.fail(
              STAYS,
              h.evidence(
                flip.q,
                `userReqNo ${userReqNo}: operation status ${first}, then ${JSON.stringify(statusOf(flip.q) ?? null)} within ${h.s.stabilityMs} ms (${later.map((x) => statusOf(x.q) ?? '?').join(' → ')})`,
              ),
            );
          else f.pass(STAYS, later.length);
        }
        if (reference) {
          const changed = later.find((x) => changedElements(reference, result(x.i)).length > 0);
          if (changed?.i)
            f.fail(
              ELEMENTS_STAY,
              h.evidence(
                changed.i,
                `card ${cardId}: ${changedElements(reference, result(changed.i)).join(', ')} changed within ${h.s.stabilityMs} ms of being complete (values withheld)`,
              ),
            );
          else f.pass(ELEMENTS_STAY, later.length);
        }
        // The follow-up reads against the apply, on everything both carry.
        const sides = { request: body, response: r.body };
        const agree = (id: string, read: string, answer: CallResult | undefined) => {
          if (!answer) return;
          const pairs = compareFollowUp('gep', 'apply', read, sides, answer.body);
          const differ = pairs.filter((p) => !p.agrees);
          if (differ.length) f.fail(id, h.evidence(answer, `userReqNo ${userReqNo}: ${differ.map((p) => p.message).join('; ')}`));
          else if (pairs.length) f.pass(id, pairs.length);
        };
        agree(QUERY_AGREES, 'queryCardOperate', later.at(-1)?.q ?? op.last);
        agree(INFO_AGREES, 'info', later.at(-1)?.i ?? card?.last);
      }),
    );
    for (const id of [PENDING, INCOMPLETE])
      if (!observed.has(id))
        f.exclude(
          id,
          `not observed in ${bodies.length} applies (the provider answered every one complete; only the embedded mock can be asked for it)`,
        );
    const undecided = (id: string) => !f.list().some((x) => x.ruleId === id);
    if (undecided(STAYS)) f.exclude(STAYS, `no operation reached a final status within ${h.s.waitMs} ms`);
    if (undecided(ELEMENTS_STAY)) f.exclude(ELEMENTS_STAY, `no card had its elements complete within ${h.s.waitMs} ms`);
    for (const id of [INFO_AGREES, QUERY_AGREES]) if (undecided(id)) f.exclude(id, 'no follow-up read carried a value the apply carried');
    return bodies.length;
  },
  { waits: 1 },
);
