/**
 * The consumer pacts' interactions, derived from the catalogue: the happy path of each operation, one
 * refusal per documented family (a field rule, the amount range below and above, a duplicate order
 * number, an insufficient balance, a bad signature or seal) with the code the profile maps to it, GEP's
 * 140001 then the operation query, GEP's incomplete card then the card query, Alchemy's card detail
 * during the lifecycle and the segment list. Examples come from the generators (src/pact/examples.ts);
 * matchers from the rules of each field (a regex from a pattern, an enum or a format, Pact V4's `date`
 * for dates, integer/decimal for numbers); codes from the profile. Each description names the rule ids
 * the interaction covers, and `verify-pacts` reads them back from there.
 *
 * The pacts speak the business payload (plaintext codec): Alchemy's JSON with the signature headers
 * matched by their shape (never a recorded value), GEP's `dataContent` as the JSON body and its
 * `result` as a JSON object. `card-conformance proxy` signs, seals and opens on the way to a provider.
 */
import fc from 'fast-check';
import { constraintsFor, validObject } from '../../properties/generate.ts';
import { mutate } from '../../properties/mutate.ts';
import { planOf } from '../../properties/plan.ts';
import { FORMAT_PATTERNS } from '../checks/format.ts';
import { evaluate } from '../checks/registry.ts';
import { CODEC_DIRECTIVE_HEADER, type CodecDirective } from '../client/types.ts';
import { EMAIL } from '../config/env.ts';
import { type Catalogue, type Rule, catalogue as shipped } from '../spec/catalogue.ts';
import { type EvalContext, INTEGER, isPlainObject, NUMERIC, relativePath } from '../spec/evaluate.ts';
import type { Provider } from '../spec/registry.ts';
import { alchemySignature, TIMESTAMP } from '../wire/alchemy-sign.ts';
import {
  dateFields,
  EXAMPLE_CVV,
  EXAMPLE_PAN,
  exampleContext,
  exampleDay,
  exampleRequest,
  idField,
  OPEN_OPERATION,
  PACT_SEED,
} from './examples.ts';
import { STATES, type StateSpec } from './states.ts';

export interface PactState {
  name: string;
  params: Record<string, string>;
}

export interface PactInteraction {
  provider: Provider;
  /** The operation called (a profile call). */
  operation: string;
  description: string;
  ruleIds: string[];
  states: PactState[];
  /** What the typed client is asked to send, in plaintext codec mode. */
  send: { body: unknown; options?: { signature?: string; rawDataContent?: string } };
  request: { method: string; path: string; headers: Record<string, unknown>; body: unknown };
  response: { status: number; body: unknown };
}

type M = Record<string, unknown>;
const regex = (re: string, value: string): M => ({ 'pact:matcher:type': 'regex', regex: re, value });
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const anchored = (src: string) => `^(?:${src})$`;

/** A sentence with its parameters filled in is not a key: the state's name is the sentence itself. */
const given = (spec: StateSpec, params: Record<string, string>): PactState => ({ name: spec.sentence, params });

/** Pact's provider-state injection on a value (keeps the value's matcher). */
const injected = (m: unknown, name: string): M => ({
  ...(isPlainObject(m) && 'pact:matcher:type' in m ? m : { 'pact:matcher:type': 'type', value: m }),
  'pact:generator:type': 'ProviderState',
  expression: `\${${name}}`,
});

interface Leaf {
  matcher: unknown;
  /** Rules the matcher says (a mismatch there breaks them). */
  covers: Rule[];
}

/**
 * A leaf's matcher from its field's rules: the enum, else the first pattern, else the format (Pact V4
 * `date` for dates), else a number's shape, else the length, else its type; `allowEmpty` for card
 * elements that may come later. INFO rules are not matched (they never fail a verification). An
 * example its own matcher refuses (a request broken on purpose) is matched as a literal.
 */
