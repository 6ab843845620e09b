/** What the tests of kept case lists share: a list's inputs, and a case cache in folders of its own. */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { CASE_CACHE_VARIABLE, type CaseInputs } from '../../src/conformance/case-cache.ts';
import { BUILD_VARIABLE } from '../../src/conformance/from-build.ts';

export const g = { mode: 'lenient' as const, today: '2026-11-29', knownValues: { segmentList: ['USD'] } };

/** A small list's inputs (GEP apply, valid, 3 runs, seed 7), with `over` on top. */
export const caseInputs = (over: Partial<CaseInputs> = {}): CaseInputs => ({
  kind: 'valid',
  provider: 'gep',
  operation: 'apply',
  g,
  n: 3,
  seed: 7,
  ...over,
});

/**
 * Every test of the file with a case cache of its own: a fresh folder named by CARD_CONFORMANCE_CASE_CACHE
 * and a stand-in for the CLI's build folder (its name is the sources' fingerprint) named by
 * CARD_CONFORMANCE_BUILD; both removed and the variables restored after each test.
 */
export function useCaseCacheFolders(): { dir: () => string; build: () => string; kept: () => string[] } {
  let dir = '';
  let build = '';
  const saved = { cache: process.env[CASE_CACHE_VARIABLE], build: process.env[BUILD_VARIABLE] };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cc-case-cache-'));
    build = mkdtempSync(join(tmpdir(), 'cc-build-'));
    process.env[CASE_CACHE_VARIABLE] = dir;
    process.env[BUILD_VARIABLE] = build;
  });
  afterEach(() => {
    for (const [name, v] of [
      [CASE_CACHE_VARIABLE, saved.cache],
      [BUILD_VARIABLE, saved.build],
    ] as const)
      if (v === undefined) delete process.env[name];
      else process.env[name] = v;
    rmSync(dir, { recursive: true, force: true });
    rmSync(build, { recursive: true, force: true });
  });
  return { dir: () => dir, build: () => build, kept: () => readdirSync(dir).filter((n) => n.endsWith('.v8')) };
}
