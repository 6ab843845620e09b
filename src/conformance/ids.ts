/**
 * Order numbers that never collide: a create/apply opens a card and spends money, so every generated
 * request gets a fresh orderNo/userReqNo (the field the catalogue's idempotency rule names), of the
 * same length as the generated one where it can, so boundary lengths stay boundary lengths. The
 * callbackUrl (the field a callback rule names) points at the suite's receiver, keyed by that number.
 */
import { catalogue } from '../spec/catalogue.ts';
import { getPath, isPlainObject, relativePath } from '../spec/evaluate.ts';
import type { Provider } from '../spec/registry.ts';

const MIN_UNIQUE = 10;

export function idFieldOf(provider: Provider, operation: string): string {
  const rule = catalogue()
    .rulesFor(provider, operation)
    .find((r) => r.check.kind === 'behaviour' && r.check.behaviour === 'idempotent');
  if (!rule) throw new Error(`${provider}.${operation}: no idempotency rule names the order-number field`);
  return relativePath(rule);
}

/** The request field the provider calls back (a `callback` rule's subject), if the operation has one. */
export function callbackFieldOf(provider: Provider, operation: string): string | undefined {
  const cat = catalogue();
  const delivered = cat
    .rulesFor(provider, operation)
    .find((r) => r.check.kind === 'behaviour' && r.check.behaviour === 'callbackDelivered');
  if (!delivered) return undefined;
  // the field whose value the callback is POSTed to: the request field whose rules the callback source names
  return cat.rulesFor(provider, operation).find((r) => r.side === 'request' && delivered.sourceRef.text.includes(`\`${r.field}\``))?.field;
}

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
  const out = structuredClone(body);
  const field = idFieldOf(provider, operation);
  const cur = getPath(out, field);
  const max = catalogue().byId.get(`${provider}.${operation}.${field}.maxLength`);
  const maxLen = max?.check.kind === 'maxLength' ? max.check.max : 64;
  if (typeof cur === 'string' && cur !== '')
    out[field] = cur.length > maxLen ? unique.padEnd(cur.length, 'x') : fitLength(unique, cur.length, maxLen, cur);
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