export function leafMatcher(rules: readonly Rule[], value: unknown, allowEmpty = false): Leaf {
  const own = rules.filter((r) => r.level !== 'INFO');
  const first = <K extends Rule['check']['kind']>(k: K) => own.find((r) => r.check.kind === k);
  const covers: Rule[] = [];
  const type = first('type');
  if (typeof value === 'boolean') return { matcher: { 'pact:matcher:type': 'boolean', value }, covers: type ? [type] : [] };
  if (typeof value === 'number') {
    const kind = Number.isInteger(value) ? 'integer' : 'decimal';
    return { matcher: { 'pact:matcher:type': kind, value }, covers: type ? [type] : [] };
  }
  if (typeof value !== 'string') return { matcher: value, covers };
  const en = first('enum');
  const pat = first('pattern');
  const fmt = first('format');
  const max = first('maxLength');
  let src: string | undefined;
  if (en?.check.kind === 'enum') {
    src = en.check.values.map(escapeRe).join('|');
    covers.push(en);
  } else if (pat?.check.kind === 'pattern') {
    src = pat.check.pattern;
    covers.push(pat);
  } else if (fmt?.check.kind === 'format') {
    if (fmt.check.format === 'date' && !allowEmpty && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
      const impliedMax = max?.check.kind === 'maxLength' && max.check.max >= value.length ? [max] : [];
      return {
        matcher: { 'pact:matcher:type': 'date', format: 'yyyy-MM-dd', value },
        covers: [fmt, ...impliedMax, ...(type ? [type] : [])],
      };
    }
    src = FORMAT_PATTERNS[fmt.check.format];
    covers.push(fmt);
  } else if (type?.check.kind === 'type' && (type.check.type === 'number' || type.check.type === 'long')) {
    src = (type.check.type === 'long' ? INTEGER : NUMERIC).source.slice(1, -1);
  } else if (max?.check.kind === 'maxLength') {
    src = `[\\s\\S]{0,${max.check.max}}`;
    covers.push(max);
  }
  if (type) covers.push(type);
  if (src === undefined) return { matcher: { 'pact:matcher:type': 'type', value }, covers };
  const re = anchored(allowEmpty ? `|${src}` : src);
  if (!new RegExp(re, 'u').test(value)) return { matcher: value, covers: [] };
  return { matcher: regex(re, value), covers };
}

interface TemplateOptions {
  /** Paths sent as they are (equality), with the rules equality there says. */
  literals?: Record<string, Rule[]>;
  /** Paths filled by a provider state (`${name}`). */
  inject?: Record<string, string>;
  /** Paths whose value may be empty (card elements that come later). */
  allowEmpty?: ReadonlySet<string>;
  /** Rules by path, when the object is not an operation of the catalogue (a query answer). */
  rulesAt?: (path: string) => Rule[];
}

/** An object as a Pact template: matchers at the leaves, and the rules the template covers. */
function template(
  rulesAt: (path: string) => Rule[],
  root: Record<string, unknown>,
  ctx: EvalContext,
  o: TemplateOptions,
  covered: Set<string>,
): Record<string, unknown> {
  const walk = (obj: Record<string, unknown>, prefix: string): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) {
      const path = prefix ? `${prefix}.${k}` : k;
      const rules = rulesAt(path);
      // a field present in the template must be present in the answer: its presence rules are said
      for (const r of rules)
        if (r.check.kind === 'required' || (r.check.kind === 'requiredWhen' && evaluate(r, root, ctx).holds === true)) covered.add(r.id);
      let m: unknown;
      if (o.literals && path in o.literals) {
        m = v;
        for (const r of o.literals[path]!) covered.add(r.id);
      } else if (isPlainObject(v)) {
        m = walk(v, path);
        for (const r of rules) if (r.check.kind === 'type') covered.add(r.id);
      } else {
        const leaf = leafMatcher(rules, v, o.allowEmpty?.has(path) ?? false);
        m = leaf.matcher;
        for (const r of leaf.covers) covered.add(r.id);
      }
      out[k] = o.inject?.[path] ? injected(m, o.inject[path]) : m;
    }
    return out;
  };
  return walk(root, '');
}

export interface DeriveOptions {
  cat?: Catalogue;
}

/** The path, method and envelope facts of one provider's calls, from its profile. */
function callOf(cat: Catalogue, provider: Provider, operation: string) {
  const call = cat.profiles[provider].calls.find((c) => c.operation === operation);
  if (!call) throw new Error(`${provider}: no call ${operation} in the profile`);
  return call;
}

/** Every interaction of one provider's consumer pact, in a fixed order. */
export function deriveInteractions(provider: Provider, opts: DeriveOptions = {}): PactInteraction[] {
  return provider === 'alchemy' ? alchemyInteractions(opts.cat ?? shipped()) : gepInteractions(opts.cat ?? shipped());
}

