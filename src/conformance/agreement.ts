/**
 * Follow-up reads agree with the create: the pairs come from the operation's `agreements` table in
 * `contracts/` (create side ↔ follow-up field, how they compare, the source of each); nothing here names
 * a field. A pair with either side absent or empty is not compared; a secret pair (card number, CVV)
 * is compared and never printed.
 */
import { type Catalogue, type Rule, catalogue as shipped } from '../spec/catalogue.ts';
import { conditionHolds, effectiveValue, getPath, isAbsent } from '../spec/evaluate.ts';
import type { Provider } from '../spec/registry.ts';
import type { Agreement } from '../spec/types.ts';

/** What the create side of a card is known by: the request sent, the create's answer body, the callback body. */
export interface CreateSides {
  request: Record<string, unknown>;
  response?: unknown;
  callback?: unknown;
}

export interface PairOutcome {
  pair: Agreement;
  agrees: boolean;
  /** One line, without the values of a secret pair. */
  message: string;
}

/** The `followUpAgrees` rule about the follow-up `read`, with its pairs. */
export function agreementOf(
  provider: Provider,
  operation: string,
  read: string,
  cat: Catalogue = shipped(),
): { rule: Rule; pairs: Agreement[] } {
  const entry = cat.operation(provider, operation);
  const rule = cat
    .rulesFor(provider, operation)
    .find((r) => r.field === read && r.check.kind === 'behaviour' && r.check.behaviour === 'followUpAgrees');
  if (!rule) throw new Error(`${provider}.${operation}: no followUpAgrees rule about ${read}`);
  return { rule, pairs: (entry.spec.agreements ?? []).filter((a) => a.read === read) };
}

/** The follow-up operations an operation's agreements name, in table order. */
export const followUpsOf = (provider: Provider, operation: string, cat: Catalogue = shipped()): string[] => [
  ...new Set((cat.operation(provider, operation).spec.agreements ?? []).map((a) => a.read)),
];

const DECIMAL = /^-?\d+(\.\d+)?$/;
/** A decimal as text in one spelling: no leading zeros, no trailing fractional zeros ("100.00" → "100"). */
export function canonicalAmount(v: unknown): string | undefined {
  const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : undefined;
  if (s === undefined || !DECIMAL.test(s)) return undefined;
  const neg = s.startsWith('-');
  const [i, f = ''] = (neg ? s.slice(1) : s).split('.');
  const int = i!.replace(/^0+(?=\d)/, '');
  const frac = f.replace(/0+$/, '');
  const out = frac ? `${int}.${frac}` : int;
  return neg && out !== '0' ? `-${out}` : out;
}

/** The create side's value of a pair: a request field takes its default when absent. */
function createValue(pair: Agreement, sides: CreateSides, defaults: Catalogue['operations'][number]['defaults']): unknown {
  const [side, ...rest] = pair.from.split('.');
  const path = rest.join('.');
  if (side === 'request') return effectiveValue(sides.request, path, defaults);
  return getPath(side === 'response' ? sides.response : sides.callback, path);
}

/**
 * Every pair of `read` that both sides carry, compared. `followUp` is the follow-up's answer body (GEP's
 * with `result` opened).
 */
export function compareFollowUp(
  provider: Provider,
  operation: string,
  read: string,
  sides: CreateSides,
  followUp: unknown,
  cat: Catalogue = shipped(),
): PairOutcome[] {
  const { defaults } = cat.operation(provider, operation);
  const out: PairOutcome[] = [];
  for (const pair of agreementOf(provider, operation, read, cat).pairs) {
    if (pair.unless && conditionHolds(sides.request, pair.unless, defaults)) continue;
    const mine = createValue(pair, sides, defaults);
    const theirs = getPath(followUp, pair.to);
    if (isAbsent(mine) || isAbsent(theirs)) continue;
    const a = String(mine);
    const b = typeof theirs === 'object' ? JSON.stringify(theirs) : String(theirs);
    const agrees =
      pair.compare === 'amount'
        ? canonicalAmount(mine) !== undefined && canonicalAmount(mine) === canonicalAmount(theirs)
        : pair.compare === 'prefix'
          ? b.startsWith(a)
          : a === b;
    const how = pair.compare === 'prefix' ? 'does not start with' : pair.compare === 'amount' ? 'is another amount than' : 'differs from';
    const message = agrees
      ? `${read} ${pair.to} agrees with ${pair.from}`
      : pair.secret
        ? `${read} ${pair.to} ${how} ${pair.from}${pair.compare === 'prefix' ? ` = ${JSON.stringify(a)}` : ''} (values withheld)`
        : `${read} ${pair.to} = ${JSON.stringify(theirs)} ${how} ${pair.from} = ${JSON.stringify(mine)}`;
    out.push({ pair, agrees, message });
  }
  return out;
}
