/** `acceptsValid`: a request that keeps every rule is accepted. Decided by the acceptance property, not on a value. */
import { NA } from '../spec/evaluate.ts';
import type { CheckKind } from './types.ts';

export const acceptsValid: CheckKind<'acceptsValid'> = {
  kind: 'acceptsValid',
  describe: 'a request that keeps every rule of the table is accepted',
  expected: () => 'the valid request accepted (success, or the pending code where the profile has one)',
  scope: 'suite',
  holds: () => NA,
  // every valid case is an instance; the other kinds' edges are its edges
  edges: () => [],
  values: null,
  repair: null,
  // a valid request cannot be broken into "not valid" for this rule: the other rules' mutations do that
  mutators: () => [],
};
