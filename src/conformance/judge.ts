/**
 * One check, one function: each judges a call result against the catalogue and records findings.
 * Nothing here names a field: the envelope's success flag and code field, the pending code and the
 * response rules all come from the catalogue.
 */

import { untabledPaths } from '../checks/no-untabled-fields.ts';
import { evaluate } from '../checks/registry.ts';
import type { CallResult } from '../client/types.ts';
import { type Catalogue, type Rule, catalogue as shipped } from '../spec/catalogue.ts';
import { type EvalContext, getPath, isAbsent, isPlainObject, relativePath, todayIn } from '../spec/evaluate.ts';
import { keyedMemo } from '../spec/memo.ts';
import type { Provider, SchemaMode } from '../spec/registry.ts';
import { createRedactor, type Redactor } from '../wire/redact.ts';
import { type EvidenceParts, expectedOf } from './evidence.ts';
import type { Evidence, Findings } from './findings.ts';

export interface JudgeContext {
  mode: SchemaMode;
  cat?: Catalogue;
  /** Turns a result into evidence: the one-line message, and the exchange with what the rule expected as data. */
  evidence: (result: CallResult, message: string, parts?: EvidenceParts) => Evidence;
  /** Redacts a value by its field before a message quotes it; by default one without configured secrets. */
  redactor?: Redactor;
}

const plain = createRedactor();

export interface Envelope {
  /** The answer parsed as the provider's envelope. */
  ok: boolean;
  success: boolean | undefined;
  /** The provider said yes (a success flag, even one of the wrong type like "true"). */
  succeeded: boolean;
  /** The order is in progress (GEP 140001): accepted, outcome to be learned. */
  pending: boolean;
  /** Succeeded or pending: the request was not refused. */
  accepted: boolean;
  code: string | undefined;
  message: string | undefined;
}

/** The envelope facts of a provider, derived from its catalogue rules (once per catalogue and operation: every case asks). */
const envelopes = keyedMemo<Catalogue, EnvelopeFacts>();
export const envelopeOf = (provider: Provider, operation: string, cat: Catalogue = shipped()): EnvelopeFacts =>
  envelopes(cat, `${provider}.${operation}`, () => envelopeFacts(provider, operation, cat));
export type EnvelopeFacts = ReturnType<typeof envelopeFacts>;

function envelopeFacts(provider: Provider, operation: string, cat: Catalogue) {
  const rules = cat.rulesFor(provider, operation);
  const codeRule = rules.find((r) => r.check.kind === 'codeInCatalogue')!;
  const codeField = relativePath(codeRule);
  const pendingRule = rules.find((r) => r.check.kind === 'behaviour' && r.check.behaviour === 'pendingResolves');
  const pendingCode = pendingRule?.codes['any']?.[0];
  const profile = cat.profiles[provider];
  const messageField = provider === 'alchemy' ? 'msg' : 'errorMsg';
  const laterFields = cat
    .operation(provider, operation)
    .spec.response.filter((r) => r.mayArriveLater)
    .map((r) => r.path);
  return {
    codeField,
    messageField,
    pendingCode,
    codes: new Set(profile.codes.map((c) => c.code)),
    /** The answer's fields that may arrive later (GEP's card elements), by their paths in the body. */
    laterFields,
    /** Every field that may arrive later is in `body`: a complete card. */
    complete: (body: unknown): boolean => laterFields.every((p) => !isAbsent(getPath(body, p))),
    /** The operation's response rules, in catalogue order (every answer is judged against them). */
    responseRules: rules.filter((r) => r.side === 'response'),
    /** The response rules a refusal decides besides the broken rule: its envelope, its code in the catalogue, the code the profile maps. */
    refusal: {
      jsonObject: rules.find((r) => r.id.endsWith('.response.jsonObject'))!,
      inCatalogue: codeRule,
      matches: rules.find((r) => r.check.kind === 'codeMatchesRule')!,
    },
    read(result: CallResult): Envelope {
      const b = result.body;
      if (!isPlainObject(b) || result.problem)
        return { ok: false, success: undefined, succeeded: false, pending: false, accepted: false, code: undefined, message: undefined };
      const success = typeof b['success'] === 'boolean' ? b['success'] : undefined;
      const raw = b[codeField];
      const code = raw === undefined || raw === null ? undefined : String(raw);
      const msg = b[messageField];
      // a malformed success ("true") is still a yes: its type is a response rule of its own
      const succeeded = success === true || b['success'] === 'true';
      const pending = !succeeded && pendingCode !== undefined && code === pendingCode;
      return {
        ok: true,
        success,
        succeeded,
        pending,
        accepted: succeeded || pending,
        code,
        message: typeof msg === 'string' ? msg : undefined,
      };
    },
  };
}

