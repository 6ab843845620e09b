/**
 * `replay`: a real run with deviations records failing cases; replaying a rule's cases against a mock
 * with the same deviation still fails (exit 1), against the faithful mock passes (exit 0) — for a
 * rule broken in the rejection property, an acceptance edge and a response field. Order numbers are
 * fresh; bad input (unknown rule, a rule that did not fail, a rule no generated case decided) is one
 * line, exit 2.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../properties/generate.ts';
import { replayCommand } from '../../src/cli/replay.ts';
import { type RunningMock, startMock } from '../../src/mock/server.ts';
import type { ConformanceReport } from '../../src/report/conformance.ts';
import { catalogue } from '../../src/spec/catalogue.ts';
import { todayIn } from '../../src/spec/evaluate.ts';
import { cli } from '../helpers/cli.ts';

const DEVIATIONS = [
  'alchemy-accepts-digits-in-name',
  'alchemy-rejects-min-deposit',
  'alchemy-omits-trace-id',
  'alchemy-duplicate-wrong-code',
];
/** A rule of each judge: a broken rule accepted (rejection), a valid edge refused (acceptance), a response field missing. */
const RULES = {
  rejection: 'alchemy.create.cardHolder.firstName.pattern',
  acceptance: 'alchemy.create.deposit.range',
  response: 'alchemy.create.response.traceId.required',
};
const dir = mkdtempSync(join(tmpdir(), 'cc-replay-'));
const path = join(dir, 'conformance.json');
let report: ConformanceReport;
let deviated: RunningMock;
let faithful: RunningMock;

const envFor = (m: RunningMock) => ({
  ALCHEMY_ACCESS_KEY: m.client.alchemy.accessKey,
  ALCHEMY_SECRET_KEY: m.client.alchemy.secretKey,
  ALCHEMY_EMAIL: m.client.alchemy.email,
});
async function replay(args: string[], mock?: RunningMock): Promise<{ code: number; text: string }> {
  let text = '';
  const code = await replayCommand(
    [path, ...args, ...(mock ? ['--base-url', mock.url] : [])],
    (s) => (text += s),
    mock ? { ...envFor(mock) } : {},
  );
  return { code, text };
}

beforeAll(async () => {
  const r = await cli(
    ['run', '--provider', 'alchemy', '--runs', '2', ...DEVIATIONS.flatMap((d) => ['--deviate', d]), '--report-dir', dir],
    { CARD_CONFORMANCE_WORKERS: '1' },
  );
  expect(r.code, r.stderr.slice(-2000)).toBe(1);
  report = JSON.parse(readFileSync(path, 'utf8')) as ConformanceReport;
  [deviated, faithful] = await Promise.all([startMock({ deviations: DEVIATIONS, timeScale: 0.002 }), startMock({ timeScale: 0.002 })]);
}, 300_000);
afterAll(async () => {
  await Promise.all([deviated?.close(), faithful?.close()]);
});

