/**
 * Kinds decided by the suites, not on one object: `acceptsValid` (by the acceptance property: every valid
 * case is an instance, the other kinds' edges are its edges, and no mutation of its own breaks it),
 * `codeMatchesRule` (the refusal code the profile maps to the broken rule, judged by the rejection
 * property) and `behaviour` (lifecycle, callbacks, idempotency, balances, outcomes). Their predicates say
 * `n/a` on a value; they have no edges, values, repair or mutators of their own.
 */
import type { RuleCheck } from '../spec/catalogue.ts';
import { NA } from '../spec/evaluate.ts';
import type { CheckKind } from './types.ts';

function suiteDecided<K extends RuleCheck['kind']>(kind: K, describe: string, expected: CheckKind<K>['expected']): CheckKind<K> {
  return { kind, describe, expected, scope: 'suite', holds: () => NA, edges: () => [], values: null, repair: null, mutators: () => [] };
}

export const acceptsValid = suiteDecided(
  'acceptsValid',
  'a request that keeps every rule of the table is accepted',
  () => 'the valid request accepted (success, or the pending code where the profile has one)',
);

export const codeMatchesRule = suiteDecided(
  'codeMatchesRule',
  'a refusal carries a code the profile maps to the broken rule (judged by the rejection property)',
  ({ codes }) =>
    codes?.length ? `a refusal with code ${codes.join(' or ')}` : 'a refusal with the code the profile maps to the broken rule',
);

// a behaviour is what its rule's title says; the suite's note says what it saw
export const behaviour = suiteDecided('behaviour', 'a behaviour over several calls (decided by its suite)', ({ rule }) => rule.title);
