/**
 * The two properties every create/apply operation has, built from the catalogue for any provider:
 * positive acceptance (valid requests, boundaries first, are accepted and answered as the response
 * rules say) and negative rejection (each rule broken alone is refused in the provider's envelope with
 * a catalogue code). Suite files call these with their provider and operation.
 */
import fc from 'fast-check';
import { type Case, caseArbitrary, combinedEdges, hasDateWindow, minimalValid, shiftDates } from '../../properties/cases.ts';
import { validObject } from '../../properties/generate.ts';
import { planOf } from '../../properties/plan.ts';
import { clone, daysBetween, setAt } from '../checks/util.ts';
import { formatMoney, moneyOf } from '../client/money.ts';
import type { CallResult } from '../client/types.ts';
import { type Catalogue, catalogue } from '../spec/catalogue.ts';
import { getPath, relativePath } from '../spec/evaluate.ts';
import { keyedMemo } from '../spec/memo.ts';
import type { Provider } from '../spec/registry.ts';
import { isSpendRefusal } from './budget.ts';
import { type CaseInputs, cachedCases } from './case-cache.ts';
import {
  acceptanceList,
  acceptanceLists,
  acceptanceRuleList,
  drawList,
  rejectionList,
  rejectionLists,
  rejectionRuleList,
} from './case-lists.ts';
import { type EvidenceParts, expectedOf } from './evidence.ts';
import { type CaseRef, Findings } from './findings.ts';
import { attempt, conformance, type Harness } from './harness.ts';
import { idFieldOf, uniquify } from './ids.ts';
import { type Envelope, envelopeOf, judgeAnswer, judgeRefusal } from './judge.ts';
import { predrawn } from './predraw.ts';
import {
  largestAmounts,
  SMOKE_ACCEPTANCE_TRIES,
  SMOKE_SKIP,
  smallestAmounts,
  smokeInvalidCases,
  violationClassOf,
  withSmallestAmounts,
} from './profile.ts';
import { reconcile } from './reconcile.ts';
import { shrinkFailure } from './shrink.ts';

/**
 * A property's cases as `validCases` / `invalidCases` draw them (case-lists.ts names which): handed over
 * by the run's drawing thread, or kept between runs on the CLI's build (case-cache.ts), or drawn here.
 */
const drawn = (inputs: CaseInputs): Case[] => cachedCases(inputs, () => drawList(inputs));

const send = (h: Harness, provider: Provider, operation: string, body: unknown) =>
  provider === 'alchemy' ? h.alchemy!.call(operation as 'create', body) : h.gep!.call(operation as 'apply', body);

/**
 * A rule list derived from generated cases, made once per catalogue (the cases are drawn to learn which
 * rules they touch: a test asks for its list three times, and the catalogue does not change under it).
 */
const ruleLists = keyedMemo<Catalogue, readonly string[]>();
const onceForCatalogue = (key: string, make: () => string[]): string[] => [...ruleLists(catalogue(), key, make)];

/** Rules the acceptance property decides: acceptsValid, the rules with boundary cases, every response rule. */
export function acceptanceRules(provider: Provider, operation: string): string[] {
  return onceForCatalogue(`acceptance ${provider} ${operation}`, () => deriveAcceptanceRules(provider, operation));
}
function deriveAcceptanceRules(provider: Provider, operation: string): string[] {
  const rules = catalogue().rulesFor(provider, operation);
  const cases = drawn(acceptanceRuleList(provider, operation));
  const fromCases = new Set(cases.flatMap((c) => c.rules));
  return rules.filter((r) => fromCases.has(r.id) || (r.side === 'response' && r.check.kind !== 'codeMatchesRule')).map((r) => r.id);
}

