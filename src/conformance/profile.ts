/**
 * Run profiles. `full` is the suites' whole depth (hundreds of cases per property). `smoke` decides
 * every MUST rule the target can exercise with the fewest requests: one valid create/apply (the
 * smallest legal amounts) whose answer decides the response rules, one refused invalid case per
 * violation class of each MUST request rule — each side of a range or window, each way to break it — (a
 * refusal opens no card), one lifecycle / follow-up each, polled a bounded number of times (plan.ts
 * counts them). SHOULD and INFO rules are decided in smoke only when the same exchanges decide them;
 * otherwise they are `skipped` with {@link SMOKE_SKIP}.
 */
import fc from 'fast-check';
import type { Case } from '../../properties/cases.ts';
import { edgesOf } from '../../properties/cases.ts';
import { clone, ctxOf, type GenContext, setAt, validObject } from '../../properties/generate.ts';
import { mutate } from '../../properties/mutate.ts';
import { planOf } from '../../properties/plan.ts';
import { evaluate } from '../checks/registry.ts';
import { catalogue } from '../spec/catalogue.ts';
import { getPath, isPlainObject, relativePath, textOf } from '../spec/evaluate.ts';
import type { Provider } from '../spec/registry.ts';
import { PROFILES, type Profile } from './settings.ts';

export { PROFILES, type Profile };

/** The profile when none is chosen: the whole depth against the embedded mock, smoke against anything else. */
export const defaultProfile = (external: boolean): Profile => (external ? 'smoke' : 'full');

/** The reason a rule the smoke profile does not spend requests on is skipped. */
export const SMOKE_SKIP = 'profile smoke';

/**
 * Looks at one asynchronous outcome within the wait in smoke: the poll interval is the wait over this,
 * so a follow-up loop looks at most this + 1 times, and the stability watch 3–4 times (plan.ts
 * smokeBehaviourRequests counts them).
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
 * The legal amounts at the edges of each amount field, as text: the edges of the field's amount rules
 * (`kinds` of them) that keep every rule of the field.
 */
function legalAmountEdges(provider: Provider, operation: string, g: GenContext, kinds?: readonly string[]): Map<string, string[]> {
  const plan = planOf(provider, operation, 'request');
  const [base] = fc.sample(validObject(plan, g), { numRuns: 1, seed: 1 });
  const out = new Map<string, string[]>();
  const ctx = ctxOf(g, catalogue().operation(provider, operation).defaults);
  for (const rule of amountRules(provider, operation, g)) {
    if (kinds && !kinds.includes(rule.check.kind)) continue;
    const path = relativePath(rule);
    const own = plan.rules.filter((r) => relativePath(r) === path);
    for (const edge of edgesOf(rule, base!, plan, g)) {
      const text = textOf(edge.value);
      if (text === undefined || !Number.isFinite(Number(text))) continue;
      if (own.some((r) => evaluate(r, setAt({}, path, edge.value), ctx).holds === false)) continue;
      out.set(path, [...(out.get(path) ?? []), text]);
    }
  }
  return out;
}

const byAmount = (a: string, b: string) => Number(a) - Number(b);

/**
 * The smallest legal amount of each amount field, as text: the smallest edge of the field's amount
 * rules that keeps every rule of the field. Smoke pins these in every valid request it sends.
 */
export function smallestAmounts(provider: Provider, operation: string, g: GenContext): Record<string, string> {
  return Object.fromEntries([...legalAmountEdges(provider, operation, g)].map(([path, texts]) => [path, texts.sort(byAmount)[0]!]));
}

/**
 * The largest legal amount of each amount field that has a largest one (a range's maximum), as text,
 * where it differs from the smallest: the valid upper edge smoke tries once (a spend budget that cannot
 * stake it makes it an exclusion).
 */
export function largestAmounts(provider: Provider, operation: string, g: GenContext): Record<string, string> {
  const smallest = smallestAmounts(provider, operation, g);
  return Object.fromEntries(
    [...legalAmountEdges(provider, operation, g, ['amountRange'])]
      .map(([path, texts]) => [path, texts.sort(byAmount).at(-1)!] as const)
      .filter(([path, text]) => text !== smallest[path]),
  );
}

/** A violation's class as smoke counts it: the class and its side or sub-class (`amount/above`, `presence/null`). */
export const violationClassOf = (c: Pick<Case, 'cls' | 'way' | 'variant'>): string =>
  `${c.cls ?? 'other'}${(c.way ?? c.variant) ? `/${c.way ?? c.variant}` : ''}`;

/**
 * Smoke's invalid cases: the first mutation of each violation class of each MUST rule — each side of a
 * range, a length in ASCII and in multi-byte characters, each enum neighbour, each kind of pattern and
 * format breakage, each way of being absent. One request per class, one rule per request.
 */
export function smokeInvalidCases(cases: readonly Case[]): Case[] {
  const seen = new Set<string>();
  return cases.filter((c) => {
    const id = c.rules[0]!;
    const key = `${id} ${violationClassOf(c)}`;
    if (seen.has(key) || catalogue().byId.get(id)?.level !== 'MUST') return false;
    seen.add(key);
    return true;
  });
}

/**
 * The cases with every amount field they carry at its smallest legal value, but in the cases that break
 * that field; an amount made too long with leading zeros (the `length` class) keeps its length and
 * breakage around the smallest amount instead.
 */
export function withSmallestAmounts(provider: Provider, operation: string, cases: readonly Case[], g: GenContext): Case[] {
  const amounts = Object.entries(smallestAmounts(provider, operation, g));
  return cases.map((c) => {
    const broken = new Set(c.rules.map((id) => relativePath(catalogue().byId.get(id)!)));
    let value = c.value;
    for (const [path, text] of amounts) {
      if (!isPlainObject(value)) continue;
      const was = getPath(value, path);
      if (was === undefined) continue;
      if (broken.has(path)) {
        if (c.cls === 'length' && typeof was === 'string' && /^0+\d+$/.test(was) && text.length < was.length)
          value = setAt(clone(value), path, text.padStart(was.length, '0'));
        continue;
      }
      // the same JSON type as the case had (a number stays a number)
      value = setAt(clone(value), path, typeof was === 'number' ? Number(text) : text);
    }
    return value === c.value ? c : { ...c, value };
  });
}
