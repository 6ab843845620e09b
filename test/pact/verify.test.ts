/**
 * `card-conformance verify-pacts`, as a user runs it: the real Pact verifier through the codec proxy,
 * against the embedded mock, against another server given by ALCHEMY_BASE_URL / GEP_BASE_URL with its
 * keys (a second mock, with and without an admin surface), and against the mock with deviations that
 * break covered rules: exit 1, naming the interaction and the rule id.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startMock } from '../../src/mock/server.ts';
import { providerName } from '../../src/pact/consumer.ts';
import type { ConformanceReport } from '../../src/report/conformance.ts';
import { generateTestKeyPair } from '../../src/wire/keys.ts';
import { cli } from '../helpers/cli.ts';
import { startFakeBroker } from './fake-broker.ts';

const dir = mkdtempSync(join(tmpdir(), 'cc-verify-pacts-'));
const report = (d: string) => JSON.parse(readFileSync(join(d, 'conformance.json'), 'utf8')) as ConformanceReport;
const ENV = { PACT_DO_NOT_TRACK: 'true' };

// a second provider process's keys, known to both sides
const merchant = generateTestKeyPair(1024);
const platform = generateTestKeyPair(1024);
writeFileSync(join(dir, 'merchant.pem'), merchant.privatePem);
writeFileSync(join(dir, 'platform.pem'), platform.publicPem);
const SECRET = 'sk-second-mock-not-real-7731';
const keys = {
  alchemy: { accessKey: 'ak-second-mock', secretKey: SECRET },
  gep: {
    userNo: '7'.repeat(19),
    certificateId: '8'.repeat(19),
    merchantPublicKey: merchant.publicKey,
    platformPrivateKey: platform.privateKey,
  },
};
const envFor = (url: string) => ({
  ...ENV,
  ALCHEMY_BASE_URL: url,
  ALCHEMY_ACCESS_KEY: keys.alchemy.accessKey,
  ALCHEMY_SECRET_KEY: SECRET,
  ALCHEMY_EMAIL: 'qa@example.test',
  GEP_BASE_URL: url,
  GEP_USER_NO: keys.gep.userNo,
  GEP_CERTIFICATE_ID: keys.gep.certificateId,
  GEP_MERCHANT_PRIVATE_KEY: join(dir, 'merchant.pem'),
  GEP_PLATFORM_PUBLIC_KEY: join(dir, 'platform.pem'),
});
const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of closers) await c();
});

/** A mock whose every apply answers a complete card. */
const ALL_COMPLETE = { complete: 100, incomplete: 0, pending: 0 };

