/**
 * The floors, ground up: a lower floor never imports a higher one (type-only imports included), so the
 * wire layer and the data stay usable without the rules, the rules without the clients, and so on. The
 * order is the one the README states; every source directory must be on a floor.
 */
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSource, sourceFiles } from './files.ts';

const FLOORS: ReadonlyArray<readonly string[]> = [
  ['contracts/', 'src/wire/'],
  ['src/spec/', 'src/checks/'],
  ['src/schemas/', 'properties/', 'src/client/', 'src/config/'],
  ['src/mock/', 'src/conformance/', 'src/pact/', 'suites/'],
  ['src/report/'],
  ['src/cli/'],
];

/** Imports between rooms of one floor that are forbidden all the same, with the reason. */
const FORBIDDEN: ReadonlyArray<{ from: string; to: string; why: string }> = [
  { from: 'src/client/', to: 'src/config/', why: 'clients take their targets and limits as parameters' },
  { from: 'src/conformance/harness.ts', to: 'src/mock/', why: 'the harness tests any target; it does not reach into the mock' },
];

/**
 * The one allowed step up: the data modules are typed by the schema that validates them (type-only,
 * erased at run time, and src/spec/types.ts reads nothing of the data).
 */
const ALLOWED_UP: ReadonlyArray<{ from: string; to: string; typeOnly: true }> = [
  { from: 'contracts/', to: 'src/spec/types.ts', typeOnly: true },
];

const SCANNED = [...new Set(FLOORS.flat().map((p) => p.split('/')[0]!))];

interface Edge {
  from: string;
  to: string;
  typeOnly: boolean;
}

/** Every relative import of a file: `import … from`, `export … from`, `import('…')`, as repository paths. */
function importsOf(path: string, text: string): Edge[] {
  const edges: Edge[] = [];
  const statement = /^\s*(import|export)\s+(type\s+)?[^;]*?\sfrom\s+['"](\.{1,2}\/[^'"]+)['"]/gms;
  for (const m of text.matchAll(statement)) edges.push({ from: path, to: join(dirname(path), m[3]!), typeOnly: m[2] !== undefined });
  for (const m of text.matchAll(/\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g))
    edges.push({ from: path, to: join(dirname(path), m[1]!), typeOnly: false });
  return edges;
}

const floorOf = (path: string): number => FLOORS.findIndex((rooms) => rooms.some((r) => path.startsWith(r)));

function violations(edges: readonly Edge[]): string[] {
  return edges.flatMap((e) => {
    const [from, to] = [floorOf(e.from), floorOf(e.to)];
    if (to < 0) return []; // node_modules-free relative imports outside the floors (none today) are not ours to order
    const forbidden = FORBIDDEN.find((f) => e.from.startsWith(f.from) && e.to.startsWith(f.to));
    if (forbidden) return [`${e.from} imports ${e.to}: ${forbidden.why}`];
    if (to <= from) return [];
    if (ALLOWED_UP.some((a) => e.from.startsWith(a.from) && e.to === a.to && e.typeOnly)) return [];
    return [`${e.from} (floor ${from}) imports ${e.to} (floor ${to})`];
  });
}

const files = sourceFiles(SCANNED);
const edges = files.flatMap((f) => importsOf(f, readSource(f)));

describe('floors', () => {
  it('the scanner sees the imports it must judge (positive case first)', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(edges).toContainEqual({ from: 'src/checks/luhn.ts', to: 'src/wire/luhn.ts', typeOnly: false });
    expect(edges).toContainEqual({ from: 'src/wire/redact.ts', to: 'src/wire/luhn.ts', typeOnly: false });
    expect(edges.some((e) => e.from === 'src/cli/run.ts' && e.to === 'src/report/reporter.ts')).toBe(true);
    expect(importsOf('src/a/b.ts', "import type {\n  X,\n} from '../c/d.ts';\nexport * from './e.ts';\nawait import('../f.ts');")).toEqual([
      { from: 'src/a/b.ts', to: 'src/c/d.ts', typeOnly: true },
      { from: 'src/a/b.ts', to: 'src/a/e.ts', typeOnly: false },
      { from: 'src/a/b.ts', to: 'src/f.ts', typeOnly: false },
    ]);
  });

  it('the judge catches a step up, a type-only step up, and a forbidden import on one floor', () => {
    expect(violations([{ from: 'src/wire/errors.ts', to: 'src/spec/registry.ts', typeOnly: true }])).toHaveLength(1);
    expect(violations([{ from: 'src/spec/evaluate.ts', to: 'src/mock/rng.ts', typeOnly: false }])).toHaveLength(1);
    expect(violations([{ from: 'src/client/call-spec.ts', to: 'src/config/env.ts', typeOnly: true }])).toHaveLength(1);
    expect(violations([{ from: 'src/conformance/harness.ts', to: 'src/mock/rng.ts', typeOnly: false }])).toHaveLength(1);
    expect(violations([{ from: 'contracts/gep/apply.ts', to: 'src/spec/types.ts', typeOnly: false }])).toHaveLength(1);
    expect(violations([{ from: 'contracts/gep/apply.ts', to: 'src/spec/types.ts', typeOnly: true }])).toEqual([]);
  });

  it('every source file is on a floor', () => {
    expect(files.filter((f) => floorOf(f) < 0)).toEqual([]);
  });

  it('no floor imports a higher one', () => {
    expect(violations(edges)).toEqual([]);
  });

  it('src/wire/luhn.ts and src/wire/hash.ts import nothing at all', () => {
    expect(edges.filter((e) => e.from === 'src/wire/luhn.ts' || e.from === 'src/wire/hash.ts')).toEqual([]);
  });
});
