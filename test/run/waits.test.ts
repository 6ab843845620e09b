/**
 * Waits are run settings (issue 9): with `--wait 5s`, an asynchronous outcome that never settles is a
 * `fail` of its rule when the bound passes (exit 1), never a suite timeout (exit 3), and the run ends
 * well within the bound + 30 s — on the mock's fast clock and in real time (`--time-scale 1`) alike.
 * The faithful mock under the same bound passes first, so the bound itself fails nothing.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEVIATIONS } from '../../src/mock/deviations.ts';
import type { ConformanceReport } from '../../src/report/conformance.ts';
import { cli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'cc-waits-'));
const report = (d: string) => JSON.parse(readFileSync(join(d, 'conformance.json'), 'utf8')) as ConformanceReport;
const WAIT = '5s';
const ruleOf = (name: string) => DEVIATIONS.find((d) => d.name === name)!;

describe('run --wait bounds every asynchronous outcome', () => {
  it('the faithful mock passes under --wait 5s (the bound fails nothing by itself)', async () => {
    const out = join(dir, 'faithful');
    const r = await cli(['run', '--runs', '4', '--wait', WAIT, '--report-dir', out]);
    expect(r.code, r.stdout.slice(-1500) + r.stderr).toBe(0);
    expect(report(out).rules.filter((x) => x.verdict === 'fail' || x.verdict === 'error')).toEqual([]);
  });

  it.each([
    ['gep-pending-never-resolves', []],
    ['gep-pending-never-resolves', ['--time-scale', '1']],
    ['alchemy-never-active', []],
    ['alchemy-never-active', ['--time-scale', '1']],
  ] as const)(
    'with %s and --wait 5s %j: exit 1, its rule fails at the bound, never a suite timeout',
    { concurrent: true },
    async (name, extra) => {
      const d = ruleOf(name);
      const out = join(dir, `${name}${extra.join('')}`);
      const r = await cli([
        'run',
        '--provider',
        d.provider,
        '--runs',
        '4',
        '--wait',
        WAIT,
        ...extra,
        '--deviate',
        name,
        '--report-dir',
        out,
      ]);
      expect(r.code, r.stdout.slice(-2000) + r.stderr).toBe(1);
      const rep = report(out);
      const rule = rep.rules.find((x) => x.id === d.ruleId)!;
      expect(rule.verdict).toBe('fail');
      expect(rule.evidence[0]?.message).toMatch(/within 5000 ms|after 5000 ms/);
      // a bound that passes is a failed rule, never a suite that timed out
      expect(rep.rules.filter((x) => x.verdict === 'error')).toEqual([]);
      expect(rep.problems).toEqual([]);
    },
  );

  it('a bad --wait or CARD_CONFORMANCE_WAIT stops before anything runs: exit 2, one line naming it', async () => {
    const flag = await cli(['run', '--wait', '5 seconds']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toBe('card-conformance run: --wait must be a positive duration such as 5s, 500ms, 2m or 1m30s (got "5 seconds")\n');
    const stability = await cli(['run', '--stability', '0s']);
    expect(stability.code).toBe(2);
    expect(stability.stderr).toMatch(/^card-conformance run: --stability must be a positive duration/);
    const variable = await cli(['run'], { CARD_CONFORMANCE_WAIT: 'soon' });
    expect(variable.code).toBe(2);
    expect(variable.stderr).toBe(
      'card-conformance run: CARD_CONFORMANCE_WAIT: must be a positive duration such as 5s, 500ms, 2m or 1m30s\n',
    );
  });
});