export function acceptance(provider: Provider, operation: string, name: string) {
  const rules = () => acceptanceRules(provider, operation);
  const strictOnly = catalogue()
    .rulesFor(provider, operation)
    .filter((r) => r.side === 'response' && r.check.kind === 'noUntabledFields');
  conformance(
    provider,
    name,
    rules,
    async (f, h) => {
      const jc = { mode: h.s.settings.mode, evidence: h.evidence, redactor: h.redactor };
      const env = envelopeOf(provider, operation);
      const smoke = isSmoke(h);
      const cases = smoke
        ? smokeValidCases(h, provider, operation)
        : drawn(acceptanceList(provider, operation, h.gen(provider), h.s.settings)!);
      const failed: Case[] = [];
      // smoke: one valid request; another (at most SMOKE_ACCEPTANCE_TRIES) only while the answers left a result rule undecided
      const nested = rules().filter((id) => {
        const r = catalogue().byId.get(id)!;
        return r.side === 'response' && relativePath(r).includes('.') && r.level === 'MUST';
      });
      const undecidedResult = () => nested.some((id) => !f.list().some((x) => x.ruleId === id));
      await (smoke ? sequential : h.pool)(cases, async (c, i) => {
        // smoke: a request showing edges (or a class of its own) always goes; a plain one only while a result rule is undecided
        if (smoke && i > 0 && c.rules.length === 1 && !c.always && !undecidedResult()) return;
        // the case's own order number, by its index: the same whatever the concurrency
        const body = await asSent(
          h,
          provider,
          operation,
          c.value,
          `a${i.toString(36)}`,
          c.rules.map((id) => catalogue().byId.get(id)!.field),
        );
        // Smoke on the embedded mock asks for a complete card (as the outcomes suite asks for its outcomes):
        // one apply then decides the result rules, where the mock's pending and incomplete fifth could take
        // all of smoke's tries. Against a sandbox the answers are what they are.
        const orderNo = body[idFieldOf(provider, operation)];
        if (smoke && h.admin && provider === 'gep' && typeof orderNo === 'string')
          await h.admin.post('gep/outcome', { userReqNo: orderNo, outcome: 'complete' });
        const r = await spendable(() => attempt(() => send(h, provider, operation, body), h));
        if (r === SPEND_REFUSED) {
          // the edge it would have shown is left out; acceptsValid, decided by the other valid requests, is not
          const own = c.rules.length > 1 ? c.rules.filter((id) => catalogue().byId.get(id)?.check.kind !== 'acceptsValid') : c.rules;
          for (const id of own) f.exclude(id, spendSkip(body, provider, operation));
          return;
        }
        if ('error' in r) {
          for (const id of c.rules) {
            if (r.undecided) f.skip(id, r.error);
            else f.error(id, r.error);
          }
          return;
        }
        const e = env.read(r);
        // an unclear outcome (the connection failed after sending; the retry is "used before") is reconciled
        // by the order number: found, it was accepted, and its lost answer is not judged
        const reconciled = e.accepted ? undefined : await reconcile(h, provider, operation, body, r);
        const accepted = e.accepted || reconciled !== undefined;
        const replayOf = { seed: c.seed, ...(c.path ? { path: c.path } : {}), note: c.note, case: caseRef('acceptance', c) };
        if (accepted) for (const id of c.rules) f.pass(id);
        else {
          for (const id of c.rules) {
            const expected = acceptedSince(id, body);
            f.fail(
              id,
              h.evidence(r, `${c.note}: a valid request was refused (${refusalLine(r, e)}); expected ${expected}`, {
                ...replayOf,
                rule: id,
                expected,
              }),
            );
          }
          failed.push(c);
        }
        const replay = {
          ...jc,
          evidence: (res: CallResult, m: string, parts?: EvidenceParts) => h.evidence(res, m, { ...parts, ...replayOf }),
        };
        if (!reconciled) judgeAnswer(provider, operation, r, body, f, replay, { allowIncomplete: true });
      });
      if (!smoke)
        await shrinkFirst(
          h,
          provider,
          operation,
          failed,
          f,
          (answer) => !answer.accepted,
          'a valid request was refused',
          acceptedSince,
          'acceptance',
        );
      if (h.s.settings.mode !== 'strict')
        for (const r of strictOnly) f.skip(r.id, 'decided in strict schema mode only (--schema-mode strict)');
      // smoke spends no request on the edges of SHOULD and INFO request rules (their violations are skipped too)
      if (smoke)
        for (const id of rules()) {
          const r = catalogue().byId.get(id)!;
          if (r.side === 'request' && r.level !== 'MUST' && !f.list().some((x) => x.ruleId === id)) f.skip(id, SMOKE_SKIP);
        }
      return cases.length;
    },
    {
      // its lists from the run's drawing thread, before its rules are derived from them
      ready: (h) => predrawn(acceptanceLists(provider, operation, h.gen(provider), h.s.settings)),
    },
  );
}

const isSmoke = (h: Harness) => h.s.settings.profile === 'smoke';

