/**
 * Target truth and the production guard as pure decisions (no network): which kind each provider's base
 * URL makes, when `--target sandbox` / `mock` refuses, which hosts are production, what counts as loopback.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.ts';
import {
  allowProduction,
  isLoopbackUrl,
  productionHosts,
  TARGET_VARIABLES,
  targetChoice,
  targetKinds,
} from '../../src/config/target-kind.ts';
import { callbackSkipReason } from '../../src/conformance/session.ts';
import { catalogue } from '../../src/spec/catalogue.ts';
import { thrown } from '../wire/thrown.ts';

const SANDBOX = catalogue().profiles.alchemy.hosts.sandbox;
const PROD = catalogue().profiles.alchemy.hosts.production;
const GEP_PROD = catalogue().profiles.gep.hosts.production;
const none = { choice: undefined, allowProduction: false };

describe('targetKinds', () => {
  it('no base URL is the embedded mock; a base URL is a sandbox (positive cases first)', () => {
    expect(targetKinds(['alchemy', 'gep'], {}, {}, none)).toEqual({ alchemy: 'mock', gep: 'mock' });
    expect(targetKinds(['alchemy', 'gep'], { alchemy: SANDBOX }, {}, none)).toEqual({ alchemy: 'sandbox', gep: 'mock' });
    expect(targetKinds(['alchemy'], { alchemy: SANDBOX }, {}, { ...none, choice: 'sandbox' })).toEqual({ alchemy: 'sandbox' });
    expect(targetKinds(['gep'], {}, {}, { ...none, choice: 'mock' })).toEqual({ gep: 'mock' });
  });

  it('--target sandbox without a base URL names the missing variable, one line', () => {
    const e = thrown(ConfigError, () => targetKinds(['alchemy', 'gep'], { alchemy: SANDBOX }, {}, { ...none, choice: 'sandbox' }));
    expect(e.variable).toBe('GEP_BASE_URL');
    expect(e.message).toMatch(/^GEP_BASE_URL: not set: required with --target sandbox/);
    expect(e.message).not.toContain('\n');
  });

  it('--target mock with a base URL set is refused, naming where the URL came from', () => {
    const e = thrown(ConfigError, () => targetKinds(['alchemy'], { alchemy: SANDBOX }, {}, { ...none, choice: 'mock' }));
    expect(e.message).toMatch(/^ALCHEMY_BASE_URL: is set, but --target mock/);
    const f = thrown(ConfigError, () => targetKinds(['gep'], { gep: SANDBOX }, {}, { ...none, choice: 'mock', urlSource: '--base-url' }));
    expect(f.variable).toBe('--base-url');
  });

  it("refuses each profile's production host, also written in other case or with the root's dot, and any port", () => {
    for (const url of [PROD, GEP_PROD, PROD.toUpperCase(), `${PROD}.`, `${PROD}:8443/`]) {
      const provider = url.includes(new URL(GEP_PROD).hostname) ? 'gep' : 'alchemy';
      const e = thrown(ConfigError, () => targetKinds([provider], { [provider]: url }, {}, none));
      expect(e.message, url).toMatch(/is a production host \((alchemy|gep) profile\): refused without --allow-production/);
      expect(e.message).not.toContain('\n');
    }
  });

  it("production by domain: any host under a provider's production domains but its sandbox hosts", () => {
    // the positive cases first: each profile's sandbox host, and hosts outside the domains
    for (const [provider, url] of [
      ['alchemy', SANDBOX],
      ['gep', catalogue().profiles.gep.hosts.sandbox],
      ['alchemy', 'https://notalchemypay.org'],
      ['alchemy', 'https://alchemypay.org.example.test'],
    ] as const)
      expect(targetKinds([provider], { [provider]: url }, {}, none), url).toEqual({ [provider]: 'sandbox' });
    for (const [provider, url, domain] of [
      ['alchemy', 'https://api.alchemypay.org', 'alchemypay.org'],
      ['alchemy', 'https://openapi.alchemypay.org/', 'alchemypay.org'],
      ['alchemy', 'https://card-api.alchemypay.com', 'alchemypay.com'],
      ['alchemy', 'https://ALCHEMYPAY.ORG.', 'alchemypay.org'],
      ['gep', 'https://api2.gepholding.com:8443', 'gepholding.com'],
    ] as const) {
      const e = thrown(ConfigError, () => targetKinds([provider], { [provider]: url }, {}, none));
      expect(e.message, url).toMatch(
        new RegExp(
          `is a production host \\(${provider} profile: under its production domain ${domain.replace('.', '\\.')}, and not its sandbox\\): refused without --allow-production`,
        ),
      );
      expect(targetKinds([provider], { [provider]: url }, {}, { ...none, allowProduction: true })).toEqual({ [provider]: 'production' });
    }
  });

  it('--allow-production lets it through, marked production', () => {
    expect(targetKinds(['alchemy'], { alchemy: PROD }, {}, { ...none, allowProduction: true })).toEqual({ alchemy: 'production' });
    expect(targetKinds(['alchemy'], { alchemy: PROD }, {}, { choice: 'sandbox', allowProduction: true })).toEqual({
      alchemy: 'production',
    });
  });

  it('hosts listed in CARD_CONFORMANCE_PRODUCTION_HOSTS are production too (a sandbox host first, passing)', () => {
    const env = { [TARGET_VARIABLES.productionHosts]: ' pay.example.com , https://cards.example.net/ ' };
    expect(targetKinds(['alchemy'], { alchemy: 'https://sandbox.pay.example.com' }, env, none)).toEqual({ alchemy: 'sandbox' });
    for (const url of ['https://pay.example.com', 'http://CARDS.example.net:81']) {
      const e = thrown(ConfigError, () => targetKinds(['alchemy'], { alchemy: url }, env, none));
      expect(e.message).toContain(`(${TARGET_VARIABLES.productionHosts})`);
    }
    expect(productionHosts(env).map((h) => h.host)).toEqual([
      new URL(PROD).hostname,
      new URL(GEP_PROD).hostname,
      'pay.example.com',
      'cards.example.net',
    ]);
    const bad = thrown(ConfigError, () => productionHosts({ [TARGET_VARIABLES.productionHosts]: 'https://x.example/path' }));
    expect(bad.variable).toBe(TARGET_VARIABLES.productionHosts);
  });
});

describe('the flags and variables', () => {
  it('--target wins over CARD_CONFORMANCE_TARGET; anything else is named', () => {
    expect(targetChoice({})).toBeUndefined();
    expect(targetChoice({ [TARGET_VARIABLES.target]: 'sandbox' })).toBe('sandbox');
    expect(targetChoice({ [TARGET_VARIABLES.target]: 'sandbox' }, 'mock')).toBe('mock');
    expect(thrown(ConfigError, () => targetChoice({}, 'production')).message).toBe('--target: must be one of mock, sandbox');
    expect(thrown(ConfigError, () => targetChoice({ [TARGET_VARIABLES.target]: 'live' })).variable).toBe(TARGET_VARIABLES.target);
  });

  it('CARD_CONFORMANCE_ALLOW_PRODUCTION takes 1/true/yes and 0/false/no, nothing else', () => {
    expect(allowProduction({})).toBe(false);
    expect(allowProduction({}, true)).toBe(true);
    for (const v of ['1', 'true', 'YES']) expect(allowProduction({ [TARGET_VARIABLES.allowProduction]: v })).toBe(true);
    for (const v of ['0', 'false', 'no', '']) expect(allowProduction({ [TARGET_VARIABLES.allowProduction]: v })).toBe(false);
    expect(thrown(ConfigError, () => allowProduction({ [TARGET_VARIABLES.allowProduction]: 'maybe' })).variable).toBe(
      TARGET_VARIABLES.allowProduction,
    );
  });
});

describe('on loopback, and the callback decision', () => {
  it('loopback by host name or IP, never by lookup', () => {
    const loop = ['http://127.0.0.1:4010', 'http://127.9.8.7/', 'http://127.1/', 'http://localhost:1', 'http://localhost.:1'];
    const loop2 = ['http://api.localhost/', 'http://[::1]:3/', 'http://[::ffff:127.0.0.1]/'];
    for (const u of [...loop, ...loop2]) expect(isLoopbackUrl(u), u).toBe(true);
    const remote = [SANDBOX, 'http://10.0.0.1/', 'http://128.0.0.1/', 'http://localhost.example.com/', 'http://[::2]/', 'not a url'];
    for (const u of remote) expect(isLoopbackUrl(u), u).toBe(false);
  });

  it('callbacks are expected from the mock, a loopback target or through ALCHEMY_CALLBACK_URL; skipped otherwise, saying why', () => {
    expect(callbackSkipReason(undefined, undefined, 'auto')).toBeUndefined();
    expect(callbackSkipReason('http://127.0.0.1:4010', undefined, 'auto')).toBeUndefined();
    expect(callbackSkipReason(SANDBOX, 'https://tunnel.example/cc', 'auto')).toBeUndefined();
    expect(callbackSkipReason(SANDBOX, undefined, 'auto')).toMatch(/ALCHEMY_CALLBACK_URL is not set and the target is not on loopback/);
    expect(callbackSkipReason('http://127.0.0.1:4010', undefined, 'off')).toMatch(/CARD_CONFORMANCE_CALLBACKS=off/);
    expect(callbackSkipReason('http://127.0.0.1:4010', 'https://tunnel.example/cc', 'off')).toBeUndefined();
  });
});
