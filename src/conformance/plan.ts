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
import type { BudgetLimits } from './budget.ts';
import { smokeInvalidCases, violationClassOf, withSmallestAmounts } from './profile.ts';

/**
 * Requests smoke sends a provider besides its violation classes, at most. Alchemy: the segment list and
 * the control (2, and its re-signed retry), 3 valid creates, 3 signature tries, a repeated order number
 * (2), one lifecycle (a create, 7 polls, 4 looks for stability) and the resends of refusals that failed
 * a rule. GEP: the control, 3 valid applies, 2 encryption tries, a repeat and its query (3), two
 * follow-ups of 1 apply, 7 operation and 7 card queries and 2 × 4 looks each.
 */
export const SMOKE_BEHAVIOUR_REQUESTS: Readonly<Record<Provider, number>> = { alchemy: 40, gep: 60 };

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

/** The smoke plan of one provider under `limits` (the run's budgets). */
export function smokePlan(provider: Provider, limits: BudgetLimits = {}): ProviderPlan {
  const operation = catalogue().operations.find((o) => o.spec.provider === provider)!.spec.operation;
  // as smoke sends them: a case that breaks another field carries the smallest legal amount
  const cases = withSmallestAmounts(provider, operation, smokeInvalidCases(invalidCases(provider, operation, GEN, 1, 1)), GEN);
  const exclusions: ProviderPlan['exclusions'] = [];
  for (const c of cases) {
    const m = moneyOf(provider, operation, c.value);
    if (!m || !limits.maxSpend) continue;
    const limit = limits.maxSpend[m.currency];
    if (limit !== undefined && m.amount <= limit) continue;
    exclusions.push({
      id: c.rules[0]!,
      cls: violationClassOf(c),
      reason: `needs ${formatMoney(m)} staked if a provider wrongly takes it; the spend budget is ${limit === undefined ? `none in ${m.currency}` : formatMoney({ currency: m.currency, amount: limit })}`,
    });
  }
  const sent = cases.length - exclusions.length;
  return {
    provider,
    rules: new Set(cases.map((c) => c.rules[0])).size,
    classes: cases.length,
    requests: sent + SMOKE_BEHAVIOUR_REQUESTS[provider],
    mostRequests: 2 * sent + SMOKE_BEHAVIOUR_REQUESTS[provider],
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