/** Run `fn` over `items` one after the other (smoke decides whether to send the next from what came back). */
async function sequential<T>(items: readonly T[], fn: (item: T, index: number) => Promise<void>): Promise<void> {
  for (const [i, item] of items.entries()) await fn(item, i);
}

/**
 * Smoke's valid cases. The first shows, in one request, the smallest legal amounts and as many MUST
 * rule edges at once as hold together (the longest names and order number, startDate today, endDate on
 * it, …): one accepted request decides acceptsValid and each of those edges. The second shows each
 * rule's other edge where it has one (a length at its maximum in multi-byte characters, the other enum
 * value): each side of a rule is tried valid as well as broken. Then the valid upper amount edge (a card
 * of that much, once) and the minimal request (only what the table requires) go whatever came before. The
 * others (sent only while a result rule is undecided, at most SMOKE_ACCEPTANCE_TRIES in all) are plain
 * valid requests with the smallest amounts.
 */
function smokeValidCases(h: Harness, provider: Provider, operation: string): Case[] {
  const g = h.gen(provider);
  const plan = planOf(provider, operation, 'request');
  const accepts = plan.rules.find((r) => r.check.kind === 'acceptsValid')!.id;
  const amounts = smallestAmounts(provider, operation, g);
  // optional fields present where nothing conditions them (an object's children can show their edges)
  const present = plan.fields.filter((f) => f.requiredWhen === undefined && f.check('forbiddenWhen') === undefined).map((f) => f.path);
  const values = fc.sample(validObject(plan, g, { text: amounts, present }), {
    numRuns: SMOKE_ACCEPTANCE_TRIES + 1,
    seed: h.s.settings.seed,
  });
  // where two rules' edges want one field, the boundary wins over a shape's sample: cross-field rules (today,
  // equal dates; last in the catalogue) first, then the rest, pattern and format (one character, a leap day) last
  const sample = (r: { check: { kind: string } }) => (r.check.kind === 'pattern' || r.check.kind === 'format' ? 1 : 0);
  const must = plan.rules
    .filter((r) => r.level === 'MUST' && r.check.kind !== 'acceptsValid')
    .reverse()
    .sort((a, b) => sample(a) - sample(b));
  const amountRule = (id: string) => amounts[catalogue().byId.get(id)!.field] !== undefined;
  const combined = combinedEdges(plan, g, values[0]!, must, Object.keys(amounts));
  // the second: first the rules whose edge the first could not show (two edges wanted one field), at their
  // first edge; then the others at their next one
  const shown = new Set(combined.rules);
  const others = combinedEdges(
    plan,
    g,
    values[1]!,
    [...must.filter((r) => !shown.has(r.id)), ...must.filter((r) => shown.has(r.id))],
    Object.keys(amounts),
    (r) => (shown.has(r.id) ? 1 : 0),
  );
  const amountNote = Object.entries(amounts).map(([p, v]) => `${p} = ${v} (the smallest legal amount)`);
  const notes = [...amountNote, ...combined.notes.filter((_, i) => !amountRule(combined.rules[i]!))];
  const otherNotes = others.notes.filter((_, i) => !amountRule(others.rules[i]!));
  return [
    {
      value: combined.value,
      rules: [...combined.rules, accepts],
      note: `smoke: one valid request with ${notes.join('; ')}`,
      seed: h.s.settings.seed,
    },
    ...(otherNotes.length
      ? [
          {
            value: others.value,
            rules: [...others.rules.filter((id) => !amountRule(id)), accepts],
            note: `smoke: a valid request with the rules' other edges: ${otherNotes.join('; ')}`,
            seed: h.s.settings.seed,
          },
        ]
      : []),
    // the valid upper amount edge, once (a 5,000 USD card: a spend budget that cannot stake it excludes it)
    ...Object.entries(largestAmounts(provider, operation, g)).map(([path, text]) => ({
      value: setAt(clone(values[0]!), path, typeof getPath(values[0], path) === 'number' ? Number(text) : text),
      rules: [...plan.rules.filter((r) => r.check.kind === 'amountRange' && relativePath(r) === path).map((r) => r.id), accepts],
      note: `smoke: a valid request at the largest legal ${path}, ${text}`,
      seed: h.s.settings.seed,
      always: true as const,
    })),
    // the smallest valid request: only what the table requires, at the smallest amounts
    ...withSmallestAmounts(provider, operation, minimalValid(plan, g, accepts, h.s.settings.seed), g).map((c) => ({
      ...c,
      always: true as const,
    })),
    ...values.slice(2).map((value) => ({
      value,
      rules: [accepts],
      note: `smoke: a valid request${amountNote.length ? ` with ${amountNote.join(', ')}` : ''}`,
      seed: h.s.settings.seed,
    })),
  ];
}

