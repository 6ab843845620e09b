/**
 * Which case lists the property suites draw, and with what inputs: one place for properties.ts (which
 * draws them in the suites' workers) and for the run's early draw (predraw.ts, which draws the same
 * lists on a thread of the run's process while vitest starts). A list is `validCases` or `invalidCases`
 * of one operation, named by its inputs (case-cache.ts `CaseInputs`): the same inputs, the same list.
 */
import { type Case, invalidCases, validCases } from '../../properties/cases.ts';
import type { GenContext } from '../../properties/generate.ts';
import { catalogue } from '../spec/catalogue.ts';
import type { Provider, SchemaMode } from '../spec/registry.ts';
import type { CaseInputs } from './case-cache.ts';
import type { SharedSession } from './session.ts';
import type { Settings } from './settings.ts';

/**
 * The generated cases' context for one provider: the run's schema mode, the provider's "today", the
 * segment list (known values). Every draw of a run reads it so (a kept or handed-over list is keyed by it).
 */
export const genOf = (s: Pick<SharedSession, 'settings' | 'today' | 'segments'>, provider: Provider): GenContext => ({
  mode: s.settings.mode,
  today: s.today[provider],
  knownValues: { segmentList: s.segments },
});

/** The list `inputs` names, drawn. */
export const drawList = ({ kind, provider, operation, g, n, seed }: CaseInputs): Case[] =>
  kind === 'valid' ? validCases(provider, operation, g, n, seed) : invalidCases(provider, operation, g, n, seed);

/**
 * The generator context that derives a property's rule list: fixed (a date far ahead, one known
 * segment), so the list of rules a suite declares never depends on the day or on the target.
 */
const RULE_LIST_GEN = (mode: SchemaMode): GenContext => ({ mode, today: '2030-01-01', knownValues: { segmentList: ['X'] } });

/** The edges' cases, drawn to learn which rules acceptance decides. */
export const acceptanceRuleList = (provider: Provider, operation: string): CaseInputs => ({
  kind: 'valid',
  provider,
  operation,
  g: RULE_LIST_GEN('lenient'),
  n: 0,
  seed: 1,
});

/** One violation of each kind per rule, drawn to learn which rules rejection decides. */
export const rejectionRuleList = (provider: Provider, operation: string, strict: boolean): CaseInputs => ({
  kind: 'invalid',
  provider,
  operation,
  g: RULE_LIST_GEN(strict ? 'strict' : 'lenient'),
  n: 1,
  seed: 1,
});

type RunSettings = Pick<Settings, 'runs' | 'seed' | 'profile'>;
const isSmoke = (s: RunSettings) => s.profile === 'smoke';

/** Acceptance's valid requests; none in smoke (it builds its own few, properties.ts `smokeValidCases`). */
export const acceptanceList = (provider: Provider, operation: string, g: GenContext, s: RunSettings): CaseInputs | undefined =>
  isSmoke(s) ? undefined : { kind: 'valid', provider, operation, g, n: s.runs, seed: s.seed };

/** Rejection's violations: per rule, one base per eighth of the runs (at least 2); one in smoke. */
export const rejectionList = (provider: Provider, operation: string, g: GenContext, s: RunSettings): CaseInputs => ({
  kind: 'invalid',
  provider,
  operation,
  g,
  n: isSmoke(s) ? 1 : Math.max(2, Math.ceil(s.runs / 8)),
  seed: s.seed,
});

/** Every list an operation's rejection test asks for, the rule list first. */
export const rejectionLists = (provider: Provider, operation: string, g: GenContext, s: RunSettings): CaseInputs[] => [
  rejectionRuleList(provider, operation, false),
  rejectionList(provider, operation, g, s),
];

/** Every list an operation's acceptance test asks for, the rule list first (no valid requests in smoke). */
export const acceptanceLists = (provider: Provider, operation: string, g: GenContext, s: RunSettings): CaseInputs[] => {
  const valid = acceptanceList(provider, operation, g, s);
  return [acceptanceRuleList(provider, operation), ...(valid ? [valid] : [])];
};

/**
 * Every list a run's property suites ask for, in about the order they ask: each operation's rejection
 * (its suites start first, src/conformance/sequencer.ts), then its acceptance. The operations are the
 * catalogue's, each tested by an acceptance and a rejection suite.
 */
export function runLists(s: RunSettings & Pick<Settings, 'providers'>, gen: (provider: Provider) => GenContext): CaseInputs[] {
  const ops = catalogue()
    .operations.map((o) => o.spec)
    .filter((o) => s.providers.includes(o.provider));
  return [
    ...ops.flatMap(({ provider, operation }) => rejectionLists(provider, operation, gen(provider), s)),
    ...ops.flatMap(({ provider, operation }) => acceptanceLists(provider, operation, gen(provider), s)),
  ];
}

/**
 * The lists every run derives its property suites' rule lists from: their inputs are fixed (no day, no
 * seed, no target), so the build keeps them (install-cases.ts) and no run draws them again.
 */
export const ruleLists = (): CaseInputs[] =>
  catalogue().operations.flatMap(({ spec: { provider, operation } }) => [
    acceptanceRuleList(provider, operation),
    rejectionRuleList(provider, operation, false),
  ]);
