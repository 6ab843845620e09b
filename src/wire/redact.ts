/**
 * The one redaction module. Every output path (reports, logs, pact files, error messages, curl lines)
 * passes what it prints through a `Redactor`. Values are hidden by what they are, never by a word that
 * happens to precede them in prose (`code = "1002"`, `orderNo = "ab12"`, `the number: 12` stay as
 * they are):
 *
 * - configured secret strings (4 characters or more), anywhere → `[REDACTED]`;
 * - values of sensitive fields, by field name, case-insensitive, where the text has structure: in
 *   objects and headers, in JSON text (`"cvc":"123"`, also JSON escaped inside a JSON string), in a
 *   form or query (`cvc=123` after `?`, `&` or at the start) and in a header line of a known header
 *   (`authorization: …`, `ach-access-sign: …`): secrets, signatures and CVVs → `[REDACTED]`, the
 *   Alchemy access key (an identifier) → all but its last 4, card-number fields → first 6 and last 4
 *   whatever Luhn says (a value already masked 6+4 is left as it is);
 * - `token=` values (the activation link's JWT) and bare JWTs (`eyJ….….…`) → `[REDACTED]`;
 * - PEM blocks → `[REDACTED KEY]`;
 * - any run of 13–19 digits (single spaces or dashes allowed between digits) that passes Luhn →
 *   first 6 and last 4 (`438357******7441`), except 13 digits starting with 1 (a millisecond timestamp); in a longer run, each Luhn-valid window of whole digit
 *   groups is masked, so `4383 5712 3456 7441 1234` still hides the card. Not a card: digits inside a
 *   long hex ciphertext or the 16-character prefix `shortenHex` kept of one, and the configured identifiers of `keep` (a 19-digit merchant number);
 * - GEP `dataContent` / `result` hex ciphertexts are not secret, only long: first 16 hex characters and
 *   `…(N chars)`. A reproduction (`wire`, and a `reproduction` field) keeps a request's `dataContent`
 *   whole, so that it replays: its builder shortens it where the sealed plaintext held anything to hide.
 *
 * Text written as prose (`cvc = 123`) has no reliable field context: whoever writes a value into a
 * sentence redacts it by its field first (`field(name, value)`).
 *
 * Empty strings, null and undefined stay as they are under every field: they hold nothing to hide, and
 * "the CVV was empty" is itself something a report must be able to say.
 */
import { KeyObject } from 'node:crypto';
import { luhnValid, maskPan } from './luhn.ts';

export const REDACTED = '[REDACTED]';
export const REDACTED_KEY = '[REDACTED KEY]';

export interface Redactor {
  /** A deep copy of `v` with everything sensitive hidden. */
  value(v: unknown): unknown;
  /** `s` with everything sensitive hidden. */
  text(s: string): string;
  /** Headers as a plain record (arrays joined with `, `), sensitive values hidden, names kept. */
  headers(h: HeaderInput): Record<string, string>;
  /** `v` as it is shown under the field `name` (`field('cardVerifyNo', '123')` is `[REDACTED]`). */
  field(name: string, v: unknown): unknown;
  /**
   * A reproduction's wire text (a curl line): everything `text` hides, except that a request's
   * `dataContent` ciphertext stays whole, so the line replays.
   */
  wire(s: string): string;
  /**
   * Whether `v` holds what `value` hides by name or by kind: a configured secret, a sensitive field's
   * value (secret, signature, CVV, card-number field), a token, a JWT, a key. A bare digit run that
   * passes Luhn does not count: a generated identifier (GEP's 19-digit `cardUserId`) passes one time in
   * ten, and a reproduction of the suite's own request stays replayable for it.
   */
  holdsSecret(v: unknown): boolean;
}

export type HeaderInput =
  | Readonly<Record<string, string | readonly string[] | number | null | undefined>>
  | Iterable<readonly [string, string]>;

export interface RedactorOptions {
  /** Exact strings to hide wherever they occur (API secret, key passwords…). Shorter than 4: ignored. */
  secrets?: readonly string[];
  /**
   * Configured identifiers that are not card numbers although they may pass Luhn (GEP's 19-digit
   * `userNo` and `certificateId`): left alone by the digit-run pass, so a reproduction still replays.
   */
  keep?: readonly string[];
}

