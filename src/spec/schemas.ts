/**
 * The shape of a provider data module (contracts/<provider>/*.ts), as zod schemas, so that a malformed
 * module fails with a message naming the module and the row (src/spec/build.ts: the build and the tests
 * check every shipped module and version with them). The types are inferred from them in types.ts, which
 * every other module imports: a run loads no zod for the catalogue.
 */
import { z } from 'zod';
import { AGREEMENTS, BEHAVIOURS, CODE_STATUSES, FIELD_TYPES, FORMATS, LEVELS, ORIGINS, PROVIDERS, SIDES } from './registry.ts';

const nonEmpty = z.string().min(1, 'must be a non-empty string');
const positiveInt = z.number().int('must be a positive integer').positive('must be a positive integer');

/** A field's condition on another field's effective value (its value, or its default when absent). */
const ConditionBase = z.strictObject({
  field: nonEmpty,
  /** Values that satisfy it; `*` means "present with any value". Compared as text (`1` equals 1). */
  in: z.array(z.string()).min(1),
});
export const Condition = ConditionBase.extend({ and: ConditionBase.optional() });

/** Quoted source: the document (file in shared/specs) and the row's own words or the note's sentence. */
export const Source = z.strictObject({
  doc: nonEmpty,
  /** Table row number or label, when the source is a row. */
  row: z.string().optional(),
  /** The row's or note's own words, verbatim from `doc`. */
  text: nonEmpty,
});

export const FieldRow = z.strictObject({
  row: nonEmpty,
  /** Wire path, dot-separated for nested objects: `cardHolder.firstName`, `result.cardNo`. */
  path: z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*(\.[a-zA-Z][a-zA-Z0-9]*)*$/, 'must be a dotted camelCase path'),
  description: nonEmpty,
  presence: z.enum(['M', 'O', 'C']),
  type: z.enum(FIELD_TYPES),
  maxLength: positiveInt.optional(),
  /** A regular expression the whole value must match (anchors added when derived). */
  pattern: nonEmpty.optional(),
  format: z.enum(FORMATS).optional(),
  enum: z.array(z.string()).min(1).optional(),
  /**
   * Values the document itself names for the field (GEP's BINs, `AA`, `1004`, `USD`). Not a rule: the
   * generators prefer them, so that generated requests stay within what a real sandbox knows.
   */
  named: z.array(z.string()).min(1).optional(),
  /**
   * The document example's value of a text field (not a card number, CVV or token): the generators
   * reach its character set at the field's full length. A document test checks it against the example.
   */
  example: z.string().min(1).optional(),
  /** The value the provider assumes when the field is absent. */
  default: z.string().optional(),
  /** A default that depends on another field's effective value (GEP's BIN per card type). */
  defaultBy: z.strictObject({ field: nonEmpty, values: z.record(z.string(), z.string()) }).optional(),
  /** Card elements that GEP may deliver later (outcome 2): required once the card is complete. */
  mayArriveLater: z.boolean().optional(),
  /** For `C` rows: when the field is required. */
  requiredWhen: Condition.optional(),
  source: Source,
});

/** What a note rule checks; field-row rules are derived, these are written where the document speaks. */
export const NoteCheck = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('amountMinorUnits') }),
  z.strictObject({ kind: z.literal('amountRange'), min: z.string().regex(/^\d+$/), max: z.string().regex(/^\d+$/), unit: nonEmpty }),
  z.strictObject({ kind: z.literal('decimalPositive') }),
  /** `exclusive`: strictly after (the document says "on or after"; only a deviation sets it). */
  z.strictObject({ kind: z.literal('dateNotBeforeToday'), exclusive: z.boolean().optional() }),
  z.strictObject({ kind: z.literal('dateNotBefore'), other: nonEmpty, exclusive: z.boolean().optional() }),
  z.strictObject({ kind: z.literal('forbiddenWhen'), when: Condition }),
  z.strictObject({ kind: z.literal('valueWhen'), when: Condition, values: z.array(z.string()).min(1) }),
  z.strictObject({ kind: z.literal('knownValue'), of: nonEmpty }),
  z.strictObject({ kind: z.literal('format'), format: z.enum(FORMATS) }),
  z.strictObject({ kind: z.literal('pattern'), pattern: nonEmpty }),
  z.strictObject({ kind: z.literal('luhn') }),
  z.strictObject({ kind: z.literal('startsWithBin'), binField: nonEmpty }),
  z.strictObject({ kind: z.literal('monthYearOf'), dateField: nonEmpty }),
  z.strictObject({ kind: z.literal('echo'), requestField: nonEmpty }),
  z.strictObject({ kind: z.literal('successCode'), success: nonEmpty, code: nonEmpty, value: z.string() }),
  z.strictObject({ kind: z.literal('oppositeFlags'), success: nonEmpty, error: nonEmpty }),
  z.strictObject({ kind: z.literal('codeInCatalogue') }),
  z.strictObject({ kind: z.literal('codeMatchesRule') }),
  z.strictObject({ kind: z.literal('behaviour'), behaviour: z.enum(BEHAVIOURS) }),
]);