function describe(provider: Provider, operation: string, what: string, ids: Iterable<string>): string {
  return `${provider} ${operation}: ${what} [${[...new Set(ids)].join(', ')}]`;
}

/** The parts both providers' derivations share: rules by path, the answer example, the refusal code set. */
function shared(cat: Catalogue, provider: Provider) {
  const op = OPEN_OPERATION[provider];
  const entry = cat.operation(provider, op);
  const all = cat.rulesFor(provider, op);
  const at = (side: 'request' | 'response') => (path: string) => all.filter((r) => r.side === side && relativePath(r) === path);
  const byKind = (kind: string, side?: string) => all.filter((r) => r.check.kind === kind && (!side || r.side === side));
  const ctx = (request?: Record<string, unknown>): EvalContext => ({
    mode: 'lenient',
    today: exampleDay(cat),
    defaults: entry.defaults,
    codes: new Set(cat.profiles[provider].codes.map((c) => c.code)),
    ...(request ? { request } : {}),
  });
  const answer = (request: Record<string, unknown>, c: { set?: Record<string, unknown>; absent?: string[]; present?: string[] }) => {
    const plan = planOf(provider, op, 'response', cat);
    const [obj] = fc.sample(validObject(plan, { ...exampleContext(provider, cat), request }, c), { numRuns: 1, seed: PACT_SEED });
    if (!obj) throw new Error(`${provider}: no valid example answer`);
    return obj;
  };
  const behaviour = (b: string) => byKind('behaviour').find((r) => r.check.kind === 'behaviour' && r.check.behaviour === b)!;
  const codeRules = byKind('codeInCatalogue').concat(byKind('codeMatchesRule'));
  const codeField = relativePath(byKind('codeInCatalogue')[0]!);
  /** The code set a refusal of `rule` (broken `way`) may carry: a regex alternation, and the rules it says. */
  const refusalCode = (rule: Rule, way?: string) => {
    const codes = cat.expectedCodes(rule, way);
    return { matcher: regex(anchored(codes.map(escapeRe).join('|')), codes[0]!), rules: [...codeRules, ...at('response')(codeField)] };
  };
  return { op, entry, all, at, byKind, ctx, answer, behaviour, refusalCode, codeField };
}

/** The request template of the card-opening operation: matchers where the example keeps its rules, injected fields. */
function requestTemplate(
  s: ReturnType<typeof shared>,
  body: Record<string, unknown>,
  inject: Record<string, string>,
): Record<string, unknown> {
  return template(s.at('request'), body, s.ctx(), { inject }, new Set());
}

