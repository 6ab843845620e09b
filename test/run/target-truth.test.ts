/**
 * Issue 15, items 1, 6, 7, 8 through the real CLI: `--target sandbox` never falls back to the embedded
 * mock; every report names its target kind in the first line of the summary; a production host is
 * refused (under `unshare -n`, since the test names one); run ids keep two concurrent runs against one
 * mock apart; every opened card is listed in the report and cards.json, without card data; and with no
 * callback able to reach the receiver the callback rules are skipped, the lifecycle judged through info.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenedCard } from '../../src/conformance/cards.ts';
import { type RunningMock, startMock } from '../../src/mock/server.ts';
import type { ConformanceReport } from '../../src/report/conformance.ts';
import { catalogue } from '../../src/spec/catalogue.ts';
import { BIN, type CliResult, cli, NO_BUDGETS } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'cc-truth-'));
const read = <T = ConformanceReport>(d: string, f = 'conformance.json') => JSON.parse(readFileSync(join(d, f), 'utf8')) as T;
const firstLine = (stdout: string) => stdout.split('\n').find((l) => l.startsWith('card-conformance: '))!;
const ruleOf = (r: ConformanceReport, behaviour: string) =>
  r.rules.find((x) => {
    const c = catalogue().byId.get(x.id)!.check;
    return c.kind === 'behaviour' && c.behaviour === behaviour;
  })!;
const FAST = { CARD_CONFORMANCE_WORKERS: '1', CARD_CONFORMANCE_POLL_MS: '3' };

describe('--target sandbox never falls back to the embedded mock', () => {
  it('with the base URL and keys missing, the base URL is named; with only the keys missing, the first key', async () => {
    const out = join(dir, 'no-url');
    const a = await cli(['run', '--target', 'sandbox', '--provider', 'gep', '--report-dir', out]);
    expect(a.code).toBe(2);
    expect(a.stderr.trim().split('\n')).toEqual([
      'card-conformance run: GEP_BASE_URL: not set: required with --target sandbox (CARD_CONFORMANCE_TARGET); never the embedded mock',
    ]);
    expect(a.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
    // the same through the variable
    const b = await cli(['run', '--provider', 'alchemy'], { CARD_CONFORMANCE_TARGET: 'sandbox' });
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/^card-conformance run: ALCHEMY_BASE_URL: not set: required with --target sandbox/);
    const c = await cli(['run', '--target', 'sandbox', '--provider', 'alchemy'], { ALCHEMY_BASE_URL: 'http://127.0.0.1:9' });
    expect(c.code).toBe(2);
    expect(c.stderr.trim()).toBe('card-conformance run: ALCHEMY_ACCESS_KEY: not set: required when ALCHEMY_BASE_URL is set');
    const d = await cli(['call', 'gep', 'info', '--target', 'sandbox']);
    expect(d.code).toBe(2);
    expect(d.stderr.trim()).toMatch(/^card-conformance call: GEP_BASE_URL: not set: required with --target sandbox/);
  });

  it('a run id that is not 1–64 letters, digits, dots, dashes or underscores is refused, by flag or variable', async () => {
    const a = await cli(['run', '--provider', 'gep', '--run-id', 'has space']);
    expect(a.code).toBe(2);
    expect(a.stderr.trim()).toBe(
      'card-conformance run: --run-id must be 1 to 64 letters, digits, dots, dashes or underscores, starting with a letter or digit',
    );
    const b = await cli(['run', '--provider', 'gep'], { CARD_CONFORMANCE_RUN_ID: '-x' });
    expect(b.code).toBe(2);
    expect(b.stderr.trim()).toMatch(/^card-conformance run: CARD_CONFORMANCE_RUN_ID: must be 1 to 64 letters/);
  });

  it('--target mock with a base URL set is refused rather than quietly ignored', async () => {
    const r = await cli(['run', '--target', 'mock', '--provider', 'gep', '--base-url', 'http://127.0.0.1:9']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^card-conformance run: --base-url: is set, but --target mock .* tests the embedded mock/);
  });
});

describe('an unset target is the embedded mock, said loudly', () => {
  it('first line, report kind, run id printed and recorded, and the cards it opened in cards.json without card data', async () => {
    const out = join(dir, 'embedded');
    const r = await cli(['run', '--provider', 'alchemy', '--runs', '4', '--report-dir', out], FAST);
    expect(r.code, r.stdout.slice(-1500) + r.stderr).toBe(0);
    expect(firstLine(r.stdout)).toMatch(/^card-conformance: PASS against the EMBEDDED MOCK \(not a sandbox\) \(alchemy\) — conformant/);
    const rep = read(out);
    expect(rep.target.alchemy?.kind).toBe('mock');
    expect(rep.runId).toMatch(/^[0-9a-f]{10}$/);
    expect(r.stdout).toContain(`; run id ${rep.runId}\n`);
    const cards = read<{ runId: string; cards: OpenedCard[] }>(out, 'cards.json');
    expect(cards.runId).toBe(rep.runId);
    expect(cards.cards).toEqual(rep.cards);
    // every accepted create of the run opened one: the positive control's and the suites' (lifecycle, acceptance, idempotency…)
    expect(rep.cards.length).toBeGreaterThan(10);
    const fields = new Set(rep.cards.flatMap((c) => Object.keys(c)));
    expect([...fields].sort()).toEqual(['amount', 'amountField', 'cardId', 'currency', 'orderNo', 'outcome', 'provider']);
    // every create sent is listed with what came of it: the refused ones too (no card), the opened ones with their amounts
    const outcomes = new Set(rep.cards.map((c) => c.outcome));
    expect(outcomes.has('opened') && outcomes.has('refused')).toBe(true);
    const opened = rep.cards.filter((c) => c.outcome !== 'refused');
    expect(opened.every((c) => c.provider === 'alchemy' && c.amountField === 'deposit' && /^\d+$/.test(c.amount))).toBe(true);
    expect(r.stdout).toContain(
      `${opened.length} card(s) opened or possibly opened (cards.json lists them to close), ${rep.cards.length - opened.length} create(s) refused`,
    );
    // the lifecycle's info answers named the card ids of the cards it followed
    expect(rep.cards.filter((c) => c.cardId).length).toBeGreaterThanOrEqual(3);
    expect(new Set(rep.cards.map((c) => c.orderNo)).size).toBe(rep.cards.length);
    expect(readFileSync(join(out, 'cards.json'), 'utf8')).not.toMatch(/cvc|"number"|expYear|activeLink|eyJ/);
  });
});

describe('two concurrent runs against one shared mock, same seed, different run ids', () => {
  let mock: RunningMock;
  let env: Record<string, string>;
  beforeAll(async () => {
    mock = await startMock({ timeScale: 0.002 });
    const g = mock.client.gep!;
    writeFileSync(join(dir, 'merchant.pem'), g.merchantPrivatePem);
    writeFileSync(join(dir, 'platform.pem'), g.platformPublicPem);
    env = {
      ...FAST,
      // budgets are tested in budgets.test.ts: these runs open many cards on purpose
      ...NO_BUDGETS,
      ALCHEMY_ACCESS_KEY: mock.client.alchemy.accessKey,
      ALCHEMY_SECRET_KEY: mock.client.alchemy.secretKey,
      ALCHEMY_EMAIL: mock.client.alchemy.email,
      GEP_USER_NO: g.userNo,
      GEP_CERTIFICATE_ID: g.certificateId,
      GEP_MERCHANT_PRIVATE_KEY: join(dir, 'merchant.pem'),
      GEP_PLATFORM_PUBLIC_KEY: join(dir, 'platform.pem'),
    };
  });
  afterAll(() => mock?.close());

  const run = (name: string, runId: string, provider = 'all', extra: Record<string, string> = {}, flags: string[] = []) => {
    const out = join(dir, name);
    // full depth: the default against a non-mock target is smoke, which opens too few cards for a collision check to mean much
    const args = [
      'run',
      '--target',
      'sandbox',
      '--profile',
      'full',
      '--provider',
      provider,
      '--runs',
      '4',
      '--seed',
      '5',
      '--run-id',
      runId,
      ...flags,
    ];
    return cli([...args, '--base-url', mock.url, '--report-dir', out], { ...env, ...extra }).then((r) => ({ r, out }));
  };

  it('never share an order number; a third run reusing a run id collides, proving the check can fail', async () => {
    const [a, b] = await Promise.all([run('job-1', 'ci-job-1'), run('job-2', 'ci-job-2')]);
    for (const { r } of [a, b]) expect(r.code, r.stdout.slice(-2000) + r.stderr).toBe(0);
    expect(a.r.stdout).toContain('; run id ci-job-1\n');
    expect(firstLine(a.r.stdout)).toMatch(/^card-conformance: PASS against sandbox \(alchemy, gep\)/);
    const [ra, rb] = [read(a.out), read(b.out)];
    expect(ra!.runId).toBe('ci-job-1');
    expect(rb!.runId).toBe('ci-job-2');
    expect(ra!.target.gep?.kind).toBe('sandbox');
    for (const p of ['alchemy', 'gep'] as const) {
      const mine = (r: ConformanceReport) => r.cards.filter((c) => c.provider === p && c.outcome !== 'refused').map((c) => c.orderNo);
      const [oa, ob] = [mine(ra!), mine(rb!)];
      expect(oa.length, p).toBeGreaterThan(10);
      expect(
        oa.filter((o) => ob.includes(o)),
        p,
      ).toEqual([]);
      // the mock holds one order per card of either run: nothing opened twice, nothing missing from the lists
      const held = Object.keys(mock.admin[p].state()['orders'] as Record<string, number>);
      for (const o of [...oa, ...ob]) expect(held, `${p} ${o}`).toContain(o);
      // every order number within the catalogue's length
      const max = (
        catalogue().byId.get(`${p}.${p === 'alchemy' ? 'create' : 'apply'}.${p === 'alchemy' ? 'orderNo' : 'userReqNo'}.maxLength`)!
          .check as { max: number }
      ).max;
      expect([...oa, ...ob].every((o) => o.length >= 10 && o.length <= max)).toBe(true);
    }
    // the detector's power: the same run id again sends the same order numbers, and the mock refuses them (duplicate order)
    const again = await run('job-1-again', 'ci-job-1', 'alchemy');
    expect(again.r.code, again.r.stdout.slice(-1500)).toBe(3);
    expect(read(again.out).positiveControl.alchemy?.reason).toMatch(/2722.*duplicate order number/);
  });

  it('ALCHEMY_CALLBACK_URL is where callbacks are sent, and --callback-port fixes the receiver behind it', async () => {
    const port = await freePort();
    const fixed = ['--callback-port', String(port)];
    // an identity "tunnel": the URL names the fixed port the receiver listens on
    const ok = await run('callback-url', 'ci-job-4', 'alchemy', { ALCHEMY_CALLBACK_URL: `http://127.0.0.1:${port}/` }, fixed);
    expect(ok.r.code, ok.r.stdout.slice(-1500) + ok.r.stderr).toBe(0);
    expect(ruleOf(read(ok.out), 'callbackDelivered').verdict).toBe('pass');
    // the control: the URL forwards nowhere (the receiver is on another port), and the rule fails
    const nowhere = `http://127.0.0.1:${await freePort()}/`;
    const lost = await run('callback-lost', 'ci-job-5', 'alchemy', { ALCHEMY_CALLBACK_URL: nowhere, CARD_CONFORMANCE_WAIT: '3s' }, fixed);
    expect(lost.r.code).toBe(1);
    expect(ruleOf(read(lost.out), 'callbackDelivered').verdict).toBe('fail');
  });

  it('with callbacks unable to reach the receiver, the callback rules are skipped saying why, the lifecycle judged by info', async () => {
    const { r, out } = await run('callbacks-off', 'ci-job-3', 'alchemy', { CARD_CONFORMANCE_CALLBACKS: 'off' });
    expect(r.code, r.stdout.slice(-1500) + r.stderr).toBe(0);
    const rep = read(out);
    const rule = (behaviour: string) => ruleOf(rep, behaviour);
    for (const b of ['callbackDelivered', 'callbackMatchesOrder']) {
      expect(rule(b).verdict, b).toBe('skipped');
      expect(rule(b).reason).toMatch(
        /CARD_CONFORMANCE_CALLBACKS=off: no callback can reach the local receiver; the lifecycle is judged through info/,
      );
    }
    for (const b of ['lifecycleForward', 'lifecycleEndsActive', 'finalStatusStable']) expect(rule(b).verdict, b).toBe('pass');
  });
});

/** A port nothing listens on now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/** `unshare -n` (a network namespace with only loopback) is what lets a test name a real host. */
const UNSHARE = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up'], { stdio: 'ignore' }).status === 0;
const skipWhy = UNSHARE ? '' : ' — SKIPPED: unshare -n (then ip link set lo up) is not permitted or not installed here';

