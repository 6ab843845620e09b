/**
 * An interaction whose provider state this target cannot be put in — a GEP apply whose outcome only the
 * mock can be told — tried as the plain request instead: a valid apply with a fresh request number and
 * dates, sent until the answer shows the interaction's outcome (complete, incomplete or pending; at most
 * PLAIN_TRIES applies, as smoke does), then judged by the rules the interaction carries. A target whose
 * successful answers break a response rule fails here, where the pact could not be replayed.
 */
import type { CallResult } from '../client/types.ts';
import { evidenceOf } from '../conformance/evidence.ts';
import { Findings } from '../conformance/findings.ts';
import { envelopeOf, judgeAnswer } from '../conformance/judge.ts';
import { catalogue } from '../spec/catalogue.ts';
import { createRedactor } from '../wire/redact.ts';
import { exampleRequest, freshDates, idField } from './examples.ts';
import type { StateContext, StateKey } from './states.ts';
import { stateBySentence } from './states.ts';
import type { InteractionResult } from './verify.ts';

/** Applies sent at most to see one outcome (a sandbox picks its outcome itself). */
export const PLAIN_TRIES = 3;

type Outcome = 'complete' | 'incomplete' | 'pending';

/** The states whose interaction is a plain valid apply, and the outcome it shows. */
const PLAIN: Partial<Record<StateKey, Outcome>> = { applyCompletes: 'complete', applyIncomplete: 'incomplete', applyPending: 'pending' };

/** The outcome an apply's answer shows, or undefined (refused, unreadable). */
function outcomeOf(r: CallResult): Outcome | undefined {
  const e = envelopeOf('gep', 'apply').read(r);
  if (e.pending) return 'pending';
  if (!e.succeeded) return undefined;
  return envelopeOf('gep', 'apply').complete(r.body) ? 'complete' : 'incomplete';
}

/** The skipped interaction tried as a plain apply; undefined when its state has no plain form. */
export async function tryPlain(
  result: InteractionResult,
  ctx: StateContext,
  redactor = createRedactor(),
): Promise<InteractionResult | undefined> {
  if (result.provider !== 'gep' || !ctx.gep || result.verdict !== 'skipped') return undefined;
  const key = (result.states ?? []).map((s) => stateBySentence(s)?.key).find((k) => k !== undefined && PLAIN[k] !== undefined);
  const wanted = key ? PLAIN[key] : undefined;
  if (!wanted) return undefined;
  const seen: string[] = [];
  for (let i = 0; i < PLAIN_TRIES; i++) {
    const body = { ...exampleRequest('gep'), ...freshDates('gep', ctx.today()), [idField('gep')]: ctx.unique() };
    let r: CallResult;
    try {
      r = await ctx.gep.apply(body);
    } catch (err) {
      return { ...result, verdict: 'error', reason: `tried as the plain request: ${err instanceof Error ? err.message : String(err)}` };
    }
    const got = outcomeOf(r);
    seen.push(got ?? 'refused');
    if (got !== wanted) continue;
    const f = new Findings();
    const jc = { mode: 'lenient' as const, redactor, evidence: (res: CallResult, m: string) => evidenceOf(res, m, {}, { redactor }) };
    // every response rule the answer decides, not only those the interaction names: the answer is ours to judge whole
    judgeAnswer('gep', 'apply', r, body, f, jc, { allowIncomplete: wanted !== 'complete' });
    const accepts = result.ruleIds.find((id) => catalogue().byId.get(id)?.check.kind === 'acceptsValid');
    if (accepts) f.pass(accepts);
    const failed = f.list().filter((x) => x.verdict === 'fail');
    return {
      ...result,
      ruleIds: [...new Set([...result.ruleIds, ...f.list().map((x) => x.ruleId)])],
      plain: true,
      verdict: failed.length ? 'fail' : 'pass',
      reason: `tried as the plain request (its state needs the mock's admin surface): apply ${i + 1} of ${PLAIN_TRIES} answered ${wanted}`,
      failed: failed.map((x) => x.ruleId),
      mismatches: failed.map((x) => ({ path: x.ruleId, message: x.evidence[0]?.message ?? 'broken' })),
    };
  }
  return {
    ...result,
    reason: `${result.reason}; tried as the plain request ${PLAIN_TRIES} times, answered ${seen.join(', ')}, never ${wanted}`,
  };
}
