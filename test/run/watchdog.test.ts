/**
 * No run can hang: a suite that never returns (a worker spinning in a loop, where no vitest timeout can
 * fire) is stopped by the run-level watchdog within its bound; the run names the stuck test, marks the
 * undecided rules `error`, writes the report and exits 3. The bound is derived from the call deadline,
 * retries and poll interval; the test makes it short through those settings, not through a back door.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readReportFile } from '../../src/report/schema.ts';
import { cli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'cc-watchdog-'));

describe('the run-level watchdog', () => {
  it('stops a run whose suite never returns: exit 3, the stuck test named, its rules error, the report written', async () => {
    const out = join(dir, 'stuck');
    const r = await cli(['run', '--provider', 'alchemy', '--runs', '2', '--report-dir', out], {
      CARD_CONFORMANCE_WORKERS: '1',
      CARD_CONFORMANCE_EXTRA_SUITES: 'test/fixtures/suites/never-returns.ts',
      // a short bound, derived as always: one call's deadline × attempts + poll + margin
      CARD_CONFORMANCE_CALL_TIMEOUT_MS: '2000',
      CARD_CONFORMANCE_RETRIES: '0',
    });
    expect(r.code, r.stdout.slice(-2000) + r.stderr).toBe(3);
    const rep = readReportFile(join(out, 'conformance.json'));
    expect(rep.exitCode).toBe(3);
    const stuck = rep.rules.find((x) => x.id === 'alchemy.create.request.acceptsValid')!;
    expect(stuck.verdict).toBe('error');
    expect(stuck.reason).toMatch(/stopped by the watchdog: no progress for \d+ s in alchemy a suite that spins for ever/);
    // the other suites ran and decided their rules before the watchdog stopped the run (positive case)
    expect(rep.rules.filter((x) => x.verdict === 'pass').length).toBeGreaterThan(0);
    expect(r.stdout).toContain('stopped by the watchdog');
  });
});
