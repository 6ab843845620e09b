/**
 * Order numbers that never collide: a create/apply opens a card and spends money, so every generated
 * request gets a fresh orderNo/userReqNo (the field the catalogue's idempotency rule names), of the
 * same length as the generated one where it can, so boundary lengths stay boundary lengths. The
 * callbackUrl (the field a callback rule names) points at the suite's receiver, keyed by that number.
 */
import { createHash } from 'node:crypto';
import { clone } from '../checks/util.ts';
import { type Catalogue, catalogue } from '../spec/catalogue.ts';
import { fullMatch, getPath, isPlainObject, relativePath } from '../spec/evaluate.ts';
import { keyedMemo } from '../spec/memo.ts';
import type { Provider } from '../spec/registry.ts';

/** The shortest order number sent: ten base-36 characters of a hash are ~52 bits, two runs of 10^4 orders collide with p < 10^-7. */
const MIN_UNIQUE = 10;

/** Characters of a token: enough that the longest kept tail is all hash. */
export const TOKEN_LENGTH = 24;

/** What `--run-id` / CARD_CONFORMANCE_RUN_ID may be: it is printed, recorded and hashed, never sent as is. */
export const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** `RUN_ID` in words, for the one-line error of a bad run id (flag or variable). */
export const RUN_ID_RULE = '1 to 64 letters, digits, dots, dashes or underscores, starting with a letter or digit';

/**
 * The unique part of one case's order number: a hash of the run id, the seed, the scope (suite file and
 * test) and the case key, as `TOKEN_LENGTH` base-36 characters (`digits`: decimal, for an order-number
 * pattern that admits only digits). The same inputs give the same token (a rerun with the same run id
 * replays the same order numbers); another run id gives unrelated ones, and every tail of it is as
 * unique as its length allows, so a short order number cut from it keeps the run apart.
 */
export function orderToken(runId: string, seed: number, scope: string, key: string, digits = false): string {
  const h = createHash('sha256').update(`${runId}\0${seed}\0${scope}\0${key}`).digest('hex');
  const n = BigInt(`0x${h.slice(0, 32)}`);
  return n
    .toString(digits ? 10 : 36)
    .padStart(TOKEN_LENGTH, '0')
    .slice(-TOKEN_LENGTH);
}

/** `fn` of (catalogue, provider, operation), worked out once per catalogue and operation: every case asks. */
function perOperation<T>(fn: (cat: Catalogue, provider: Provider, operation: string) => T): (provider: Provider, operation: string) => T {
  const memo = keyedMemo<Catalogue, T>();
  return (provider, operation) => {
    const cat = catalogue();
    return memo(cat, `${provider}.${operation}`, () => fn(cat, provider, operation));
  };
}

/** The request's order-number rules, from the catalogue: its longest length and the pattern it must match, if any. */
export const orderNumberRules = perOperation((cat, provider, operation): { field: string; max: number; pattern?: RegExp } => {
  const field = idFieldOf(provider, operation);
  const own = cat.rulesFor(provider, operation).filter((r) => r.side === 'request' && r.field === field);
  const max = own.find((r) => r.check.kind === 'maxLength');
  const pat = own.find((r) => r.check.kind === 'pattern');
  return {
    field,
    max: max?.check.kind === 'maxLength' ? max.check.max : 64,
    ...(pat?.check.kind === 'pattern' ? { pattern: fullMatch(pat.check.pattern) } : {}),
  };
});

export const idFieldOf = perOperation((cat, provider, operation): string => {
  const rule = cat.rulesFor(provider, operation).find((r) => r.check.kind === 'behaviour' && r.check.behaviour === 'idempotent');
  if (!rule) throw new Error(`${provider}.${operation}: no idempotency rule names the order-number field`);
  return relativePath(rule);
});

/** The request field the provider calls back (a `callback` rule's subject), if the operation has one. */
export const callbackFieldOf = perOperation((cat, provider, operation): string | undefined => {
  const delivered = cat
    .rulesFor(provider, operation)
    .find((r) => r.check.kind === 'behaviour' && r.check.behaviour === 'callbackDelivered');
  if (!delivered) return undefined;
  // the field whose value the callback is POSTed to: the request field whose rules the callback source names
  return cat.rulesFor(provider, operation).find((r) => r.side === 'request' && delivered.sourceRef.text.includes(`\`${r.field}\``))?.field;
});

/**
 * `unique` at exactly `length` characters, or longer when `length` is too short to be unique: the
 * generated value's own head is kept ahead of the unique tail, so its characters (the document example's
 * character set) still reach the provider.
 */
export function fitLength(unique: string, length: number, max: number, generated = ''): string {
  const target = Math.min(Math.max(length, MIN_UNIQUE), Math.max(max, MIN_UNIQUE));
  if (unique.length >= target) return unique.slice(unique.length - target);
  return generated.slice(0, target - unique.length).padEnd(target - unique.length, '0') + unique;
}

/** `keepFields`: fields the case is about (a callbackUrl under test is sent as generated). */
export function uniquify(
  provider: Provider,
  operation: string,
  body: unknown,
  unique: string,
  callbackBase?: string,
  keepFields: readonly string[] = [],
): Record<string, unknown> {
  if (!isPlainObject(body)) return body as Record<string, unknown>;
  const out = clone(body);
  const { field, max: maxLen, pattern } = orderNumberRules(provider, operation);
  const cur = getPath(out, field);
  if (typeof cur === 'string' && cur !== '') {
    out[field] = cur.length > maxLen ? unique.padEnd(cur.length, 'x') : fitLength(unique, cur.length, maxLen, cur);
    // a valid case's order number keeps the catalogue's pattern; a case about the field itself is sent as made
    if (pattern && !keepFields.includes(field) && cur.length <= maxLen && pattern.test(cur) && !pattern.test(String(out[field])))
      throw new Error(`${provider}.${operation}.${field}: the run's order number does not match the catalogue's pattern ${pattern.source}`);
  }
  const cb = callbackFieldOf(provider, operation);
  if (cb && callbackBase && typeof out[cb] === 'string' && !keepFields.includes(cb)) {
    const url = `${callbackBase}/cb/${encodeURIComponent(String(out[field] ?? unique))}`;
    const limit = catalogue().byId.get(`${provider}.${operation}.${cb}.maxLength`);
    const cbMax = limit?.check.kind === 'maxLength' ? limit.check.max : Number.POSITIVE_INFINITY;
    const curLen = (out[cb] as string).length;
    // keep a boundary-length callbackUrl at its length; an over-long one stays over-long
    if (curLen <= cbMax && url.length <= cbMax)
      out[cb] = curLen > url.length && curLen === cbMax ? `${url}?${'p'.repeat(curLen - url.length - 1)}` : url;
  }
  return out;
}
