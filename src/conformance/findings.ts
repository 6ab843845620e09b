/**
 * Findings: what a conformance test learned about each rule it decides. A test collects them, hands
 * them to vitest as task meta, and fails when a MUST or SHOULD rule failed; the run's reporter merges
 * the findings of all tests into one verdict per rule. Evidence is redacted before it is stored.
 */
import type { Level } from '../spec/registry.ts';

/**
 * `flaky`: the same request, sent twice, was answered differently (once breaking the rule, once not). A
 * failure for the gate, with both answers as evidence: a provider that is right only sometimes is wrong.
 */
export const RULE_VERDICTS = ['pass', 'fail', 'flaky', 'error', 'skipped'] as const;
export type RuleVerdict = (typeof RULE_VERDICTS)[number];

export interface Evidence {
  /** One line: what was sent and what came back, built from the parts below. */
  message: string;
  /** The rule id, and its quoted source (the report adds both where a suite did not). */
  rule?: string;
  source?: string;
  /** What the case did (the mutation or edge note). */
  note?: string;
  /** One line: what the rule wanted, from the rule's check kind. */
  expected?: string;
  /** The business payloads in plaintext (GEP `dataContent` before sealing, `result` opened), redacted by field. */
  sent?: unknown;
  received?: unknown;
  /** What a provider's support desk asks for first. */
  status?: number;
  /** When the exchange began, UTC ISO 8601. */
  at?: string;
  /** The provider's own identifiers (Alchemy `traceId`, `orderNo`; GEP `orderId`, `cardId`, `userReqNo`). */
  ids?: Record<string, string>;
  target?: string;
  /** The document and the fingerprint of the rule data the verdict was judged against. */
  document?: string;
  /** Redacted `curl` that replays the request (GEP: the sealed bytes whole, where nothing in them is hidden). */
  reproduction?: string;
  /** The plaintext request the curl encodes, as a `card-conformance call` line (which signs or seals it again). */
  call?: string;
  /** How the reproduction replays (the Alchemy signature is hidden: `call` signs again). */
  reproductionNote?: string;
  /** Replays the generated case: `card-conformance run --seed <seed>`; `path` is fast-check's. */
  seed?: number;
  path?: string;
  /** Where shrinking ran: this is the smallest case found, `steps` shrinks after the first failing one (`from`). */
  shrunk?: { steps: number; tries: number; from: string };
  /**
   * The generated case the exchange sent, as `card-conformance replay` judges it again: which property
   * (a valid request to accept, or one rule broken to refuse), the rules the case decides (the broken
   * one first), and for a violation how it was broken and which rules it breaks too.
   */
  case?: CaseRef;
}

export interface CaseRef {
  property: 'acceptance' | 'rejection';
  rules: string[];
  way?: string;
  overlaps?: string[];
}

export interface Finding {
  ruleId: string;
  verdict: RuleVerdict;
  checks: number;
  evidence: Evidence[];
  /** Why a rule was skipped or errored. */
  reason?: string;
  /**
   * A class of the rule the run planned to leave out (a case the spend budget cannot afford, a rule the
   * target's surface cannot exercise): the rule is `skipped` with the reason, never `pass`, and the report
   * lists it among the run's exclusions.
   */
  excluded?: true;
  /** The violation classes tried on the rule (`amount/above`, `presence/null`), for the report. */
  classes?: string[];
}

const RANK: Record<RuleVerdict, number> = { skipped: 0, pass: 1, error: 2, flaky: 3, fail: 4 };
export const MAX_EVIDENCE = 5;

/**
 * Merge two findings of one rule: the worse verdict wins, checks add up, evidence is capped. An excluded
 * class outweighs a pass (the rule was not tried whole), never a failure or an error.
 */