/**
 * A case as it is sent: "today" is taken per case on the provider's clock (after the guard band around
 * its midnight), and a case made on another day has its dates moved to the day it is sent.
 */
async function onSendDay(h: Harness, provider: Provider, operation: string, value: unknown): Promise<unknown> {
  if (!hasDateWindow(provider, operation)) return value;
  const made = h.gen(provider).today;
  const today = await h.dayOf(provider);
  return shiftDates(provider, operation, value, daysBetween(made, today));
}

/**
 * A case's body as it goes on the wire: on the day it is sent, with its own order number (`key`: its
 * index, so the same whatever the concurrency) and the suite's callback URL, except for `keep` fields.
 */
async function asSent(h: Harness, provider: Provider, operation: string, value: unknown, key: string, keep: readonly string[]) {
  return uniquify(provider, operation, await onSendDay(h, provider, operation, value), h.unique(key), h.s.callbackBase, keep);
}

/** The case as evidence records it, for `card-conformance replay`. */
const caseRef = (property: CaseRef['property'], c: Case): CaseRef => ({
  property,
  rules: c.rules,
  ...(c.way ? { way: c.way } : {}),
  ...(c.overlaps?.length ? { overlaps: c.overlaps } : {}),
});

/** A case of the rejection property still fails while the answer accepts it. */
const acceptedAnswer = (answer: Envelope) => answer.accepted;

/** At most this many failing random cases are shrunk per property (each candidate is a real request). */
const SHRINK_AT_MOST = 3;

/** What a valid case expected: acceptance, since it keeps the rule whose edge it is. */
function acceptedSince(id: string, body: unknown): string {
  const rule = catalogue().byId.get(id)!;
  const accepted = catalogue()
    .rulesFor(rule.provider, rule.operation)
    .find((r) => r.check.kind === 'acceptsValid');
  return rule.check.kind === 'acceptsValid' || !accepted
    ? expectedOf(rule)
    : `${expectedOf(accepted)}: it keeps ${expectedOf(rule, { root: body })}`;
}

/**
 * Shrink the first failing random cases (of distinct rules): the smallest request that still fails
 * becomes the rule's leading evidence, the exchange itself, with the shrinking steps from the first.
 */
async function shrinkFirst(
  h: Harness,
  provider: Provider,
  operation: string,
  failed: Case[],
  f: Findings,
  stillFails: (e: Envelope) => boolean,
  what: string,
  expectedFor: (ruleId: string, body: unknown) => string,
  property: CaseRef['property'],
) {
  const env = envelopeOf(provider, operation);
  const seen = new Set<string>();
  const picks = failed
    .filter((c) => c.path !== undefined && !seen.has(c.rules.at(-1)!) && seen.add(c.rules.at(-1)!))
    .slice(0, SHRINK_AT_MOST);
  for (const c of picks) {
    const arb = caseArbitrary(provider, operation, h.gen(provider), c);
    if (!arb) continue;
    const rule = catalogue().byId.get(c.rules.at(-1)!)!;
    // the exchange of the last candidate that still failed: fast-check's counterexample
    let last: CallResult | undefined;
    const shrunk = await shrinkFailure(arb, c.seed, c.path!, async (v) => {
      const body = uniquify(provider, operation, v, h.unique(), h.s.callbackBase, [rule.field]);
      const r = await attempt(() => send(h, provider, operation, body), h);
      const fails = !('error' in r) && stillFails(env.read(r));
      if (fails) last = r as CallResult;
      return fails;
    });
    if (!shrunk || !last) continue;
    const steps = shrunk.path.split(':').length - c.path!.split(':').length;
    const expected = expectedFor(rule.id, last.request.body);
    f.fail(
      rule.id,
      h.evidence(
        last,
        `smallest failing case, ${steps} shrinking step(s) from the first (${shrunk.tries} tries): ${what} (${answerLine(last, env.read(last))}); expected ${expected}`,
        {
          rule: rule.id,
          expected,
          seed: c.seed,
          path: shrunk.path,
          note: `shrunk from: ${c.note}`,
          shrunk: { steps, tries: shrunk.tries, from: c.path! },
          case: caseRef(property, c),
        },
      ),
    );
  }
}

