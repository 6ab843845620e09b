/**
 * The HTML report end to end: three real `run`s of the embedded mock (two with deviations, so there are
 * failures with real evidence), then `card-conformance report` over one and over all three, opened in
 * headless Debian Chromium over the DevTools Protocol. The pages must load with no console message of
 * level error or warning, no uncaught exception and no request but the page itself; the filter box must
 * work in the browser; evidence carrying `<script>` must stay text. Screenshots: reports/screenshots/.
 * Skipped with the reason when chromium is not on PATH (CI installs Debian's `chromium`).
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVIATIONS } from '../../src/mock/deviations.ts';
import type { ConformanceReport } from '../../src/report/conformance.ts';
import { Browser, CHROMIUM, type Page, type PageEvents } from '../helpers/chromium.ts';
import { cli } from '../helpers/cli.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const SCREENSHOTS = join(ROOT, 'reports', 'screenshots');
const dir = mkdtempSync(join(tmpdir(), 'cc-report-html-'));
const PLANTED = '<script>window.__planted=1</script><img src="http://127.0.0.1:9/planted.png">';

/** Each run: its seed and the mock deviations it switches on. */
const RUNS = [
  { seed: 11, deviate: ['gep-accepts-past-start-date', 'gep-expiry-mismatch'] },
  { seed: 12, deviate: [] },
  { seed: 13, deviate: ['gep-accepts-past-start-date'] },
];
const ruleOf = (name: string) => DEVIATIONS.find((d) => d.name === name)!.ruleId;
const PAST = ruleOf('gep-accepts-past-start-date');
const EXPIRY = ruleOf('gep-expiry-mismatch');

const reports: ConformanceReport[] = [];
const files: string[] = [];
let singlePath = '';
let matrixPath = '';

beforeAll(async () => {
  for (const [i, r] of RUNS.entries()) {
    const out = join(dir, `run${i + 1}`);
    const res = await cli(
      [
        'run',
        '--provider',
        'gep',
        '--runs',
        '8',
        '--seed',
        String(r.seed),
        '--report-dir',
        out,
        ...r.deviate.flatMap((d) => ['--deviate', d]),
      ],
      { CARD_CONFORMANCE_WORKERS: '1' },
      240_000,
    );
    expect(res.code, res.stdout.slice(-1500) + res.stderr).toBe(r.deviate.length ? 1 : 0);
    files.push(join(out, 'conformance.json'));
    reports.push(JSON.parse(readFileSync(files[i]!, 'utf8')) as ConformanceReport);
  }
  // the first run's evidence, as a hostile target could have answered it: markup in a message and a received value
  const planted = structuredClone(reports[0]!);
  const rule = planted.rules.find((r) => r.id === PAST)!;
  rule.evidence[0]!.message = `${PLANTED} ${rule.evidence[0]!.message}`;
  rule.evidence[0]!.received = { errorMsg: PLANTED };
  files[0] = join(dir, 'run1', 'planted.json');
  writeFileSync(files[0], JSON.stringify(planted));
  reports[0] = planted;
  singlePath = join(dir, 'single.html');
  matrixPath = join(dir, 'matrix.html');
  for (const [args, what] of [
    [[files[0]!, '--out', singlePath], 'single'],
    [[...files, '--out', matrixPath], 'matrix'],
  ] as const) {
    const res = await cli(['report', ...args]);
    expect(res.code, `${what}: ${res.stderr}`).toBe(0);
  }
}, 900_000);

