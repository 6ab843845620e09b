/**
 * `card-conformance report <a.json> [<b.json> …] --out <file.html>` as a user's CI script runs it: the
 * page of one report, the matrix of several, and every bad input as one line on stderr with exit 2 and
 * nothing written (an existing page is left as it was).
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Findings } from '../../src/conformance/findings.ts';
import type { SessionSummary } from '../../src/conformance/session.ts';
import { buildReport } from '../../src/report/conformance.ts';
import { catalogue } from '../../src/spec/catalogue.ts';
import { cli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'cc-report-cli-'));
const FAILING = catalogue().rules.find((r) => r.provider === 'gep')!.id;

function write(name: string, seed: number, fail: boolean): string {
  const f = new Findings();
  for (const r of catalogue().rules.filter((x) => x.provider === 'gep'))
    if (fail && r.id === FAILING) f.fail(r.id, { message: `broken in run ${seed}` });
    else f.pass(r.id);
  const rep = buildReport({
    findings: f.list(),
    crashed: [],
    cases: 1,
    requests: 1,
    session: { settings: { seed, runs: 1, mode: 'lenient', deviate: [] }, target: {}, control: {} } as unknown as SessionSummary,
    problems: [],
    startedAt: new Date(Date.UTC(2026, 10, seed)),
    durationMs: 1,
    testsMs: 1,
    providers: ['gep'],
  });
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(rep));
  return path;
}

let a: string;
let b: string;
let c: string;
beforeAll(() => {
  a = write('a.json', 1, true);
  b = write('b.json', 2, false);
  c = write('c.json', 3, true);
  writeFileSync(join(dir, 'bad.json'), '{"tool": "card-conformance", "rules": [');
  writeFileSync(join(dir, 'other.json'), '{"hello": "world"}');
});

/** One line on stderr, naming what was wrong, exit 2 (the callers check that nothing was written). */
async function refused(args: string[], names: RegExp) {
  const r = await cli(['report', ...args]);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(/^card-conformance report: /);
  expect(r.stderr).toMatch(names);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stdout).toBe('');
  return r;
}

describe('card-conformance report', () => {
  it('one report: the single-run page, written to --out (positive case first)', async () => {
    const out = join(dir, 'one.html');
    const r = await cli(['report', a, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^card-conformance report: one run \\(fail\\), \\d+ rules written to ${out} \\(\\d+ KiB\\)\\n$`));
    const page = readFileSync(out, 'utf8');
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('<div class="big">FAIL</div>');
    expect(page).toContain(`card-conformance replay ${a} ${FAILING}`);
    expect(page).not.toContain('<table class="matrix">');
  });

  it('three reports: the matrix, one column per report in the order given, and --title', async () => {
    const out = join(dir, 'three.html');
    const r = await cli(['report', a, b, c, '--out', out, '--title', 'sandbox, last week']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('3 runs × ');
    const page = readFileSync(out, 'utf8');
    expect(page).toContain('<title>sandbox, last week</title>');
    expect([...page.matchAll(/<th class="run r-(\w+)" scope="col"><div class="runno">run (\d)/g)].map((m) => `${m[2]}:${m[1]}`)).toEqual([
      '1:fail',
      '2:pass',
      '3:fail',
    ]);
    expect(page.indexOf(a)).toBeLessThan(page.indexOf(b));
    expect(page.indexOf(b)).toBeLessThan(page.indexOf(c));
  });

  it('refuses a missing report, bad JSON, a file that is no report, and leaves an existing page as it was', async () => {
    const out = join(dir, 'kept.html');
    writeFileSync(out, 'the page from before');
    await Promise.all([
      refused([a, join(dir, 'nope.json'), '--out', out], /nope\.json does not exist/),
      refused([join(dir, 'bad.json'), '--out', out], /bad\.json is not JSON/),
      refused([join(dir, 'other.json'), '--out', out], /other\.json is not a card-conformance report/),
      refused([dir, '--out', out], /is a directory/),
    ]);
    expect(readFileSync(out, 'utf8')).toBe('the page from before');
  });

  it('refuses no report, no --out, an --out whose folder is missing, and an unknown flag', async () => {
    const out = join(dir, 'never.html');
    await Promise.all([
      refused(['--out', out], /one or more conformance\.json files/),
      refused([a], /needs --out FILE/),
      refused([a, '--out', join(dir, 'no', 'such', 'x.html')], /the folder .* does not exist/),
      refused([a, '--out', out, '--colour'], /--colour.*see card-conformance report --help/),
    ]);
    expect(existsSync(out)).toBe(false);
  });
});