/**
 * In strict mode, a type rule says what the documents leave open: the example that contradicts the table
 * (the provider may follow the example), or that no document establishes refusing a scalar in the other
 * JSON type (lenient mode judges it by value).
 */
const tableVsExample = (rule: Rule, mode: SchemaMode): string =>
  mode !== 'strict' || rule.check.kind !== 'type'
    ? ''
    : rule.contradiction
      ? `; table and example disagree: ${rule.contradiction}`
      : rule.check.type !== 'object' && rule.check.type !== 'boolean'
        ? '; strict mode only: no document establishes that a scalar in the other JSON type is refused (lenient mode judges it by value)'
        : '';

/** The raw answer, cut short: for answers that are not the provider's envelope, where the text is the finding. */
const describe = (result: CallResult): string => {
  if (result.problem) return `${result.problem.kind}: ${result.problem.message}`;
  return `HTTP ${result.status} ${result.rawBody.length > 160 ? `${result.rawBody.slice(0, 160)}…` : result.rawBody}`;
};

/** The answer in a few words (the whole of it is the evidence's `received`). */
const answered = (result: CallResult, e?: Envelope): string => {
  if (result.problem) return `${result.problem.kind}: ${result.problem.message}`;
  if (!e?.ok) return `HTTP ${result.status}`;
  const how = e.succeeded ? 'success' : e.pending ? `pending, code ${JSON.stringify(e.code)}` : `refused, code ${JSON.stringify(e.code)}`;
  return `HTTP ${result.status}, ${how}`;
};

/** The context a rule was judged in, for what it expected (today in the provider's zone, defaults, codes). */
function contextOf(
  provider: Provider,
  operation: string,
  cat: Catalogue,
  mode: SchemaMode,
  request?: Record<string, unknown>,
): EvalContext {
  return {
    mode,
    today: todayIn(cat.profiles[provider].timeZone, new Date()),
    defaults: cat.operation(provider, operation).defaults,
    codes: envelopeOf(provider, operation, cat).codes,
    ...(request ? { request } : {}),
  };
}

/**
 * The answer's shape and content against every response rule of the operation. Rules that do not
 * apply to this answer are left undecided; the ones that hold count as a check.
 */
export function judgeAnswer(
  provider: Provider,
  operation: string,
  result: CallResult,
  request: Record<string, unknown> | undefined,
  findings: Findings,
  jc: JudgeContext,
  extra: Partial<EvalContext> = {},
  only?: ReadonlySet<string>,
): void {
  const cat = jc.cat ?? shipped();
  const env = envelopeOf(provider, operation, cat);
  const ctx: EvalContext = {
    mode: jc.mode,
    today: todayIn(cat.profiles[provider].timeZone, new Date()),
    defaults: cat.operation(provider, operation).defaults,
    codes: env.codes,
    ...(request ? { request } : {}),
    ...extra,
  };
  const all = env.responseRules;
  const rules = only ? all.filter((r) => only.has(r.id)) : all;
  const body = result.problem ? result.rawBody : result.body;
  for (const rule of rules) {
    if (rule.check.kind === 'noUntabledFields') {
      if (jc.mode !== 'strict' || !isPlainObject(body)) continue;
      const extraFields = untabledPaths(body, all);
      const expected = expectedOf(rule, { root: body, ctx });
      if (extraFields.length)
        findings.fail(
          rule.id,
          jc.evidence(result, `fields outside the table: ${extraFields.join(', ')}; expected ${expected} (${answered(result)})`, {
            rule: rule.id,
            expected,
          }),
        );
      else findings.pass(rule.id);
      continue;
    }
    const v = evaluate(rule, body, ctx);
    if (v.holds === true) findings.pass(rule.id);
    else if (v.holds === false) {
      const expected = expectedOf(rule, { root: body, ctx });
      const found = describeValue(rule, body, jc.redactor ?? plain);
      findings.fail(
        rule.id,
        jc.evidence(
          result,
          `${rule.title}: broken by ${found}${tableVsExample(rule, jc.mode)}; expected ${expected} (${answered(result, env.read(result))})`,
          {
            rule: rule.id,
            expected,
          },
        ),
      );
    }
  }
}

