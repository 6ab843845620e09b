import { statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TestSpecification, Vitest } from 'vitest/node';
import { ConformanceSequencer } from '../../src/conformance/sequencer.ts';
import { ROOT, sourceFiles } from '../structure/files.ts';

const project = (name: string) => ({
  name,
  config: { sequence: { groupOrder: name === 'conformance' ? 1 : 0 }, isolate: name !== 'conformance' },
});
const spec = (name: string, file: string) => ({ project: project(name), moduleId: join(ROOT, file) }) as unknown as TestSpecification;

/** A vitest context whose cache knows the durations given (by `project:path`) and every file's size. */
function sequencer(durations: Record<string, number>) {
  const ctx = {
    config: { root: ROOT, shard: undefined },
    cache: {
      getFileTestResults: (key: string) => (key in durations ? { duration: durations[key], failed: false } : undefined),
      getFileStats: (key: string) => ({ size: statSync(join(ROOT, key.slice(key.indexOf(':') + 1))).size }),
    },
  } as unknown as Vitest;
  return new ConformanceSequencer(ctx);
}

const suites = sourceFiles(['suites']).filter((f) => f.endsWith('.conformance.test.ts'));
const specs = [
  ...suites.map((f) => spec('conformance', f)),
  spec('unit', 'test/spec/build.test.ts'),
  spec('unit', 'test/wire/undici.test.ts'),
];
const names = (list: TestSpecification[]) => list.map((s) => relative(ROOT, s.moduleId));

describe('the order of the conformance suite files', () => {
  it('without measured durations (a fresh clone): the suites that wait on the clock, the rejection suites, the acceptance suites, then by size', async () => {
    const order = names(await sequencer({}).sort(specs)).filter((f) => f.startsWith('suites/'));
    expect(order.slice(0, 2).sort()).toEqual(['suites/alchemy/lifecycle.conformance.test.ts', 'suites/gep/outcomes.conformance.test.ts']);
    expect(order.slice(2, 4).sort()).toEqual([
      'suites/alchemy/create-rejection.conformance.test.ts',
      'suites/gep/apply-rejection.conformance.test.ts',
    ]);
    expect(order.slice(4, 6).sort()).toEqual([
      'suites/alchemy/create-acceptance.conformance.test.ts',
      'suites/gep/apply-acceptance.conformance.test.ts',
    ]);
    // the rest as vitest orders them: the larger file first
    const rest = order.slice(6).map((f) => statSync(join(ROOT, f)).size);
    expect(rest).toEqual([...rest].sort((a, b) => b - a));
    expect(order).toHaveLength(suites.length);
  });

  it("with every file's duration measured: vitest's own order, longest first", async () => {
    const durations = Object.fromEntries(suites.map((f, i) => [`conformance:${f}`, (i + 1) * 100]));
    const order = names(await sequencer(durations).sort(specs)).filter((f) => f.startsWith('suites/'));
    expect(order).toEqual([...suites].reverse());
  });

  it("leaves other projects' files in vitest's order, each project together", async () => {
    const order = names(await sequencer({}).sort(specs));
    const unit = order.filter((f) => f.startsWith('test/'));
    expect(unit).toHaveLength(2);
    // unit (group 0) before conformance (group 1), as vitest's groupOrder says
    expect(order.slice(0, 2)).toEqual(unit);
  });
});