describe('the pages of real runs', () => {
  it('the runs failed where the mock deviated and passed where it did not (positive case first)', () => {
    const verdict = (run: number, id: string) => reports[run]!.rules.find((r) => r.id === id)!.verdict;
    expect([verdict(0, PAST), verdict(0, EXPIRY)]).toEqual(['fail', 'fail']);
    expect([verdict(1, PAST), verdict(1, EXPIRY)]).toEqual(['pass', 'pass']);
    expect([verdict(2, PAST), verdict(2, EXPIRY)]).toEqual(['fail', 'pass']);
  });

  it('the single page carries each failure with its curl, seed, path and replay line; figures printed', () => {
    const page = readFileSync(singlePath, 'utf8');
    const row = page.slice(page.indexOf(`id="rule-${EXPIRY}"`), page.indexOf('</li>', page.indexOf(`id="rule-${EXPIRY}"`)));
    const e = reports[0]!.rules.find((r) => r.id === EXPIRY)!.evidence[0]!;
    expect(e.reproduction).toMatch(/^curl /);
    expect(row).toContain('reproduce (redacted curl)');
    expect(row).toContain(`seed <code>${e.seed}</code>`);
    expect(row).toContain(`card-conformance replay ${files[0]} ${EXPIRY}`);
    const matrix = readFileSync(matrixPath, 'utf8');
    console.log(
      `report pages: single ${(page.length / 1024).toFixed(0)} KiB (${reports[0]!.rules.length} rules), matrix of 3 runs ${(matrix.length / 1024).toFixed(0)} KiB`,
    );
  });
});

/** Events that would mean the page is not clean: console errors or warnings, log entries, exceptions, other requests. */
const dirt = (events: PageEvents, page: string) => ({
  console: events.console.filter((c) => c.type === 'error' || c.type === 'warning' || c.type === 'assert'),
  log: events.log.filter((l) => l.level === 'error' || l.level === 'warning'),
  exceptions: events.exceptions,
  requests: events.requests.filter((r) => r.url !== page),
});
const CLEAN = { console: [], log: [], exceptions: [], requests: [] };

/** Ids of the rule rows the browser actually renders (hidden ones have no boxes). */
const visibleRules = (p: Page) =>
  p.eval<string[]>(
    `[...document.querySelectorAll('.rule')].filter(r => r.getClientRects().length > 0).map(r => (r.querySelector('code.id')||{}).textContent)`,
  );
const typeFilter = (p: Page, text: string) =>
  p.eval(`(() => { const q = document.getElementById('q'); q.value = ${JSON.stringify(text)}; q.dispatchEvent(new Event('input')); })()`);

