/**
 * The deviation catalogue: named switches, each breaking one rule of the catalogue on purpose, so the
 * suite can prove it catches what it claims to catch. A deviation names the rule id it breaks; its
 * effect is one of a few mechanisms, applied by the mock at one place each:
 *
 * - `ignore`: the mock's validation skips the rule (it accepts what the rule forbids);
 * - `tighten`: the rule is checked with a stricter parameter derived from the catalogue's own value
 *   (it rejects a boundary the rule allows: exactly 10 USD, a 32-letter name, startDate = today);
 * - `answer`: the success answer is changed (a field missing, of the wrong type or format);
 * - `flag`: a behaviour switch read by the provider logic (second card, no callback, stuck pending…).
 */
import { catalogue, type RuleCheck } from '../spec/catalogue.ts';
import { type EvalContext, isCalendarDate, todayIn } from '../spec/evaluate.ts';
import type { Provider } from '../spec/registry.ts';
import { CardConformanceError, EXIT } from '../wire/errors.ts';
import { withCheckDigit } from '../wire/luhn.ts';

export type DeviationFlag =
  | 'http500OnBadInput'
  | 'htmlOnBadInput'
  | 'unknownRefusalCode'
  | 'flickerRefusalCode'
  | 'genericRefusalCode'
  | 'statusGoesBack'
  | 'neverActive'
  | 'noCallback'
  | 'callbackOtherOrder'
  | 'duplicateWrongCode'
  | 'duplicateOpensCard'
  | 'duplicateDebitsTwice'
  | 'acceptBadSignature'
  | 'acceptUnknownKey'
  | 'ignoreTimestampWindow'
  | 'signatureAnyPath'
  | 'acceptUndecryptable'
  | 'acceptUnsealed'
  | 'acceptOtherUserNo'
  | 'noDebit'
  | 'allowOverdraft'
  | 'pendingForever'
  | 'incompleteForever'
  | 'statusLeavesFinal'
  | 'infoOtherDeposit'
  | 'operationStatusFlips'
  | 'elementsVanish'
  | 'infoOtherCurrency'
  | 'queryOtherAmount';

export interface Deviation {
  name: string;
  provider: Provider;
  /** The catalogue rule this switch breaks. */
  ruleId: string;
  description: string;
  ignore?: true;
  tighten?: (check: RuleCheck) => RuleCheck;
  /** Changes a success answer's business object (Alchemy envelope, GEP decoded result envelope). */
  answer?: (envelope: Record<string, unknown>) => void;
  flag?: DeviationFlag;
  /**
   * The rule's value judged by the deviation's own predicate (a lenient date parser, a byte count, a
   * Unicode letter class): it accepts one violation class the rule forbids, or refuses one valid class.
   */
  predicate?: (value: unknown, ctx: EvalContext, nowMs: number) => boolean;
  /** A predicate that accepts more than the rule (a false accept); without it, one that refuses more (a false reject). */
  widens?: true;
  /**
   * An instant the mock's clock must show for the deviation to be visible at all (a wrong time zone
   * only shows while the two zones are on different days); tests pin the mock's clock there.
   */
  clock?: string;
  /** Valid requests the deviation refuses on top of the rules (a default it does not assume). */
  refuses?: (body: Record<string, unknown>) => boolean;
}

const plusOne = (s: string) => (BigInt(s) + 1n).toString();
const minusOne = (s: string) => (BigInt(s) - 1n).toString();
const result = (e: Record<string, unknown>) => (e['result'] ?? {}) as Record<string, unknown>;

const A = (name: string, field: string, description: string, d: Partial<Deviation>): Deviation => ({
  name,
  provider: 'alchemy',
  ruleId: `alchemy.create.${field}`,
  description,
  ...d,
});
const G = (name: string, field: string, description: string, d: Partial<Deviation>): Deviation => ({
  name,
  provider: 'gep',
  ruleId: `gep.apply.${field}`,
  description,
  ...d,
});