const refusalLine = (r: CallResult, e: ReturnType<ReturnType<typeof envelopeOf>['read']>) =>
  r.problem ? r.problem.message : `HTTP ${r.status}, code ${JSON.stringify(e.code)}${e.message ? ` "${e.message}"` : ''}`;

const answerLine = (r: CallResult, e: Envelope) =>
  e.accepted ? `HTTP ${r.status}, ${e.pending ? `pending, code ${JSON.stringify(e.code)}` : 'success'}` : refusalLine(r, e);

/** Rules the rejection property decides: every request rule a mutation can break, and the refusal's envelope and code. */
export function rejectionRules(provider: Provider, operation: string, strict = false): string[] {
  return onceForCatalogue(`rejection ${provider} ${operation} ${strict}`, () => deriveRejectionRules(provider, operation, strict));
}
function deriveRejectionRules(provider: Provider, operation: string, strict: boolean): string[] {
  const all = catalogue().rulesFor(provider, operation);
  const broken = new Set(drawn(rejectionRuleList(provider, operation, strict)).flatMap((c) => c.rules));
  const envelope = all.filter((r) => r.side === 'response' && !relativePath(r).includes('.') && r.check.kind !== 'noUntabledFields');
  return [...all.filter((r) => broken.has(r.id)).map((r) => r.id), ...envelope.map((r) => r.id)];
}

export function rejection(provider: Provider, operation: string, name: string) {
  const strict = catalogue()
    .rulesFor(provider, operation)
    .find((r) => r.side === 'request' && r.check.kind === 'noUntabledFields')!;
  let rules: string[] | undefined;
  const declared = () => {
    rules ??= [...new Set([...rejectionRules(provider, operation), strict.id])];
    return rules;
  };
  conformance(
    provider,
    name,
    declared,
    async (f, h) => {
      const envelope = new Set(declared());
      const jc = { mode: h.s.settings.mode, evidence: h.evidence, redactor: h.redactor };
      const smoke = isSmoke(h);
      const all = drawn(rejectionList(provider, operation, h.gen(provider), h.s.settings));
      // smoke: one refused request per MUST rule; the violations of SHOULD and INFO rules are not sent
      const picked = smoke ? smokeInvalidCases(all) : all;
      // smoke, or any run under a spend budget: a case that breaks another field carries the smallest legal
      // amount, so that a refused case stakes as little as the budget can give (an amount rule's own cases keep theirs)
      const cases = smoke || h.s.budgetUrl ? withSmallestAmounts(provider, operation, picked, h.gen(provider)) : picked;
      const failed: Case[] = [];
      if (h.s.settings.mode !== 'strict') f.skip(strict.id, 'decided in strict schema mode only (--schema-mode strict)');
      if (smoke)
        for (const c of all)
          if (catalogue().byId.get(c.rules[0]!)!.level !== 'MUST' && c.rules[0] !== strict.id) f.skip(c.rules[0]!, SMOKE_SKIP);
      await h.pool(cases, async (c, i) => {
        const rule = catalogue().byId.get(c.rules[0]!)!;
        const body = await asSent(h, provider, operation, c.value, `r${i.toString(36)}`, [rule.field]);
        const r = await spendable(() => attempt(() => send(h, provider, operation, body), h));
        if (r === SPEND_REFUSED) {
          f.exclude(rule.id, spendSkip(body, provider, operation, violationClassOf(c)));
          return;
        }
        if ('error' in r) {
          if (r.undecided) f.skip(rule.id, r.error);
          else f.error(rule.id, r.error);
          return;
        }
        const replay = {
          ...jc,
          evidence: (res: CallResult, m: string, parts?: EvidenceParts) =>
            h.evidence(res, m, {
              ...parts,
              seed: c.seed,
              ...(c.path ? { path: c.path } : {}),
              note: c.note,
              case: caseRef('rejection', c),
            }),
        };
        f.tried(rule.id, violationClassOf(c));
        const overlaps = (c.overlaps ?? []).map((id) => catalogue().byId.get(id)!);
        const judge = (res: CallResult, into: Findings) => {
          const outcome = judgeRefusal(rule, c.way, res, into, replay, c.note, overlaps);
          if (outcome === 'refused') judgeAnswer(provider, operation, res, undefined, into, replay, {}, envelope);
          return outcome;
        };
        const first = new Findings();
        const outcome = judge(r, first);
        if (outcome === 'accepted') failed.push(c);
        // A refused case that fails a rule created nothing: it is sent once more before the failure stands.
        // Two answers that disagree make the rule flaky, with both as evidence. An accepted case opened a
        // card: it is never re-sent to confirm anything.
        const failing = first.list().filter((x) => x.verdict === 'fail');
        if (outcome === 'accepted' || failing.length === 0) return f.absorb(first.list());
        const again = await spendable(() => attempt(() => send(h, provider, operation, body), h));
        if (again === SPEND_REFUSED || 'error' in again) return f.absorb(first.list());
        const second = new Findings();
        judge(again, second);
        const failsAgain = new Set(
          second
            .list()
            .filter((x) => x.verdict === 'fail')
            .map((x) => x.ruleId),
        );
        f.absorb(first.list().filter((x) => x.verdict !== 'fail' || failsAgain.has(x.ruleId)));
        for (const x of failing.filter((x) => !failsAgain.has(x.ruleId)))
          f.flaky(x.ruleId, [
            ...x.evidence,
            ...(second.list().find((y) => y.ruleId === x.ruleId)?.evidence ?? []),
            replay.evidence(again, `${c.note}: sent again, answered without breaking ${x.ruleId}`),
          ]);
      });
      if (!smoke)
        await shrinkFirst(
          h,
          provider,
          operation,
          failed,
          f,
          acceptedAnswer,
          'accepted',
          (id, body) => {
            const ctx = {
              mode: h.s.settings.mode,
              today: h.s.today[provider],
              defaults: catalogue().operation(provider, operation).defaults,
            };
            return `a refusal, since the rule wants ${expectedOf(catalogue().byId.get(id)!, { root: body, ctx })}`;
          },
          'rejection',
        );
      return cases.length;
    },
    {
      ready: (h) => predrawn(rejectionLists(provider, operation, h.gen(provider), h.s.settings)),
    },
  );
}

