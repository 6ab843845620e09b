/**
 * The money a request would move, for the spend budget, derived from the rule catalogue (never retyped):
 * an operation's money field is the request field a unit rule is about, and its unit comes from that rule.
 * - `amountMinorUnits` (Alchemy `deposit`): minor units; the currency and scale from the field's
 *   `amountRange` unit (`USD cents`: USD, 100 per unit).
 * - `decimalPositive` (GEP `authLimitAmount`): a decimal amount in the currency the request's currency
 *   field names (the one top-level string row described as a currency: GEP `localCurrency`); a missing
 *   or malformed currency is charged to the currency that row names (GEP: USD).
 * An amount that is not a finite non-negative number moves nothing a provider could read; it counts 0.
 */
import { catalogue, SpecError } from '../spec/catalogue.ts';
import type { Provider } from '../spec/registry.ts';

export interface Money {
  currency: string;
  /** In the currency's major unit (USD, not cents). */
  amount: number;
}

interface MoneyField {
  field: string;
  /** Minor units per major unit (1: the field is already decimal major units). */
  scale: number;
  /** A fixed currency, or the request field that names it. */
  currency: { fixed: string } | { field: string; named?: string };
}

const MINOR_UNITS: Readonly<Record<string, number>> = { cents: 100 };
const cache = new Map<string, MoneyField | null>();

function moneyField(provider: Provider, operation: string): MoneyField | null {
  const key = `${provider}.${operation}`;
  const known = cache.get(key);
  if (known !== undefined) return known;
  const rules = catalogue().rules.filter((r) => r.provider === provider && r.operation === operation && r.side === 'request');
  let found: MoneyField | null = null;
  const minor = rules.find((r) => r.check.kind === 'amountMinorUnits');
  const decimal = rules.find((r) => r.check.kind === 'decimalPositive');
  if (minor) {
    const range = rules.find((r) => r.field === minor.field && r.check.kind === 'amountRange');
    const unit = range?.check.kind === 'amountRange' ? range.check.unit : undefined;
    const m = /^([A-Z]{3}) (\w+)$/.exec(unit ?? '');
    const scale = m ? MINOR_UNITS[m[2]!] : undefined;
    if (!m || scale === undefined)
      throw new SpecError(
        `${key}: ${minor.field} is in minor units but no amountRange rule names its currency and unit (e.g. "USD cents")`,
      );
    found = { field: minor.field, scale, currency: { fixed: m[1]! } };
  } else if (decimal) {
    const rows = catalogue()
      .operation(provider, operation)
      .spec.request.filter((row) => row.type === 'string' && /currency/i.test(row.description) && !row.path.includes('.'));
    if (rows.length !== 1)
      throw new SpecError(`${key}: ${decimal.field} is a decimal amount but no single request field is described as its currency`);
    const named = rows[0]!.named?.[0];
    found = { field: decimal.field, scale: 1, currency: { field: rows[0]!.path, ...(named ? { named } : {}) } };
  }
  cache.set(key, found);
  return found;
}

/** What `body` would move if the provider accepted it; undefined for an operation that moves none. */
export function moneyOf(provider: Provider, operation: string, body: unknown): Money | undefined {
  const f = moneyField(provider, operation);
  if (!f) return undefined;
  const record = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const raw = record[f.field];
  const n = typeof raw === 'number' || (typeof raw === 'string' && raw.trim() !== '') ? Number(raw) : Number.NaN;
  const amount = Number.isFinite(n) && n > 0 ? n / f.scale : 0;
  if ('fixed' in f.currency) return { currency: f.currency.fixed, amount };
  // a missing or malformed currency (a negative case) is charged to the one the document names (GEP: USD)
  const given = record[f.currency.field];
  const code = typeof given === 'string' && /^[A-Za-z]{3}$/.test(given) ? given.toUpperCase() : (f.currency.named ?? '?');
  return { currency: code, amount };
}

/** An amount as people write it: `5,000.01 USD`, never an exponent (a 25-digit amount prints all its digits). */
export function formatMoney(m: Money): string {
  const text = m.amount.toLocaleString('en-US', { useGrouping: true, minimumFractionDigits: 0, maximumFractionDigits: 2 });
  return `${text} ${m.currency}`;
}