describe('card-conformance replay', () => {
  for (const [judge, id] of Object.entries(RULES))
    it(`${judge}: ${id} still fails against the same deviation (exit 1) and passes against the faithful mock (exit 0)`, async () => {
      const rule = report.rules.find((r) => r.id === id)!;
      expect(rule.verdict).toBe('fail');
      expect(rule.evidence.some((e) => e.case?.property === (judge === 'rejection' ? 'rejection' : 'acceptance'))).toBe(true);
      const still = await replay([id], deviated);
      expect(still.code, still.text).toBe(1);
      expect(still.text).toMatch(/verdict: fail/);
      const now = await replay([id], faithful);
      expect(now.code, now.text).toBe(0);
      expect(now.text).not.toMatch(/verdict: (fail|undecided|error)/);
      expect(now.text).toMatch(/replayed case\(s\) pass — the rule now holds/);
      // every case printed what it sent, the answer and the verdict; the order numbers are fresh
      const sent = [...now.text.matchAll(/ {2}sent: {4}(.*)\n/g)].map((m) => JSON.parse(m[1]!) as { orderNo?: string });
      expect(sent.length).toBeGreaterThan(0);
      expect(now.text.match(/ {2}answer: {2}HTTP /g)).toHaveLength(sent.length);
      const recorded = new Set(rule.evidence.map((e) => (e.sent as { orderNo?: string } | undefined)?.orderNo));
      for (const s of sent) if (s.orderNo !== undefined) expect(recorded.has(s.orderNo), s.orderNo).toBe(false);
    });

  it('without --base-url, the embedded (faithful) mock answers: exit 0, as a process', async () => {
    const r = await cli(['replay', path, RULES.rejection]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/against the embedded mock \(faithful: the run's deviations .* are not switched on\)/);
  });

  it("without --base-url, the report's sandbox is the target; a report of production is refused", async () => {
    const asTarget = (kind: string, url: string) => {
      const p = join(dir, `${kind}.json`);
      writeFileSync(p, JSON.stringify({ ...report, target: { alchemy: { url, embedded: false, kind } } }));
      return p;
    };
    let text = '';
    // the faithful mock stands in for the sandbox the report names
    const code = await replayCommand([asTarget('sandbox', faithful.url), RULES.rejection], (s) => (text += s), envFor(faithful));
    expect(code, text).toBe(0);
    expect(text).toContain(`against ${faithful.url}`);
    await expect(replayCommand([asTarget('production', 'https://cards.example.invalid'), RULES.rejection], () => {}, {})).rejects.toThrow(
      /tested production; replay sends creates/,
    );
  });

  it('bad input is one line, exit 2: an unknown rule, a rule that did not fail, a rule no generated case decided', async () => {
    const passing = report.rules.find((r) => r.verdict === 'pass')!.id;
    const behaviour = report.rules.find((r) => r.id === 'alchemy.create.orderNo.unique')!;
    // the positive case of the last refusal: the rule failed, only not in a generated case
    expect(behaviour.verdict).toBe('fail');
    const [unknown, notFailed, noCase, missing] = await Promise.all([
      cli(['replay', path, 'alchemy.create.nothing']),
      cli(['replay', path, passing]),
      cli(['replay', path, behaviour.id]),
      cli(['replay', join(dir, 'none.json'), passing]),
    ]);
    for (const r of [unknown, notFailed, noCase, missing]) {
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(unknown.stderr).toMatch(/has no rule alchemy\.create\.nothing/);
    expect(notFailed.stderr).toMatch(/did not fail .*\(pass\)/);
    expect(noCase.stderr).toMatch(/no recorded case can be replayed \(not a generated case/);
    expect(missing.stderr).toMatch(/none\.json does not exist/);
  });
});

describe('card-conformance replay of a GEP case (sealed request, dates)', () => {
  it('a startDate of yesterday, accepted by the deviated mock, is sent as yesterday again and refused by the faithful one: exit 0', async () => {
    const out = join(dir, 'gep');
    const r = await cli(['run', '--provider', 'gep', '--runs', '2', '--deviate', 'gep-accepts-past-start-date', '--report-dir', out], {
      CARD_CONFORMANCE_WORKERS: '1',
    });
    expect(r.code, r.stderr.slice(-2000)).toBe(1);
    const rule = 'gep.apply.startDate.notBeforeToday';
    const replayed = await cli(['replay', join(out, 'conformance.json'), rule]);
    expect(replayed.code, replayed.stdout + replayed.stderr).toBe(0);
    const zone = catalogue().profiles.gep.timeZone;
    const yesterday = addDays(todayIn(zone, new Date()), -1);
    expect(replayed.stdout).toContain(`"startDate":"${yesterday}"`);
    expect(replayed.stdout).toMatch(/answer: {2}HTTP 200 \{"success":false,"errorCode":"110001"/);
  });
});
