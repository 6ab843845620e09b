/**
 * `run --shard i/n` and `merge`: two real shard runs and one unsharded run with the same seed, on the
 * embedded mock with deviations that make rules of every kind fail (a rejection, an acceptance edge, a
 * response field, a behaviour suite); the merged report has the verdict of the unsharded run for every
 * rule, and the shards really are slices (each decides rules the other does not).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConformanceReport } from '../../src/report/conformance.ts';
import { UNDECIDED } from '../../src/report/conformance.ts';
import { cli } from '../helpers/cli.ts';

const FAST = { CARD_CONFORMANCE_WORKERS: '1' };
const DEVIATIONS = ['gep-accepts-past-start-date', 'alchemy-rejects-min-deposit', 'alchemy-omits-trace-id', 'alchemy-duplicate-wrong-code'];
const dir = mkdtempSync(join(tmpdir(), 'cc-shards-'));
const report = (d: string) => JSON.parse(readFileSync(join(d, 'conformance.json'), 'utf8')) as ConformanceReport;
const run = (out: string, extra: string[] = []) =>
  cli(
    ['run', '--runs', '2', '--seed', '11', ...DEVIATIONS.flatMap((d) => ['--deviate', d]), '--report-dir', join(dir, out), ...extra],
    FAST,
  );

describe('run --shard and merge', () => {
  it('the merged shards have the verdict of the unsharded run for every rule, with the same seed', async () => {
    const [one, two] = await Promise.all([run('shard-1', ['--shard', '1/2']), run('shard-2', ['--shard', '2/2'])]);
    const whole = await run('whole');
    for (const r of [one, two, whole]) expect(r.code, r.stderr.slice(-2000)).toBe(1);
    const [a, b, w] = [report(join(dir, 'shard-1')), report(join(dir, 'shard-2')), report(join(dir, 'whole'))];
    expect(a.shard).toEqual({ index: 1, count: 2 });
    expect(b.shard).toEqual({ index: 2, count: 2 });
    expect(w.shard).toBeUndefined();
    // slices: each shard leaves rules undecided that the other decides
    const undecided = (r: ConformanceReport) => new Set(r.rules.filter((x) => x.reason === UNDECIDED).map((x) => x.id));
    expect(undecided(a).size).toBeGreaterThan(0);
    expect(undecided(b).size).toBeGreaterThan(0);
    expect([...undecided(a)].filter((id) => undecided(b).has(id))).toEqual([]);

    const merged = await cli(['merge', join(dir, 'shard-1'), join(dir, 'shard-2'), '--out', join(dir, 'merged')]);
    expect(merged.code, merged.stderr).toBe(w.exitCode);
    const m = report(join(dir, 'merged'));
    const verdicts = (r: ConformanceReport) => Object.fromEntries(r.rules.map((x) => [x.id, x.verdict]));
    expect(verdicts(m)).toEqual(verdicts(w));
    // not vacuous: the deviations made rules fail, and most rules pass
    const failing = m.rules.filter((x) => x.verdict === 'fail').map((x) => x.id);
    expect(failing).toEqual(
      expect.arrayContaining([
        'gep.apply.startDate.notBeforeToday',
        'alchemy.create.deposit.range',
        'alchemy.create.response.traceId.required',
        'alchemy.create.orderNo.unique',
      ]),
    );
    expect(m.summary.pass).toBeGreaterThan(100);
    expect([m.verdict, m.summary.fail, m.summary.skipped, m.summary.failedMust, m.summary.failedShould]).toEqual([
      w.verdict,
      w.summary.fail,
      w.summary.skipped,
      w.summary.failedMust,
      w.summary.failedShould,
    ]);
  });

  it('--shard out of range is one line, exit 2, before anything runs', async () => {
    const r = await cli(['run', '--shard', '3/2', '--report-dir', join(dir, 'bad')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/--shard must be I\/N/)]);
  });
});