type FieldRule = 'secret' | 'identifier' | 'pan' | 'ciphertext' | 'timestamp' | 'replay';

/** Field and header names (lower case) handled by name, per rule. */
const NAMES_BY_RULE: Readonly<Record<FieldRule, readonly string[]>> = {
  secret: [
    ...['ach-access-sign', 'secret', 'secretkey', 'password', 'passphrase', 'privatekey', 'token'],
    ...['authorization', 'proxy-authorization', 'cookie', 'set-cookie'],
    ...['cvc', 'cvv', 'cvv2', 'cardverifyno', 'securitycode'],
  ],
  identifier: ['ach-access-key', 'accesskey'],
  pan: ['cardno', 'number', 'pan', 'cardnumber'],
  ciphertext: ['datacontent', 'result'],
  // A 13-digit millisecond timestamp passes Luhn one time in ten; under these names (in objects and
  // headers) it is kept. In free text the digit-run pass still applies: text has no reliable field context.
  timestamp: ['ach-access-timestamp', 'timestamp'],
  // a reproduction (curl line): redacted as wire text, its request ciphertext kept whole
  replay: ['reproduction'],
};

/** Field names that are also header names: only these are read in `name: value` header lines. */
const HEADER_NAMES = [
  'ach-access-sign',
  'ach-access-key',
  'ach-access-timestamp',
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
];
/** The ciphertext a reproduction keeps whole: the request's sealed form field (an answer's `result` holds card data). */
const REQUEST_CIPHERTEXT = 'datacontent';

const FIELD_RULES: ReadonlyMap<string, FieldRule> = new Map(
  (Object.entries(NAMES_BY_RULE) as Array<[FieldRule, readonly string[]]>).flatMap(([rule, names]) => names.map((n) => [n, rule] as const)),
);

const NAMES = [...FIELD_RULES.keys()].sort((a, b) => b.length - a.length).join('|');
/**
 * `"name":"value"` or `"name":123`, also with escaped quotes (`\"name\":\"value\"`, JSON inside a
 * JSON string). A string value ends at a closing quote followed by `,` `}` `]` or the end, so an escaped
 * quote inside a doubly-encoded value does not end it early.
 */
