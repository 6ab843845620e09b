/**
 * The order the conformance suite files start in. Two workers take files one at a time, so the longest
 * must start first, or one worker ends the run alone with it. Vitest orders by its cache of each file's
 * last duration, and without one (a fresh clone, a CI machine) by file size, largest first: that put the
 * property suites, one-line files that draw and send thousands of cases, last of all. So when the cache
 * does not know every conformance file: first the suites that declare waits on the provider's clock
 * (their waits then overlap the other worker's drawing and sending, instead of ending the run with a
 * worker that only waits), then the property suites, those that break each rule (the most cases) before
 * those that draw valid requests, then vitest's order. Other projects keep vitest's.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** 0: a suite that declares asynchronous waits, 1: a rejection property suite, 2: an acceptance one, 3: any other file. */
function weight(file: string): number {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return 3;
  }
  // the waits a suite declares to the harness (`conformance(…, { waits: N })`, its timeout's asynchronous phases)
  if (/\bwaits:\s*[1-9]/.test(text)) return 0;
  if (/\brejection\(/.test(text)) return 1;
  if (/\bacceptance\(/.test(text)) return 2;
  return 3;
}

export class ConformanceSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const conformance = sorted.filter((s) => s.project.name === 'conformance');
    const root = this.ctx.config.root;
    const known = (s: TestSpecification) => this.ctx.cache.getFileTestResults(`${s.project.name}:${relative(root, s.moduleId)}`);
    // measured durations: vitest's longest-first order is the better one
    if (conformance.every(known)) return sorted;
    const rank = new Map(sorted.map((s, i) => [s, i]));
    const w = new Map(sorted.map((s) => [s, s.project.name === 'conformance' ? weight(s.moduleId) : 3]));
    // stable: vitest's order within a weight, and between projects (a project's files stay together)
    return [...sorted].sort((a, b) =>
      a.project.name !== b.project.name ? rank.get(a)! - rank.get(b)! : w.get(a)! - w.get(b)! || rank.get(a)! - rank.get(b)!,
    );
  }
}