/** `n` fresh valid requests (unique order numbers, callbacks to the suite's receiver). */
export function validRequests(
  h: Harness,
  provider: Provider,
  operation: string,
  n: number,
  salt = 0,
  pinned: Record<string, string> = {},
): Record<string, unknown>[] {
  const plan = planOf(provider, operation, 'request');
  // smoke: the smallest legal amounts, unless the suite pins its own
  const text = isSmoke(h) ? { ...smallestAmounts(provider, operation, h.gen(provider)), ...pinned } : pinned;
  // pinned values are stated as text; the generator writes them as the run's schema mode asks
  return fc
    .sample(validObject(plan, h.gen(provider), { text }), { numRuns: n, seed: h.s.settings.seed + salt })
    .map((v) => uniquify(provider, operation, v, h.unique(), h.s.callbackBase));
}

/** Rules of an operation by the behaviour they describe (for suite declarations). */
export function behaviourRule(provider: Provider, operation: string, behaviour: string): string {
  const r = catalogue()
    .rulesFor(provider, operation)
    .find((x) => x.check.kind === 'behaviour' && x.check.behaviour === behaviour);
  if (!r) throw new Error(`${provider}.${operation}: no rule for the behaviour ${behaviour}`);
  return r.id;
}

const SPEND_REFUSED = Symbol('spend refused');
/**
 * One case whose request the spend budget refused (it would move more than is left) was never sent: its
 * rule is skipped for that case, and the property goes on with the others (requests and time, which end
 * the run, still cut the whole test in the harness).
 */
async function spendable<T>(send: () => Promise<T>): Promise<T | typeof SPEND_REFUSED> {
  try {
    return await send();
  } catch (err) {
    if (isSpendRefusal(err)) return SPEND_REFUSED;
    throw err;
  }
}

const spendSkip = (body: unknown, provider: Provider, operation: string, cls?: string): string => {
  const m = moneyOf(provider, operation, body);
  const which = cls ? `the ${cls} case` : 'this case';
  return m
    ? `budget: spend ${m.currency} (${which} would move ${formatMoney(m)} if accepted, more than the spend budget has left)`
    : `budget: spend (${which} would move more than the spend budget has left)`;
};