export const NoteRule = z.strictObject({
  /** Wire path of the field the rule is about (`deposit`, `response.code`, `outcome`). */
  field: nonEmpty,
  /** The rule's own name, the last part of its id (`range`, `notBeforeStartDate`). */
  rule: z.string().regex(/^[a-z][a-zA-Z0-9]*$/, 'must be camelCase'),
  side: z.enum(SIDES),
  level: z.enum(LEVELS),
  origin: z.enum(ORIGINS),
  title: nonEmpty,
  source: Source,
  check: NoteCheck,
  /**
   * The return code the provider should answer when a request breaks this rule (profile); a list where
   * the profile's words admit several (the first is the mock's answer).
   */
  code: z.union([nonEmpty, z.array(nonEmpty).min(1)]).optional(),
  /** Codes per way of breaking it (`below`/`above` for a range, `sign` for an amount), each a code or a list. */
  codes: z.record(z.string(), z.union([nonEmpty, z.array(nonEmpty).min(1)])).optional(),
});

/**
 * One pair of values a follow-up read must agree on with the create (the `followUpAgrees` rule whose
 * field is the follow-up's operation): where the create's side is (`request.<path>`, the create's
 * answer `response.<path>`, or the Alchemy `callback.<path>`), where the follow-up's is, how they
 * compare. A pair with either side absent or empty is not compared.
 */
export const Agreement = z.strictObject({
  /** The follow-up operation (a call of the profile), which is also the field of its rule. */
  read: nonEmpty,
  from: z
    .string()
    .regex(
      /^(request|response|callback)\.[a-zA-Z][a-zA-Z0-9]*(\.[a-zA-Z][a-zA-Z0-9]*)*$/,
      'must be request., response. or callback. and a dotted path',
    ),
  to: z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*(\.[a-zA-Z][a-zA-Z0-9]*)*$/, 'must be a dotted camelCase path'),
  compare: z.enum(AGREEMENTS),
  /** Compared, never printed (card number, CVV). */
  secret: z.boolean().optional(),
  /** Not compared when the request meets this condition (GEP's random BIN 000000). */
  unless: Condition.optional(),
  source: Source,
});

export const OperationSpec = z.strictObject({
  provider: z.enum(PROVIDERS),
  operation: nonEmpty,
  title: nonEmpty,
  method: z.enum(['POST', 'GET']),
  path: z.string().startsWith('/'),
  document: nonEmpty,
  /** The headings of the request and response tables in the document, verbatim. */
  tables: z.strictObject({ request: nonEmpty, response: nonEmpty }),
  /** Request fields; for GEP the business fields inside `dataContent`. */
  request: z.array(FieldRow),
  /** Response fields at their wire paths (`success`, `model.activeLink`, `result.cardNo`). */
  response: z.array(FieldRow),
  rules: z.array(NoteRule),
  /** What follow-up reads must agree on with the create, pair by pair (the `followUpAgrees` rules). */
  agreements: z.array(Agreement).optional(),
  /**
   * The examples stay in the provider's document (tests read them from there, so they are never copied
   * and no example card number or token is committed twice); this is the day they were written, for
   * date rules.
   */
  exampleDate: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
  /**
   * The document's own request example, verbatim (GEP: the `dataContent`): no card data, so it is data
   * here. The positive control sends it first, moved to the day it is sent, with a fresh order number.
   */
  requestExample: z.record(z.string(), z.unknown()).optional(),
});

