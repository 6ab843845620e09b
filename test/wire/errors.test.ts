import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.ts';
import { errorLine, KeyError, originAndPath, WireError, WireFormatError } from '../../src/wire/errors.ts';
import { createRedactor } from '../../src/wire/redact.ts';

const call = { provider: 'gep', operation: 'apply', url: 'http://127.0.0.1:4010/api/vas/card/apply?token=eyJx.eyJy.zz#frag' } as const;

describe('WireError', () => {
  it('names provider, operation, host and cause on one line, keeping origin and path only', () => {
    const e = new WireError(call, 'timeout', 'no complete answer within 5000 ms', { attempts: 2, code: 'X' });
    expect(e.message).toBe('GEP apply to http://127.0.0.1:4010 failed: no complete answer within 5000 ms');
    expect(e).toMatchObject({
      name: 'WireError',
      provider: 'gep',
      operation: 'apply',
      url: 'http://127.0.0.1:4010/api/vas/card/apply',
      kind: 'timeout',
      attempts: 2,
      code: 'X',
    });
    expect(e.status).toBeUndefined();
    expect(e).toBeInstanceOf(Error);
  });

  it('labels Alchemy and carries an HTTP status', () => {
    const e = new WireError(
      { provider: 'alchemy', operation: 'create', url: 'https://sbx-card-api.alchemypay.org/open/api/card/create' },
      'http-status',
      'HTTP 502',
      { status: 502 },
    );
    expect(e.message).toBe('Alchemy create to https://sbx-card-api.alchemypay.org failed: HTTP 502');
    expect(e.status).toBe(502);
  });

  it('puts a multi-line cause on one line and redacts card numbers, JWTs and PEM blocks', () => {
    // A PEM-shaped block with no key in it (assembled here, so no key-looking text is committed).
    const dashes = '-'.repeat(5);
    const pem = `${dashes}BEGIN ${'PRIVATE'} KEY${dashes}\nMIIB\n${dashes}END ${'PRIVATE'} KEY${dashes}`;
    const detail = `body was:\n{"cardNo":"4383570000037441","cvc":"123"}\r\n${pem}\nlink ?token=eyJhbGciOi.eyJzdWIi.sig`;
    const e = new WireError(call, 'not-json', detail);
    expect(e.message).not.toMatch(/[\r\n]/);
    expect(e.message).toBe(
      'GEP apply to http://127.0.0.1:4010 failed: body was: {"cardNo":"438357******7441","cvc":"[REDACTED]"} [REDACTED KEY] link ?token=[REDACTED]',
    );
  });
});

describe('WireFormatError', () => {
  it('has no call context until wrapped with withCall', () => {
    const f = new WireFormatError('decrypt', 'chunk 2 of 3 could not be decrypted with the 1024-bit public key');
    expect(f.message).toBe('chunk 2 of 3 could not be decrypted with the 1024-bit public key');
    const e = f.withCall(call, 'result');
    expect(e).toBeInstanceOf(WireError);
    expect(e.kind).toBe('decrypt');
    expect(e.message).toBe(
      'GEP apply to http://127.0.0.1:4010 failed: result: chunk 2 of 3 could not be decrypted with the 1024-bit public key',
    );
    expect(f.withCall(call).message).toBe(
      'GEP apply to http://127.0.0.1:4010 failed: chunk 2 of 3 could not be decrypted with the 1024-bit public key',
    );
  });
});

describe('KeyError and ConfigError', () => {
  it('KeyError names the role and the source', () => {
    const e = new KeyError('private', '/keys/merchant.pfx', 'PKCS#12 password is wrong or the file is corrupt');
    expect(e.message).toBe('cannot load the private key from /keys/merchant.pfx: PKCS#12 password is wrong or the file is corrupt');
    expect(e).toMatchObject({ name: 'KeyError', role: 'private', source: '/keys/merchant.pfx' });
  });

  it('ConfigError names the variable and never needs its value', () => {
    const e = new ConfigError('ALCHEMY_BASE_URL', 'must be an http(s) URL');
    expect(e.message).toBe('ALCHEMY_BASE_URL: must be an http(s) URL');
    expect(e.variable).toBe('ALCHEMY_BASE_URL');
  });
});

describe('errorLine', () => {
  it('prints own errors by message and others as Name: message, one line, through the given redactor', () => {
    const redactor = createRedactor({ secrets: ['hunter22'] });
    expect(errorLine(new ConfigError('GEP_PFX_PASSWORD', 'is empty'))).toBe('GEP_PFX_PASSWORD: is empty');
    expect(errorLine(new TypeError('bad hunter22\nsecond line'), redactor)).toBe('TypeError: bad [REDACTED] second line');
    expect(errorLine('plain 4383570000037441')).toBe('plain 438357******7441');
  });
});

describe('originAndPath', () => {
  it('drops query and fragment, also from a URL it cannot parse', () => {
    expect(originAndPath('https://h.test:8443/a/b?token=x#y')).toBe('https://h.test:8443/a/b');
    expect(originAndPath('not a url?token=x')).toBe('not a url');
  });
});