describe('verify-pacts', { concurrent: true }, () => {
  it('passes against the embedded mock: exit 0, every interaction and the rules it names pass, one report', async () => {
    const out = join(dir, 'embedded');
    const r = await cli(['verify-pacts', '--provider', 'all', '--report-dir', out], ENV);
    expect(r.code, r.stdout.slice(-3000) + r.stderr).toBe(0);
    const rep = report(out);
    expect(rep.verdict).toBe('pass');
    expect(rep.pacts!.length).toBeGreaterThan(12);
    expect(rep.pacts!.every((p) => p.verdict === 'pass')).toBe(true);
    const named = new Set(rep.pacts!.flatMap((p) => /\[([^\]]*)\]$/.exec(p.description)![1]!.split(', ')));
    for (const rule of rep.rules) {
      if (named.has(rule.id)) expect(rule.verdict, rule.id).toBe('pass');
      else expect(rule.reason, rule.id).toMatch(/not covered by a pact interaction/);
    }
    expect(rep.target.alchemy?.embedded).toBe(true);
  });

  it('passes against another server given by ALCHEMY_BASE_URL / GEP_BASE_URL with its keys (admin surface found and used)', async () => {
    const mock = await startMock({ admin: true, timeScale: 0.002, keys });
    closers.push(() => mock.close());
    const out = join(dir, 'external-admin');
    const r = await cli(['verify-pacts', '--report-dir', out], envFor(mock.url));
    expect(r.code, r.stdout.slice(-3000) + r.stderr).toBe(0);
    const rep = report(out);
    expect(rep.target.gep).toEqual({ url: mock.url, embedded: false, kind: 'sandbox' });
    expect(rep.pacts!.every((p) => p.verdict === 'pass')).toBe(true);
    expect(r.stdout).not.toContain(SECRET);
    expect(JSON.stringify(rep)).not.toContain(SECRET);
  });

  it('against a server without an admin surface: a GEP apply is tried as the plain request, what cannot be is an exclusion, never failed', async () => {
    // every apply complete: the plain try of the complete-card interaction shows its outcome on the first apply
    // (the default mix answers a fifth otherwise, and three plain tries could all miss it)
    const mock = await startMock({ admin: false, timeScale: 0.002, keys, outcomes: ALL_COMPLETE });
    closers.push(() => mock.close());
    const out = join(dir, 'external-plain');
    const r = await cli(['verify-pacts', '--report-dir', out], envFor(mock.url));
    expect(r.code, r.stdout.slice(-3000) + r.stderr).toBe(0);
    const rep = report(out);
    const skipped = rep.pacts!.filter((p) => p.verdict === 'skipped');
    expect(skipped.length).toBeGreaterThan(0);
    for (const s of skipped) expect(s.reason).toMatch(/needs the embedded mock's admin surface/);
    // the complete-card apply (its outcome only the mock can be told) was tried plainly until one showed it
    const complete = rep.pacts!.find((p) => p.description.startsWith('gep apply: a valid request opens a complete card'))!;
    expect(complete).toMatchObject({
      verdict: 'pass',
      reason: expect.stringMatching(/^tried as the plain request .*: apply 1 of 3 answered complete$/),
    });
    // what stayed skipped is listed as excluded, its rules never a pass
    for (const x of rep.rules.filter((x) => x.reason?.includes('skipped: provider state')))
      expect(x).toMatchObject({ verdict: 'skipped', excluded: true });
    expect(rep.exclusions.length).toBeGreaterThan(0);
    // the states that need nothing or the API are still set and verified: the happy Alchemy create, the duplicate
    const passed = rep.pacts!.filter((p) => p.verdict === 'pass').map((p) => p.description);
    expect(passed.some((d) => d.startsWith('alchemy create: a valid request opens a card'))).toBe(true);
    expect(passed.some((d) => d.startsWith('alchemy create: an order number used before'))).toBe(true);
    expect(rep.pacts!.filter((p) => p.verdict === 'fail')).toEqual([]);
  });

  it.each([
    ['alchemy-omits-trace-id', 'alchemy.create.response.traceId.required', 'a valid request opens a card'],
    ['alchemy-nonzero-success-code', 'alchemy.create.response.code.successIsZero', 'a valid request opens a card'],
    ['alchemy-duplicate-wrong-code', 'alchemy.create.orderNo.unique', 'an order number used before'],
    ['alchemy-accepts-bad-signature', 'alchemy.create.auth.signature', 'a wrong signature is refused'],
    ['gep-omits-order-id', 'gep.apply.response.result.orderId.required', 'a valid request opens a complete card'],
    ['gep-cvv-not-digits', 'gep.apply.response.result.cardVerifyNo.threeDigits', 'a valid request opens a complete card'],
    ['gep-generic-refusal-code', 'gep.apply.response.errorCode.matchesRule', 'a limit above the account balance'],
    ['gep-accepts-undecryptable', 'gep.apply.auth.encryption', 'a dataContent that does not decrypt'],
  ])('with %s it exits 1 naming the interaction and %s', async (deviation, ruleId, interaction) => {
    const provider = deviation.split('-')[0]!;
    const out = join(dir, deviation);
    const r = await cli(['verify-pacts', '--provider', provider, '--deviate', deviation, '--report-dir', out], ENV);
    expect(r.code, r.stdout.slice(-3000) + r.stderr).toBe(1);
    const line = r.stdout.split('\n').find((l) => l.includes('✗ fail') && l.includes(interaction));
    expect(line, r.stdout.slice(-3000)).toBeDefined();
    expect(line).toContain(ruleId);
    const rep = report(out);
    const rule = rep.rules.find((x) => x.id === ruleId)!;
    expect(rule.verdict).toBe('fail');
    expect(rule.evidence[0]?.message).toContain(interaction);
  });

  it('against a server without an admin surface whose successful GEP answers break a response rule: the plain try fails it, exit 1', async () => {
    const mock = await startMock({ admin: false, timeScale: 0.002, keys, deviations: ['gep-bad-luhn'], outcomes: ALL_COMPLETE });
    closers.push(() => mock.close());
    const out = join(dir, 'external-bad-luhn');
    const r = await cli(['verify-pacts', '--provider', 'gep', '--report-dir', out], envFor(mock.url));
    expect(r.code, r.stdout.slice(-3000) + r.stderr).toBe(1);
    const rep = report(out);
    expect(rep.rules.find((x) => x.id === 'gep.apply.response.result.cardNo.luhn')?.verdict).toBe('fail');
    const complete = rep.pacts!.find((p) => p.description.startsWith('gep apply: a valid request opens a complete card'))!;
    expect(complete.verdict).toBe('fail');
    expect(complete.failed).toContain('gep.apply.response.result.cardNo.luhn');
  });

  it('bad input is one line and exit 2: no such pact folder, a folder without a pact for the provider, an unknown deviation', async () => {
    const a = await cli(['verify-pacts', '--pact-dir', join(dir, 'nowhere')], ENV);
    expect([a.code, a.stderr.trim().split('\n')]).toEqual([
      2,
      [`card-conformance verify-pacts: --pact-dir ${join(dir, 'nowhere')} does not exist`],
    ]);
    const b = await cli(['verify-pacts', '--provider', 'gep', '--pact-dir', tmpdir()], ENV);
    expect(b.code).toBe(2);
    expect(b.stderr.trim()).toMatch(/^card-conformance verify-pacts: no pact for gep \(provider "gep-virtual-card-vas-api"\) in /);
    const c = await cli(['verify-pacts', '--deviate', 'no-such-deviation'], ENV);
    expect(c.code).toBe(2);
    expect(c.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('publishes the pacts, the verification and the sandbox deployment to a broker when PACT_BROKER_BASE_URL is set', async () => {
    const broker = await startFakeBroker({ environments: [{ name: 'sandbox', uuid: 'env-1' }] });
    closers.push(() => broker.close());
    const mock = await startMock({ admin: true, timeScale: 0.002, keys });
    closers.push(() => mock.close());
    const out = join(dir, 'broker');
    const TOKEN = 'broker-token-not-real-5512';
    const r = await cli(['verify-pacts', '--provider', 'alchemy', '--report-dir', out], {
      ...envFor(mock.url),
      PACT_BROKER_BASE_URL: broker.url,
      PACT_BROKER_TOKEN: TOKEN,
    });
    expect(r.code, r.stdout.slice(-3000) + r.stderr).toBe(0);
    const routes = broker.seen.map((s) => `${s.method} ${s.path.replace(/version\/[^/]+/, 'version/V')}`);
    expect(routes[0]).toBe('POST /contracts/publish');
    expect(routes).toContain(`POST /pacts/provider/${providerName('alchemy')}/consumer/card-conformance/version/V/verification-results`);
    const verification = broker.seen.find((s) => s.path.endsWith('/verification-results'))!.body as Record<string, unknown>;
    expect(verification['success']).toBe(true);
    // the provider version names the target (its host here) and the document version, with the day
    expect(String(verification['providerApplicationVersion'])).toMatch(/^alchemy-127\.0\.0\.1-\d+\+[0-9a-f]{8}\.\d{8}$/);
    expect(routes.at(-1)).toMatch(/^POST \/pacticipants\/.+\/deployed-versions\/environment\/env-1$/);
    for (const s of broker.seen) expect(s.headers['authorization']).toBe(`Bearer ${TOKEN}`);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });
});
