/**
 * The install's build keeps today's default run's cases (src/conformance/install-cases.ts, run by
 * bin/build.mjs as `npm ci`'s `prepare`): the first `npm run conformance` after it draws nothing, neither
 * on its drawing thread nor in its workers; the lists are the very ones the run asks for. A run whose
 * lists were not kept draws them on its drawing thread (the positive case of the marks read here).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureBuilt, keepCases, ROOT } from '../../bin/build.mjs';
import type { ConformanceReport } from '../../src/report/conformance.ts';
import { cli } from '../helpers/cli.ts';

/** The install's step (bin/build.mjs `keepCases(build, 'keepInstallLists')`), into `cases`. */
const keepInstallLists = (cases: string) =>
  expect(keepCases(ensureBuilt(), 'keepInstallLists', ROOT, { CARD_CONFORMANCE_CASE_CACHE: cases })).toBeTypeOf('number');

const marks = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { mark: string }).mark);

describe("the install's cases", () => {
  it('are the ones the default run asks for: it draws nothing, and runs its 5,000 cases and more', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-install-'));
    const cases = join(dir, 'cases');
    keepInstallLists(cases);
    const r = await cli(['run', '--provider', 'all', '--report-dir', join(dir, 'report')], {
      CARD_CONFORMANCE_CASE_CACHE: cases,
      CARD_CONFORMANCE_TIMINGS: join(dir, 'marks'),
    });
    expect(r.code, r.stderr).toBe(0);
    const m = marks(join(dir, 'marks'));
    expect(m).toContain('tests-last');
    expect(m).not.toContain('predraw-start');
    expect(m).not.toContain('cases-drawn-here');
    const report = JSON.parse(readFileSync(join(dir, 'report', 'conformance.json'), 'utf8')) as ConformanceReport;
    expect(report.summary.cases).toBeGreaterThanOrEqual(5000);
    // another seed: nothing kept for it, drawn on the run's drawing thread (and still not by the workers)
    const other = await cli(['run', '--provider', 'alchemy', '--runs', '8', '--seed', '7', '--report-dir', join(dir, 'other')], {
      CARD_CONFORMANCE_CASE_CACHE: cases,
      CARD_CONFORMANCE_TIMINGS: join(dir, 'other-marks'),
    });
    expect(other.code, other.stderr).toBe(0);
    expect(marks(join(dir, 'other-marks'))).toContain('predraw-done');
    expect(marks(join(dir, 'other-marks'))).not.toContain('cases-drawn-here');
  });
});
