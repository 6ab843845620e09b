/**
 * The selfcheck's targets: the embedded mock once per seed as it is (faithful) and once per deviation
 * and seed, each its own session (mock, keys, receiver, positive control), all opened by one global
 * setup so that one vitest run tests them all. Each deviation's target runs only the suites that decide
 * the rule it breaks; the faithful target runs every suite.
 */
import { DEVIATIONS } from '../mock/deviations.ts';
import type { Provider } from '../spec/registry.ts';
import { openSession, type SessionSummary, type SharedSession } from './session.ts';
import { SETTINGS_VARIABLES } from './settings.ts';

export const SELFCHECK_VARIABLE = 'CARD_CONFORMANCE_SELFCHECK';

/** What the selfcheck command asks for: which seeds, which deviations (all by default). */
export interface SelfcheckPlan {
  seeds: number[];
  deviations?: string[];
}

export interface SelfcheckTarget {
  label: string;
  seed: number;
  /** The deviation switched on; absent for the faithful mock. */
  deviation?: string;
  /** The rule the deviation breaks (the suites deciding it run against this target). */
  ruleId?: string;
  provider?: Provider;
  session: SharedSession;
}

export const targetLabel = (deviation: string | undefined, seed: number): string => `${deviation ?? 'faithful'}@${seed}`;

/** Open every target's session, a few at a time; one that cannot open is reported, not fatal to the others. */
export async function openSelfcheck(
  plan: SelfcheckPlan,
  env: NodeJS.ProcessEnv,
): Promise<{ targets: SelfcheckTarget[]; summaries: Record<string, SessionSummary>; close: () => Promise<void> }> {
  const chosen = plan.deviations ? DEVIATIONS.filter((d) => plan.deviations!.includes(d.name)) : DEVIATIONS;
  const specs = plan.seeds.flatMap((seed) => [
    { seed, deviation: undefined, provider: undefined, ruleId: undefined, clock: undefined },
    ...chosen.map((d) => ({ seed, deviation: d.name, provider: d.provider, ruleId: d.ruleId, clock: d.clock })),
  ]);
  const targets: SelfcheckTarget[] = [];
  const summaries: Record<string, SessionSummary> = {};
  const closers: (() => Promise<void>)[] = [];
  let next = 0;
  const worker = async () => {
    while (next < specs.length) {
      const spec = specs[next++]!;
      const label = targetLabel(spec.deviation, spec.seed);
      const targetEnv: NodeJS.ProcessEnv = {
        ...env,
        [SETTINGS_VARIABLES.seed]: String(spec.seed),
        [SETTINGS_VARIABLES.provider]: spec.provider ?? 'all',
        [SETTINGS_VARIABLES.deviate]: spec.deviation ?? '',
        ...(spec.clock ? { [SETTINGS_VARIABLES.mockNow]: spec.clock } : {}),
      };
      const { shared, summary, close } = await openSession(targetEnv);
      closers.push(close);
      shared.label = label;
      targets.push({
        label,
        seed: spec.seed,
        session: shared,
        ...(spec.deviation ? { deviation: spec.deviation, ruleId: spec.ruleId!, provider: spec.provider! } : {}),
      });
      summaries[label] = summary;
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  // the order of the plan, whatever order the sessions opened in
  const order = new Map(specs.map((s, i) => [targetLabel(s.deviation, s.seed), i]));
  targets.sort((a, b) => order.get(a.label)! - order.get(b.label)!);
  return { targets, summaries, close: async () => void (await Promise.all(closers.map((c) => c()))) };
}
