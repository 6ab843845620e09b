/**
 * The canary: a whole `run` of both providers through a proxy that plants secrets, card numbers, CVVs
 * and tokens in the answers (beside the ones the mock's cards really carry), with the configured secret
 * echoed back by the "provider". The evidence now carries whole answers in plaintext; nothing planted or
 * passed through may appear in any output: stdout, stderr, every file of the report directory (the four
 * report files: conformance.json, junit.xml, conformance.md, conformance.html) and the step summary.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningMock, startMock } from '../../src/mock/server.ts';
import { decodeSealed, encodeSealed } from '../../src/wire/gep-envelope.ts';
import { generateTestKeyPair } from '../../src/wire/keys.ts';
import { maskPan, withCheckDigit } from '../../src/wire/luhn.ts';
import { cli, NO_BUDGETS } from '../helpers/cli.ts';

const SECRET = 'canary-secret-KEY-0731';
const ACCESS_KEY = 'canary-access-4412';
const PLANTED_PAN = withCheckDigit('438357987654321');
const PLANTED_CVV = '7319';
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const PLANTED_JWT = `${b64({ alg: 'HS256' })}.${b64({ sub: 'canary-holder' })}.c2lnbmF0dXJlLWNhbmFyeQ`;
const USER_NO = '8'.repeat(18) + '1';

const merchant = generateTestKeyPair(1024);
const platform = generateTestKeyPair(1024);

/** What went through the proxy: the card data the mock really answered, and how often each plant was made. */
const seen = { pans: new Set<string>(), cvvs: new Set<string>(), tokens: new Set<string>(), plants: 0 };

/** Card data under its field names, anywhere in an answer. */
function collect(v: unknown): void {
  if (typeof v !== 'object' || v === null) return;
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === 'string' && x !== '') {
      if (/^(cardNo|number)$/.test(k)) seen.pans.add(x);
      if (/^(cvc|cardVerifyNo)$/.test(k)) seen.cvvs.add(x);
      const token = /[?&]token=([^&]+)/.exec(x)?.[1];
      if (token) seen.tokens.add(token);
    } else collect(x);
  }
}

/** The answer with canaries planted: in free text, under sensitive field names, and the configured secret echoed. */
function plant(path: string, text: string): string {
  let a: Record<string, unknown>;
  try {
    a = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return text;
  }
  seen.plants++;
  if (path.startsWith('/open/api/')) {
    collect(a);
    a['msg'] = `${String(a['msg'] ?? '')} (card ${PLANTED_PAN}, key ${SECRET}, link https://x.test/a?token=${PLANTED_JWT})`;
    if (typeof a['model'] === 'object' && a['model'] !== null && !Array.isArray(a['model']))
      Object.assign(a['model'], { cvc: PLANTED_CVV, memo: `card ${PLANTED_PAN} ${PLANTED_JWT}` });
  } else {
    a['errorMsg'] = `${String(a['errorMsg'] ?? '')} card ${PLANTED_PAN} ${PLANTED_JWT}`;
    if (typeof a['result'] === 'string' && a['result'] !== '') {
      const result = decodeSealed(a['result'], platform.publicKey) as Record<string, unknown>;
      collect(result);
      a['result'] = encodeSealed({ ...result, cvv2: PLANTED_CVV, remark: `card ${PLANTED_PAN} key ${SECRET}` }, platform.privateKey);
    }
  }
  return JSON.stringify(a);
}

let mock: RunningMock;
let proxy: Server;
const outputs: Record<string, string> = {};
let code = 0;

