/**
 * The suite proves its power on the embedded mock: with no deviation, `npm run conformance` exits 0 with
 * every rule pass or an explained skip; and `npm run mutation` (the selfcheck: one vitest run for the
 * faithful mock and every deviation, over 3 seeds) catches every deviation by its own rule on every seed,
 * with no false positive. A strict selfcheck (one seed) shows the deviations are caught in strict mode too.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEVIATIONS } from '../../src/mock/deviations.ts';
import type { ConformanceReport } from '../../src/report/conformance.ts';
import type { MutationReport } from '../../src/report/selfcheck.ts';
import { catalogue } from '../../src/spec/catalogue.ts';
import { cli, npmRun } from '../helpers/cli.ts';

// One worker per run: two runs go at once on two cores.
const FAST = { CARD_CONFORMANCE_WORKERS: '1' };
const dir = mkdtempSync(join(tmpdir(), 'cc-deviations-'));
const report = (d: string) => JSON.parse(readFileSync(join(d, 'conformance.json'), 'utf8')) as ConformanceReport;
const mutation = (d: string) => JSON.parse(readFileSync(join(d, 'mutation.json'), 'utf8')) as MutationReport;

describe('card-conformance run against the embedded mock', () => {
  it('npm run conformance: the faithful mock is conformant, exit 0, every rule pass or an explained skip', async () => {
    const out = join(dir, 'faithful');
    const r = await npmRun(['conformance', '--', '--runs', '10', '--report-dir', out], FAST);
    expect(r.code).toBe(0);
    const rep = report(out);
    expect(rep.verdict).toBe('pass');
    for (const rule of rep.rules) {
      expect(['pass', 'skipped'], rule.id).toContain(rule.verdict);
      if (rule.verdict === 'skipped') expect(rule.reason, rule.id).toMatch(/strict schema mode/);
      else expect(rule.checks, rule.id).toBeGreaterThan(0);
    }
    expect(r.stdout).toContain('PASS');
  });

  it('npm run mutation: every deviation caught by its rule on 3 seeds, no false positive, exit 0', { timeout: 1_200_000 }, async () => {
    const out = join(dir, 'mutation');
    const r = await npmRun(['mutation', '--', '--report-dir', out], {}, 1_200_000);
    expect(r.code, r.stdout.slice(-3000)).toBe(0);
    const m = mutation(out);
    expect(m.seeds).toEqual([1, 2, 3]);
    expect(m.killRate).toBe(1);
    expect(m.falsePositives).toEqual([]);
    expect(m.survivors).toEqual([]);
    expect(m.deviations.map((d) => d.name).sort()).toEqual(DEVIATIONS.map((d) => d.name).sort());
    for (const d of m.deviations)
      for (const seed of m.seeds) expect(m.deviations.find((x) => x.name === d.name)!.caughtBy[String(seed)], d.name).toContain(d.ruleId);
    expect(r.stdout).toMatch(/kill rate 100\.0%/);
  });

  it('the selfcheck in smoke: every deviation of a MUST rule caught on a seed, the faithful mock passing; only SHOULD rules survive', {
    timeout: 1_200_000,
  }, async () => {
    const out = join(dir, 'mutation-smoke');
    const r = await cli(['selfcheck', '--seeds', '1', '--report-dir', out], { CARD_CONFORMANCE_PROFILE: 'smoke' }, 1_200_000);
    const m = mutation(out);
    expect(m.falsePositives).toEqual([]);
    // smoke spends no request on a SHOULD request rule (its reason: profile smoke): those alone survive
    const levelOf = (id: string) => catalogue().byId.get(id)!.level;
    const survivors = m.survivors;
    expect(survivors.map((d) => `${d.name}: ${levelOf(d.ruleId)}`).filter((x) => x.endsWith('MUST'))).toEqual([]);
    for (const d of survivors) expect(Object.values(d.verdicts), d.name).toEqual(['skipped']);
    expect(survivors.length).toBeLessThan(DEVIATIONS.length / 10);
    expect(r.code).toBe(survivors.length ? 1 : 0);
  });

  it('the selfcheck in strict mode: every deviation caught on a seed, the strict mock passing', { timeout: 1_200_000 }, async () => {
    const out = join(dir, 'mutation-strict');
    const r = await cli(['selfcheck', '--seeds', '1', '--schema-mode', 'strict', '--report-dir', out], {}, 1_200_000);
    expect(r.code, r.stdout.slice(-3000)).toBe(0);
    const m = mutation(out);
    expect(m.killRate).toBe(1);
    expect(m.falsePositives).toEqual([]);
  });
});
