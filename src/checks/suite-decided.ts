/**
 * Kinds decided by stateful suites, not on one object: `codeMatchesRule` (the refusal code the profile
 * maps to the broken rule, judged by the rejection property) and `behaviour` (lifecycle, callbacks,
 * idempotency, balances, outcomes). Their predicates say `n/a` on a value; their suites decide them.
 */
import { NA } from '../spec/evaluate.ts';
import type { CheckKind } from './types.ts';

export const codeMatchesRule: CheckKind<'codeMatchesRule'> = {
  kind: 'codeMatchesRule',
  describe: 'a refusal carries a code the profile maps to the broken rule (judged by the rejection property)',
  expected: ({ codes }) =>
    codes?.length ? `a refusal with code ${codes.join(' or ')}` : 'a refusal with the code the profile maps to the broken rule',
  scope: 'suite',
  holds: () => NA,
  edges: () => [],
  values: null,
  repair: null,
  mutators: () => [],
};

export const behaviour: CheckKind<'behaviour'> = {
  kind: 'behaviour',
  describe: 'a behaviour over several calls (decided by its suite)',
  // a behaviour is what its rule's title says; the suite's note says what it saw
  expected: ({ rule }) => rule.title,
  scope: 'suite',
  holds: () => NA,
  edges: () => [],
  values: null,
  repair: null,
  mutators: () => [],
};