export function mergeFinding(a: Finding | undefined, b: Finding): Finding {
  if (!a) return { ...b, evidence: b.evidence.slice(0, MAX_EVIDENCE) };
  const excluded = a.excluded ? a : b.excluded ? b : undefined;
  const ranked = RANK[b.verdict] > RANK[a.verdict] ? b : a;
  const worse = excluded && RANK[ranked.verdict] <= RANK.pass ? excluded : ranked;
  // the smallest (shrunk) cases lead: they are what a reader should look at first
  const all = [...a.evidence, ...b.evidence];
  const classes = [...new Set([...(a.classes ?? []), ...(b.classes ?? [])])];
  return {
    ruleId: a.ruleId,
    verdict: worse === excluded ? 'skipped' : worse.verdict,
    checks: a.checks + b.checks,
    evidence: [...all.filter((e) => e.shrunk), ...all.filter((e) => !e.shrunk)]
      .filter((e, i, list) => list.findIndex((x) => x.message === e.message) === i)
      .slice(0, MAX_EVIDENCE),
    ...((worse.reason ?? a.reason ?? b.reason) ? { reason: worse.reason ?? a.reason ?? b.reason } : {}),
    ...(excluded ? { excluded: true as const } : {}),
    ...(classes.length ? { classes } : {}),
  };
}

export class Findings {
  private readonly map = new Map<string, Finding>();

  private add(f: Finding): void {
    this.map.set(f.ruleId, mergeFinding(this.map.get(f.ruleId), f));
  }
  pass(ruleId: string, checks = 1): void {
    this.add({ ruleId, verdict: 'pass', checks, evidence: [] });
  }
  fail(ruleId: string, evidence: Evidence): void {
    this.add({ ruleId, verdict: 'fail', checks: 1, evidence: [evidence] });
  }
  error(ruleId: string, reason: string, evidence?: Evidence): void {
    this.add({ ruleId, verdict: 'error', checks: 0, evidence: evidence ? [evidence] : [], reason });
  }
  /** Broken on one answer, kept on the other, for the same request: both answers are the evidence. */
  flaky(ruleId: string, evidence: Evidence[]): void {
    this.add({ ruleId, verdict: 'flaky', checks: 1, evidence, reason: 'the same request was answered differently twice' });
  }
  /** Take another set's findings as they are. */
  absorb(findings: readonly Finding[]): void {
    for (const f of findings) this.add(f);
  }
  skip(ruleId: string, reason: string): void {
    this.add({ ruleId, verdict: 'skipped', checks: 0, evidence: [], reason });
  }
  /** A class of the rule the run leaves out by plan (a budget, the target's surface): `skipped`, never `pass`. */
  exclude(ruleId: string, reason: string): void {
    this.add({ ruleId, verdict: 'skipped', checks: 0, evidence: [], reason, excluded: true });
  }
  /** A violation class was tried on the rule (the report lists the classes per rule). */
  tried(ruleId: string, cls: string): void {
    this.add({ ruleId, verdict: 'skipped', checks: 0, evidence: [], classes: [cls] });
  }
  /**
   * The test was cut short (a budget ran out): every rule not already failed or flaky is `skipped` with
   * `reason`, passes included, since the checks that would have decided it were never made. `excluded`:
   * the budget refused by plan (a case's amount above the spend budget), listed among the exclusions.
   */
  cut(ruleIds: readonly string[], reason: string, excluded = false): void {
    for (const ruleId of ruleIds) {
      const f = this.map.get(ruleId);
      if (f && (f.verdict === 'fail' || f.verdict === 'flaky')) continue;
      this.map.set(ruleId, {
        ruleId,
        verdict: 'skipped',
        checks: f?.checks ?? 0,
        evidence: f?.evidence ?? [],
        reason,
        ...(f?.classes ? { classes: f.classes } : {}),
        ...(excluded ? { excluded: true as const } : {}),
      });
    }
  }
  list(): Finding[] {
    return [...this.map.values()];
  }
  /** The failures that fail a test: MUST and SHOULD ones (INFO findings are reported, never fatal). */
  fatal(levelOf: (ruleId: string) => Level | undefined): Finding[] {
    return this.list().filter(
      (f) => (f.verdict === 'fail' || f.verdict === 'flaky' || f.verdict === 'error') && levelOf(f.ruleId) !== 'INFO',
    );
  }
}