export const DEVIATIONS: readonly Deviation[] = [
  // Alchemy: accepts what a rule forbids
  A('alchemy-accepts-deposit-out-of-range', 'deposit.range', 'accepts a deposit below 10 USD or above 5000 USD', { ignore: true }),
  A('alchemy-accepts-fractional-deposit', 'deposit.minorUnits', 'accepts a deposit that is not whole cents ("1000.00")', { ignore: true }),
  A('alchemy-accepts-numeric-deposit', 'deposit.type', 'accepts a deposit that is not a string', { ignore: true }),
  A('alchemy-accepts-digits-in-name', 'cardHolder.firstName.pattern', 'accepts a firstName with digits or spaces', { ignore: true }),
  A('alchemy-accepts-missing-last-name', 'cardHolder.lastName.required', 'accepts a cardHolder without lastName', { ignore: true }),
  A('alchemy-accepts-missing-order-no', 'orderNo.required', 'accepts a create without orderNo', { ignore: true }),
  A('alchemy-accepts-long-order-no', 'orderNo.maxLength', 'accepts an orderNo over 64 characters', { ignore: true }),
  A('alchemy-accepts-long-callback-url', 'callbackUrl.maxLength', 'accepts a callbackUrl over 256 characters', { ignore: true }),
  A('alchemy-accepts-missing-vid', 'vid.required', 'accepts a create without vid', { ignore: true }),
  A('alchemy-accepts-unknown-vid', 'vid.knownSegment', 'accepts a vid that is not a card segment', { ignore: true }),
  A('alchemy-accepts-non-url-callback', 'callbackUrl.url', 'accepts a callbackUrl that is not an http(s) URL', { ignore: true }),
  // Alchemy: rejects what a rule allows (boundaries)
  A('alchemy-rejects-min-deposit', 'deposit.range', 'refuses a deposit of exactly 10 USD', {
    tighten: (c) => (c.kind === 'amountRange' ? { ...c, min: plusOne(c.min) } : c),
  }),
  A('alchemy-rejects-max-deposit', 'deposit.range', 'refuses a deposit of exactly 5000 USD', {
    tighten: (c) => (c.kind === 'amountRange' ? { ...c, max: minusOne(c.max) } : c),
  }),
  A('alchemy-rejects-longest-name', 'cardHolder.firstName.maxLength', 'refuses a firstName of exactly the maximum length', {
    tighten: (c) => (c.kind === 'maxLength' ? { ...c, max: c.max - 1 } : c),
  }),
  A('alchemy-rejects-longest-order-no', 'orderNo.maxLength', 'refuses an orderNo of exactly the maximum length', {
    tighten: (c) => (c.kind === 'maxLength' ? { ...c, max: c.max - 1 } : c),
  }),
  // Alchemy: malformed answers
  A('alchemy-omits-trace-id', 'response.traceId.required', 'answers without traceId', {
    answer: (e) => {
      delete e['traceId'];
    },
  }),
  A('alchemy-success-as-string', 'response.success.type', 'answers success as the string "true"', {
    answer: (e) => {
      e['success'] = String(e['success']);
    },
  }),
  A('alchemy-code-not-a-number', 'response.code.type', 'answers code as "OK"', {
    answer: (e) => {
      e['code'] = 'OK';
    },
  }),
  A('alchemy-relative-active-link', 'response.model.activeLink.format', 'answers a relative activeLink', {
    answer: (e) => {
      const m = e['model'] as Record<string, unknown>;
      m['activeLink'] = String(m['activeLink']).replace(/^https?:\/\/[^/]+/, '');
    },
  }),
  A('alchemy-omits-active-link', 'response.model.activeLink.requiredWhen', 'answers success without activeLink', {
    answer: (e) => {
      e['model'] = {};
    },
  }),
  A('alchemy-error-equals-success', 'response.error.oppositeOfSuccess', 'answers error: true beside success: true', {
    answer: (e) => {
      e['error'] = e['success'];
    },
  }),
  A('alchemy-nonzero-success-code', 'response.code.successIsZero', 'answers success with code "200"', {
    answer: (e) => {
      e['code'] = '200';
    },
  }),
  // Alchemy: codes and HTTP
  A('alchemy-unknown-refusal-code', 'response.code.inCatalogue', 'refuses bad input with code "9999", outside the catalogue', {
    flag: 'unknownRefusalCode',
  }),
  A(
    'alchemy-generic-refusal-code',
    'response.code.matchesRule',
    'refuses every bad input with 1002, even an amount (2646/2723) or a duplicate (2722)',
    { flag: 'genericRefusalCode' },
  ),
  A('alchemy-http-500-on-bad-input', 'response.jsonObject', 'answers bad input with HTTP 500 and a plain-text body', {
    flag: 'http500OnBadInput',
  }),
  A('alchemy-html-on-bad-input', 'response.jsonObject', 'answers bad input with an HTML error page', { flag: 'htmlOnBadInput' }),
  // Alchemy: lifecycle, callback, idempotency, auth
  A('alchemy-status-goes-back', 'status.forwardOnly', 'the status falls back to INIT CREATE CARD after INIT ACTIVE CARD', {
    flag: 'statusGoesBack',
  }),
  A('alchemy-never-active', 'status.endsActive', 'the card stays at INIT ACTIVE CARD', { flag: 'neverActive' }),
  A('alchemy-no-callback', 'callback.delivered', 'the CREATE_CARD callback is never sent', { flag: 'noCallback' }),
  A('alchemy-callback-other-order', 'callback.matchesOrder', 'the callback names another orderNo', { flag: 'callbackOtherOrder' }),
  A('alchemy-duplicate-wrong-code', 'orderNo.unique', 'refuses a reused orderNo with 1002 instead of 2722', { flag: 'duplicateWrongCode' }),
  A('alchemy-duplicate-opens-card', 'orderNo.idempotent', 'a reused orderNo opens a second card', { flag: 'duplicateOpensCard' }),
  A('alchemy-accepts-bad-signature', 'auth.signature', 'accepts a request whose signature is wrong', { flag: 'acceptBadSignature' }),
  A(
    'alchemy-accepts-unknown-key',
    'auth.accessKey',
    "accepts another merchant's ach-access-key (verifies with its own secret whatever the key)",
    {
      flag: 'acceptUnknownKey',
    },
  ),
  A('alchemy-ignores-timestamp-window', 'auth.timestamp', 'accepts a correctly signed timestamp however old or far ahead', {
    flag: 'ignoreTimestampWindow',
  }),
  A('alchemy-signature-any-path', 'auth.signedInput', 'accepts a signature made for another of its paths (the path is not checked)', {
    flag: 'signatureAnyPath',
  }),
  // GEP: accepts what a rule forbids
  G('gep-accepts-past-start-date', 'startDate.notBeforeToday', 'accepts a startDate before today', { ignore: true }),
  G('gep-accepts-end-before-start', 'endDate.notBeforeStartDate', 'accepts an endDate before startDate', { ignore: true }),
  G('gep-accepts-missing-limit', 'authLimitAmount.requiredWhen', 'accepts a regular card without authLimitAmount', { ignore: true }),
  G('gep-accepts-missing-group', 'groupId.requiredWhen', 'accepts a subsidiary card without groupId', { ignore: true }),
  G('gep-accepts-missing-card-user', 'cardUserId.requiredWhen', 'accepts BIN 485932/486821 without cardUserId', { ignore: true }),
  G('gep-accepts-missing-airline', 'airLineCode.requiredWhen', 'accepts the random BIN without airLineCode', { ignore: true }),
  G('gep-accepts-airline-on-subsidiary', 'airLineCode.notForSubsidiary', 'accepts airLineCode on a subsidiary card', { ignore: true }),
  G('gep-accepts-other-scene-on-random-bin', 'sceneCode.randomBinScene', 'accepts a sceneCode other than 1004 with the random BIN', {
    ignore: true,
  }),
  G('gep-accepts-bad-date-format', 'startDate.format', 'accepts a startDate that is not yyyy-MM-dd', { ignore: true }),
  G('gep-accepts-other-multi-use', 'enableMultiUse.enum', 'accepts enableMultiUse other than 0 or 1', { ignore: true }),
  G('gep-accepts-long-req-no', 'userReqNo.maxLength', 'accepts a userReqNo over 128 characters', { ignore: true }),
  G('gep-accepts-missing-currency', 'localCurrency.required', 'accepts an apply without localCurrency', { ignore: true }),
  G('gep-accepts-zero-limit', 'authLimitAmount.positiveDecimal', 'accepts an authLimitAmount of 0 or below', { ignore: true }),
  // GEP: rejects what a rule allows (boundaries)
  G('gep-rejects-start-today', 'startDate.notBeforeToday', 'refuses a startDate equal to today (Asia/Shanghai)', {
    tighten: (c) => ({ ...c, exclusive: true }) as RuleCheck,
  }),
  G('gep-rejects-end-equal-start', 'endDate.notBeforeStartDate', 'refuses an endDate equal to startDate', {
    tighten: (c) => ({ ...c, exclusive: true }) as RuleCheck,
  }),
  G('gep-rejects-longest-alias', 'cardAlias.maxLength', 'refuses a cardAlias of exactly the maximum length', {
    tighten: (c) => (c.kind === 'maxLength' ? { ...c, max: c.max - 1 } : c),
  }),
  // GEP: malformed answers
  G('gep-bad-luhn', 'response.result.cardNo.luhn', 'answers a card number that fails Luhn', {
    answer: (e) => {
      const r = result(e);
      const s = String(r['cardNo'] ?? '');
      if (s) r['cardNo'] = s.slice(0, -1) + ((Number(s.at(-1)) + 1) % 10);
    },
  }),
  G('gep-wrong-bin', 'response.result.cardNo.startsWithBin', 'answers a card number of another BIN (Luhn still valid)', {
    answer: (e) => {
      const r = result(e);
      const s = String(r['cardNo'] ?? '');
      if (s) r['cardNo'] = withCheckDigit((s[0] === '9' ? '8' : '9') + s.slice(1, -1));
    },
  }),
  G('gep-expiry-mismatch', 'response.result.cardExpiryDate.matchesEndDate', 'answers an expiry one month after endDate', {
    answer: (e) => {
      const r = result(e);
      const s = String(r['cardExpiryDate'] ?? '');
      if (s) r['cardExpiryDate'] = `${String((Number(s.slice(0, 2)) % 12) + 1).padStart(2, '0')}${s.slice(2)}`;
    },
  }),
  G('gep-expiry-format', 'response.result.cardExpiryDate.format', 'answers the expiry as yyyy-MM', {
    answer: (e) => {
      const r = result(e);
      const s = String(r['cardExpiryDate'] ?? '');
      if (s) r['cardExpiryDate'] = `${s.slice(3)}-${s.slice(0, 2)}`;
    },
  }),
  G('gep-cvv-not-digits', 'response.result.cardVerifyNo.threeDigits', 'answers a CVV that is not three digits', {
    answer: (e) => {
      const r = result(e);
      if (r['cardVerifyNo']) r['cardVerifyNo'] = 'x1y';
    },
  }),
  G('gep-currency-not-echoed', 'response.result.localCurrency.echoed', 'answers another currency than requested', {
    answer: (e) => {
      const r = result(e);
      r['localCurrency'] = r['localCurrency'] === 'EUR' ? 'USD' : 'EUR';
    },
  }),
  G('gep-omits-order-id', 'response.result.orderId.required', 'answers without orderId', {
    answer: (e) => {
      delete result(e)['orderId'];
    },
  }),
  G('gep-success-as-string', 'response.success.type', 'answers success as the string "true"', {
    answer: (e) => {
      e['success'] = String(e['success']);
    },
  }),
  // GEP: codes and HTTP
  G('gep-unknown-refusal-code', 'response.errorCode.inCatalogue', 'refuses bad input with errorCode 999999, outside the catalogue', {
    flag: 'unknownRefusalCode',
  }),
  G('gep-generic-refusal-code', 'response.errorCode.matchesRule', 'refuses an insufficient balance with 110001 instead of 110005', {
    flag: 'genericRefusalCode',
  }),
  G('gep-html-on-bad-input', 'response.jsonObject', 'answers bad input with an HTML error page', { flag: 'htmlOnBadInput' }),
  // GEP: behaviour
  G('gep-duplicate-opens-card', 'userReqNo.idempotent', 'a reused userReqNo opens a second card', { flag: 'duplicateOpensCard' }),
  G('gep-duplicate-debits-twice', 'userReqNo.idempotent', 'a reused userReqNo answers the same card but debits the account again', {
    flag: 'duplicateDebitsTwice',
  }),
  G('gep-no-debit', 'authLimitAmount.debitsBalance', 'opens cards without debiting the account', { flag: 'noDebit' }),
  G('gep-allows-overdraft', 'authLimitAmount.insufficientBalance', 'opens a card whose limit exceeds the account balance', {
    flag: 'allowOverdraft',
  }),
  G('gep-pending-never-resolves', 'outcome.pendingResolves', 'a 140001 order stays pending for ever', { flag: 'pendingForever' }),
  G('gep-incomplete-never-completes', 'outcome.incompleteCompletes', 'an incomplete card never gets its elements', {
    flag: 'incompleteForever',
  }),
  G('gep-accepts-undecryptable', 'auth.encryption', 'answers success to a dataContent that does not decrypt', {
    flag: 'acceptUndecryptable',
  }),
  G('gep-accepts-unsealed', 'auth.encryption', 'accepts a dataContent that is the Base64 JSON in hex, never sealed', {
    flag: 'acceptUnsealed',
  }),
  G('gep-accepts-other-user-no', 'auth.identity', "accepts a form with another merchant's userNo", { flag: 'acceptOtherUserNo' }),
  // Violation classes and valid classes: each caught only by the mutation class or valid edge it names
  G('gep-date-rolls-over', 'startDate.format', 'accepts an impossible calendar date of the right shape (2027-02-29, 2027-04-31)', {
    widens: true,
    predicate: (v) => /^\d{4}-\d{2}-\d{2}$/.test(String(v)),
  }),
  G('gep-date-unpadded', 'endDate.format', 'accepts a date without zero padding (2027-1-5)', {
    widens: true,
    predicate: (v) => {
      const m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(String(v));
      return !!m && isCalendarDate(`${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`);
    },
  }),
  G(
    'gep-today-in-utc',
    'startDate.notBeforeToday',
    'takes "today" in UTC, not Asia/Shanghai: accepts yesterday between 16:00 and 24:00 UTC',
    {
      widens: true,
      predicate: (v, _ctx, now) => String(v) >= todayIn('UTC', new Date(now)),
      clock: '2027-03-01T20:00:00Z',
    },
  ),
  G('gep-enum-accepts-two', 'enableCurrencyCheck.enum', 'accepts enableCurrencyCheck = 2, the value next to the allowed ones', {
    widens: true,
    predicate: (v) => ['0', '1', '2'].includes(String(v)),
  }),
  G('gep-alias-counts-bytes', 'cardAlias.maxLength', 'counts cardAlias in UTF-8 bytes: refuses 64 Chinese characters', {
    predicate: (v) => Buffer.byteLength(String(v), 'utf8') <= 64,
  }),
  G('gep-requires-channel-type', 'request.acceptsValid', 'refuses an apply without channelType instead of assuming the default 1', {
    refuses: (body) => body['channelType'] === undefined,
  }),
  A('alchemy-accepts-deposit-above-max', 'deposit.range', 'accepts a deposit above 5000 USD (it still refuses one below 10 USD)', {
    widens: true,
    predicate: (v) => {
      const range = catalogue().byId.get('alchemy.create.deposit.range')?.check;
      return /^\d+$/.test(String(v)) && range?.kind === 'amountRange' && BigInt(String(v)) >= BigInt(range.min);
    },
  }),
  A('alchemy-deposit-accepts-sign', 'deposit.minorUnits', 'accepts a signed deposit ("+1000")', {
    widens: true,
    predicate: (v) => /^[+-]?\d+$/.test(String(v)),
  }),
  A('alchemy-name-accepts-unicode-letters', 'cardHolder.firstName.pattern', 'accepts any Unicode letter in firstName (José)', {
    widens: true,
    predicate: (v) => /^\p{L}{1,32}$/u.test(String(v)),
  }),
  A('alchemy-name-accepts-spaces', 'cardHolder.lastName.pattern', 'accepts spaces in lastName', {
    widens: true,
    predicate: (v) => /^[a-zA-Z ]{1,32}$/.test(String(v)),
  }),
  A('alchemy-callback-without-scheme', 'callbackUrl.url', 'accepts a callbackUrl without a scheme (example.com/cb)', {
    widens: true,
    predicate: (v) => /^(https?:\/\/)?[^\s/:]+\.[^\s]+$/.test(String(v)),
  }),
  A('alchemy-vid-ignores-case', 'vid.knownSegment', 'accepts a card segment in the other letter case', {
    widens: true,
    predicate: (v, ctx) => (ctx.knownValues?.['segmentList'] ?? []).some((k) => k.toLowerCase() === String(v).toLowerCase()),
  }),
  // Flakes: the same request answered differently twice
  G(
    'gep-refusal-code-flickers',
    'response.errorCode.inCatalogue',
    'refuses half the bad requests with 999999 the first time, and right when sent again',
    {
      flag: 'flickerRefusalCode',
    },
  ),
  // Behaviour watched over time: the final status, the complete elements, the follow-up reads
  A('alchemy-status-leaves-active', 'status.staysFinal', 'an ACTIVE card shows ACTIVE once, then FREEZE', { flag: 'statusLeavesFinal' }),
  A('alchemy-info-other-deposit', 'info.agreesWithCreate', 'the card detail shows the deposit in dollars (10.00), not cents (1000)', {
    flag: 'infoOtherDeposit',
  }),
  G('gep-operation-status-flips', 'outcome.staysFinal', 'the operation query shows success once, then failed', {
    flag: 'operationStatusFlips',
  }),
  G('gep-elements-vanish', 'outcome.elementsStay', 'the card query shows the complete elements once, then empty ones again', {
    flag: 'elementsVanish',
  }),
  G('gep-info-other-currency', 'info.agreesWithApply', 'the card query names another currency than the apply', {
    flag: 'infoOtherCurrency',
  }),
  G('gep-query-other-amount', 'queryCardOperate.agreesWithApply', 'the operation query gives the amount in cents (10000 for 100)', {
    flag: 'queryOtherAmount',
  }),
];

/** What a deviation gets wrong, for the selfcheck's kill rate per kind. */
export type DeviationKind = 'false accept' | 'false reject' | 'answer shape' | 'behaviour';
export const DEVIATION_KINDS: readonly DeviationKind[] = ['false accept', 'false reject', 'answer shape', 'behaviour'];

export function deviationKind(d: Deviation): DeviationKind {
  if (d.ignore || (d.predicate && d.widens)) return 'false accept';
  if (d.tighten || d.refuses || d.predicate) return 'false reject';
  if (d.answer) return 'answer shape';
  return 'behaviour';
}

export class DeviationError extends CardConformanceError {
  override name = 'DeviationError';
  readonly exitCode = EXIT.usage;
}

export function resolveDeviations(names: readonly string[]): Deviation[] {
  return names.map((n) => {
    const d = DEVIATIONS.find((x) => x.name === n);
    if (!d) throw new DeviationError(`unknown deviation "${n}" (see card-conformance mock --list-deviations)`);
    return d;
  });
}
