/**
 * Evidence a vendor can act on: one exchange laid out as data. What was sent and what came back as the
 * business payloads in plaintext (GEP's `dataContent` before sealing and `result` opened; Alchemy's
 * body), each redacted by field; what the rule wanted, in one line, from the rule's check kind; what the
 * provider's support desk asks for first (HTTP status, UTC time, the provider's own identifiers, target,
 * document); and a reproduction: a `curl` that replays the wire bytes where it can, beside the plaintext
 * request as a `card-conformance call` line. The one-line `message` stays, built from these parts.
 */
import { kindOf } from '../checks/registry.ts';
import type { CheckKind, ExpectSite } from '../checks/types.ts';
import { curlFor, shellQuote } from '../client/curl.ts';
import type { CallResult } from '../client/types.ts';
import { type Catalogue, type Rule, type RuleCheck, catalogue as shipped } from '../spec/catalogue.ts';
import { type EvalContext, getPath, isPlainObject, relativePath } from '../spec/evaluate.ts';
import { keyedMemo } from '../spec/memo.ts';
import type { Provider } from '../spec/registry.ts';
import { hash32 } from '../wire/hash.ts';
import type { Redactor } from '../wire/redact.ts';
import type { CaseRef, Evidence } from './findings.ts';

/** What a judge or suite adds to an exchange: the case's replay and what the rule wanted. */
export interface EvidenceParts {
  /** The rule the evidence is about (its id; the report adds the quoted source). */
  rule?: string;
  /** One line: what the rule wanted (`expectedOf`). */
  expected?: string;
  /** What the case did: the mutation or edge note (`startDate = 2026-11-28 (yesterday …)`). */
  note?: string;
  seed?: number;
  path?: string;
  /** Where shrinking ran: the steps from the first failing case to this one, the candidates sent, and the first path. */
  shrunk?: Evidence['shrunk'];
  /** The generated case, for `replay`. */
  case?: CaseRef;
}

/** One line: what `rule` wanted, judged against `root` (the request, or the decoded answer) where there is one. */
export function expectedOf(rule: Rule, at: { root?: unknown; ctx?: EvalContext; codes?: readonly string[] } = {}): string {
  const kind = kindOf(rule.check) as CheckKind<RuleCheck['kind']>;
  const path = relativePath(rule);
  const site: ExpectSite<RuleCheck['kind']> = {
    check: rule.check,
    rule,
    path,
    ...(at.root !== undefined ? { root: at.root, value: isPlainObject(at.root) ? getPath(at.root, path) : undefined } : {}),
    ...(at.ctx ? { ctx: at.ctx } : {}),
    ...(at.codes ? { codes: at.codes } : {}),
  };
  return kind.expected(site);
}

/** The document an operation is checked against, with a fingerprint of its rule data (overrides change it). */
const documents = keyedMemo<Catalogue, string>();
export const documentOf = (provider: Provider, operation: string, cat: Catalogue = shipped()): string =>
  documents(cat, `${provider}.${operation}`, () => {
    const spec = cat.operations.find((o) => o.spec.provider === provider && o.spec.operation === operation)?.spec;
    const call = cat.profiles[provider].calls.find((c) => c.operation === operation);
    const rules = cat.rulesFor(provider, operation).map((r) => [r.id, r.level, r.check, r.codes]);
    const name = spec?.document ?? call?.source ?? `${provider} profile`;
    return rules.length ? `${name} (rules ${hash32(JSON.stringify(rules)).toString(16).padStart(8, '0')})` : name;
  });

/** The provider's own identifiers of an exchange (the profile's `supportIds`), from the answer first, then the request. */
function idsOf(provider: Provider, sent: unknown, received: unknown, redactor: Redactor, cat: Catalogue): Record<string, string> {
  const names = String(cat.profiles[provider].wire['supportIds'] ?? '')
    .split(',')
    .filter(Boolean);
  const out: Record<string, string> = {};
  const find = (v: unknown, name: string, depth: number): unknown => {
    if (!isPlainObject(v) || depth > 3) return undefined;
    const own = v[name];
    if (own !== undefined && own !== null && own !== '' && typeof own !== 'object') return own;
    for (const child of Object.values(v)) {
      const found = find(child, name, depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  for (const name of names) {
    const v = find(received, name, 0) ?? find(sent, name, 0);
    if (v !== undefined) out[name] = String(redactor.field(name, v));
  }
  return out;
}

const MAX_RAW = 2000;

/** How the reproduction replays, per provider: the Alchemy signature is hidden, the GEP ciphertext is not. */
function reproductionNote(result: CallResult, sealedWhole: boolean): string {
  const call = `card-conformance call ${result.provider} ${result.operation}`;
  if (result.request.raw) return `the request's wire bytes were made by the test itself; the curl replays them`;
  if (result.provider === 'alchemy')
    return `ach-access-sign is [REDACTED] and ach-access-key masked, so the curl does not replay as is: \`${call} --data …\` (the call line) signs the same body again with your key and a fresh timestamp`;
  return sealedWhole
    ? `the curl replays the sealed bytes as sent (the target must hold the same merchant key); the call line seals the same plaintext again with your key`
    : `dataContent is shortened because its plaintext holds a secret or sensitive field that is hidden here; the call line seals the plaintext again with your key`;
}

export interface EvidenceContext {
  redactor: Redactor;
  cat?: Catalogue;
}

/** Evidence of one exchange: `message` (one line, made by the caller from the same parts) and the exchange as data. */
export function evidenceOf(result: CallResult, message: string, parts: EvidenceParts, ec: EvidenceContext): Evidence {
  const { redactor } = ec;
  const cat = ec.cat ?? shipped();
  const req = result.request;
  const sent = req.raw
    ? redactor.text(req.wireBody.length > MAX_RAW ? `${req.wireBody.slice(0, MAX_RAW)}…` : req.wireBody)
    : redactor.value(req.body);
  const received =
    result.body !== undefined
      ? redactor.value(result.body)
      : redactor.text(result.rawBody.length > MAX_RAW ? `${result.rawBody.slice(0, MAX_RAW)}…` : result.rawBody);
  // a sealed request is shown whole only when its plaintext holds no secret, sensitive field or token
  // (an id that merely passes Luhn is masked in `sent`, yet the suite's own request replays)
  const sealedWhole = !req.raw && !redactor.holdsSecret(req.body);
  const call =
    req.raw || req.body === undefined
      ? undefined
      : `card-conformance call ${result.provider} ${result.operation} --data ${shellQuote(JSON.stringify(sent))}`;
  let target = req.url;
  try {
    target = new URL(req.url).origin;
  } catch {
    // a URL the transport took is a URL; keep it as given otherwise
  }
  return {
    message: redactor.text(message),
    ...(parts.rule ? { rule: parts.rule } : {}),
    ...(parts.note ? { note: redactor.text(parts.note) } : {}),
    ...(parts.expected ? { expected: redactor.text(parts.expected) } : {}),
    sent,
    received,
    status: result.status,
    at: result.at,
    ids: idsOf(result.provider, req.body, result.body, redactor, cat),
    target: redactor.text(target),
    document: documentOf(result.provider, result.operation, cat),
    reproduction: curlFor(result, redactor, sealedWhole),
    ...(call ? { call } : {}),
    reproductionNote: reproductionNote(result, sealedWhole),
    ...(parts.seed !== undefined ? { seed: parts.seed } : {}),
    ...(parts.path ? { path: parts.path } : {}),
    ...(parts.shrunk ? { shrunk: parts.shrunk } : {}),
    ...(parts.case ? { case: parts.case } : {}),
  };
}
