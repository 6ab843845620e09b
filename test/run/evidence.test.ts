/**
 * Evidence a vendor can act on, end to end: a `run` against a mock that breaks a GEP result rule
 * (the expiry) and a GEP request rule (a start date in the past). The report's evidence for each shows
 * the decrypted request and answer with the offending field, what the rule expected, and a `curl` that
 * replays: the test sends it again to the same mock (with `curl` where installed, else the same bytes
 * through undici) and gets an answer of the same shape, whose `result` opens with the platform key.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelopeOf } from '../../src/conformance/judge.ts';
import { DEVIATIONS } from '../../src/mock/deviations.ts';
import { type RunningMock, startMock } from '../../src/mock/server.ts';
import type { ConformanceReport } from '../../src/report/conformance.ts';
import { catalogue } from '../../src/spec/catalogue.ts';
import { getPath, relativePath } from '../../src/spec/evaluate.ts';
import { decodeSealed } from '../../src/wire/gep-envelope.ts';
import { createRedactor } from '../../src/wire/redact.ts';
import { cli, NO_BUDGETS } from '../helpers/cli.ts';

const RESULT_RULE = 'gep-expiry-mismatch';
const REQUEST_RULE = 'gep-accepts-past-start-date';
const deviation = (name: string) => DEVIATIONS.find((d) => d.name === name)!;

/** The argv of a `curl` line written by `shellQuote` (single quotes, `'\''` for a quote inside). */
function argvOf(line: string): string[] {
  const out: string[] = [];
  const re = /'((?:[^']|'\\'')*)'|(\S+)/g;
  for (const m of line.matchAll(re)) out.push(m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : m[2]!);
  return out;
}

const hasCurl = (process.env['PATH'] ?? '').split(delimiter).some((d) => {
  try {
    readFileSync(join(d, 'curl'));
    return true;
  } catch {
    return false;
  }
});

/** Send the request a curl line describes: with curl itself where installed, else the same bytes with undici. */
async function replay(line: string): Promise<{ via: string; text: string }> {
  const argv = argvOf(line);
  expect(argv[0]).toBe('curl');
  if (hasCurl) {
    const { stdout } = await promisify(execFile)('curl', argv.slice(1), { timeout: 30_000 });
    return { via: 'curl', text: stdout };
  }
  let method = 'GET';
  let url = '';
  let body: string | undefined;
  const headers: Record<string, string> = {};
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-X') method = argv[++i]!;
    else if (a === '-H') {
      const [name, ...v] = argv[++i]!.split(':');
      headers[name!.trim()] = v.join(':').trim();
    } else if (a === '--data-raw') body = argv[++i]!;
    else if (!a.startsWith('-')) url = a;
  }
  const r = await request(url, { method: method as 'POST', headers, ...(body !== undefined ? { body } : {}) });
  return { via: 'undici', text: await r.body.text() };
}

/** The shape of a JSON value: keys and value types, recursively (values themselves may be masked). */
const shape = (v: unknown): unknown =>
  v === null
    ? 'null'
    : Array.isArray(v)
      ? v.map(shape)
      : typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v as object)
              .map(([k, x]) => [k, shape(x)])
              .sort(),
          )
        : typeof v;

let mock: RunningMock;
let rep: ConformanceReport;
let code: number;
let stdout: string;

beforeAll(async () => {
  mock = await startMock({ deviations: [RESULT_RULE, REQUEST_RULE], timeScale: 0.002 });
  const g = mock.client.gep!;
  const dir = mkdtempSync(join(tmpdir(), 'cc-evidence-'));
  writeFileSync(join(dir, 'merchant.pem'), g.merchantPrivatePem);
  writeFileSync(join(dir, 'platform.pem'), g.platformPublicPem);
  const out = join(dir, 'report');
  const r = await cli(['run', '--provider', 'gep', '--profile', 'full', '--runs', '4', '--base-url', mock.url, '--report-dir', out], {
    // the whole suite against a local mock given by URL: no sandbox budgets (src/conformance/budget.ts)
    ...NO_BUDGETS,
    GEP_USER_NO: g.userNo,
    GEP_CERTIFICATE_ID: g.certificateId,
    GEP_MERCHANT_PRIVATE_KEY: join(dir, 'merchant.pem'),
    GEP_PLATFORM_PUBLIC_KEY: join(dir, 'platform.pem'),
    CARD_CONFORMANCE_WORKERS: '1',
    CARD_CONFORMANCE_POLL_MS: '3',
    CARD_CONFORMANCE_WAIT_MS: '3000',
  });
  code = r.code;
  stdout = r.stdout;
  rep = JSON.parse(readFileSync(join(out, 'conformance.json'), 'utf8')) as ConformanceReport;
}, 240_000);

afterAll(async () => {
  await mock?.close();
});

const failing = (ruleId: string) => {
  const rule = rep.rules.find((x) => x.id === ruleId)!;
  expect(rule.verdict, stdout.slice(-2000)).toBe('fail');
  return rule;
};

