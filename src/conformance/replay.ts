/**
 * `card-conformance replay`: a rule's recorded failing cases sent again and judged again, by the same
 * judges the properties use (`judgeRefusal` for a case that breaks a rule, acceptance and `judgeAnswer`
 * for a valid one). A case is the plaintext request its evidence recorded (`sent`) with the property it
 * came from (`case`); its dates are moved by the days between the day it was sent (in the provider's
 * time zone) and today there, and its order number is always fresh (`uniquify`, as the suites do):
 * a create/apply never goes out twice with one order number.
 */
import { shiftDates } from '../../properties/cases.ts';
import { daysBetween } from '../checks/util.ts';
import type { CallResult } from '../client/types.ts';
import { catalogue } from '../spec/catalogue.ts';
import { isPlainObject, todayIn } from '../spec/evaluate.ts';
import type { Provider, SchemaMode } from '../spec/registry.ts';
import type { Redactor } from '../wire/redact.ts';
import { type EvidenceParts, evidenceOf } from './evidence.ts';
import { type CaseRef, type Evidence, Findings, type RuleVerdict } from './findings.ts';
import { uniquify } from './ids.ts';
import { envelopeOf, judgeAnswer, judgeRefusal } from './judge.ts';

export interface ReplayCase {
  /** Its place among the rule's evidence (1-based), as the report lists it. */
  index: number;
  note: string;
  case: CaseRef;
  /** The plaintext request as the report recorded it (redacted by field). */
  sent: Record<string, unknown>;
  /** The UTC instant it was sent. */
  at: string | undefined;
}

export interface Unreplayable {
  index: number;
  why: string;
}

const MASKED = /\[REDACTED|\d{4,6}\*{2,}\d{4}/;

/** The first field of `v` whose value the report hid (a secret, or a digit run that passed Luhn). */
function hiddenField(v: unknown, at = ''): string | undefined {
  if (typeof v === 'string') return MASKED.test(v) ? at || '(body)' : undefined;
  if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) {
      const f = hiddenField(x, `${at}[${i}]`);
      if (f) return f;
    }
    return undefined;
  }
  if (isPlainObject(v))
    for (const [k, x] of Object.entries(v)) {
      const f = hiddenField(x, at ? `${at}.${k}` : k);
      if (f) return f;
    }
  return undefined;
}

/**
 * The distinct recorded cases of a rule's evidence that can be sent again, and those that cannot (with
 * why: no generated case behind it, a body that was raw bytes, a value the report hides).
 */
export function casesOf(evidence: readonly Evidence[]): { cases: ReplayCase[]; skipped: Unreplayable[] } {
  const cases: ReplayCase[] = [];
  const skipped: Unreplayable[] = [];
  const seen = new Set<string>();
  for (const [i, e] of evidence.entries()) {
    const index = i + 1;
    if (!e.case) {
      skipped.push({ index, why: 'not a generated case of the acceptance or rejection property (a multi-step suite decided it)' });
      continue;
    }
    if (!isPlainObject(e.sent)) {
      skipped.push({ index, why: 'its request was raw bytes, not a JSON object: replay its curl (reproduction) instead' });
      continue;
    }
    const hidden = hiddenField(e.sent);
    if (hidden) {
      skipped.push({ index, why: `the report hides ${hidden} of its request (redacted): run again with its seed instead` });
      continue;
    }
    // a case sent twice (a flaky rule's two answers) is replayed once
    const key = JSON.stringify([e.case, e.sent]);
    if (seen.has(key)) continue;
    seen.add(key);
    cases.push({ index, note: e.note ?? e.message, case: e.case, sent: e.sent, at: e.at });
  }
  return { cases, skipped };
}

/** The case's body as it goes out now: dates moved to today's offsets, a fresh order number. */
export function bodyToday(provider: Provider, operation: string, c: ReplayCase, unique: string, now = new Date()): Record<string, unknown> {
  const zone = catalogue().profiles[provider].timeZone;
  const days = c.at ? daysBetween(todayIn(zone, new Date(c.at)), todayIn(zone, now)) : 0;
  const moved = shiftDates(provider, operation, c.sent, days);
  // callbackUrl stays as recorded: the case may be about it, and nothing listens for it here
  return uniquify(provider, operation, moved, unique);
}

export interface ReplayContext {
  mode: SchemaMode;
  redactor: Redactor;
}

export interface ReplayOutcome {
  verdict: RuleVerdict | 'undecided';
  /** The rule's evidence from this replay, when it failed. */
  evidence?: Evidence;
}

/** Judge one answer to a replayed case for `ruleId`, as the property the case came from would. */
export function judgeReplay(ruleId: string, c: ReplayCase, result: CallResult, rc: ReplayContext): ReplayOutcome {
  const cat = catalogue();
  const rule = cat.byId.get(ruleId)!;
  const { provider, operation } = rule;
  // an authentication refusal of a request that did not touch authentication decides nothing
  if (result.undecided !== undefined) return { verdict: 'undecided' };
  const f = new Findings();
  const parts: EvidenceParts = { note: c.note, case: c.case };
  const jc = {
    mode: rc.mode,
    redactor: rc.redactor,
    evidence: (res: CallResult, message: string, p?: EvidenceParts) =>
      evidenceOf(res, message, { ...p, ...parts }, { redactor: rc.redactor }),
  };
  // only the rule asked about is judged: the others the case decides are not what was asked
  const only = new Set([ruleId]);
  const body = isPlainObject(result.request.body) ? result.request.body : undefined;
  if (c.case.property === 'rejection') {
    const broken = cat.byId.get(c.case.rules[0]!);
    if (!broken) return { verdict: 'undecided' };
    const overlaps = (c.case.overlaps ?? []).map((id) => cat.byId.get(id)).filter((r) => r !== undefined);
    const outcome = judgeRefusal(broken, c.case.way, result, f, jc, c.note, overlaps);
    if (outcome === 'refused') judgeAnswer(provider, operation, result, undefined, f, jc, {}, only);
  } else {
    const e = envelopeOf(provider, operation).read(result);
    if (c.case.rules.includes(ruleId)) {
      if (e.accepted) f.pass(ruleId);
      else f.fail(ruleId, jc.evidence(result, `${c.note}: a valid request was refused`, { rule: ruleId }));
    }
    judgeAnswer(provider, operation, result, body, f, jc, { allowIncomplete: true }, only);
  }
  const mine = f.list().find((x) => x.ruleId === ruleId);
  if (!mine) return { verdict: 'undecided' };
  return { verdict: mine.verdict, ...(mine.evidence[0] ? { evidence: mine.evidence[0] } : {}) };
}
