/**
 * What a check kind is made of. Every kind of rule the catalogue knows (`RuleCheck['kind']`) has one
 * module in this folder that holds everything its kind means: the predicate, the valid values at its
 * edges, the generator of its valid values, the repair that makes a drawn object keep it, and the
 * mutators that break it, one violation class at a time. The registry (`registry.ts`) is typed so that a
 * kind without one of these parts does not compile: nowhere else decides what a kind means, and no
 * `switch` needs a silent `default:`.
 */
import type fc from 'fast-check';
import type { FieldDefault, Rule, RuleCheck } from '../spec/catalogue.ts';
import type { EvalContext, Verdict } from '../spec/evaluate.ts';
import type { SchemaMode } from '../spec/registry.ts';
import type { FieldRow } from '../spec/types.ts';

export type CheckOf<K extends RuleCheck['kind']> = Extract<RuleCheck, { kind: K }>;

/** The generators' view of one field: its rules and its table row (properties/plan.ts builds it). */
export interface FieldView {
  path: string;
  rules: Rule[];
  row: FieldRow | undefined;
  check<K extends RuleCheck['kind']>(kind: K): CheckOf<K> | undefined;
}

/** What generation depends on: the schema mode, "today" in the provider's zone, known lists, the request answered. */
export interface GenContext {
  mode: SchemaMode;
  /** Today in the provider's time zone, `yyyy-MM-dd`. */
  today: string;
  knownValues?: EvalContext['knownValues'];
  /** For answers: the request they answer. */
  request?: Record<string, unknown>;
}

/**
 * The violation classes a mutator can belong to. A class names *how* a value is wrong, so that a
 * report can say which classes a provider was tried with and the "exactly one rule" test can list
 * what it proved per class.
 */
export const VIOLATION_CLASSES = [
  'body',
  'presence',
  'type',
  'length',
  'pattern',
  'format',
  'enum',
  'amount',
  'dateWindow',
  'conditional',
  'unknownValue',
  'relation',
] as const;
export type ViolationClass = (typeof VIOLATION_CLASSES)[number];

/** What the documents establish about a violation class: that a provider must refuse it, should, or nothing. */
export interface Establishment {
  level: 'MUST refuse' | 'SHOULD refuse' | 'not established';
  why: string;
}

/** A class the documents establish a provider must refuse, and why. */
const refuse = (why: string): Establishment => ({ level: 'MUST refuse', why });

/**
 * Per violation class, what the documents establish about refusing it (`rules --explain` prints it). A
 * mutator generates only classes whose refusal is established in the run's schema mode: what no document
 * says is refused is never held against a provider.
 */
export const ESTABLISHED: Readonly<Record<ViolationClass, Establishment>> = {
  body: refuse('both documents define the request as a JSON object (Alchemy a JSON body; GEP dataContent as JSON text)'),
  presence: refuse('the Required column says Yes / M (or the row is required once its parent is sent)'),
  type: refuse(
    "an object, array or boolean where the table writes a scalar, or a string that is no number where it writes Number. A number where it writes String, or a numeric string where it writes Number, is not established (GEP's own example sends every Number as a string): tried in strict mode only, which takes the table literally",
  ),
  length: refuse('the Length column / String(n) bounds the value'),
  pattern: refuse('the row states the pattern the value must match'),
  format: refuse('the row states the format (yyyy-MM-dd), and a date that is not on the calendar is not in it'),
  enum: refuse('the row lists the values the field takes'),
  amount: refuse('the document states the range and the unit (Alchemy: cents, 10-5000 USD; GEP: a decimal amount)'),
  dateWindow: refuse("the row states the window (on or after today in the provider's zone; endDate on or after startDate)"),
  conditional: refuse('the row states the condition under which the field is required, forbidden or fixed'),
  unknownValue: refuse("the value must come from the provider's own list (card segments) or catalogue"),
  relation: refuse('the documents relate the value to another one (BIN prefix, Luhn, expiry of endDate, echo of the request)'),
};

export interface Mutation {
  /** The broken object (or a non-object body, for `jsonObject`). */
  value: unknown;
  /** What was done, for reports and reproductions: `deposit = "999" (min − 1)`. */
  note: string;
  cls: ViolationClass;
  /** How the rule was broken, where the profile maps codes per way (`below`, `above`, `sign`). */
  way?: string;
  /**
   * Which side or sub-class of its class the violation tries, where a class has several (a presence left
   * out, empty or null; a pattern broken by a digit or a space; a date's separators or its calendar). Smoke
   * sends one request per rule, class and `way ?? variant`.
   */
  variant?: string;
  /**
   * Rules of the same field that this value cannot help breaking too, with the reason (a pattern that
   * bounds the length, a fixed-width format with a length limit). Only rules of the mutated field may be
   * named; the "exactly one rule" test checks that nothing else breaks.
   */
  overlaps?: { ids: string[]; why: string };
}