function isolated(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(ALCHEMY_|GEP_|MOCK_|CARD_CONFORMANCE_)/.test(k)));
  const script = `ip link set lo up && exec "${process.execPath}" "${BIN}" ${args.map((a) => `'${a}'`).join(' ')}`;
  return new Promise((resolve) => {
    execFile('unshare', ['-n', 'sh', '-c', script], { env: { ...base, ...env }, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err && typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : err ? -1 : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe(`the production guard, in a network namespace with only loopback${skipWhy}`, () => {
  const ALCHEMY_PROD = catalogue().profiles.alchemy.hosts.production;
  const GEP_PROD = catalogue().profiles.gep.hosts.production;
  const keys = { ALCHEMY_ACCESS_KEY: 'ak_fake', ALCHEMY_SECRET_KEY: 'sk_fake_not_real_1', ALCHEMY_EMAIL: 'qa@example.test' };

  it.skipIf(!UNSHARE)('allowed, the run goes ahead marked production (the positive case: the guard is what refuses)', async () => {
    const out = join(dir, 'prod-allowed');
    const r = await isolated(
      [
        'run',
        '--provider',
        'alchemy',
        '--runs',
        '2',
        '--allow-production',
        '--base-url',
        ALCHEMY_PROD,
        '--run-id',
        'prod-1',
        '--report-dir',
        out,
      ],
      { ...keys, CARD_CONFORMANCE_RETRIES: '0', CARD_CONFORMANCE_WORKERS: '1' },
    );
    // no network in the namespace: the target cannot be tested, but it was the one tried
    expect(r.code, r.stdout.slice(-800) + r.stderr).toBe(3);
    expect(r.stdout).toContain(`against PRODUCTION ${ALCHEMY_PROD}; profile smoke; run id prod-1`);
    expect(firstLine(r.stdout)).toMatch(/^card-conformance: ERROR against PRODUCTION \(alchemy\)/);
    const rep = read(out);
    expect(rep.target.alchemy?.kind).toBe('production');
    // the host name did not resolve: nothing was sent, so no card is listed as possibly opened
    expect(rep.cards).toEqual([]);
  });

  it.skipIf(!UNSHARE)(
    'refused with exit 2 and one line, from --base-url, from a variable and from the hosts list; nothing run',
    async () => {
      const out = join(dir, 'prod-refused');
      const cases: Array<[string[], Record<string, string>, string]> = [
        [
          ['run', '--provider', 'alchemy', '--base-url', ALCHEMY_PROD],
          keys,
          `--base-url: ${new URL(ALCHEMY_PROD).hostname} is a production host (alchemy profile)`,
        ],
        [
          ['run', '--provider', 'gep'],
          { GEP_BASE_URL: `${GEP_PROD}.` },
          `GEP_BASE_URL: ${new URL(GEP_PROD).hostname} is a production host (gep profile)`,
        ],
        [
          ['run', '--provider', 'alchemy', '--target', 'sandbox'],
          { ...keys, ALCHEMY_BASE_URL: 'https://pay.example.com', CARD_CONFORMANCE_PRODUCTION_HOSTS: 'pay.example.com' },
          'ALCHEMY_BASE_URL: pay.example.com is a production host (CARD_CONFORMANCE_PRODUCTION_HOSTS)',
        ],
        [['call', 'alchemy', 'info', '--base-url', ALCHEMY_PROD], keys, '--base-url: '],
        [['verify-pacts', '--provider', 'gep', '--base-url', GEP_PROD], {}, '--base-url: '],
        [['proxy', '--provider', 'gep', '--target', GEP_PROD], {}, '--target: '],
      ];
      for (const [args, env, line] of cases) {
        const r = await isolated([...args, ...(args[0] === 'run' ? ['--report-dir', out] : [])], env);
        expect(r.code, args.join(' ')).toBe(2);
        const lines = r.stderr.trim().split('\n');
        expect(lines, args.join(' ')).toHaveLength(1);
        expect(lines[0]).toContain(line);
        expect(lines[0]).toMatch(/is a production host .*: refused without --allow-production \(or CARD_CONFORMANCE_ALLOW_PRODUCTION=1\)$/);
        expect(r.stdout).toBe('');
      }
      expect(existsSync(out)).toBe(false);
    },
  );
});