function alchemyInteractions(cat: Catalogue): PactInteraction[] {
  const s = shared(cat, 'alchemy');
  const profile = cat.profiles.alchemy;
  const ORDER = idField('alchemy');
  const base = exampleRequest('alchemy', {}, cat);
  const sig = alchemySignature({ secret: 'x', timestamp: '0', method: 'POST', path: '/' });
  const headers = (directive?: CodecDirective): Record<string, unknown> => ({
    'content-type': 'application/json',
    'ach-access-key': regex('^\\S+$', 'pact-example-access-key'),
    'ach-access-timestamp': regex(TIMESTAMP.source, '1700000000000'),
    // the shape of a signature, never one: its example decodes to the words below
    'ach-access-sign': regex(
      `^[A-Za-z0-9+/]{${sig.length - 1}}=$`,
      Buffer.from('pact example, not a signature'.padEnd(32, '.')).toString('base64'),
    ),
    email: regex(EMAIL.source, 'merchant@example.com'),
    ...(directive ? { [CODEC_DIRECTIVE_HEADER]: directive } : {}),
  });
  const call = (operation: string) => callOf(cat, 'alchemy', operation);
  const success = s.byKind('successCode')[0]!;
  const opposite = s.byKind('oppositeFlags')[0]!;
  const flagRules = (path: string) =>
    s
      .at('response')(path)
      .filter((r) => r.check.kind === 'type');
  /** An Alchemy answer template: the envelope's flags and code literal or from the code set. */
  const answer = (request: Record<string, unknown>, ok: boolean, scenario: Rule[], code?: ReturnType<typeof s.refusalCode>) => {
    const covered = new Set<string>();
    const example = s.answer(request, ok ? { set: { success: true } } : { set: { success: false }, absent: ['model'] });
    const successField = relativePath(success.check.kind === 'successCode' ? { ...success, field: success.check.success } : success);
    const codeValue = ok ? profile.successCode : (code!.matcher['value'] as string);
    const body = { ...example, [s.codeField]: codeValue };
    const t = template(
      s.at('response'),
      body,
      s.ctx(request),
      {
        literals: {
          [successField]: [...flagRules(successField), ...scenario],
          [opposite.check.kind === 'oppositeFlags' ? opposite.check.error : 'error']: [opposite, ...flagRules('error')],
          ...(ok ? { [s.codeField]: [success, ...flagRules(s.codeField)] } : {}),
        },
      },
      covered,
    );
    if (!ok) {
      t[s.codeField] = code!.matcher;
      for (const r of code!.rules) covered.add(r.id);
    }
    return { body: t, covered };
  };
  const out: PactInteraction[] = [];
  const create = call('create');
  const fresh = given(STATES.freshOrder, { [ORDER]: String(base[ORDER]) });
  const accepts = s.byKind('acceptsValid')[0]!;
  // the happy path
  {
    const a = answer(base, true, [accepts]);
    out.push({
      provider: 'alchemy',
      operation: 'create',
      description: describe('alchemy', 'create', 'a valid request opens a card', [accepts.id, ...a.covered]),
      ruleIds: [...new Set([accepts.id, ...a.covered])],
      states: [fresh],
      send: { body: base },
      request: { method: create.method, path: create.path, headers: headers(), body: requestTemplate(s, base, { [ORDER]: ORDER }) },
      response: { status: 200, body: a.body },
    });
  }
  // refusals: a field rule (the first pattern of the table), the amount range below and above
  const refusal = (rule: Rule, pick: (m: ReturnType<typeof mutate>[number]) => boolean, what: string) => {
    const plan = planOf('alchemy', 'create', 'request', cat);
    const [valid] = fc.sample(validObject(plan, exampleContext('alchemy', cat), constraintsFor(rule, plan, 'lenient')), {
      numRuns: 1,
      seed: PACT_SEED,
    });
    const m = mutate(rule, valid!, plan, exampleContext('alchemy', cat)).find(pick);
    if (!m) throw new Error(`${rule.id}: no mutation for the pact`);
    const body = m.value as Record<string, unknown>;
    const code = s.refusalCode(rule, m.way);
    const a = answer(body, false, [rule], code);
    const ids = [...new Set([rule.id, ...a.covered])];
    out.push({
      provider: 'alchemy',
      operation: 'create',
      description: describe('alchemy', 'create', `${what} (${m.note}) is refused with ${cat.expectedCodes(rule, m.way).join(' or ')}`, ids),
      ruleIds: ids,
      states: [given(STATES.freshOrder, { [ORDER]: String(body[ORDER]) })],
      send: { body },
      request: { method: create.method, path: create.path, headers: headers(), body: requestTemplate(s, body, { [ORDER]: ORDER }) },
      response: { status: 200, body: a.body },
    });
  };
  const fieldRule = s.byKind('pattern', 'request')[0]!;
  refusal(fieldRule, (m) => m.cls === 'pattern', 'a field rule broken');
  const range = s.byKind('amountRange', 'request')[0]!;
  refusal(range, (m) => m.way === 'below', 'a deposit below the range');
  refusal(range, (m) => m.way === 'above', 'a deposit above the range');
  // a duplicate order number
  {
    const unique = s.behaviour('uniqueOrderNo');
    const a = answer(base, false, [unique], s.refusalCode(unique));
    const ids = [...new Set([unique.id, ...a.covered])];
    out.push({
      provider: 'alchemy',
      operation: 'create',
      description: describe(
        'alchemy',
        'create',
        `an order number used before is refused with ${cat.expectedCodes(unique).join(' or ')}`,
        ids,
      ),
      ruleIds: ids,
      states: [given(STATES.orderUsed, { [ORDER]: String(base[ORDER]) })],
      send: { body: base },
      request: { method: create.method, path: create.path, headers: headers(), body: requestTemplate(s, base, {}) },
      response: { status: 200, body: a.body },
    });
  }
  // a bad signature (the proxy signs wrong when asked)
  {
    const sign = s.behaviour('rejectsBadSignature');
    const a = answer(base, false, [sign], s.refusalCode(sign));
    const ids = [...new Set([sign.id, ...a.covered])];
    out.push({
      provider: 'alchemy',
      operation: 'create',
      description: describe('alchemy', 'create', `a wrong signature is refused with ${cat.expectedCodes(sign).join(' or ')}`, ids),
      ruleIds: ids,
      states: [fresh],
      send: { body: base, options: { signature: 'wrong' } },
      request: {
        method: create.method,
        path: create.path,
        headers: headers('bad-signature'),
        body: requestTemplate(s, base, { [ORDER]: ORDER }),
      },
      response: { status: 200, body: a.body },
    });
  }
  // the card detail during the lifecycle: a status of the documented order (or its failure end)
  {
    const info = call('info');
    const forward = s.behaviour('lifecycleForward');
    const lifecycle = profile.lifecycle!;
    const statuses = [...lifecycle.order, lifecycle.failureEnd];
    const body = {
      success: true,
      [s.codeField]: profile.successCode,
      model: {
        card: {
          cardId: { 'pact:matcher:type': 'type', value: 'card_example' },
          status: regex(anchored(statuses.map(escapeRe).join('|')), lifecycle.order[0]!),
          number: regex(anchored(FORMAT_PATTERNS.digits), EXAMPLE_PAN),
          cvc: { 'pact:matcher:type': 'type', value: EXAMPLE_CVV },
        },
      },
    };
    out.push({
      provider: 'alchemy',
      operation: 'info',
      description: describe('alchemy', 'info', 'the detail of a card being opened shows a status of the lifecycle', [forward.id]),
      ruleIds: [forward.id],
      states: [given(STATES.cardOpened, { [ORDER]: String(base[ORDER]) })],
      send: { body: { cardId: 'card_example' } },
      request: {
        method: info.method,
        path: info.path,
        headers: headers(),
        body: { cardId: injected('card_example', 'cardId') },
      },
      response: { status: 200, body },
    });
  }
  // the segment list: the vids a create may name
  {
    const seg = call('segmentList');
    const known = s.all.find((r) => r.check.kind === 'knownValue')!;
    const vid = String(profile.wire['fallbackVid']);
    out.push({
      provider: 'alchemy',
      operation: 'segmentList',
      description: describe('alchemy', 'segmentList', 'the card segment list names the segments a create may use', [known.id]),
      ruleIds: [known.id],
      states: [],
      send: { body: undefined },
      request: { method: seg.method, path: seg.path, headers: headers(), body: undefined },
      response: {
        status: 200,
        body: {
          success: true,
          [s.codeField]: profile.successCode,
          model: {
            'pact:matcher:type': 'type',
            min: 1,
            value: [{ vid: { 'pact:matcher:type': 'type', value: vid }, currency: { 'pact:matcher:type': 'type', value: 'USD' } }],
          },
        },
      },
    });
  }
  return out;
}

