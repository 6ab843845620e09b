/**
 * The CI gate: which failures fail a run (`run --fail-on must|should|info`) and the waivers file
 * (`conformance.waivers.json`, `run --waivers`). Pure functions over the report's rule results; `run`
 * reads and checks the file before anything runs and hands the waivers to its reporter, which builds the
 * report with them (the reporter lives in `run`'s own process, so no environment variable is needed).
 *
 * - a failure (`fail`, `flaky`) of a rule a current waiver names is `waived`: reported with its evidence
 *   and the waiver, never failing the gate;
 * - a waiver whose expiry day has passed fails the gate whatever its rule did, and waives nothing;
 * - a current waiver of a rule of this run that did not fail is stale: reported, never a failure.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Level } from '../spec/registry.ts';
import type { Waiver } from './waivers.ts';

export const FAIL_ON = ['must', 'should', 'info'] as const;
export type FailOn = (typeof FAIL_ON)[number];
/** Today's behaviour: MUST and SHOULD failures fail the gate, INFO ones are reported. */
export const DEFAULT_FAIL_ON: FailOn = 'should';
/** Read from the current directory when it exists and `--waivers` is not given. */
export const WAIVERS_FILE = 'conformance.waivers.json';

const GATING: Record<FailOn, readonly Level[]> = { must: ['MUST'], should: ['MUST', 'SHOULD'], info: ['MUST', 'SHOULD', 'INFO'] };

/** Whether a failure of a rule of `level` fails the gate under `failOn`. */
export function failsGate(level: Level, failOn: FailOn): boolean {
  return GATING[failOn].includes(level);
}

export type { Waiver } from './waivers.ts';

/** What the waivers did in a run (`report.waivers`). */
export interface WaiverSummary {
  /** The waivers file read, if any. */
  file?: string;
  /** Rule ids whose failure a current waiver turned into `waived`. */
  applied: string[];
  /** Waivers past their expiry day: they fail the gate and waive nothing. */
  expired: { id: string; owner: string; expires: string }[];
  /** Current waivers of a rule of this run that did not fail. */
  stale: { id: string; owner: string }[];
}

/** `--waivers` as given, else `conformance.waivers.json` in `cwd` when it exists, else none. */
export function waiversPath(flag: string | undefined, cwd: string): string | undefined {
  if (flag !== undefined) return flag;
  const p = join(cwd, WAIVERS_FILE);
  return existsSync(p) ? p : undefined;
}

interface Judged {
  id: string;
  level: Level;
  verdict: string;
}

/**
 * The rules with current waivers applied to their failures, and what each waiver did. `today`: UTC
 * `YYYY-MM-DD`; a waiver holds through its expiry day. Rules not in `rules` (another provider's, in a
 * one-provider run) are neither applied nor stale; their waivers still expire.
 */
export function applyWaivers<R extends Judged>(
  rules: readonly R[],
  waivers: readonly Waiver[],
  today: string,
  file?: string,
): { rules: (R | (Omit<R, 'verdict'> & { verdict: 'waived'; waiver: Omit<Waiver, 'rule'> }))[]; summary: WaiverSummary } {
  const summary: WaiverSummary = { ...(file !== undefined ? { file } : {}), applied: [], expired: [], stale: [] };
  const current = new Map<string, Waiver>();
  for (const w of waivers) {
    if (w.expires < today) summary.expired.push({ id: w.rule, owner: w.owner, expires: w.expires });
    else current.set(w.rule, w);
  }
  const out = rules.map((r) => {
    const w = current.get(r.id);
    if (!w) return r;
    if (r.verdict !== 'fail' && r.verdict !== 'flaky') {
      summary.stale.push({ id: r.id, owner: w.owner });
      return r;
    }
    summary.applied.push(r.id);
    return { ...r, verdict: 'waived' as const, waiver: { reason: w.reason, owner: w.owner, expires: w.expires } };
  });
  return { rules: out, summary };
}
