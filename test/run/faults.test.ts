/**
 * A provider under real conditions, played by the embedded mock's faults. A transient fault (a rate
 * limit, an intermittent 503, a dropped connection, a connection dropped after the create was processed)
 * is ridden out with the same request bodies: the verdict is the faithful one, exit 0. A persistent
 * fault (HTML, a body cut short, a 20 MB body, a result sealed with another key, no answer in time) leaves
 * nothing to judge: exit 3, every rule `error` or skipped, none `fail` or `pass`, the report written, no
 * secret in any output. A steady rate limit or outage (every second request 429, every third 503, retries
 * struck as often as any request) is ridden out by the default ride-out window: exit 0, nothing in error.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAULTS, type FaultName } from '../../src/mock/faults.ts';
import type { ConformanceReport } from '../../src/report/conformance.ts';
import { cli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'cc-faults-'));
const LIMITS = { CARD_CONFORMANCE_CALL_TIMEOUT_MS: '2000', CARD_CONFORMANCE_WORKERS: '1' };
/** A persistent fault's requests give up after three attempts: what it proves does not need the ride-out window. */
const FEW_TRIES = { CARD_CONFORMANCE_RETRIES: '2' };
const STEADY: readonly FaultName[] = ['ratelimit-steady', 'unavailable-steady'];

async function runWith(fault: FaultName, provider: string, env: Record<string, string> = {}) {
  const out = join(dir, fault);
  // a steady fault costs a retry per struck request (a second each for the rate limit): smoke's requests show it
  const profile = STEADY.includes(fault) ? ['--profile', 'smoke'] : ['--runs', '4'];
  const r = await cli(
    ['run', '--provider', provider, ...profile, '--report-dir', out],
    { ...LIMITS, ...env, CARD_CONFORMANCE_MOCK_FAULTS: fault },
    240_000,
  );
  const rep = JSON.parse(readFileSync(join(out, 'conformance.json'), 'utf8')) as ConformanceReport;
  return { r, rep };
}

const transient = (Object.keys(FAULTS) as FaultName[]).filter((f) => FAULTS[f].transient && f !== 'reset-after-commit');
const persistent = (Object.keys(FAULTS) as FaultName[]).filter((f) => !FAULTS[f].transient);

describe('the embedded mock with a fault on the wire', () => {
  it.for(transient)('%s (transient): ridden out with the same bodies, the faithful verdict, exit 0', async (fault) => {
    const { r, rep } = await runWith(fault, 'all');
    expect(r.code, r.stdout.slice(-2000)).toBe(0);
    expect(rep.rules.filter((x) => x.verdict === 'pass').length).toBeGreaterThan(100);
    expect(rep.rules.filter((x) => x.verdict === 'fail' || x.verdict === 'error')).toEqual([]);
  });

  it('ratelimit-steady without the ride-out (no retries): the fault strikes, nothing is judged on a 429, exit 3', async () => {
    // the positive case of the test above: what rides the fault out is the retrying, not a fault that missed
    const out = join(dir, 'ratelimit-steady-no-retries');
    const r = await cli(['run', '--provider', 'alchemy', '--profile', 'smoke', '--report-dir', out], {
      ...LIMITS,
      CARD_CONFORMANCE_RETRIES: '0',
      CARD_CONFORMANCE_MOCK_FAULTS: 'ratelimit-steady',
    });
    const rep = JSON.parse(readFileSync(join(out, 'conformance.json'), 'utf8')) as ConformanceReport;
    expect(r.code, r.stdout.slice(-2000)).toBe(3);
    expect(rep.rules.filter((x) => x.verdict === 'fail')).toEqual([]);
    expect(rep.rules.some((x) => x.verdict === 'error' && /HTTP 429/.test(x.reason ?? ''))).toBe(true);
  });

  it('reset-after-commit: a create processed but unanswered is reconciled by its order number, never "a valid request refused"', async () => {
    const { r, rep } = await runWith('reset-after-commit', 'all');
    // the acceptance property and the positive control reconcile; behaviour suites whose create answer was
    // lost report their rules `error` (nothing to follow), never `fail`
    expect([0, 3], r.stdout.slice(-2000)).toContain(r.code);
    expect(rep.rules.filter((x) => x.verdict === 'fail')).toEqual([]);
    expect(rep.rules.find((x) => x.id === 'alchemy.create.request.acceptsValid')!.verdict).toBe('pass');
    expect(rep.rules.find((x) => x.id === 'gep.apply.request.acceptsValid')!.verdict).toBe('pass');
  });

  it.for(persistent)('%s (persistent): exit 3, nothing judged, the report written, within the derived bound', async (fault) => {
    const provider = fault === 'wrong-key' ? 'gep' : 'all';
    const { r, rep } = await runWith(fault, provider, FEW_TRIES);
    expect(r.code, r.stdout.slice(-2000)).toBe(3);
    expect(rep.verdict).toBe('error');
    expect(rep.rules.filter((x) => x.verdict === 'fail' || x.verdict === 'pass').map((x) => x.id)).toEqual([]);
    // the positive control is where it stopped: no case of any suite was sent
    for (const p of provider === 'all' ? (['alchemy', 'gep'] as const) : (['gep'] as const))
      expect(rep.positiveControl[p]?.ok, p).toBe(false);
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/-----BEGIN|secretKey|ach-access-sign: [A-Za-z0-9+/=]{20,}/);
  });
});
