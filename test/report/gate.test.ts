/**
 * The gate: `--fail-on` picks the levels whose failures fail the run, and the waivers file turns a
 * covered failure into `waived` (never failing), fails the run on an expired waiver, and reports a waiver
 * matching no failure as stale. Judged on reports built by the real builder; the file's checks on real files.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyWaivers, failsGate, WAIVERS_FILE, type Waiver, waiversPath } from '../../src/report/gate.ts';
import { readWaiversFile } from '../../src/report/waivers.ts';
import { catalogue } from '../../src/spec/catalogue.ts';
import { failing, passAll, report, ruleIds, usageLine } from './sample.ts';

const [MUST] = ruleIds('alchemy', 'MUST');
const [SHOULD] = ruleIds('gep', 'SHOULD');
const [INFO] = ruleIds('alchemy', 'INFO');
const [OTHER] = ruleIds('gep', 'MUST');
const TODAY = '2026-03-01';
const waiver = (rule: string, expires = '2026-12-31'): Waiver => ({ rule, reason: `known ${rule}`, owner: 'team-cards', expires });

describe('--fail-on', () => {
  it('the levels each setting counts', () => {
    expect([failsGate('MUST', 'must'), failsGate('SHOULD', 'must'), failsGate('INFO', 'must')]).toEqual([true, false, false]);
    expect([failsGate('MUST', 'should'), failsGate('SHOULD', 'should'), failsGate('INFO', 'should')]).toEqual([true, true, false]);
    expect([failsGate('MUST', 'info'), failsGate('SHOULD', 'info'), failsGate('INFO', 'info')]).toEqual([true, true, true]);
  });

  it('every rule passing passes under every setting (positive case first)', () => {
    for (const failOn of ['must', 'should', 'info'] as const) {
      const r = report(passAll(), { gate: { failOn, waivers: [] } });
      expect(r.exitCode, failOn).toBe(0);
      expect(r.gate).toEqual({ failOn });
    }
  });

  it("should (the default, today's behaviour): MUST and SHOULD failures fail, INFO ones are reported", () => {
    expect(report([...passAll(), failing(SHOULD!)]).exitCode).toBe(1);
    expect(report([...passAll(), failing(MUST!)]).exitCode).toBe(1);
    const info = report([...passAll(), failing(INFO!)]);
    expect(info.exitCode).toBe(0);
    expect(info.summary.failedInfo).toBe(1);
    expect(info.gate.failOn).toBe('should');
  });

  it('must: a SHOULD failure passes, a MUST failure fails; info: an INFO failure fails', () => {
    const gate = (failOn: 'must' | 'info') => ({ gate: { failOn, waivers: [] } });
    expect(report([...passAll(), failing(SHOULD!)], gate('must')).exitCode).toBe(0);
    const must = report([...passAll(), failing(MUST!)], gate('must'));
    expect(must.exitCode).toBe(1);
    expect(must.headline).toBe('not conformant: 1 MUST rules fail');
    const info = report([...passAll(), failing(INFO!)], gate('info'));
    expect(info.exitCode).toBe(1);
    expect(info.headline).toBe('not conformant: 0 MUST, 0 SHOULD and 1 INFO rules fail');
  });
});

describe('waivers', () => {
  it('a current waiver of a failure: waived, evidence and waiver kept, the gate passes; without it the same run fails', () => {
    const findings = [...passAll(), failing(MUST!)];
    expect(report(findings).exitCode).toBe(1);
    const r = report(findings, { gate: { failOn: 'should', waivers: [waiver(MUST!)], file: 'w.json' } });
    const rule = r.rules.find((x) => x.id === MUST)!;
    expect(rule.verdict).toBe('waived');
    expect(rule.waiver).toEqual({ reason: `known ${MUST}`, owner: 'team-cards', expires: '2026-12-31' });
    expect(rule.evidence[0]?.message).toBe(`${MUST} broken`);
    expect(r.exitCode).toBe(0);
    expect(r.summary).toMatchObject({ waived: 1, fail: 0, failedMust: 0 });
    expect(r.waivers).toEqual({ file: 'w.json', applied: [MUST], expired: [], stale: [] });
    expect(r.headline).toMatch(/, 1 waived/);
  });

  it('a waiver holds through its expiry day; the day after it has expired: the gate fails, the headline names it, nothing is waived', () => {
    const findings = [...passAll(), failing(MUST!)];
    const on = report(findings, { gate: { failOn: 'should', waivers: [waiver(MUST!, TODAY)], today: TODAY } });
    expect(on.exitCode).toBe(0);
    const after = report(findings, { gate: { failOn: 'should', waivers: [waiver(MUST!, '2026-02-28')], today: TODAY } });
    expect(after.exitCode).toBe(1);
    expect(after.rules.find((x) => x.id === MUST)!.verdict).toBe('fail');
    expect(after.waivers.expired).toEqual([{ id: MUST, owner: 'team-cards', expires: '2026-02-28' }]);
    expect(after.headline).toContain(`expired waiver for ${MUST} (team-cards, expired 2026-02-28)`);
  });

  it('an expired waiver fails the gate even where its rule passes (the headline says which)', () => {
    const r = report(passAll(), { gate: { failOn: 'should', waivers: [waiver(OTHER!, '2025-01-01')], today: TODAY } });
    expect(r.verdict).toBe('fail');
    expect(r.exitCode).toBe(1);
    expect(r.headline).toBe(`not conformant: expired waiver for ${OTHER} (team-cards, expired 2025-01-01)`);
  });

  it('a waiver matching no failure is stale: reported, not a failure', () => {
    const r = report([...passAll(), failing(MUST!)], { gate: { failOn: 'should', waivers: [waiver(MUST!), waiver(OTHER!)] } });
    expect(r.exitCode).toBe(0);
    expect(r.waivers.stale).toEqual([{ id: OTHER, owner: 'team-cards' }]);
    expect(r.waivers.applied).toEqual([MUST]);
    expect(r.rules.find((x) => x.id === OTHER)!.verdict).toBe('pass');
  });

  it('a waived INFO failure under --fail-on info passes; a rule of a provider not in the run is neither applied nor stale', () => {
    const r = report([...passAll(['alchemy']), failing(INFO!)], {
      providers: ['alchemy'],
      gate: { failOn: 'info', waivers: [waiver(INFO!), waiver(OTHER!)] },
    });
    expect(r.exitCode).toBe(0);
    expect(r.waivers).toEqual({ applied: [INFO], expired: [], stale: [] });
  });

  it('applyWaivers waives only fail and flaky', () => {
    const rules = [
      { id: 'a', level: 'MUST' as const, verdict: 'flaky' },
      { id: 'b', level: 'MUST' as const, verdict: 'error' },
      { id: 'c', level: 'MUST' as const, verdict: 'skipped' },
    ];
    const w = applyWaivers(rules, [waiver('a'), waiver('b'), waiver('c')], TODAY);
    expect(w.rules.map((r) => r.verdict)).toEqual(['waived', 'error', 'skipped']);
    expect(w.summary.stale.map((s) => s.id)).toEqual(['b', 'c']);
  });
});

describe('the waivers file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cc-waivers-'));
  const known = new Set(catalogue().rules.map((r) => r.id));
  const file = (name: string, content: string) => {
    const p = join(dir, name);
    writeFileSync(p, content);
    return p;
  };
  const problem = (p: string): string => usageLine((x) => readWaiversFile(x, known), p);

  it('a valid file reads (positive case first)', () => {
    const p = file('ok.json', JSON.stringify({ waivers: [waiver(MUST!), waiver(SHOULD!, '2027-02-28')] }));
    expect(readWaiversFile(p, known)).toEqual([waiver(MUST!), waiver(SHOULD!, '2027-02-28')]);
    expect(readWaiversFile(file('empty.json', '{"waivers":[]}'), known)).toEqual([]);
  });

  it('missing, not JSON, a missing field, a bad date, an unknown key, an unknown rule, a rule twice: one line naming the file', () => {
    expect(problem(join(dir, 'absent.json'))).toMatch(/cannot be read/);
    expect(problem(file('bad.json', '{"waivers": ['))).toMatch(/is not JSON/);
    expect(problem(file('owner.json', JSON.stringify({ waivers: [{ rule: MUST, reason: 'r', expires: '2026-12-31' }] })))).toMatch(
      /waivers\[0\]\.owner: /,
    );
    expect(problem(file('date.json', JSON.stringify({ waivers: [{ ...waiver(MUST!), expires: '2026-02-30' }] })))).toMatch(
      /waivers\[0\]\.expires: is not a calendar day/,
    );
    expect(problem(file('format.json', JSON.stringify({ waivers: [{ ...waiver(MUST!), expires: '31/12/2026' }] })))).toMatch(
      /waivers\[0\]\.expires: must be a date YYYY-MM-DD/,
    );
    expect(problem(file('empty-reason.json', JSON.stringify({ waivers: [{ ...waiver(MUST!), reason: ' ' }] })))).toMatch(
      /waivers\[0\]\.reason: must not be empty/,
    );
    expect(problem(file('extra.json', JSON.stringify({ waivers: [], note: 1 })))).toMatch(/note/);
    expect(problem(file('unknown.json', JSON.stringify({ waivers: [waiver(MUST!), waiver('alchemy.create.nope.x')] })))).toMatch(
      /waivers\[1\]\.rule: unknown rule id "alchemy\.create\.nope\.x"/,
    );
    expect(problem(file('twice.json', JSON.stringify({ waivers: [waiver(MUST!), waiver(MUST!)] })))).toMatch(/waived twice/);
  });

  it('the default path: --waivers as given, else conformance.waivers.json in the directory when it exists', () => {
    expect(waiversPath('x.json', dir)).toBe('x.json');
    expect(waiversPath(undefined, dir)).toBeUndefined();
    file(WAIVERS_FILE, '{"waivers":[]}');
    expect(waiversPath(undefined, dir)).toBe(join(dir, WAIVERS_FILE));
  });
});