function gepInteractions(cat: Catalogue): PactInteraction[] {
  const s = shared(cat, 'gep');
  const profile = cat.profiles.gep;
  const REQ = idField('gep');
  const base = exampleRequest('gep', {}, cat);
  const dates = dateFields('gep', cat);
  const inject = { [REQ]: REQ, ...Object.fromEntries(dates.map((d) => [d, d])) };
  const call = (operation: string) => callOf(cat, 'gep', operation);
  const headers = (directive?: CodecDirective): Record<string, unknown> => ({
    'content-type': 'application/json',
    'accept-language': String(profile.wire['acceptLanguage']),
    ...(directive ? { [CODEC_DIRECTIVE_HEADER]: directive } : {}),
  });
  const apply = call('apply');
  const freshParams = { [REQ]: String(base[REQ]) };
  const typeOf = (path: string) =>
    s
      .at('response')(path)
      .filter((r) => r.check.kind === 'type');
  const laterFields = new Set(s.all.filter((r) => r.check.kind === 'required' && r.check.mayArriveLater).map((r) => relativePath(r)));
  /** A success answer: its card elements the fixed test values (or empty, when they come later). */
  const successAnswer = (request: Record<string, unknown>, complete: boolean, scenario: Rule[]) => {
    const example = s.answer(request, { set: { success: true }, absent: ['errorCode', 'errorMsg'] });
    const result = exampleAnswerResult(s, request);
    if (!complete) for (const p of laterFields) result[p.slice('result.'.length)] = '';
    const body = { ...example, result };
    const echo = s.byKind('echo')[0]!;
    const echoPath = relativePath(echo);
    const covered = new Set<string>();
    const literals: Record<string, Rule[]> = {
      success: [...typeOf('success'), ...scenario],
      [echoPath]: [echo, ...s.at('response')(echoPath)],
    };
    if (!complete) for (const p of laterFields) literals[p] = [];
    const t = template(s.at('response'), body, s.ctx(request), { literals }, covered);
    // empty card elements say nothing of their shape rules
    if (!complete) for (const p of laterFields) for (const r of s.at('response')(p)) if (r.check.kind !== 'required') covered.delete(r.id);
    return { body: t, covered };
  };
  const refusalAnswer = (request: Record<string, unknown>, scenario: Rule[], code: ReturnType<typeof s.refusalCode>) => {
    const covered = new Set<string>();
    const example = s.answer(request, { set: { success: false }, absent: ['result', 'errorMsg'], present: [s.codeField] });
    const t = template(
      s.at('response'),
      { ...example, [s.codeField]: code.matcher['value'] },
      s.ctx(request),
      {
        literals: { success: [...typeOf('success'), ...scenario] },
      },
      covered,
    );
    t[s.codeField] = code.matcher;
    for (const r of code.rules) covered.add(r.id);
    return { body: t, covered };
  };
  const out: PactInteraction[] = [];
  const push = (
    what: string,
    ids: string[],
    states: PactState[],
    body: Record<string, unknown>,
    response: unknown,
    directive?: CodecDirective,
  ) =>
    out.push({
      provider: 'gep',
      operation: 'apply',
      description: describe('gep', 'apply', what, ids),
      ruleIds: [...new Set(ids)],
      states,
      send: { body, ...(directive === 'undecryptable' ? { options: { rawDataContent: 'not-sealed' } } : {}) },
      request: { method: apply.method, path: apply.path, headers: headers(directive), body: requestTemplate(s, body, inject) },
      response: { status: 200, body: response },
    });
  const accepts = s.byKind('acceptsValid')[0]!;
  {
    const a = successAnswer(base, true, [accepts]);
    push('a valid request opens a complete card', [accepts.id, ...a.covered], [given(STATES.applyCompletes, freshParams)], base, a.body);
  }
  // a field rule broken: the first enum of the table (its value alone breaks it)
  {
    const rule = s.byKind('enum', 'request').find((r) => !dates.includes(relativePath(r)))!;
    const plan = planOf('gep', 'apply', 'request', cat);
    const [valid] = fc.sample(validObject(plan, exampleContext('gep', cat), { ...constraintsFor(rule, plan, 'lenient') }), {
      numRuns: 1,
      seed: PACT_SEED,
    });
    const m = mutate(rule, { ...base, ...pick(valid!, [relativePath(rule)]) }, plan, exampleContext('gep', cat))[0]!;
    const body = m.value as Record<string, unknown>;
    const a = refusalAnswer(body, [rule], s.refusalCode(rule, m.way));
    push(
      `a field rule broken (${m.note}) is refused with ${cat.expectedCodes(rule, m.way).join(' or ')}`,
      [rule.id, ...a.covered],
      [given(STATES.freshApply, freshParams)],
      body,
      a.body,
    );
  }
  // an authorised limit above the account balance
  {
    const insufficient = s.behaviour('insufficientBalance');
    const a = refusalAnswer(base, [insufficient], s.refusalCode(insufficient));
    const currency = String(base[relativePath(s.byKind('echo')[0]!).replace(/^result\./, '')] ?? '');
    push(
      `a limit above the account balance is refused with ${cat.expectedCodes(insufficient).join(' or ')}`,
      [insufficient.id, ...a.covered],
      [given(STATES.balance, { currency, amount: '0.00' }), given(STATES.freshApply, freshParams)],
      base,
      a.body,
    );
  }
  // a dataContent that does not decrypt (the proxy seals wrong when asked)
  {
    const enc = s.behaviour('rejectsUndecryptable');
    const a = refusalAnswer(base, [enc], s.refusalCode(enc));
    push(
      `a dataContent that does not decrypt is refused with ${cat.expectedCodes(enc).join(' or ')}`,
      [enc.id, ...a.covered],
      [given(STATES.freshApply, freshParams)],
      base,
      a.body,
      'undecryptable',
    );
  }
  // 140001, then the operation query
  const pending = s.behaviour('pendingResolves');
  {
    const code = s.refusalCode(pending);
    const body = { success: false, [s.codeField]: code.matcher['value'] };
    push(
      `an apply whose outcome is not known yet answers ${code.matcher['value']}`,
      [pending.id],
      [given(STATES.applyPending, freshParams)],
      base,
      body,
    );
    const q = call('queryCardOperate');
    const statuses = profile.operationStatuses ?? {};
    const done = Object.entries(statuses).find(([, v]) => v === 'success')?.[0] ?? '2';
    const apply = successAnswer(base, true, []).body as Record<string, unknown>;
    const r = apply['result'] as Record<string, unknown>;
    out.push({
      provider: 'gep',
      operation: 'queryCardOperate',
      description: describe('gep', 'queryCardOperate', `the operation query answers the pending apply with its status`, [pending.id]),
      ruleIds: [pending.id],
      states: [given(STATES.pendingApplyMade, freshParams)],
      send: { body: { [REQ]: base[REQ] } },
      request: { method: q.method, path: q.path, headers: headers(), body: { [REQ]: injected(base[REQ], REQ) } },
      response: {
        status: 200,
        body: {
          success: true,
          result: {
            orderId: r['orderId'],
            cardId: r['cardId'],
            [REQ]: { 'pact:matcher:type': 'type', value: base[REQ] },
            status: { 'pact:matcher:type': 'integer', value: Number(done) },
          },
        },
      },
    });
  }
  // an incomplete card, then the card query
  const incomplete = s.behaviour('incompleteCompletes');
  {
    const a = successAnswer(base, false, [incomplete]);
    push(
      'an apply may open a card whose elements come later',
      [incomplete.id, ...a.covered],
      [given(STATES.applyIncomplete, freshParams)],
      base,
      a.body,
    );
    const info = call('info');
    const full = successAnswer(base, true, []).body as Record<string, unknown>;
    const result = { ...(full['result'] as Record<string, unknown>) };
    delete result['orderId'];
    // the card elements: empty until they come, their shape once they have
    const shaped = template(
      s.at('response'),
      { result: exampleAnswerResult(s, base) },
      s.ctx(base),
      { allowEmpty: laterFields },
      new Set(),
    )['result'] as Record<string, unknown>;
    for (const p of laterFields) result[p.slice('result.'.length)] = shaped[p.slice('result.'.length)];
    const cardId = String((result['cardId'] as M | undefined)?.['value'] ?? 'card');
    out.push({
      provider: 'gep',
      operation: 'info',
      description: describe('gep', 'info', 'the card query answers a card opened with incomplete elements', [incomplete.id]),
      ruleIds: [incomplete.id],
      states: [given(STATES.incompleteCardOpened, { cardId })],
      send: { body: { cardId } },
      request: { method: info.method, path: info.path, headers: headers(), body: { cardId: injected(cardId, 'cardId') } },
      response: { status: 200, body: { success: true, result } },
    });
  }
  return out;
}

