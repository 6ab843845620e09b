/**
 * A second provider of the project's own: the embedded mock with every leeway (mock/leeway.ts), reading
 * the documents' open points otherwise than the faithful mock — a number for a String field refused, a
 * body that is no object signed only as its bytes, the fields checked before the signature and in the
 * reverse order. First each reading is shown to differ from the faithful mock's; then full and smoke
 * runs on five seeds, and a smoke run against it as a remote target (the sandbox path), never fail a
 * rule: a verdict that did would be stricter than the documents.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEEWAY_NAMES } from '../../src/mock/leeway.ts';
import { type RunningMock, startMock } from '../../src/mock/server.ts';
import type { ConformanceReport } from '../../src/report/conformance.ts';
import { catalogue } from '../../src/spec/catalogue.ts';
import { generateTestKeyPair } from '../../src/wire/keys.ts';
import { cli } from '../helpers/cli.ts';
import { codeOf, newTransport, plainGepApply, startHarness, uid } from '../mock/support.ts';

const dir = mkdtempSync(join(tmpdir(), 'cc-leeway-'));
const read = (out: string) => JSON.parse(readFileSync(join(out, 'conformance.json'), 'utf8')) as ConformanceReport;
const transport = newTransport();
const alchemyCreate = catalogue().profiles.alchemy.calls.find((c) => c.operation === 'create')!.path;

describe('each leeway reads an open point otherwise than the faithful mock', () => {
  let faithful: Awaited<ReturnType<typeof startHarness>>;
  let other: Awaited<ReturnType<typeof startHarness>>;
  // bytes-signed alone: fields-first would refuse the null body before its signature is looked at
  let bytesSigned: Awaited<ReturnType<typeof startHarness>>;
  beforeAll(async () => {
    faithful = await startHarness(transport);
    other = await startHarness(transport, { leeway: LEEWAY_NAMES });
    bytesSigned = await startHarness(transport, { leeway: ['bytes-signed'] });
  });
  afterAll(async () => {
    await faithful?.close();
    await other?.close();
    await bytesSigned?.close();
  });

  it('literal-strings: channelType 2 (a number where the table writes String) is taken by the faithful mock, refused by the other', async () => {
    const body = () => plainGepApply(uid('lw'), { channelType: 2, groupId: 'g-1', binRangeId: undefined });
    const f = await faithful.gep.apply(body());
    const o = await other.gep.apply(body());
    expect((f.body as { success?: unknown }).success === true || codeOf(f) === '140001').toBe(true);
    expect([(o.body as { success?: unknown }).success, codeOf(o)]).toEqual([false, '110001']);
  });

  it('bytes-signed: a null body signed in its canonical reading (as empty) passes the faithful signature check only', async () => {
    const send = async (h: typeof faithful) => {
      const { accessKey, secretKey } = h.mock.client.alchemy;
      const at = String(Date.now());
      const sign = createHmac('sha256', secretKey).update(`${at}POST${alchemyCreate}`).digest('base64');
      const r = await request(`${h.url}${alchemyCreate}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'ach-access-key': accessKey,
          'ach-access-timestamp': at,
          'ach-access-sign': sign,
          email: 'e@example.test',
        },
        body: 'null',
      });
      return ((await r.body.json()) as { code: string }).code;
    };
    // the faithful mock: signed as it reads it, then refused for the body (1002); the other: the signature (2604)
    expect(await send(faithful)).toBe('1002');
    expect(await send(bytesSigned)).toBe('2604');
    // the bytes as sent, which the suite signs, pass both
    expect(codeOf(await faithful.alchemy.call('create', null))).toBe('1002');
    expect(codeOf(await bytesSigned.alchemy.call('create', null))).toBe('1002');
  });

  it('fields-first: a body breaking two rules is refused with the code of the other rule; a bad signature on bad fields says the fields', async () => {
    const two = {
      vid: 'USD',
      deposit: '999',
      orderNo: uid('lw'),
      callbackUrl: 'http://127.0.0.1:9/cb',
      cardHolder: { firstName: 'A1', lastName: 'B' },
    };
    const f = codeOf(await faithful.alchemy.create(two));
    const o = codeOf(await other.alchemy.create({ ...two, orderNo: uid('lw') }));
    expect(new Set([f, o])).toEqual(new Set(['1002', '2646']));
    const forged = Buffer.alloc(32, 7).toString('base64');
    expect(codeOf(await faithful.alchemy.create({ ...two, orderNo: uid('lw') }, { signature: forged }))).toBe('2604');
    expect(codeOf(await other.alchemy.create({ ...two, orderNo: uid('lw') }, { signature: forged }))).not.toBe('2604');
  });
});

describe('runs against the second provider never fail a rule', { concurrent: true }, () => {
  const LEEWAY = { CARD_CONFORMANCE_MOCK_LEEWAY: 'all', CARD_CONFORMANCE_WORKERS: '1' };
  const noFailure = (rep: ConformanceReport) =>
    rep.rules
      .filter((x) => x.verdict === 'fail' || x.verdict === 'flaky' || x.verdict === 'error')
      .map((x) => `${x.id}: ${x.evidence[0]?.message ?? x.reason}`);
  for (const profile of ['full', 'smoke'] as const)
    for (const seed of [1, 2, 3, 4, 5])
      it(`${profile}, seed ${seed}: exit 0, no rule failed`, async () => {
        const out = join(dir, `${profile}-${seed}`);
        const r = await cli(
          ['run', '--provider', 'all', '--profile', profile, '--seed', String(seed), '--report-dir', out],
          LEEWAY,
          200_000,
        );
        const rep = read(out);
        expect(noFailure(rep)).toEqual([]);
        expect(r.code, r.stdout.slice(-1500)).toBe(0);
        expect(rep.summary.coverage).toBe(100);
      }, 220_000);

  describe('as a remote target (the sandbox path: smoke by default, the sandbox budgets)', () => {
    const merchant = generateTestKeyPair(1024);
    const platform = generateTestKeyPair(1024);
    writeFileSync(join(dir, 'merchant.pem'), merchant.privatePem);
    writeFileSync(join(dir, 'platform.pem'), platform.publicPem);
    let mock: RunningMock;
    beforeAll(async () => {
      mock = await startMock({
        timeScale: 0.002,
        leeway: LEEWAY_NAMES,
        keys: {
          alchemy: { accessKey: 'leeway-access-1', secretKey: 'leeway-secret-not-real-1' },
          gep: {
            userNo: `${'6'.repeat(18)}2`,
            certificateId: `${'5'.repeat(18)}4`,
            merchantPublicKey: merchant.publicKey,
            platformPrivateKey: platform.privateKey,
          },
        },
      });
    });
    afterAll(async () => mock?.close());
    it('smoke: exit 0, no rule failed', async () => {
      const out = join(dir, 'remote');
      const r = await cli(
        ['run', '--report-dir', out],
        {
          ALCHEMY_BASE_URL: mock.url,
          ALCHEMY_ACCESS_KEY: 'leeway-access-1',
          ALCHEMY_SECRET_KEY: 'leeway-secret-not-real-1',
          ALCHEMY_EMAIL: 'leeway@example.test',
          GEP_BASE_URL: mock.url,
          GEP_USER_NO: `${'6'.repeat(18)}2`,
          GEP_CERTIFICATE_ID: `${'5'.repeat(18)}4`,
          GEP_MERCHANT_PRIVATE_KEY: join(dir, 'merchant.pem'),
          GEP_PLATFORM_PUBLIC_KEY: join(dir, 'platform.pem'),
          CARD_CONFORMANCE_WAIT_MS: '3000',
          CARD_CONFORMANCE_RATE: 'off',
          CARD_CONFORMANCE_WORKERS: '1',
        },
        200_000,
      );
      const rep = read(out);
      expect(rep.profile).toBe('smoke');
      expect(noFailure(rep)).toEqual([]);
      expect(r.code, r.stdout.slice(-1500)).toBe(0);
    }, 220_000);
  });
});
