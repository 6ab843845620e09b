/**
 * The smoke profile: against the embedded mock it tries every violation class of every MUST rule and
 * decides every MUST rule within its plan's requests per provider (printed first), counted by the mock
 * itself, and agrees with `full` on every MUST verdict; it still fails the rule a deviation breaks,
 * across kinds of rule and on either side of a two-sided one; it is the default against another server,
 * where wrong credentials end it with exit 3, the default budgets hold its plan, and `--min-coverage`
 * fails the gate only above the coverage achieved.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smokePlan } from '../../src/conformance/plan.ts';
import { SMOKE_SKIP } from '../../src/conformance/profile.ts';
import { type RunningMock, startMock } from '../../src/mock/server.ts';
import type { ConformanceReport } from '../../src/report/conformance.ts';
import { catalogue } from '../../src/spec/catalogue.ts';
import { generateTestKeyPair } from '../../src/wire/keys.ts';
import { type CliResult, cli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'cc-smoke-'));
const read = (out: string) => JSON.parse(readFileSync(join(out, 'conformance.json'), 'utf8')) as ConformanceReport;
const run = async (name: string, args: string[], env: Record<string, string> = {}): Promise<{ r: CliResult; rep: ConformanceReport }> => {
  const out = join(dir, name);
  const r = await cli(['run', '--report-dir', out, ...args], { CARD_CONFORMANCE_WORKERS: '2', ...env }, 280_000);
  return { r, rep: read(out) };
};
const must = (rep: ConformanceReport) => rep.rules.filter((x) => x.level === 'MUST');
const verdicts = (rep: ConformanceReport) => Object.fromEntries(must(rep).map((x) => [x.id, x.verdict]));

describe('smoke against the embedded mock', { concurrent: true }, () => {
  let smoke: { r: CliResult; rep: ConformanceReport };
  let full: { r: CliResult; rep: ConformanceReport };
  beforeAll(async () => {
    [smoke, full] = await Promise.all([run('smoke', ['--profile', 'smoke']), run('full', [])]);
  }, 300_000);

  it('decides every MUST rule (pass on the faithful mock), coverage 100%, exit 0', () => {
    expect(smoke.r.code, smoke.r.stdout.slice(-2000)).toBe(0);
    expect(smoke.rep.profile).toBe('smoke');
    const undecided = must(smoke.rep).filter((x) => !['pass', 'fail', 'flaky'].includes(x.verdict));
    expect(undecided.map((x) => `${x.id}: ${x.verdict} ${x.reason ?? ''}`)).toEqual([]);
    expect(must(smoke.rep).length).toBe(catalogue().rules.filter((r) => r.level === 'MUST').length);
    expect(smoke.rep.summary.coverage).toBe(100);
  });

  it("sends at most its plan's requests per provider as the mock itself counted them (the plan printed first), and the suites count the same", () => {
    const atMock = smoke.rep.summary.mockRequests!;
    expect(Object.keys(atMock).sort()).toEqual(['alchemy', 'gep']);
    const plans = { alchemy: smokePlan('alchemy'), gep: smokePlan('gep') };
    for (const p of ['alchemy', 'gep'] as const) {
      // every class went out once, and nothing beyond the plan
      expect(atMock[p]).toBeGreaterThanOrEqual(plans[p].classes);
      expect(atMock[p]).toBeLessThanOrEqual(plans[p].requests);
    }
    const planLine = smoke.r.stdout.split('\n').find((l) => l.startsWith('plan (smoke):'));
    expect(planLine).toBe(
      `plan (smoke): alchemy ${plans.alchemy.classes} violation classes of ${plans.alchemy.rules} MUST rules, at most ${plans.alchemy.requests} requests; gep ${plans.gep.classes} violation classes of ${plans.gep.rules} MUST rules, at most ${plans.gep.requests} requests (a provider whose refusals break rules gets each sent once more: alchemy ${plans.alchemy.mostRequests}, gep ${plans.gep.mostRequests} at most)`,
    );
    // before the first test's line
    expect(smoke.r.stdout.indexOf('plan (smoke):')).toBeLessThan(smoke.r.stdout.indexOf('rules decided]'));
    expect(smoke.rep.summary.requestsByProvider).toEqual(atMock);
    // the summary prints them
    expect(smoke.r.stdout).toContain(`requests per provider: alchemy ${atMock.alchemy}, gep ${atMock.gep}`);
    // every decided rule names the requests of the tests that decided it
    for (const x of must(smoke.rep)) expect(x.requests, x.id).toBeGreaterThan(0);
  });

  it('agrees with full on every MUST verdict; full is the default on the embedded mock and sends far more', () => {
    expect(full.r.code, full.r.stdout.slice(-2000)).toBe(0);
    expect(full.rep.profile).toBe('full');
    expect(verdicts(smoke.rep)).toEqual(verdicts(full.rep));
    const total = (rep: ConformanceReport) => Object.values(rep.summary.mockRequests ?? {}).reduce((a, b) => a + b, 0);
    expect(total(full.rep)).toBeGreaterThan(10 * total(smoke.rep));
  });

  it('tries each side of every two-sided rule and each way to break a rule, and the report lists the classes tried', () => {
    const classes = (id: string) => smoke.rep.rules.find((x) => x.id === id)?.classes;
    expect(classes('alchemy.create.deposit.range')).toEqual(['amount/above', 'amount/below']);
    expect(classes('alchemy.create.deposit.minorUnits')).toEqual(['amount/decimal', 'amount/exponent', 'amount/sign']);
    expect(classes('alchemy.create.vid.required')).toEqual(['presence/absent', 'presence/empty', 'presence/null']);
    expect(classes('gep.apply.enableMultiUse.enum')).toEqual(['enum/above', 'enum/below']);
    expect(classes('gep.apply.startDate.format')).toEqual([
      'format/blanks',
      'format/calendar',
      'format/order',
      'format/padding',
      'format/separators',
    ]);
    expect(classes('gep.apply.cardAlias.maxLength')).toEqual(['length/ascii', 'length/wide']);
    // full tries them too, and more cases of each
    expect(full.rep.rules.find((x) => x.id === 'alchemy.create.deposit.range')?.classes).toEqual(['amount/above', 'amount/below']);
  });

  it('SHOULD and INFO rules are decided when the same exchanges decide them, else skipped "profile smoke"', () => {
    const other = smoke.rep.rules.filter((x) => x.level !== 'MUST');
    // free: the response-side SHOULD rules (every refusal's code, every answer's error flag)
    expect(other.filter((x) => x.verdict === 'pass').map((x) => x.id)).toEqual(
      expect.arrayContaining(['alchemy.create.response.code.matchesRule', 'gep.apply.response.errorCode.matchesRule']),
    );
    // not free: a SHOULD request rule needs a violation of its own
    const skipped = other.filter((x) => x.reason === SMOKE_SKIP).map((x) => x.id);
    expect(skipped).toEqual(expect.arrayContaining(['alchemy.create.callbackUrl.url', 'gep.apply.authLimitAmount.positiveDecimal']));
    for (const x of other.filter((x) => x.reason === SMOKE_SKIP)) expect(x.verdict).toBe('skipped');
  });
});

describe('smoke still catches deviations of different kinds', () => {
  // one per kind: a request field's length (an over-long value accepted; the longest legal one refused), a
  // cross-field date rule, a response field of the accepted answer, a refusal's code, the signature,
  // idempotency, the lifecycle, a follow-up read
  const deviations: Record<string, string> = {
    // one side or one way only: smoke's first violation of the rule would not have shown them
    'alchemy-accepts-deposit-above-max': 'alchemy.create.deposit.range',
    'alchemy-name-accepts-spaces': 'alchemy.create.cardHolder.lastName.pattern',
    'alchemy-vid-ignores-case': 'alchemy.create.vid.knownSegment',
    'gep-date-unpadded': 'gep.apply.endDate.format',
    'gep-enum-accepts-two': 'gep.apply.enableCurrencyCheck.enum',
    'gep-alias-counts-bytes': 'gep.apply.cardAlias.maxLength',
    'alchemy-accepts-long-order-no': 'alchemy.create.orderNo.maxLength',
    'alchemy-rejects-longest-name': 'alchemy.create.cardHolder.firstName.maxLength',
    'gep-accepts-end-before-start': 'gep.apply.endDate.notBeforeStartDate',
    'gep-bad-luhn': 'gep.apply.response.result.cardNo.luhn',
    'alchemy-unknown-refusal-code': 'alchemy.create.response.code.inCatalogue',
    'alchemy-accepts-bad-signature': 'alchemy.create.auth.signature',
    'gep-duplicate-opens-card': 'gep.apply.userReqNo.idempotent',
    'alchemy-never-active': 'alchemy.create.status.endsActive',
    'gep-info-other-currency': 'gep.apply.info.agreesWithApply',
  };
  it('fails each deviated MUST rule (the faithful mock passes them all: the test above), exit 1', async () => {
    const { r, rep } = await run(
      'deviated',
      ['--profile', 'smoke', ...Object.keys(deviations).flatMap((d) => ['--deviate', d])],
      // a short wait: the card that never becomes active is given up on sooner
      { CARD_CONFORMANCE_WAIT: '2s' },
    );
    expect(r.code, r.stdout.slice(-2000)).toBe(1);
    const verdictOf = (id: string) => rep.rules.find((x) => x.id === id)?.verdict;
    expect(Object.fromEntries(Object.values(deviations).map((id) => [id, verdictOf(id)]))).toEqual(
      Object.fromEntries(Object.values(deviations).map((id) => [id, 'fail'])),
    );
    // still within the plan (its refusals that broke a rule were each sent once more), counted at the mock
    for (const [p, n] of Object.entries(rep.summary.mockRequests!))
      expect(n).toBeLessThanOrEqual(smokePlan(p as 'alchemy' | 'gep').mostRequests);
  }, 300_000);
});

describe('smoke against another server', { concurrent: true }, () => {
  const merchant = generateTestKeyPair(1024);
  const platform = generateTestKeyPair(1024);
  writeFileSync(join(dir, 'merchant.pem'), merchant.privatePem);
  writeFileSync(join(dir, 'platform.pem'), platform.publicPem);
  const USER_NO = `${'6'.repeat(18)}1`;
  const CERTIFICATE_ID = `${'5'.repeat(18)}3`;
  let right: RunningMock;
  let wrong: RunningMock;
  // its own mock for the budget test, so that the request counts of `right` see one run at a time
  let budgeted: RunningMock;
  const withClientKeys = () =>
    startMock({
      timeScale: 0.002,
      keys: {
        alchemy: { accessKey: 'smoke-access-1', secretKey: 'smoke-secret-not-real-1' },
        gep: {
          userNo: USER_NO,
          certificateId: CERTIFICATE_ID,
          merchantPublicKey: merchant.publicKey,
          platformPrivateKey: platform.privateKey,
        },
      },
    });
  beforeAll(async () => {
    // mocks with the client's keys, one whose keys the client does not have
    right = await withClientKeys();
    budgeted = await withClientKeys();
    wrong = await startMock({ timeScale: 0.002 });
  });
  afterAll(async () => {
    await right?.close();
    await budgeted?.close();
    await wrong?.close();
  });
  const creds = (url: string) => ({
    ALCHEMY_BASE_URL: url,
    ALCHEMY_ACCESS_KEY: 'smoke-access-1',
    ALCHEMY_SECRET_KEY: 'smoke-secret-not-real-1',
    ALCHEMY_EMAIL: 'smoke@example.test',
    GEP_BASE_URL: url,
    GEP_USER_NO: USER_NO,
    GEP_CERTIFICATE_ID: CERTIFICATE_ID,
    GEP_MERCHANT_PRIVATE_KEY: join(dir, 'merchant.pem'),
    GEP_PLATFORM_PUBLIC_KEY: join(dir, 'platform.pem'),
    CARD_CONFORMANCE_WAIT_MS: '3000',
    // the default request and spend budgets of a non-mock target stay in force (smoke must fit them);
    // only the pace is lifted, so the test does not wait out 2 requests a second
    CARD_CONFORMANCE_RATE: 'off',
    CARD_CONFORMANCE_MAX_TIME: 'off',
  });

  it('wrong credentials: exit 3, the positive control failed, nothing counted as a pass', async () => {
    const { r, rep } = await run('wrong-keys', ['--profile', 'smoke'], creds(wrong.url));
    expect(r.code, r.stdout.slice(-1500)).toBe(3);
    expect(rep.profile).toBe('smoke');
    expect(rep.positiveControl.alchemy?.ok).toBe(false);
    expect(rep.positiveControl.gep?.ok).toBe(false);
    expect(rep.rules.filter((x) => x.verdict === 'pass')).toEqual([]);
    expect(rep.summary.coverage).toBe(0);
    // the control alone reached the server: a segment list and one create, one apply; the refusal as not the
    // merchant's own of a request that did not touch authentication is signed and sent once more (Alchemy);
    // GEP's refusal code cannot tell the request's fault from the keys', so one more valid apply is tried
    expect(wrong.stats().requests).toEqual({ alchemy: 3, gep: 2 });
    expect(rep.summary.mockRequests).toBeUndefined();
    expect(rep.summary.requestsByProvider).toEqual({ alchemy: 3, gep: 2 });
  });

  it("both providers' smoke plan fits the default request (500) and spend (USD 20,000) budgets of a non-mock target: nothing cut, nothing excluded", async () => {
    const both = await run('both-budgets', [], creds(budgeted.url));
    expect(both.r.code, both.r.stdout.slice(-1500)).toBe(0);
    expect(both.rep.profile).toBe('smoke');
    expect(both.rep.rules.filter((x) => x.reason?.startsWith('budget:'))).toEqual([]);
    expect(both.rep.budgets).toMatchObject({ refused: 0, exhausted: null, limits: { maxRequests: 500, maxSpend: { USD: 20_000 } } });
    // the deposit above the range (5,000.01 USD if wrongly taken) was sent, and given back when refused
    expect(both.rep.rules.find((x) => x.id === 'alchemy.create.deposit.range')).toMatchObject({
      verdict: 'pass',
      classes: ['amount/above', 'amount/below'],
    });
    expect(both.rep.budgets!.used.spend['USD']).toBeGreaterThan(0);
    expect(both.rep.budgets!.used.spend['USD']).toBeLessThanOrEqual(20_000);
    expect(both.rep.budgets!.used.released['USD']).toBeGreaterThan(5_000);
    // the only exclusions are what the target's surface cannot show (no admin surface: the balance rules)
    expect(both.rep.exclusions.map((x) => x.id)).toEqual(expect.arrayContaining(['gep.apply.authLimitAmount.debitsBalance']));
    for (const x of both.rep.exclusions) expect(x.reason, x.id).not.toMatch(/^budget/);
  });

  it('a spend budget below a class the plan needs: the class is an exclusion printed before the first request, its rule skipped, never pass', async () => {
    const r = await run('low-spend', ['--provider', 'alchemy', '--max-spend', 'USD=100'], creds(budgeted.url));
    const planned = r.r.stdout.split('\n').filter((l) => l.startsWith('  excluded: '));
    expect(planned).toEqual([
      '  excluded: alchemy.create.deposit.range (amount/above) — needs 5,000.01 USD staked if a provider wrongly takes it; the spend budget is 100 USD',
      '  excluded: alchemy.create.deposit.range (valid upper amount edge) — opens a card of 5,000 USD; the spend budget is 100 USD',
    ]);
    expect(r.r.stdout.indexOf('  excluded: ')).toBeLessThan(r.r.stdout.indexOf('rules decided]'));
    const range = r.rep.rules.find((x) => x.id === 'alchemy.create.deposit.range')!;
    // its other side was tried and held; the rule is still not a pass
    expect(range).toMatchObject({ verdict: 'skipped', excluded: true, classes: ['amount/below'] });
    // either side's exclusion is the reason given (whichever the report met first)
    expect(range.reason).toMatch(
      /^budget: spend USD \((the amount\/above case would move 5,000\.01 USD|this case would move 5,000 USD) if accepted, more than the spend budget has left\)$/,
    );
    // the valid requests that fit decided acceptsValid: a class left out of one rule is not another's
    expect(r.rep.rules.find((x) => x.id === 'alchemy.create.request.acceptsValid')?.verdict).toBe('pass');
    expect(r.rep.exclusions.map((x) => x.id)).toContain('alchemy.create.deposit.range');
    expect(r.rep.headline).toMatch(/excluded by plan \(.*alchemy\.create\.deposit\.range: budget: spend USD/);
    expect(r.r.code, r.r.stdout.slice(-1500)).toBe(0);
    expect(r.r.stdout).toContain('alchemy.create.deposit.range excluded — budget: spend USD');
  });

  it('smoke is the default there; --min-coverage above the coverage achieved fails the gate (exit 1), below it passes', async () => {
    const env = creds(right.url);
    const before = right.stats().requests.gep;
    const above = await run('cover-above', ['--provider', 'gep', '--min-coverage', '100'], env);
    const sent = right.stats().requests.gep - before;
    expect(above.rep.profile).toBe('smoke');
    // the positive case: every rule the run decided passed; only the gate failed
    expect(above.rep.summary.failedMust + above.rep.summary.failedShould).toBe(0);
    // the balance rules need the mock's admin surface: against another server they are skipped with the reason
    expect(above.rep.rules.find((x) => x.id === 'gep.apply.authLimitAmount.debitsBalance')).toMatchObject({
      verdict: 'skipped',
      reason: expect.stringMatching(/account balance/),
    });
    const coverage = above.rep.summary.coverage;
    expect(coverage, above.rep.headline).toBeGreaterThan(50);
    expect(coverage).toBeLessThan(100);
    expect(above.r.code, above.r.stdout.slice(-1500)).toBe(1);
    // the headline names what the plan left out: what the target's surface cannot show
    expect(above.rep.headline).toMatch(
      new RegExp(`^not conformant: coverage ${coverage}% .* below --min-coverage 100%; \\d+ excluded by plan \\(gep\\.apply\\.`),
    );
    expect(above.r.stdout).toContain(`coverage ${coverage}% of MUST rules decided (minimum 100%)`);
    expect(above.rep.budgets).toMatchObject({ exhausted: null, limits: { maxRequests: 500, maxSpend: { USD: 20_000 } } });
    expect(sent).toBeLessThanOrEqual(smokePlan('gep').requests);
    expect(above.rep.summary.requestsByProvider.gep).toBe(sent);

    // which outcomes two applies show varies from run to run against another server: a minimum well below passes
    const below = await run('cover-below', ['--provider', 'gep'], { ...env, CARD_CONFORMANCE_MIN_COVERAGE: '50' });
    expect(below.rep.summary.coverage).toBeGreaterThanOrEqual(50);
    expect(below.r.code, below.r.stdout.slice(-1500)).toBe(0);
    expect(below.rep.summary.minCoverage).toBe(50);
  });
});

describe('bad input', { concurrent: true }, () => {
  it('a bad --profile, CARD_CONFORMANCE_PROFILE, --min-coverage or CARD_CONFORMANCE_MIN_COVERAGE stops before anything runs: exit 2, one line', async () => {
    const [flag, variable, min, minVariable] = await Promise.all([
      cli(['run', '--profile', 'quick']),
      cli(['run'], { CARD_CONFORMANCE_PROFILE: 'quick' }),
      cli(['run', '--min-coverage', '120']),
      cli(['run'], { CARD_CONFORMANCE_MIN_COVERAGE: 'most' }),
    ]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toBe('card-conformance run: --profile must be one of smoke, full (got "quick")\n');
    expect(variable.code).toBe(2);
    expect(variable.stderr).toBe('card-conformance run: CARD_CONFORMANCE_PROFILE: must be one of smoke, full\n');
    expect(min.code).toBe(2);
    expect(min.stderr).toBe('card-conformance run: --min-coverage must be a percentage from 0 to 100 (got "120")\n');
    expect(minVariable.code).toBe(2);
    expect(minVariable.stderr).toBe(
      'card-conformance run: CARD_CONFORMANCE_MIN_COVERAGE: must be a percentage from 0 to 100 (got "most")\n',
    );
  });
});