const JSON_FIELD = new RegExp(
  `(\\\\?")(${NAMES})\\1(\\s*:\\s*)(?:(\\\\?")((?:[^"\\\\]|\\\\.)*?)\\4(?=(?:\\s|\\\\[nrt])*(?:[,}\\]]|$))|(-?\\d[\\d.eE+-]*))`,
  'gi',
);
/** `name=value` in a form body or a query string: after `?`, `&` or at the start of the text, never after a space. */
const FORM_FIELD = new RegExp(`(^|[?&])(${NAMES})=([^&\\s"'#]*)`, 'gi');
/** `name: value` of a known header, as in a header line or a curl `-H` argument; the value runs to the end of the line or a quote. */
const HEADER_LINE = new RegExp(`(^|[\\s'"{,])(${HEADER_NAMES.join('|')})(:[ \\t]*)([^'"\\r\\n]*)`, 'gi');

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?(?:-----END \1-----|$)/g;
const TOKEN_PARAM = /(token=)[^&\s"'#<>\\]+/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*/g;
const DIGIT_RUN = /(?<!\d)\d(?:[ -]?\d){12,}(?!\d)/g;
const LONG_HEX = /^[0-9a-fA-F]{17,}$/;
/** A card number already shown 6+4 (or wholly masked): nothing left to hide. */
const MASKED_PAN = /^(\d{6}\*+\d{4}|\*+)$/;
const HEX = /[0-9a-fA-F]/;
/** Hex runs this long are ciphertexts (RSA blocks are 256 hex characters): digits inside are not card numbers. */
const CIPHERTEXT_MIN = 64;

/** All but the last 4 characters hidden: `****abcd`. For identifiers such as the Alchemy access key. */
export function maskTail(s: string): string {
  return s.length <= 4 ? '*'.repeat(s.length) : '****' + s.slice(-4);
}

/** A long hex ciphertext shortened to its first 16 characters and its length; anything else unchanged. */
export function shortenHex(s: string): string {
  return LONG_HEX.test(s) ? `${s.slice(0, 16)}…(${s.length} chars)` : s;
}

/**
 * What a named field's value becomes; `undefined` means "nothing special: treat it as ordinary text".
 */
function byRule(rule: FieldRule, s: string, keepCiphertext = false): string | undefined {
  if (s === '') return s;
  switch (rule) {
    case 'secret':
      return REDACTED;
    case 'identifier':
      return maskTail(s);
    case 'pan':
      return MASKED_PAN.test(s) ? s : maskPan(s);
    case 'ciphertext':
      return LONG_HEX.test(s) && !keepCiphertext ? shortenHex(s) : undefined;
    case 'timestamp':
      return /^\d{1,16}$/.test(s) ? s : undefined;
    case 'replay':
      return undefined;
  }
}

function ruleFor(name: string): FieldRule | undefined {
  return FIELD_RULES.get(name.toLowerCase());
}

/**
 * 13–19 digits that pass Luhn, except 13 digits starting with 1: a millisecond timestamp (2001–2033),
 * never a card (no 13-digit card number starts with 1; the airlines' MII 1 cards have 15 digits).
 */
const cardLike = (digits: string): boolean => !(digits.length === 13 && digits[0] === '1') && luhnValid(digits);

/**
 * The plain 13–19 digit runs of `text` this redactor takes for card numbers: in a written report, those
 * left unmasked are the configured identifiers the writer kept (`keep`).
 */
export function cardLikeRuns(text: string): string[] {
  return [...text.matchAll(DIGIT_RUN)].map((m) => m[0]).filter((run) => /^\d{13,19}$/.test(run) && cardLike(run));
}

/** What `shortenHex` puts after a ciphertext's first 16 characters: `…(1024 chars)`. */
const SHORTENED_MARK = /^…\(\d+ chars\)/;

/**
 * Whether the digits at `start`…`end` of `s` lie inside a long hex run (a ciphertext), or inside the
 * first 16 characters that `shortenHex` kept of one: text shortened once and redacted again (a report's
 * line built from an already redacted value, a curl line) still shows the same prefix.
 */
function insideCiphertext(s: string, start: number, end: number): boolean {
  let a = start;
  let b = end;
  while (a > 0 && HEX.test(s[a - 1]!)) a--;
  while (b < s.length && HEX.test(s[b]!)) b++;
  if (b - a === 16 && SHORTENED_MARK.test(s.slice(b, b + 24))) return true;
  return b - a >= CIPHERTEXT_MIN && b - a > end - start;
}

/** In a run of digit groups, masks the longest Luhn-valid window of 13–19 digits starting at each group. */
function maskDigitRun(run: string, keep: ReadonlySet<string>): string {
  const whole = run.replace(/[ -]/g, '');
  if (keep.has(whole)) return run;
  if (whole.length <= 19 && cardLike(whole)) return maskPan(whole);
  const parts = run.split(/([ -])/);
  const groups = parts.filter((_, k) => k % 2 === 0);
  const seps = ['', ...parts.filter((_, k) => k % 2 === 1)];
  let out = '';
  for (let i = 0; i < groups.length; ) {
    let end = -1;
    let digits = '';
    for (let j = i; j < groups.length && digits.length + groups[j]!.length <= 19; j++) {
      digits += groups[j]!;
      if (digits.length >= 13 && cardLike(digits)) end = j;
    }
    if (end >= 0) {
      out += seps[i]! + maskPan(groups.slice(i, end + 1).join(''));
      i = end + 1;
    } else {
      out += seps[i]! + groups[i]!;
      i++;
    }
  }
  return out;
}

export function createRedactor(options: RedactorOptions = {}): Redactor {
  const secrets = [...new Set(options.secrets ?? [])].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  const keep: ReadonlySet<string> = new Set(options.keep ?? []);

  /** `keepRequestCiphertext`: a reproduction's `dataContent` stays whole; `digits`: the card-number pass runs. */
  const text = (s: string, keepRequestCiphertext = false, digits = true): string => {
    const rule = (name: string, v: string) => {
      const r = ruleFor(name)!;
      return byRule(r, v, keepRequestCiphertext && name.toLowerCase() === REQUEST_CIPHERTEXT);
    };
    let out = s.replace(PEM_BLOCK, REDACTED_KEY);
    for (const secret of secrets) out = out.split(secret).join(REDACTED);
    out = out.replace(JSON_FIELD, (m, q: string, name: string, colon: string, vq?: string, str?: string, num?: string) => {
      if (str !== undefined) return `${q}${name}${q}${colon}${vq}${rule(name, str) ?? str}${vq}`;
      const kept = rule(name, num!);
      return kept === undefined || kept === num ? m : `${q}${name}${q}${colon}"${kept}"`;
    });
    out = out.replace(FORM_FIELD, (_m, lead: string, name: string, v: string) => `${lead}${name}=${rule(name, v) ?? v}`);
    out = out.replace(HEADER_LINE, (_m, lead: string, name: string, colon: string, v: string) => {
      return `${lead}${name}${colon}${rule(name, v.trimEnd()) ?? v}`;
    });
    out = out.replace(TOKEN_PARAM, `$1${REDACTED}`);
    out = out.replace(JWT, REDACTED);
    if (!digits) return out;
    return out.replace(DIGIT_RUN, (run: string, at: number, all: string) =>
      insideCiphertext(all, at, at + run.length) ? run : maskDigitRun(run, keep),
    );
  };

  const field = (rule: FieldRule | undefined, v: unknown, seen: Set<object>, digits = true): unknown => {
    if (v === null || v === undefined || v === '') return v;
    if (rule === 'secret') return REDACTED;
    if (rule === 'replay' && typeof v === 'string') return text(v, true, digits);
    if (typeof v === 'string') return (rule && byRule(rule, v)) ?? text(v, false, digits);
    if (typeof v === 'number' || typeof v === 'bigint') {
      const s = String(v);
      const out = (rule && byRule(rule, s)) ?? text(s, false, digits);
      return out === s ? v : out;
    }
    if (typeof v === 'function') return undefined;
    if (typeof v !== 'object') return typeof v === 'symbol' ? v.toString() : v;
    if (v instanceof KeyObject) return REDACTED_KEY;
    if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return `[${v.byteLength} bytes]`;
    if (v instanceof Date) return new Date(v.getTime());
    if (seen.has(v)) return '[Circular]';
    seen.add(v);
    try {
      if (Array.isArray(v)) return v.map((item) => field(rule, item, seen, digits));
      if (v instanceof Error) return { name: v.name, message: text(v.message) };
      const out: Record<string, unknown> = {};
      for (const [k, child] of Object.entries(v)) {
        // defineProperty, not `out[k] =`: a `__proto__` key from parsed JSON stays a plain member.
        Object.defineProperty(out, text(k, false, digits), {
          value: field(ruleFor(k), child, seen, digits),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    } finally {
      seen.delete(v);
    }
  };

  const headers = (h: HeaderInput): Record<string, string> => {
    const entries: Iterable<readonly [string, unknown]> = Symbol.iterator in h ? h : Object.entries(h);
    const out: Record<string, string> = {};
    for (const [name, raw] of entries) {
      if (raw === undefined || raw === null) continue;
      const v = Array.isArray(raw) ? raw.join(', ') : String(raw);
      out[name] = field(ruleFor(name), v, new Set()) as string;
    }
    return out;
  };

  return {
    value: (v) => field(undefined, v, new Set()),
    text: (s) => text(s),
    headers,
    field: (name, v) => field(ruleFor(name), v, new Set()),
    wire: (s) => text(s, true),
    holdsSecret: (v) => {
      const shown = field(undefined, v, new Set(), false);
      return JSON.stringify(shown) !== JSON.stringify(v);
    },
  };
}
