/**
 * A smoke run's plan, fixed before its first request: per provider, the violation classes of its MUST
 * rules it will try (one request each), the requests it needs at most, and the classes its budgets leave
 * out — a refused case whose amount the spend budget cannot stake — each an exclusion with what it would
 * have needed. `run` prints it first; the suites exclude the same cases when the budget refuses them.
 */
import { invalidCases } from '../../properties/cases.ts';
import { formatMoney, moneyOf } from '../client/money.ts';
import { catalogue } from '../spec/catalogue.ts';
import type { Provider } from '../spec/registry.ts';
import { alchemyAuthProbes, gepAuthProbes } from './auth-probes.ts';
import type { BudgetLimits } from './budget.ts';
import {
  largestAmounts,
  SMOKE_ACCEPTANCE_TRIES,
  smokeInvalidCases,
  smokePollMs,
  violationClassOf,
  withSmallestAmounts,
} from './profile.ts';
import { defaultStabilityMs, FAST_POLL_MS, mostPolls, profileWaitMs, watchIntervals } from './waits.ts';

/**
 * Requests smoke sends a provider besides its violation classes, at most, against a sandbox (the profile's
 * wait, polls from FAST_POLL_MS doubling to smoke's cap, the default stability window). Alchemy: the
 * segment list and the control (and its re-signed retry), the valid creates, a correct create and each
 * authentication probe, a repeated order number, one lifecycle (a create, its polls — each of its statuses
 * starting the pace over — and the watch). GEP: the control, the valid applies, a correct apply and each
 * probe, a repeat and its query, two follow-ups (an apply, its operation and card queries, two watches),
 * the balance pair where an admin surface sets it.
 */
export function smokeBehaviourRequests(provider: Provider): number {
  const waitMs = profileWaitMs([provider]);
  const cap = smokePollMs(waitMs, 1000);
  const watch = watchIntervals(defaultStabilityMs(1000), FAST_POLL_MS, cap).length;
  // the edges' two requests, the upper amount edge, the minimal request, and the plain tries after the first
  const valid = SMOKE_ACCEPTANCE_TRIES + 3;
  if (provider === 'alchemy') {
    const statuses = catalogue().profiles.alchemy.lifecycle?.order.length ?? 1;
    return 3 + valid + alchemyAuthProbes({}).length + 1 + 2 + 1 + mostPolls(waitMs, FAST_POLL_MS, cap, statuses) + watch;
  }
  const followUp = 1 + mostPolls(waitMs, FAST_POLL_MS, cap, 3) + mostPolls(waitMs, FAST_POLL_MS, cap, 2) + 2 * watch;
  return 1 + valid + gepAuthProbes().length + 1 + 3 + 2 * followUp + 2;
}

export interface ProviderPlan {
  provider: Provider;
  /** MUST rules with request violations, and their classes: one request per class. */
  rules: number;
  classes: number;
  /** Requests the plan needs at most from a conformant provider: its classes and the behaviour suites' requests. */
  requests: number;
  /** At most, whatever the provider: a refusal that breaks a rule is sent once more before the failure stands. */
  mostRequests: number;
  /** Classes the budgets leave out, each with what it would have needed. */
  exclusions: { id: string; cls: string; reason: string }[];
}

const GEN = { mode: 'lenient' as const, today: '2030-01-01', knownValues: { segmentList: ['X'] } };
/** The class of the valid upper amount edge (a card of the range's maximum), as the plan names it. */
const UPPER_EDGE = 'valid upper amount edge';

/** The spend budget of a currency, as the plan's lines say it. */
const budgetOf = (limits: BudgetLimits, currency: string): string => {
  const limit = limits.maxSpend?.[currency];
  return limit === undefined ? `none in ${currency}` : formatMoney({ currency, amount: limit });
};
/** The budget cannot stake `m` (undefined: no spend budget at all, so anything goes). */
const unaffordable = (limits: BudgetLimits, m: { currency: string; amount: number } | undefined): boolean => {
  if (!m || !limits.maxSpend) return false;
  const limit = limits.maxSpend[m.currency];
  return limit === undefined || m.amount > limit;
};

/** The smoke plan of one provider under `limits` (the run's budgets). */
export function smokePlan(provider: Provider, limits: BudgetLimits = {}): ProviderPlan {
  const operation = catalogue().operations.find((o) => o.spec.provider === provider)!.spec.operation;
  // as smoke sends them: a case that breaks another field carries the smallest legal amount
  const cases = withSmallestAmounts(provider, operation, smokeInvalidCases(invalidCases(provider, operation, GEN, 1, 1)), GEN);
  const exclusions: ProviderPlan['exclusions'] = [];
  for (const c of cases) {
    const m = moneyOf(provider, operation, c.value);
    if (m && unaffordable(limits, m))
      exclusions.push({
        id: c.rules[0]!,
        cls: violationClassOf(c),
        reason: `needs ${formatMoney(m)} staked if a provider wrongly takes it; the spend budget is ${budgetOf(limits, m.currency)}`,
      });
  }
  const refusedLeftOut = exclusions.length;
  // the valid upper amount edge, a card of that much: excluded where the spend budget cannot stake it
  for (const [path, text] of Object.entries(largestAmounts(provider, operation, GEN))) {
    const m = moneyOf(provider, operation, { [path]: text });
    const rule = catalogue()
      .rulesFor(provider, operation)
      .find((r) => r.check.kind === 'amountRange' && r.field === path);
    if (m && rule && unaffordable(limits, m))
      exclusions.push({
        id: rule.id,
        cls: UPPER_EDGE,
        reason: `opens a card of ${formatMoney(m)}; the spend budget is ${budgetOf(limits, m.currency)}`,
      });
  }
  const sent = cases.length - refusedLeftOut;
  return {
    provider,
    rules: new Set(cases.map((c) => c.rules[0])).size,
    classes: cases.length,
    requests: sent + smokeBehaviourRequests(provider),
    mostRequests: 2 * sent + smokeBehaviourRequests(provider),
    exclusions,
  };
}

/** One line per provider for the run's start, and the exclusions under it. */
export function planLines(plans: readonly ProviderPlan[], maxRequests: number | undefined): string[] {
  const total = plans.reduce((n, p) => n + p.requests, 0);
  const lines = [
    `plan (smoke): ${plans.map((p) => `${p.provider} ${p.classes} violation classes of ${p.rules} MUST rules, at most ${p.requests} requests`).join('; ')}${maxRequests !== undefined ? ` — ${total} of the ${maxRequests}-request budget${total > maxRequests ? ' (MORE than it allows: the run will be cut short)' : ''}` : ''} (a provider whose refusals break rules gets each sent once more: ${plans.map((p) => `${p.provider} ${p.mostRequests}`).join(', ')} at most)`,
  ];
  for (const p of plans) for (const x of p.exclusions) lines.push(`  excluded: ${x.id} (${x.cls}) — ${x.reason}`);
  return lines;
}