/** The example answer's result with the fixed test card number and CVV. */
function exampleAnswerResult(s: ReturnType<typeof shared>, request: Record<string, unknown>): Record<string, unknown> {
  const example = s.answer(request, { set: { success: true }, absent: ['errorCode', 'errorMsg'] });
  const result = { ...(example['result'] as Record<string, unknown>) };
  // the card number is the field checked by Luhn; the CVV the other card element with a pattern
  for (const [k] of Object.entries(result)) {
    const rules = s.at('response')(`result.${k}`);
    const later = rules.some((r) => r.check.kind === 'required' && r.check.mayArriveLater);
    if (rules.some((r) => r.check.kind === 'luhn')) result[k] = EXAMPLE_PAN;
    else if (later && rules.some((r) => r.check.kind === 'pattern')) result[k] = EXAMPLE_CVV;
  }
  return result;
}

function pick(obj: Record<string, unknown>, paths: string[]): Record<string, unknown> {
  return Object.fromEntries(paths.filter((p) => p in obj).map((p) => [p, obj[p]]));
}

/** Rule ids an interaction description names (`… [id, id]`). */
export function idsOfDescription(description: string): string[] {
  const m = /\[([^\]]*)\]\s*$/.exec(description);
  return m
    ? m[1]!
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : [];
}
