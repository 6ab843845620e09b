/**
 * What the suites' workers load: the modules their files reach by imports that stay at run time (type-only
 * imports are erased). Each worker starts on the critical path of every run, so it must not carry the
 * run's process-side parts (the embedded mock, the preflight, the configuration loader) nor zod and dotenv
 * (about 50 ms of each worker's start): the catalogue reads the shipped data as checked by the build.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, readSource, sourceFiles } from './files.ts';

/** The import specifiers of a file that survive compilation (not `import type`, not `export type`). */
function runtimeImports(text: string): string[] {
  const out: string[] = [];
  const statement = /^\s*(?:import|export)\s+(type\s+)?(?:[^;'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gms;
  for (const m of text.matchAll(statement)) if (m[1] === undefined) out.push(m[2]!);
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]!);
  return out;
}

/** The repository files and the packages reachable from `entries` by run-time imports. */
function graphOf(entries: readonly string[]): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (path: string) => {
    if (files.has(path)) return;
    files.add(path);
    for (const spec of runtimeImports(readSource(path))) {
      if (spec.startsWith('.')) {
        const to = join(dirname(path), spec);
        if (existsSync(join(ROOT, to))) visit(to);
      } else if (!spec.startsWith('node:'))
        packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  };
  for (const e of entries) visit(e);
  return { files, packages };
}

const suites = sourceFiles(['suites']).filter((f) => f.endsWith('.conformance.test.ts'));
const worker = graphOf(suites);

describe("the suites' workers", () => {
  it('the scanner follows run-time imports and skips type-only ones (positive case first)', () => {
    expect(
      runtimeImports(
        "import type { z } from 'zod';\nimport { a, type B } from './a.ts';\nexport type { C } from './c.ts';\nexport { d } from './d.ts';\nimport fc from 'fast-check';\nawait import('./e.ts');",
      ),
    ).toEqual(['./a.ts', './d.ts', 'fast-check', './e.ts']);
    expect(suites.length).toBeGreaterThan(5);
    expect(worker.files).toContain('src/conformance/harness.ts');
    expect(worker.files).toContain('src/spec/catalogue.ts');
    expect(worker.files).toContain('src/client/gep.ts');
    expect(worker.packages).toContain('fast-check');
    expect(worker.packages).toContain('vitest');
  });

  it('load neither zod nor dotenv', () => {
    expect([...worker.packages].filter((p) => p === 'zod' || p === 'dotenv')).toEqual([]);
    // the run's process and the build still check with zod
    expect(graphOf(['src/spec/build.ts']).packages).toContain('zod');
  });

  it("load none of the run's process-side parts: the embedded mock, the session opener, the preflight, the configuration loader", () => {
    const processSide = [...worker.files].filter(
      (f) =>
        f.startsWith('src/mock/') ||
        ['src/conformance/session.ts', 'src/conformance/preflight.ts', 'src/conformance/receiver.ts', 'src/config/env.ts'].includes(f),
    );
    expect(processSide).toEqual([]);
  });
});