export const ReturnCode = z.strictObject({
  code: nonEmpty,
  meaning: nonEmpty,
  status: z.enum(CODE_STATUSES),
  source: nonEmpty,
  /**
   * The code says the request was not the merchant's own (a signature, key or timestamp refused): on a
   * case that did not touch authentication it decides nothing about the case's rules.
   */
  authentication: z.literal(true).optional(),
});

/** A follow-up call the suites and the mock need, with no table of its own in the seeds (WIRE.md). */
export const CallSpec = z.strictObject({
  operation: nonEmpty,
  method: z.enum(['POST', 'GET']),
  path: z.string().startsWith('/'),
  origin: z.enum(ORIGINS),
  source: nonEmpty,
});

export const ProviderProfile = z.strictObject({
  provider: z.enum(PROVIDERS),
  name: nonEmpty,
  hosts: z.strictObject({
    sandbox: z.url(),
    production: z.url(),
    /** Domains the provider's production runs under: any host at or below one is production unless listed as a sandbox. */
    productionDomains: z.array(z.string().regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/)).min(1),
    /** Hosts under those domains known to be sandboxes (besides `sandbox`'s own). */
    sandboxHosts: z.array(z.string().regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/)).optional(),
  }),
  /** The code a successful answer carries. */
  successCode: z.string(),
  /** The code for any broken field rule when the rule maps no code of its own (profile). */
  fieldRuleCode: nonEmpty,
  codes: z.array(ReturnCode).min(1),
  calls: z.array(CallSpec),
  /** The provider's own time zone: "today" for date rules is the calendar date there. */
  timeZone: nonEmpty,
  /**
   * Card statuses in the order they must be passed, and the failure end (Alchemy); `statuses`: every
   * status the provider publishes (the ones outside `order` come after a card is made, if ever).
   */
  lifecycle: z
    .strictObject({ order: z.array(nonEmpty).min(2), failureEnd: nonEmpty, statuses: z.array(nonEmpty).optional(), source: nonEmpty })
    .optional(),
  /**
   * How long an asynchronous outcome (lifecycle, callback, pending, incomplete) may take against a real
   * target: the default of `--wait`, with where the number comes from.
   */
  wait: z.strictObject({ ms: positiveInt, source: nonEmpty, origin: z.enum(ORIGINS) }),
  /** Operation statuses of the query call (GEP): code → meaning. */
  operationStatuses: z.record(z.string(), nonEmpty).optional(),
  /** Envelope facts of the wire format (form fields, versions, limits), each a default, overridable. */
  wire: z.record(z.string(), z.union([z.string(), z.number()])),
  /** Facts of WIRE.md the suite relies on that no source settles: listed as assumptions in reports. */
  assumptions: z.array(z.strictObject({ what: nonEmpty, choice: nonEmpty, origin: z.enum(['inferred', 'profile']) })),
});

/** A per-rule override: new check parameters, a level, and (for a document version) its own title and quoted source. */
export const RuleOverrideData = z.strictObject({
  level: z.enum(LEVELS).optional(),
  /** Parameters merged into the rule's check (`max`, `min`, `pattern`, `values`, …). */
  check: z.record(z.string(), z.unknown()).optional(),
  /** The rule's title in this version (else the title says what was overridden). */
  title: nonEmpty.optional(),
  /** Where this version states the rule, verbatim. */
  source: Source.optional(),
});

/**
 * A named version of a provider's document (contracts/<provider>/versions.ts): the seed, or another
 * published version as the seed's data plus rows and note rules it adds and per-rule overrides. A version
 * whose rules use existing check kinds is data only.
 */
export const SpecVersion = z.strictObject({
  version: z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes'),
  provider: z.enum(PROVIDERS),
  title: nonEmpty,
  source: Source,
  /** Rows and note rules the version adds to an operation of the seed. */
  add: z
    .array(
      z.strictObject({
        operation: nonEmpty,
        request: z.array(FieldRow).optional(),
        response: z.array(FieldRow).optional(),
        rules: z.array(NoteRule).optional(),
      }),
    )
    .optional(),
  /** Per-rule overrides by rule id (the seed's rules, or the ones added above). */
  overrides: z.record(z.string(), RuleOverrideData).optional(),
  /**
   * What the version says that no check kind can express: listed (by `lint-spec` and in the report), never
   * silently dropped.
   */
  notChecked: z.array(z.strictObject({ field: nonEmpty, what: nonEmpty, why: nonEmpty, source: Source })).optional(),
});
