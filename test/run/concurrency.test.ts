/**
 * Concurrency changes how fast a run goes, never what it finds: for one seed, the verdict of every rule
 * is the same at --concurrency 1 and 8, against the faithful mock and against a deviation (whose rule
 * fails at both).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConformanceReport } from '../../src/report/conformance.ts';
import { cli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'cc-concurrency-'));
const verdicts = (d: string) =>
  Object.fromEntries(
    (JSON.parse(readFileSync(join(d, 'conformance.json'), 'utf8')) as ConformanceReport).rules.map((r) => [r.id, r.verdict]),
  );

async function runAt(concurrency: number, extra: string[]): Promise<Record<string, string>> {
  const out = join(dir, `${concurrency}-${extra.join('-') || 'faithful'}`);
  const r = await cli(
    ['run', '--provider', 'gep', '--runs', '8', '--seed', '11', '--concurrency', String(concurrency), '--report-dir', out, ...extra],
    {
      CARD_CONFORMANCE_WORKERS: '1',
    },
  );
  expect([0, 1], r.stdout.slice(-1500)).toContain(r.code);
  return verdicts(out);
}

describe('--concurrency', () => {
  it('the faithful mock: the same verdicts at concurrency 1 and 8', async () => {
    const [one, eight] = [await runAt(1, []), await runAt(8, [])];
    expect(Object.values(one).filter((v) => v === 'pass').length).toBeGreaterThan(50);
    expect(eight).toEqual(one);
  });
  it('a deviation: the same verdicts at concurrency 1 and 8, its rule failing at both', async () => {
    const dev = ['--deviate', 'gep-accepts-end-before-start'];
    const [one, eight] = [await runAt(1, dev), await runAt(8, dev)];
    expect(one['gep.apply.endDate.notBeforeStartDate']).toBe('fail');
    expect(eight).toEqual(one);
  });
});
