/**
 * Coverage: the share of MUST rules a run decided. A rule is decided when its verdict is `pass`, `fail`
 * or `flaky` (the target answered and the answer settled the rule); `skipped` (the target cannot be
 * made to exercise it, or the profile spent no request on it) and `error` (the run could not tell) are
 * not. `--min-coverage` fails the gate below a given percentage. Pure arithmetic, no I/O.
 */
import type { Level } from '../spec/registry.ts';

export const DECIDED_VERDICTS: readonly string[] = ['pass', 'fail', 'flaky'];

export interface Coverage {
  /** MUST rules in scope. */
  must: number;
  /** Of them, decided. */
  decided: number;
  /** decided / must as a percentage, one decimal (100 when no MUST rule is in scope: nothing was left undecided). */
  percent: number;
}

export function coverageOf(rules: readonly { level: Level; verdict: string }[]): Coverage {
  const must = rules.filter((r) => r.level === 'MUST');
  const decided = must.filter((r) => DECIDED_VERDICTS.includes(r.verdict)).length;
  return { must: must.length, decided, percent: must.length === 0 ? 100 : Math.floor((decided / must.length) * 1000) / 10 };
}

/** Why a `--min-coverage` value is not a percentage (undefined when it is one: a number from 0 to 100). */
export function minCoverageProblem(text: string): string | undefined {
  const t = text.trim().replace(/%$/, '');
  if (!/^\d+(\.\d+)?$/.test(t) || Number(t) > 100) return `must be a percentage from 0 to 100 (got "${text}")`;
  return undefined;
}

export const parseMinCoverage = (text: string): number => Number(text.trim().replace(/%$/, ''));

/**
 * The coverage gate: met when no minimum is set or the exact share (not the rounded percentage) reaches
 * it. `line` says, when it is not met, by how much, for the headline.
 */
export function coverageGate(c: Coverage, min: number | undefined): { met: boolean; line?: string } {
  if (min === undefined) return { met: true };
  const exact = c.must === 0 ? 100 : (c.decided / c.must) * 100;
  if (exact >= min) return { met: true };
  return {
    met: false,
    line: `coverage ${c.percent}% (${c.decided} of ${c.must} MUST rules decided) is below --min-coverage ${min}%`,
  };
}