describe.skipIf(!CHROMIUM)(
  `in headless Chromium${CHROMIUM ? '' : ' — SKIPPED: chromium is not on PATH (Debian: apt-get install -y chromium)'}`,
  () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await Browser.launch();
      mkdirSync(SCREENSHOTS, { recursive: true });
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
    });

    it('the detector sees what it must: a console error and a fetch on a plain page, a CSP refusal on ours', async () => {
      const plain = join(dir, 'dirty.html');
      writeFileSync(plain, `<!doctype html><img src="http://127.0.0.1:9/x.png"><script>console.error('planted error')</script>`);
      const p = await browser.open(`file://${plain}`);
      const d = dirt(p.events, `file://${plain}`);
      expect(d.console.map((c) => c.text)).toContain('planted error');
      expect(d.requests.map((r) => r.url)).toContain('http://127.0.0.1:9/x.png');
      // our page with a raw <img> slipped in: the page's CSP refuses it, and the refusal is an error the test sees
      const ours = join(dir, 'ours-dirty.html');
      writeFileSync(ours, readFileSync(singlePath, 'utf8').replace('</body>', '<img src="http://127.0.0.1:9/y.png"></body>'));
      const q = await browser.open(`file://${ours}`);
      const e = dirt(q.events, `file://${ours}`);
      expect([...e.console.map((c) => c.text), ...e.log.map((l) => l.text)].join('\n')).toMatch(/Content Security Policy/);
    });

    it('the single-run page: no console error, no exception, no request; the planted markup stayed text', async () => {
      const url = `file://${singlePath}`;
      const p = await browser.open(url);
      expect(dirt(p.events, url)).toEqual(CLEAN);
      expect(p.events.requests.map((r) => r.url)).toEqual([url]);
      expect(await p.eval('document.querySelectorAll("script").length')).toBe(1);
      expect(await p.eval('document.querySelectorAll("img").length')).toBe(0);
      expect(await p.eval('typeof window.__planted')).toBe('undefined');
      expect(await p.eval(`document.body.textContent.includes(${JSON.stringify(PLANTED)})`)).toBe(true);
    });

    it('the filter box works: a rule id leaves its row, verdict toggles and "problems only" hide the others', async () => {
      const p = await browser.open(`file://${singlePath}`);
      const all = reports[0]!.rules;
      expect((await visibleRules(p)).length).toBe(all.length);
      await typeFilter(p, EXPIRY);
      expect(await visibleRules(p)).toEqual([EXPIRY]);
      expect(await p.eval(`document.getElementById('shown').textContent`)).toBe(`1 of ${all.length} rules shown`);
      // the groups of other fields hide with their rows
      expect(await p.eval(`[...document.querySelectorAll('.group.field')].filter(g => g.getClientRects().length > 0).length`)).toBe(1);
      await typeFilter(p, 'no rule is called this');
      expect(await visibleRules(p)).toEqual([]);
      await typeFilter(p, '');
      await p.eval(`document.querySelector('input[data-verdict="pass"]').click()`);
      expect((await visibleRules(p)).sort()).toEqual(
        all
          .filter((r) => r.verdict !== 'pass')
          .map((r) => r.id)
          .sort(),
      );
      await p.eval(`document.getElementById('problems').click()`);
      expect((await visibleRules(p)).sort()).toEqual([EXPIRY, PAST].sort());
      await p.eval(`document.getElementById('everything').click()`);
      expect((await visibleRules(p)).length).toBe(all.length);
      // the failure opened, as a reader would, for the screenshot
      await typeFilter(p, 'startDate');
      await p.eval(`document.getElementById(${JSON.stringify(`rule-${PAST}`)}).querySelector('details').open = true`);
      writeFileSync(join(SCREENSHOTS, 'report-single.png'), await p.screenshot());
      await typeFilter(p, '');
      writeFileSync(join(SCREENSHOTS, 'report-single-top.png'), await p.screenshot());
      expect(dirt(p.events, `file://${singlePath}`)).toEqual(CLEAN);
    });

    it('the 3-run matrix: one column per run, cells by verdict, "differ between runs" filters; clean in the browser', async () => {
      const url = `file://${matrixPath}`;
      const p = await browser.open(url);
      expect(dirt(p.events, url)).toEqual(CLEAN);
      const heads = await p.eval<string[]>(`[...document.querySelectorAll('th.run')].map(th => th.textContent)`);
      expect(heads).toHaveLength(3);
      heads.forEach((h, i) => {
        expect(h).toContain(reports[i]!.startedAt);
        expect(h).toContain(`seed ${RUNS[i]!.seed}`);
        expect(h).toContain(reports[i]!.verdict.toUpperCase());
      });
      const cellsOf = (id: string) =>
        p.eval<number>(
          `[...document.querySelectorAll('tr.rule')].find(tr => tr.querySelector('code.id').textContent === ${JSON.stringify(id)}).querySelectorAll('td.cell').length`,
        );
      expect(await cellsOf(PAST)).toBe(3);
      const verdicts = await p.eval<string[]>(
        `[...[...document.querySelectorAll('tr.rule')].find(tr => tr.querySelector('code.id').textContent === ${JSON.stringify(EXPIRY)}).querySelectorAll('td.cell')].map(td => td.className)`,
      );
      expect(verdicts).toEqual(['cell v-fail', 'cell v-pass', 'cell v-pass']);
      writeFileSync(join(SCREENSHOTS, 'report-matrix.png'), await p.screenshot());
      await p.eval(`document.getElementById('differs').click()`);
      const differing = await visibleRules(p);
      expect(differing).toContain(EXPIRY);
      expect(differing).toContain(PAST);
      const same = reports[0]!.rules.filter((r) => reports.every((x) => x.rules.find((y) => y.id === r.id)?.verdict === r.verdict));
      for (const r of same) expect(differing).not.toContain(r.id);
      await p.eval(`[...document.querySelectorAll('td.cell.v-fail details')][0].open = true`);
      writeFileSync(join(SCREENSHOTS, 'report-matrix-cell.png'), await p.screenshot());
      await p.eval(`document.getElementById('everything').click()`);
      expect((await visibleRules(p)).length).toBe(new Set(reports.flatMap((r) => r.rules.map((x) => x.id))).size);
      expect(dirt(p.events, url)).toEqual(CLEAN);
    });
  },
);
