/**
 * The same seed gives the same cases and the same report; another seed gives other cases. The cases a
 * run keeps for the next (src/conformance/case-cache.ts) give that next run the same report.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { invalidCases, validCases } from '../../properties/cases.ts';
import type { ConformanceReport } from '../../src/report/conformance.ts';
import { cli } from '../helpers/cli.ts';

const g = { mode: 'lenient' as const, today: '2026-11-22', knownValues: { segmentList: ['USD'] } };

describe('seeds', () => {
  it('generate the same cases for the same seed and other cases for another', () => {
    for (const [p, op] of [
      ['alchemy', 'create'],
      ['gep', 'apply'],
    ] as const) {
      expect(validCases(p, op, g, 30, 7)).toEqual(validCases(p, op, g, 30, 7));
      expect(invalidCases(p, op, g, 3, 7)).toEqual(invalidCases(p, op, g, 3, 7));
      expect(validCases(p, op, g, 30, 8)).not.toEqual(validCases(p, op, g, 30, 7));
    }
  });

  it("give the same report for the same seed and run id (but for the clock), with the cases drawn on the run's thread, kept from a run before, or drawn by the workers", async () => {
    // the CLI built first, outside this test's case folder: a build made by the first run would keep its
    // rule lists (every provider's) in the folder the run names, beside the four counted below
    expect((await cli(['--help'])).code).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'cc-seed-'));
    const cases = join(dir, 'cases');
    const env = { CARD_CONFORMANCE_WORKERS: '1', CARD_CONFORMANCE_CASE_CACHE: cases };
    const marks = (n: string) => join(dir, `${n}.marks`);
    const run = (n: string, more: Record<string, string> = {}) =>
      cli(['run', '--provider', 'gep', '--runs', '6', '--seed', '42', '--run-id', 'same-run', '--report-dir', join(dir, n)], {
        ...env,
        CARD_CONFORMANCE_TIMINGS: marks(n),
        ...more,
      });
    /** How often each phase mark was written (src/conformance/timings.ts). */
    const count = (n: string) => {
      const m = new Map<string, number>();
      for (const l of readFileSync(marks(n), 'utf8').split('\n').filter(Boolean)) {
        const { mark } = JSON.parse(l) as { mark: string };
        m.set(mark, (m.get(mark) ?? 0) + 1);
      }
      return m;
    };
    // two at once, each drawing its cases on its drawing thread and keeping them in the same folder
    const [a, b] = await Promise.all(['a', 'b'].map((n) => run(n)));
    expect(a!.code).toBe(0);
    expect(b!.code).toBe(0);
    // each drew on its thread, unless the other had kept every list before it looked (a late start); no worker drew
    expect(['a', 'b'].some((n) => count(n).get('predraw-done') === 1)).toBe(true);
    for (const n of ['a', 'b']) expect(count(n).get('cases-drawn-here')).toBeUndefined();
    const kept = () => Object.fromEntries(readdirSync(cases).map((n) => [n, statSync(join(cases, n)).mtimeMs]));
    const before = kept();
    // the acceptance and rejection lists, and the two rule lists derived from cases
    expect(Object.keys(before).filter((n) => n.endsWith('.v8'))).toHaveLength(4);
    expect(Object.keys(before).filter((n) => !n.endsWith('.v8'))).toEqual([]);
    // then one that reads them: nothing drawn, nothing written again
    const c = await run('c');
    expect(c.code).toBe(0);
    expect(kept()).toEqual(before);
    // every list kept: no drawing thread is started, and the workers read them
    expect(count('c').get('predraw-start')).toBeUndefined();
    expect(count('c').get('cases-drawn-here')).toBeUndefined();
    const read = (n: string) => {
      const r = JSON.parse(readFileSync(join(dir, n, 'conformance.json'), 'utf8')) as ConformanceReport;
      // the clock, the mock's port, and the request count (polls of asynchronous outcomes follow the clock);
      // of the cards, the ids each mock gave them (in the order the concurrent requests happened to arrive)
      // and every request count (per provider, per rule, the mock's)
      const { startedAt: _s, durationMs: _d, testsMs: _m, target: _t, summary, cards, rules, ...rest } = r;
      const { requests: _r, requestsByProvider: _p, mockRequests: _k, ...counts } = summary;
      return {
        ...rest,
        counts,
        rules: rules.map(({ requests: _q, ...x }) => x),
        cards: cards.map(({ cardId: _c, ...c }) => c),
      };
    };
    const ra = read('a');
    expect(ra.seed).toBe(42);
    expect(ra.runId).toBe('same-run');
    expect(ra.cards.length).toBeGreaterThan(10);
    expect(ra.counts.cases).toBeGreaterThan(100);
    expect(read('b')).toEqual(ra);
    expect(read('c')).toEqual(ra);
    // without the drawing thread and without kept lists, the workers draw every list themselves: the same report
    const d = await run('d', { CARD_CONFORMANCE_PREDRAW: 'off', CARD_CONFORMANCE_CASE_CACHE: 'off' });
    expect(d.code).toBe(0);
    expect(count('d').get('predraw-start')).toBeUndefined();
    expect(count('d').get('cases-drawn-here')).toBe(4);
    expect(read('d')).toEqual(ra);
  });
});