beforeAll(async () => {
  mock = await startMock({
    deviations: ['gep-expiry-mismatch', 'alchemy-relative-active-link'],
    timeScale: 0.002,
    keys: {
      alchemy: { accessKey: ACCESS_KEY, secretKey: SECRET },
      gep: { userNo: USER_NO, merchantPublicKey: merchant.publicKey, platformPrivateKey: platform.privateKey },
    },
  });
  proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k)),
      );
      const r = await request(`${mock.url}${req.url}`, {
        method: req.method as 'POST',
        headers: headers as Record<string, string>,
        body: Buffer.concat(chunks),
      });
      const text = await r.body.text();
      res.writeHead(r.statusCode, { 'content-type': String(r.headers['content-type'] ?? 'application/json') });
      res.end(plant(req.url ?? '', text));
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  const dir = mkdtempSync(join(tmpdir(), 'cc-canary-'));
  writeFileSync(join(dir, 'merchant.pem'), merchant.privatePem);
  writeFileSync(join(dir, 'platform.pem'), platform.publicPem);
  const out = join(dir, 'report');
  const stepSummary = join(dir, 'step-summary.md');
  const r = await cli(['run', '--profile', 'full', '--runs', '4', '--base-url', url, '--report-dir', out], {
    // the whole suite against a local mock given by URL: no sandbox budgets (src/conformance/budget.ts)
    ...NO_BUDGETS,
    ALCHEMY_ACCESS_KEY: ACCESS_KEY,
    ALCHEMY_SECRET_KEY: SECRET,
    ALCHEMY_EMAIL: 'canary@example.test',
    GEP_USER_NO: USER_NO,
    GEP_CERTIFICATE_ID: mock.client.gep?.certificateId ?? '7'.repeat(19),
    GEP_MERCHANT_PRIVATE_KEY: join(dir, 'merchant.pem'),
    GEP_PLATFORM_PUBLIC_KEY: join(dir, 'platform.pem'),
    CARD_CONFORMANCE_WORKERS: '1',
    CARD_CONFORMANCE_POLL_MS: '3',
    CARD_CONFORMANCE_WAIT_MS: '3000',
    GITHUB_STEP_SUMMARY: stepSummary,
  });
  code = r.code;
  outputs['stdout'] = r.stdout;
  outputs['stderr'] = r.stderr;
  for (const f of readdirSync(out)) outputs[f] = readFileSync(join(out, f), 'utf8');
  outputs['$GITHUB_STEP_SUMMARY'] = readFileSync(stepSummary, 'utf8');
}, 280_000);

afterAll(async () => {
  proxy?.closeAllConnections();
  await new Promise((r) => proxy?.close(r));
  await mock?.close();
});

describe('the canary: nothing planted or passed through leaks into any output', () => {
  it('the run went through, failed on the deviations, and carried the canaries (positive case first)', () => {
    expect(code, outputs['stdout']!.slice(-1500)).toBe(1);
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining(['conformance.json', 'junit.xml', 'conformance.md', 'conformance.html', '$GITHUB_STEP_SUMMARY']),
    );
    expect(seen.plants).toBeGreaterThan(100);
    expect(seen.pans.size).toBeGreaterThan(0);
    expect(seen.cvvs.size).toBeGreaterThan(0);
    expect(seen.tokens.size).toBeGreaterThan(0);
    // the answers really reached the report: their cards are there, masked 6+4, and the planted text around them
    const report = outputs['conformance.json']!;
    expect([...seen.pans].some((p) => report.includes(maskPan(p)))).toBe(true);
    expect(report).toContain(maskPan(PLANTED_PAN));
    // and the failures' evidence reached the other files too (each is checked below, so each must carry it)
    for (const f of ['junit.xml', 'conformance.md', '$GITHUB_STEP_SUMMARY']) expect(outputs[f], f).toContain(maskPan(PLANTED_PAN));
  });

  it('no secret, card number, CVV, token or key in stdout, stderr or any report file', () => {
    const values = [SECRET, ACCESS_KEY, PLANTED_PAN, PLANTED_JWT, ...seen.pans, ...seen.tokens, '-----BEGIN'];
    // XML and HTML files are read as their text would show (entities decoded), so an escaped quote hides nothing
    const shown = (t: string) =>
      t
        .replace(/&quot;|&#34;/g, '"')
        .replace(/&apos;|&#39;/g, "'")
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&');
    for (const [name, raw] of Object.entries(outputs)) {
      const text = shown(raw);
      for (const v of values) expect(text.includes(v), `${name} holds ${v.slice(0, 6)}…`).toBe(false);
      expect(text, name).not.toContain(`"${PLANTED_CVV}"`);
      // every CVV field shows [REDACTED] (or was empty)
      for (const m of text.matchAll(/\\?"(cvc|cvv2?|cardVerifyNo)\\?"\s*:\s*\\?"([^"\\]*)\\?"/gi))
        expect(['[REDACTED]', ''], `${name}: ${m[0]}`).toContain(m[2]);
    }
  });
});