describe('evidence of a GEP run against a mock that breaks a result rule and a request rule', () => {
  it('the run fails on both rules (positive case first)', () => {
    expect(code, stdout.slice(-2000)).toBe(1);
    failing(deviation(RESULT_RULE).ruleId);
    failing(deviation(REQUEST_RULE).ruleId);
  });

  it('a result rule: the decrypted request and answer, the offending field and the expected value', () => {
    const ruleId = deviation(RESULT_RULE).ruleId;
    const rule = catalogue().byId.get(ruleId)!;
    const check = rule.check as { kind: 'monthYearOf'; dateField: string };
    const e = failing(ruleId).evidence[0]!;
    const sent = e.sent as Record<string, unknown>;
    const received = e.received as Record<string, unknown>;
    const endDate = String(getPath(sent, check.dateField));
    const want = `${endDate.slice(5, 7)}/${endDate.slice(0, 4)}`;
    const got = getPath(received, relativePath(rule));
    expect(e).toMatchObject({ rule: ruleId, source: rule.source, status: 200 });
    expect(e.expected).toBe(`${relativePath(rule)} MM/yyyy of ${check.dateField} ${endDate} → ${want}`);
    expect(typeof got).toBe('string');
    expect(got).not.toBe(want);
    expect(e.message).toContain(`${relativePath(rule)} = "${String(got)}"`);
    expect(e.message).toContain(e.expected!);
    // plaintext both ways: no ciphertext where the business payloads are shown
    expect(typeof (received['result'] as Record<string, unknown>)['cardId']).toBe('string');
    expect(JSON.stringify(received)).not.toMatch(/[0-9a-f]{64}/);
    // what a support desk asks first
    expect(e.ids).toMatchObject({ orderId: expect.any(String), cardId: expect.any(String), userReqNo: sent['userReqNo'] });
    expect(Date.parse(e.at!)).toBeGreaterThan(Date.parse(rep.startedAt) - 60_000);
    expect(e.at).toMatch(/Z$/);
    expect(e.target).toBe(new URL(mock.url).origin);
    expect(e.document).toContain(catalogue().operation('gep', 'apply').spec.document);
    expect(e.call).toContain(`card-conformance call gep apply --data '`);
  });

  it('a request rule: the decrypted request with the offending field, accepted, and what the rule expected', () => {
    const ruleId = deviation(REQUEST_RULE).ruleId;
    const rule = catalogue().byId.get(ruleId)!;
    const list = failing(ruleId).evidence;
    const e = list[0]!;
    const sent = e.sent as Record<string, unknown>;
    const startDate = String(getPath(sent, relativePath(rule)));
    // the expected line names the day the date had to reach, and the sent date is before it
    const day = /\((\d{4}-\d{2}-\d{2})\)/.exec(e.expected!)?.[1];
    expect(e.expected).toContain(`${relativePath(rule)} on or after today`);
    expect(day).toBeDefined();
    expect(startDate < day!).toBe(true);
    // accepted: a success, or the pending code (an order the provider took, outcome to follow)
    const received = e.received as Record<string, unknown>;
    expect(received['success'] === true || received['errorCode'] === envelopeOf('gep', 'apply').pendingCode, JSON.stringify(received)).toBe(
      true,
    );
    expect(e.message).toContain('accepted');
    // shrinking ran on the random cases: the smallest case leads and says how many steps it took
    const shrunk = list.find((x) => x.shrunk);
    expect(shrunk, JSON.stringify(list.map((x) => x.message))).toBe(list[0]);
    expect(shrunk!.shrunk!.steps).toBeGreaterThanOrEqual(0);
    expect(shrunk!.message).toContain(`${shrunk!.shrunk!.steps} shrinking step(s)`);
    expect(shrunk!.path!.split(':').length).toBe(shrunk!.shrunk!.from.split(':').length + shrunk!.shrunk!.steps);
  });

  it.each([
    ['result', RESULT_RULE],
    ['request', REQUEST_RULE],
  ])('the %s rule evidence replays: the curl sent again gets an answer of the same shape', async (_what, name) => {
    // an exchange whose answer carried the card (a pending one settles meanwhile, and answers otherwise when replayed)
    const e = failing(deviation(name).ruleId).evidence.find((x) => typeof (x.received as { result?: unknown }).result === 'object')!;
    expect(e).toBeDefined();
    expect(e.reproduction).toMatch(/^curl /);
    expect(e.reproduction).not.toContain('…');
    const { via, text } = await replay(e.reproduction!);
    const answer = JSON.parse(text) as Record<string, unknown>;
    expect(typeof answer['result'], `${via}: ${text.slice(0, 200)}`).toBe('string');
    const opened = { ...answer, result: decodeSealed(String(answer['result']), mock.client.gep!.platformPublicKey) };
    expect(shape(opened)).toEqual(shape(e.received));
    // the same order: the mock answers a userReqNo it has seen with that order again (an id that passes
    // Luhn is shown 6+4, as a card number would be)
    expect(createRedactor().field('orderId', (opened.result as Record<string, unknown>)['orderId'])).toBe(e.ids!['orderId']);
  });
});
