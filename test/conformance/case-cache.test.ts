/** The property suites' generated cases kept between runs (src/conformance/case-cache.ts). */
import { mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { invalidCases, validCases } from '../../properties/cases.ts';
import {
  CASE_CACHE_VARIABLE,
  type CaseInputs,
  cachedCases,
  caseCacheDir,
  caseKey,
  isKept,
  KEPT,
} from '../../src/conformance/case-cache.ts';
import { BUILD_VARIABLE } from '../../src/conformance/from-build.ts';
import { caseInputs, g, useCaseCacheFolders } from '../helpers/case-cache.ts';

const inputs = caseInputs;
const folders = useCaseCacheFolders();

/** A draw that counts its calls. */
function counted<T>(value: () => T[]) {
  const d = {
    calls: 0,
    draw: () => {
      d.calls++;
      return value();
    },
  };
  return d;
}
const lists = folders.kept;

describe('cachedCases', () => {
  it('draws a list once, then reads it back as drawn: undefined, -0, NaN, sparse arrays and nesting kept', () => {
    const sparse = [1, 2, 3];
    delete sparse[1];
    const odd = () => [{ value: { a: undefined, b: -0, c: Number.NaN, d: sparse, e: { f: 'x'.repeat(300) } }, rules: ['r'] }];
    const d = counted(odd);
    expect(isKept(caseKey(inputs()))).toBe(false);
    const first = cachedCases(inputs(), d.draw);
    expect(d.calls).toBe(1);
    expect(lists()).toEqual([`${caseKey(inputs())}.v8`]);
    expect(isKept(caseKey(inputs()))).toBe(true);
    expect(isKept(caseKey(inputs()), { ...process.env, CARD_CONFORMANCE_CASE_CACHE: 'off' })).toBe(false);
    const again = cachedCases(inputs(), d.draw);
    expect(d.calls).toBe(1);
    expect(again).toStrictEqual(first);
    expect(Object.is((again[0]!.value as { b: number }).b, -0)).toBe(true);
    expect(Object.hasOwn(again[0]!.value, 'a')).toBe(true);
    expect(1 in (again[0]!.value as { d: unknown[] }).d).toBe(false);
  });

  it('keys every input: another seed, depth, kind, date, mode, segment list or spec version is drawn anew', () => {
    const d = counted(() => [1]);
    cachedCases(inputs(), d.draw);
    const others: CaseInputs[] = [
      inputs({ seed: 8 }),
      inputs({ n: 4 }),
      inputs({ kind: 'invalid' }),
      inputs({ provider: 'alchemy', operation: 'create' }),
      inputs({ g: { ...g, today: '2026-11-30' } }),
      inputs({ g: { ...g, mode: 'strict' } }),
      inputs({ g: { ...g, knownValues: { segmentList: ['EUR'] } } }),
    ];
    for (const o of others) cachedCases(o, d.draw);
    expect(d.calls).toBe(1 + others.length);
    expect(new Set([inputs(), ...others].map((i) => caseKey(i))).size).toBe(1 + others.length);
    expect(caseKey(inputs(), { CARD_CONFORMANCE_SPEC_VERSION: 'alchemy-v2' })).not.toBe(caseKey(inputs(), {}));
  });

  it('keys the build: a folder kept across versions of the tool never gives one build the lists of another', () => {
    const d = counted(() => ['drawn by the first build']);
    cachedCases(inputs(), d.draw);
    const next = mkdtempSync(join(tmpdir(), 'cc-build-'));
    try {
      process.env[BUILD_VARIABLE] = next;
      const e = counted(() => ['drawn by the next build']);
      expect(cachedCases(inputs(), e.draw)).toEqual(['drawn by the next build']);
      expect(e.calls).toBe(1);
      expect(lists()).toHaveLength(2);
      process.env[BUILD_VARIABLE] = folders.build();
      expect(cachedCases(inputs(), d.draw)).toEqual(['drawn by the first build']);
      expect(d.calls).toBe(1);
    } finally {
      rmSync(next, { recursive: true, force: true });
    }
  });

  it('the real generators: a list read back equals a fresh draw of the same inputs', () => {
    for (const kind of ['valid', 'invalid'] as const) {
      const i = inputs({ kind, n: 2 });
      const draw = () => (kind === 'valid' ? validCases('gep', 'apply', g, 2, 7) : invalidCases('gep', 'apply', g, 2, 7));
      cachedCases(i, draw);
      const d = counted(draw);
      expect(cachedCases(i, d.draw)).toStrictEqual(draw());
      expect(d.calls).toBe(0);
    }
  });

  it('a file that cannot be read is drawn again and written whole; no part file is left', () => {
    writeFileSync(join(folders.dir(), `${caseKey(inputs())}.v8`), 'not a serialized list');
    const d = counted(() => ['fresh']);
    expect(cachedCases(inputs(), d.draw)).toEqual(['fresh']);
    expect(cachedCases(inputs(), d.draw)).toEqual(['fresh']);
    expect(d.calls).toBe(1);
    expect(readdirSync(folders.dir()).filter((n) => n.endsWith('.part'))).toEqual([]);
  });

  it(`keeps the ${KEPT} most recently written lists`, () => {
    for (let seed = 0; seed < KEPT + 5; seed++) {
      cachedCases(inputs({ seed }), () => [seed]);
      // distinct write times, oldest first
      utimesSync(join(folders.dir(), `${caseKey(inputs({ seed }))}.v8`), seed + 1, seed + 1);
    }
    cachedCases(inputs({ seed: 1000 }), () => [1000]);
    expect(lists()).toHaveLength(KEPT);
    const kept = new Set(lists());
    expect(kept.has(`${caseKey(inputs({ seed: 1000 }))}.v8`)).toBe(true);
    expect(kept.has(`${caseKey(inputs({ seed: 0 }))}.v8`)).toBe(false);
    expect(Math.min(...lists().map((n) => statSync(join(folders.dir(), n)).mtimeMs))).toBeGreaterThan(5_000);
  });

  it('off, or no build (the sources have no fingerprint) even with a folder named: every call draws and nothing is written', () => {
    process.env[CASE_CACHE_VARIABLE] = 'off';
    const d = counted(() => [1]);
    cachedCases(inputs(), d.draw);
    cachedCases(inputs(), d.draw);
    expect(d.calls).toBe(2);
    process.env[CASE_CACHE_VARIABLE] = folders.dir();
    delete process.env[BUILD_VARIABLE];
    expect(caseCacheDir()).toBeUndefined();
    cachedCases(inputs(), d.draw);
    cachedCases(inputs(), d.draw);
    expect(d.calls).toBe(4);
    expect(lists()).toEqual([]);
  });

  it('a folder that cannot be written keeps nothing and still gives the drawn list', () => {
    const file = join(folders.dir(), 'a-file');
    writeFileSync(file, '');
    process.env[CASE_CACHE_VARIABLE] = join(file, 'below');
    const d = counted(() => ['drawn']);
    expect(cachedCases(inputs(), d.draw)).toEqual(['drawn']);
    expect(cachedCases(inputs(), d.draw)).toEqual(['drawn']);
    expect(d.calls).toBe(2);
  });

  it('the default folder is cases/ of the CLI build the environment names; a folder named is taken from the working directory', () => {
    delete process.env[CASE_CACHE_VARIABLE];
    expect(caseCacheDir()).toBe(join(folders.build(), 'cases'));
    expect(caseCacheDir({ [BUILD_VARIABLE]: folders.build(), [CASE_CACHE_VARIABLE]: 'relative/path' })).toBe(
      join(process.cwd(), 'relative/path'),
    );
  });
});
