/**
 * The suite proves its power on the embedded mock: with no deviation, `run` exits 0 with every rule
 * pass or an explained skip; with any single deviation switched on, it exits 1 and the failing rules
 * include the one that deviation breaks. One `run` per deviation, two at a time.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEVIATIONS } from '../../src/mock/deviations.ts';
import type { ConformanceReport } from '../../src/report/conformance.ts';
import { cli, npmRun } from '../helpers/cli.ts';

// One worker per run: two runs go at once on two cores.
const FAST = { CARD_CONFORMANCE_WORKERS: '1' };
const dir = mkdtempSync(join(tmpdir(), 'cc-deviations-'));
const report = (d: string) => JSON.parse(readFileSync(join(d, 'conformance.json'), 'utf8')) as ConformanceReport;

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

  it.each(DEVIATIONS.map((d) => [d.name, d.ruleId, d.provider, d.clock] as const))(
    'with %s it exits 1 and %s fails',
    { concurrent: true },
    async (name, ruleId, provider, clock) => {
      const out = join(dir, name);
      // a deviation visible only at some hours runs with the mock's clock pinned there
      const env = clock ? { ...FAST, CARD_CONFORMANCE_MOCK_NOW: clock } : FAST;
      const r = await cli(['run', '--provider', provider, '--runs', '4', '--deviate', name, '--report-dir', out], env);
      expect(r.code, r.stdout.slice(-2000)).toBe(1);
      const rep = report(out);
      expect(rep.verdict).toBe('fail');
      expect(rep.deviations).toEqual([name]);
      const failing = rep.rules.filter((x) => x.verdict === 'fail').map((x) => x.id);
      expect(failing).toContain(ruleId);
      expect(rep.rules.find((x) => x.id === ruleId)!.evidence.length).toBeGreaterThan(0);
    },
  );
});