/** A valid value at a rule's edge; `also` sets other fields with it (a leap day for both dates). */
export interface Edge {
  value: unknown;
  note: string;
  also?: Record<string, unknown>;
}

/** Everything a part of a kind module may look at: the rule, its field, the object and the generation context. */
export interface Site<K extends RuleCheck['kind']> {
  check: CheckOf<K>;
  rule: Rule;
  /** The rule's path inside the object (responses without `response.`). */
  path: string;
  /** The field's view, when the rule is about a tabled field. */
  field: FieldView | undefined;
  fieldAt(path: string): FieldView | undefined;
  g: GenContext;
  /** A text value written as the field's type asks (a number in strict mode for a Number row). */
  typed(text: string): unknown;
  /** Every rule of the same side of the operation (for rules that relate fields). */
  siblings: readonly Rule[];
  /**
   * The field's other value rules that `value` would break (the mutated rule itself left out): a
   * mutator uses it to pick a value that breaks its rule alone, an edge to stay valid.
   */
  brokenOwn(value: unknown): Rule[];
}

export interface MutationSite<K extends RuleCheck['kind']> extends Site<K> {
  /** The valid object to break (a clone is made for every mutation). */
  valid: Record<string, unknown>;
  /** The field's current value and its text. */
  value: unknown;
  text: string;
  /** `valid` with the field set to `value` (or removed, for `undefined`). */
  with(value: unknown, note: string, cls: ViolationClass, extra?: Pick<Mutation, 'way' | 'overlaps' | 'variant'>): Mutation;
}

export interface RepairSite<K extends RuleCheck['kind']> extends Site<K> {
  /** The object being repaired, in place. */
  obj: Record<string, unknown>;
  value: unknown;
  /** Field defaults for conditions on this side (the request's; none for an answer). */
  defaults: Record<string, FieldDefault>;
  /** The request's field defaults (an answer's BIN is the request's effective BIN). */
  requestDefaults: Record<string, FieldDefault>;
  /** A freshly drawn valid value for a field (for a conditional requirement that must now be met). */
  build(path: string): unknown;
  /** Spare random digits of this draw (card numbers, code picks). */
  spare: readonly number[];
  /** Codes of the provider catalogue other than the success code. */
  refusalCodes: readonly string[];
}

export interface HoldsSite<K extends RuleCheck['kind']> {
  check: CheckOf<K>;
  rule: Rule;
  /** The object the rule is checked against (the request, or the decoded answer). */
  root: unknown;
  /** The field's value in it. */
  value: unknown;
  ctx: EvalContext;
}

/**
 * What `expected` may look at: the rule, its path, and — when a judge has them — the object it was judged
 * against, the field's value there, the evaluation context and, for a refusal, the codes the profile
 * admits. A report that has only the rule gets the rule's general wording.
 */
export interface ExpectSite<K extends RuleCheck['kind']> {
  check: CheckOf<K>;
  rule: Rule;
  /** The rule's path inside the object (responses without `response.`). */
  path: string;
  root?: unknown;
  value?: unknown;
  ctx?: EvalContext;
  /** The refusal codes the profile admits for the broken rule (`codeMatchesRule`). */
  codes?: readonly string[];
}

/** Valid values of a leaf field from one of its rules; the generator asks its rules in rank order. */
export interface ValueSource<K extends RuleCheck['kind']> {
  /** Lower ranks are asked first (an enum's values before a pattern, a pattern before the bare type). */
  rank: number;
  arbitrary(site: Site<K>): fc.Arbitrary<unknown> | undefined;
}

export interface CheckKind<K extends RuleCheck['kind']> {
  kind: K;
  /** One line: what the kind checks. */
  describe: string;
  /**
   * One line: what the rule wanted here, with the values it was judged against where the site has them
   * (`result.cardExpiryDate MM/yyyy of endDate 2027-03-15 → 03/2027`). Evidence shows it beside what came back.
   */
  expected(site: ExpectSite<K>): string;
  /** `value`: decided on the field's own value; `object`: needs the whole object; `suite`: decided by a stateful suite. */
  scope: 'value' | 'object' | 'suite';
  /** The predicate. `n/a` when the rule does not apply (absent value, unmet condition, undecided here). */
  holds(site: HoldsSite<K>): Verdict;
  /** Valid values at the rule's edges (a kind with none returns `[]`, saying why in its module). */
  edges(site: MutationSite<K>): Edge[];
  /** The valid values this kind generates for a leaf, or `null` when the kind does not generate values. */
  values: ValueSource<K> | null;
  /** Makes a drawn object keep the rule (cross-field rules); `null` when drawing alone keeps it. */
  repair: ((site: RepairSite<K>) => void) | null;
  /** The rule broken alone, one mutation per violation class and variant; `[]` when it cannot be broken by a request. */
  mutators(site: MutationSite<K>): Mutation[];
}

export type Registry = { [K in RuleCheck['kind']]: CheckKind<K> };
