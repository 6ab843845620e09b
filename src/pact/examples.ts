/**
 * The example values of the pacts, drawn from the catalogue with a fixed seed and a fixed "today" (the
 * document example's day), so that the pact files are the same on every run and every day: a request
 * that keeps every rule, its fields with defaults set to them (a sandbox knows the defaults) and a
 * default-by-another-field left out (the provider picks it). Values that must be fresh when a pact is
 * verified (order numbers, dates judged against today) are injected by provider states instead.
 *
 * The card number and CVV of every example are fixed, well-known test values: no pact holds another.
 */
import fc from 'fast-check';
import { shiftDates } from '../../properties/cases.ts';
import { type Constraints, validObject } from '../../properties/generate.ts';
import { planOf } from '../../properties/plan.ts';
import { addDays, daysBetween } from '../checks/util.ts';
import { idFieldOf } from '../conformance/ids.ts';
import { type Catalogue, catalogue as shipped } from '../spec/catalogue.ts';
import { relativePath } from '../spec/evaluate.ts';
import type { Provider } from '../spec/registry.ts';

/** The seed of every example: the pact files change only when the catalogue does. */
export const PACT_SEED = 13;
/** The well-known Visa test number (Luhn-valid): the only card number a pact file may hold. */
export const EXAMPLE_PAN = '4111111111111111';
/** The fixed example CVV: the only CVV a pact file may hold. */
export const EXAMPLE_CVV = '123';

/** The operation that opens a card, per provider (the one whose request table the catalogue holds). */
export const OPEN_OPERATION: Record<Provider, string> = { alchemy: 'create', gep: 'apply' };

/** The day the examples are made for: the document example's day, where the data has one. */
export function exampleDay(cat: Catalogue = shipped()): string {
  return cat.operations.find((o) => o.spec.exampleDate)?.spec.exampleDate ?? '2024-08-14';
}

/** The generation context of the examples: lenient (what the providers' own examples send). */
export function exampleContext(provider: Provider, cat: Catalogue = shipped()) {
  const vid = String(cat.profiles.alchemy.wire['fallbackVid']);
  return { mode: 'lenient' as const, today: exampleDay(cat), knownValues: { segmentList: provider === 'alchemy' ? [vid] : [] } };
}

/** Fields with a plain default are sent with it; a field whose default depends on another is left to the provider. */
export function defaultsConstraints(provider: Provider, cat: Catalogue = shipped()): Constraints {
  const { defaults } = cat.operation(provider, OPEN_OPERATION[provider]);
  const set: Record<string, unknown> = {};
  const absent: string[] = [];
  for (const [path, d] of Object.entries(defaults)) {
    if (d.value !== undefined) set[path] = d.value;
    else absent.push(path);
  }
  return { set, absent };
}

/** A valid request of the card-opening operation under `c` (merged over the defaults). */
export function exampleRequest(provider: Provider, c: Constraints = {}, cat: Catalogue = shipped()): Record<string, unknown> {
  const base = defaultsConstraints(provider, cat);
  const merged: Constraints = {
    set: { ...base.set, ...c.set },
    absent: [...(base.absent ?? []), ...(c.absent ?? [])],
    present: c.present ?? [],
  };
  const plan = planOf(provider, OPEN_OPERATION[provider], 'request', cat);
  const [obj] = fc.sample(validObject(plan, exampleContext(provider, cat), merged), { numRuns: 1, seed: PACT_SEED });
  if (!obj) throw new Error(`${provider}: no valid example request under the given constraints`);
  return obj;
}

/** The order-number field (`orderNo`, `userReqNo`): the one the idempotency rule names. */
export const idField = (provider: Provider): string => idFieldOf(provider, OPEN_OPERATION[provider]);

/** The request's date fields (the `date` format rows), which must be fresh when a pact is verified. */
export function dateFields(provider: Provider, cat: Catalogue = shipped()): string[] {
  return planOf(provider, OPEN_OPERATION[provider], 'request', cat)
    .rules.filter((r) => r.check.kind === 'format' && r.check.format === 'date')
    .map(relativePath);
}

/**
 * The example's dates moved so that they keep their order and their distance and the earliest window
 * opens tomorrow in the provider's zone (a day clear of its midnight).
 */
export function freshDates(provider: Provider, today: string, cat: Catalogue = shipped()): Record<string, string> {
  const example = exampleRequest(provider, {}, cat);
  const moved = shiftDates(provider, OPEN_OPERATION[provider], example, daysBetween(exampleDay(cat), addDays(today, 1))) as Record<
    string,
    unknown
  >;
  return Object.fromEntries(dateFields(provider, cat).map((f) => [f, String(moved[f])]));
}