/** The offending value, redacted by its own field (a CVV stays hidden even in a sentence). */
function describeValue(rule: Rule, body: unknown, redactor: Redactor): string {
  if (rule.check.kind === 'jsonObject') return 'a body that is not a JSON object';
  const path = relativePath(rule);
  const v = getPath(body, path);
  return v === undefined ? `${path} missing` : `${path} = ${JSON.stringify(redactor.field(path.split('.').at(-1)!, v))}`;
}

/**
 * A request that breaks `rule` must be refused: not a success, in the provider's envelope, with a
 * code from its catalogue; the code the profile maps to the rule is a SHOULD.
 */
export function judgeRefusal(
  rule: Rule,
  way: string | undefined,
  result: CallResult,
  findings: Findings,
  jc: JudgeContext,
  note: string,
  overlaps: readonly Rule[] = [],
): 'refused' | 'accepted' | 'unreadable' {
  const cat = jc.cat ?? shipped();
  const env = envelopeOf(rule.provider, rule.operation, cat);
  const e = env.read(result);
  const { jsonObject, inCatalogue, matches } = env.refusal;
  const request = isPlainObject(result.request.body) ? result.request.body : undefined;
  // what the rules expected, worked out only for a finding that quotes it
  const ctx = () => contextOf(rule.provider, rule.operation, cat, jc.mode, request);
  if (!e.ok) {
    // Refused, but not in the provider's envelope: HTML, a 500 page, a non-object.
    findings.pass(rule.id);
    const expected = expectedOf(jsonObject);
    findings.fail(
      jsonObject.id,
      jc.evidence(result, `${note}: refused without the provider's JSON envelope (${describe(result)}); expected ${expected}`, {
        rule: jsonObject.id,
        expected,
      }),
    );
    return 'unreadable';
  }
  findings.pass(jsonObject.id);
  if (e.accepted) {
    // what the broken rule wanted of the request, and so: a refusal
    const expected = `a refusal, since the rule wants ${expectedOf(rule, { root: result.request.body, ctx: ctx() })}`;
    findings.fail(
      rule.id,
      jc.evidence(result, `${note}: accepted${tableVsExample(rule, jc.mode)} (${answered(result, e)}); expected ${expected}`, {
        rule: rule.id,
        expected,
      }),
    );
    return 'accepted';
  }
  findings.pass(rule.id);
  if (e.code === undefined || !env.codes.has(e.code)) {
    const expected = expectedOf(inCatalogue, { root: result.body, ctx: ctx() });
    findings.fail(
      inCatalogue.id,
      jc.evidence(result, `${note}: refused with code ${JSON.stringify(e.code)}, which is not in the catalogue; expected ${expected}`, {
        rule: inCatalogue.id,
        expected,
      }),
    );
  } else {
    findings.pass(inCatalogue.id);
  }
  // every code the profile's words admit for this way of breaking, and for the rules the value cannot help breaking too
  const everyWay = (r: Rule) => [...cat.expectedCodes(r), ...Object.keys(r.codes).flatMap((w) => cat.expectedCodes(r, w))];
  const codes = [...new Set([...cat.expectedCodes(rule, way), ...overlaps.flatMap(everyWay)])];
  if (e.code !== undefined && codes.includes(e.code)) findings.pass(matches.id);
  else {
    const expected = `${expectedOf(matches, { root: result.body, ctx: ctx(), codes })}: the profile maps ${rule.id}${way ? ` (${way})` : ''}${overlaps.length ? ` and ${overlaps.map((r) => r.id).join(', ')}` : ''} to it`;
    findings.fail(
      matches.id,
      jc.evidence(result, `${note}: refused with ${JSON.stringify(e.code)}; expected ${expected}`, { rule: matches.id, expected }),
    );
  }
  return 'refused';
}
