/*---
rules: [gep.apply.outcome.pendingResolves, gep.apply.outcome.incompleteCompletes]
source: |
  (2)开卡成功,卡要素不全,需等待1到5分钟,调用卡片查询接口查询卡要素
  (3)开卡返回false,errorCode为[140001],需等待1到5分钟,调用查询接口卡片操作查询
---*/
import type { CallResult } from '../../src/client/types.ts';
import { attempt, conformance, type Harness } from '../../src/conformance/harness.ts';
import { envelopeOf } from '../../src/conformance/judge.ts';
import { behaviourRule, validRequests } from '../../src/conformance/properties.ts';
import { catalogue } from '../../src/spec/catalogue.ts';
import { isAbsent, isPlainObject } from '../../src/spec/evaluate.ts';

const PENDING = behaviourRule('gep', 'apply', 'pendingResolves');
const INCOMPLETE = behaviourRule('gep', 'apply', 'incompleteCompletes');
const env = envelopeOf('gep', 'apply');
const SUCCESS_STATUS = Object.entries(catalogue().profiles.gep.operationStatuses ?? {}).find(([, v]) => v === 'success')?.[0];
const FAILED_STATUS = Object.entries(catalogue().profiles.gep.operationStatuses ?? {}).find(([, v]) => v === 'failed')?.[0];
/** The card elements of the result table that may arrive later (rows marked so in the data). */
const ELEMENTS = catalogue()
  .operation('gep', 'apply')
  .spec.response.filter((r) => r.mayArriveLater)
  .map((r) => r.path.replace(/^result\./, ''));

const result = (r: CallResult) => (isPlainObject(r.body) && isPlainObject(r.body['result']) ? r.body['result'] : undefined);
const complete = (res: Record<string, unknown> | undefined) => !!res && ELEMENTS.every((k) => !isAbsent(res[k]));

/** Follow a card through the card query until its elements are complete, or the wait bound passes. */
async function completes(h: Harness, cardId: string): Promise<CallResult | undefined> {
  return h.until(async () => {
    const r = await h.gep!.info({ cardId });
    return complete(result(r)) ? r : undefined;
  });
}

conformance(
  'gep',
  'a pending (140001) or incomplete card is settled through the query calls within the wait',
  [PENDING, INCOMPLETE],
  async (f, h) => {
    const wanted = [
      { rule: PENDING, outcome: 'pending' },
      { rule: INCOMPLETE, outcome: 'incomplete' },
      { rule: PENDING, outcome: 'pending' },
      { rule: INCOMPLETE, outcome: 'incomplete' },
    ];
    const bodies = validRequests(h, 'gep', 'apply', h.admin ? wanted.length : 8, 404);
    // Against the embedded mock the outcomes are asked for; against a sandbox they are observed.
    if (h.admin)
      for (const [i, w] of wanted.entries()) await h.admin.post('gep/outcome', { userReqNo: bodies[i]!['userReqNo'], outcome: w.outcome });
    const observed = new Set<string>();
    await h.pool(bodies, async (body) => {
      const userReqNo = String(body['userReqNo']);
      const r = await attempt(() => h.gep!.apply(body), h);
      if ('error' in r) return f.error(PENDING, r.error);
      const e = env.read(r);
      if (e.pending) {
        observed.add(PENDING);
        const settled = await h.until(async () => {
          const q = await h.gep!.queryCardOperate({ userReqNo });
          const status = String(result(q)?.['status'] ?? '');
          return status === SUCCESS_STATUS || status === FAILED_STATUS ? q : undefined;
        });
        if (!settled)
          return f.fail(
            PENDING,
            h.evidence(r, `userReqNo ${userReqNo}: still pending (140001) after ${h.s.waitMs} ms of operation queries`),
          );
        const op = result(settled)!;
        if (String(op['status']) === FAILED_STATUS) return f.pass(PENDING); // resolved: failed is an outcome too
        const card = await completes(h, String(op['cardId']));
        if (card) f.pass(PENDING);
        else f.fail(PENDING, h.evidence(settled, `userReqNo ${userReqNo}: resolved, but the card query never gave the card elements`));
        return;
      }
      const res = result(r);
      if (e.succeeded && res && !complete(res)) {
        observed.add(INCOMPLETE);
        const card = await completes(h, String(res['cardId']));
        if (card) f.pass(INCOMPLETE);
        else
          f.fail(INCOMPLETE, h.evidence(r, `card ${String(res['cardId'])}: elements still missing after ${h.s.waitMs} ms of card queries`));
      }
    });
    for (const id of [PENDING, INCOMPLETE])
      if (!observed.has(id)) f.skip(id, `not observed in ${bodies.length} applies (the provider answered every one complete)`);
    return bodies.length;
  },
);
