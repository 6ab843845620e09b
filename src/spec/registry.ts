/**
 * The one registry of allowed values (as test262 keeps features.txt): providers, operations, levels,
 * rule kinds, origins. Data modules and the catalogue are validated against it; a test checks it.
 */

export const PROVIDERS = ['alchemy', 'gep'] as const;
export type Provider = (typeof PROVIDERS)[number];

export const OPERATIONS = {
  alchemy: ['create', 'info', 'segmentList'],
  gep: ['apply', 'queryCardOperate', 'info'],
} as const satisfies Record<Provider, readonly string[]>;
export type Operation = (typeof OPERATIONS)[Provider][number];

/** Autobahn-style grades: MUST and SHOULD failures fail a run; INFO findings are reported only. */
export const LEVELS = ['MUST', 'SHOULD', 'INFO'] as const;
export type Level = (typeof LEVELS)[number];

/** Where a rule comes from: a table row, a note of the document, a fact of WIRE.md, or the profile's choice. */
export const ORIGINS = ['table', 'note', 'example', 'published', 'inferred', 'profile'] as const;
export type Origin = (typeof ORIGINS)[number];

export const FIELD_TYPES = ['string', 'number', 'long', 'boolean', 'object'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export const FORMATS = ['date', 'monthYear', 'url', 'hex32', 'digits', 'decimal'] as const;
export type Format = (typeof FORMATS)[number];

export const SIDES = ['request', 'response', 'behaviour'] as const;
export type Side = (typeof SIDES)[number];

export const SCHEMA_MODES = ['strict', 'lenient'] as const;
export type SchemaMode = (typeof SCHEMA_MODES)[number];

/** Behaviours decided by stateful suites rather than by one request/answer pair. */
export const BEHAVIOURS = [
  'rejectsBadSignature',
  'rejectsUndecryptable',
  'rejectsForeignKey',
  'rejectsBadTimestamp',
  'rejectsOtherRequestSignature',
  'rejectsForeignIdentity',
  'uniqueOrderNo',
  'idempotent',
  'lifecycleForward',
  'lifecycleEndsActive',
  'callbackDelivered',
  'callbackMatchesOrder',
  'balanceDebited',
  'insufficientBalance',
  'pendingResolves',
  'incompleteCompletes',
  'finalStatusStable',
  'elementsStable',
  'followUpAgrees',
] as const;

/** How a follow-up read's value is held against the create's: as text, as a decimal amount, as a prefix. */
export const AGREEMENTS = ['text', 'amount', 'prefix'] as const;
export type AgreementKind = (typeof AGREEMENTS)[number];
export type Behaviour = (typeof BEHAVIOURS)[number];

export const CODE_STATUSES = ['published', 'inferred', 'profile'] as const;
export type CodeStatus = (typeof CODE_STATUSES)[number];
