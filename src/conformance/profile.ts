/**
 * Run profiles. `full` is the suites' whole depth (hundreds of cases per property). `smoke` decides
 * every MUST rule the target can exercise with the fewest requests: one valid create/apply (the
 * smallest legal amounts) whose answer decides the response rules, one refused invalid case per MUST
 * request rule (a refusal opens no card), one lifecycle / follow-up each, polled a bounded number of
 * times. SHOULD and INFO rules are decided in smoke only when the same exchanges decide them; otherwise
 * they are `skipped` with {@link SMOKE_SKIP}.
 */
import fc from 'fast-check';
import type { Case } from '../../properties/cases.ts';
import { edgesOf } from '../../properties/cases.ts';
import { ctxOf, type GenContext, setAt, validObject } from '../../properties/generate.ts';
import { mutate } from '../../properties/mutate.ts';
import { planOf } from '../../properties/plan.ts';
import { evaluate } from '../checks/registry.ts';
import { catalogue } from '../spec/catalogue.ts';
import { relativePath, textOf } from '../spec/evaluate.ts';
import type { Provider } from '../spec/registry.ts';
import { PROFILES, type Profile } from './settings.ts';

export { PROFILES, type Profile };

/** The profile when none is chosen: the whole depth against the embedded mock, smoke against anything else. */
export const defaultProfile = (external: boolean): Profile => (external ? 'smoke' : 'full');

/** The reason a rule the smoke profile does not spend requests on is skipped. */
export const SMOKE_SKIP = 'profile smoke';

/** The most requests smoke sends a provider, status polls and the positive control included (the test holds it to this). */
export const SMOKE_MAX_REQUESTS = 100;

/**
 * Looks at one asynchronous outcome within the wait in smoke: the poll interval is the wait over this,
 * so a follow-up loop looks at most this + 1 times, and the stability watch 3–4 times. The worst case on
 * a conformant target whose outcomes all take the whole wait — GEP: 1 control, 3 valid applies, 41
 * refusals, 2 encryption, 3 repeat, 2 follow-ups × (1 + 7 + 7 + 2 × 4) — stays within SMOKE_MAX_REQUESTS.
 */
export const SMOKE_POLLS_PER_WAIT = 6;

/** Valid creates/applies smoke sends at most to see one complete answer (a pending or incomplete one decides less). */
export const SMOKE_ACCEPTANCE_TRIES = 3;

/** Smoke's poll interval: at most `SMOKE_POLLS_PER_WAIT` looks per wait, never faster than the default interval. */
export const smokePollMs = (waitMs: number, pollMs: number): number => Math.max(pollMs, Math.ceil(waitMs / SMOKE_POLLS_PER_WAIT));

/**
 * The amount rules of an operation's request: the rules whose violations are of the `amount` class
 * (range, minor units, positive decimal), read from their kind modules.
 */
export function amountRules(provider: Provider, operation: string, g: GenContext) {
  const plan = planOf(provider, operation, 'request');
  const [base] = fc.sample(validObject(plan, g), { numRuns: 1, seed: 1 });
  return plan.rules.filter((r) => r.side === 'request' && mutate(r, base!, plan, g).some((m) => m.cls === 'amount'));
}

/**
 * The smallest legal amount of each amount field, as text: the smallest edge of the field's amount
 * rules that keeps every rule of the field. Smoke pins these in every valid request it sends.
 */
export function smallestAmounts(provider: Provider, operation: string, g: GenContext): Record<string, string> {
  const plan = planOf(provider, operation, 'request');
  const [base] = fc.sample(validObject(plan, g), { numRuns: 1, seed: 1 });
  const out: Record<string, string> = {};
  const ctx = ctxOf(g, catalogue().operation(provider, operation).defaults);
  for (const rule of amountRules(provider, operation, g)) {
    const path = relativePath(rule);
    const own = plan.rules.filter((r) => relativePath(r) === path);
    for (const edge of edgesOf(rule, base!, plan, g)) {
      const text = textOf(edge.value);
      if (text === undefined || !Number.isFinite(Number(text))) continue;
      const obj = setAt({}, path, edge.value);
      if (own.some((r) => evaluate(r, obj, ctx).holds === false)) continue;
      if (out[path] === undefined || Number(text) < Number(out[path])) out[path] = text;
    }
  }
  return out;
}

/** Smoke's invalid cases: the first mutation of each MUST rule (one refused request decides it). */
export function smokeInvalidCases(cases: readonly Case[]): Case[] {
  const seen = new Set<string>();
  return cases.filter((c) => {
    const id = c.rules[0]!;
    if (seen.has(id) || catalogue().byId.get(id)?.level !== 'MUST') return false;
    seen.add(id);
    return true;
  });
}
