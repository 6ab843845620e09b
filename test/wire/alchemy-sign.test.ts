import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AlchemyVerifyInput,
  alchemyHeaders,
  alchemySignature,
  canonicalBody,
  stringToSign,
  verifyAlchemyRequest,
} from '../../src/wire/alchemy-sign.ts';
import { alchemyVectors } from './vectors.ts';

const { secret, vectors } = alchemyVectors();

describe('Alchemy signing reproduces the shared vectors', () => {
  it('has the three vectors', () => {
    expect(vectors).toHaveLength(3);
  });

  for (const v of vectors) {
    it(`${v.name}: canonical body, string to sign and signature match byte for byte`, () => {
      expect(canonicalBody(v.body)).toBe(v.canonicalBody);
      expect(stringToSign({ timestamp: v.timestamp, method: v.method, path: v.path, body: v.body })).toBe(v.stringToSign);
      expect(alchemySignature({ secret, timestamp: v.timestamp, method: v.method, path: v.path, body: v.body })).toBe(v.sign);
    });

    it(`${v.name}: the vector is self-consistent (independent HMAC of its string to sign)`, () => {
      expect(createHmac('sha256', secret).update(v.stringToSign, 'utf8').digest('base64')).toBe(v.sign);
    });
  }
});

describe('alchemySignature against a second, inline implementation', () => {
  it('signs a hand-built string for a fixed timestamp, path and body', () => {
    const body = { zeta: 1, alpha: { drop: '', gone: null, keep: 0, list: [{ y: 'x', n: null }, null, ''] }, flag: false };
    // Built by hand: keys sorted, '' and null members dropped (also inside the array's object),
    // array elements kept as they are, 0 and false kept, method upper-cased.
    const text = '1700000000000POST/open/api/card/info{"alpha":{"keep":0,"list":[{"y":"x"},null,""]},"flag":false,"zeta":1}';
    const expected = createHmac('sha256', 'inline-secret').update(Buffer.from(text, 'utf8')).digest().toString('base64');
    const got = alchemySignature({
      secret: 'inline-secret',
      timestamp: '1700000000000',
      method: 'post',
      path: '/open/api/card/info',
      body,
    });
    expect(got).toBe(expected);
  });

  it('signs timestamp + METHOD + path alone when there is no body', () => {
    const expected = createHmac('sha256', 's3cr3t').update('1700000000000POST/open/api/card/segment/list').digest('base64');
    expect(alchemySignature({ secret: 's3cr3t', timestamp: '1700000000000', method: 'POST', path: '/open/api/card/segment/list' })).toBe(
      expected,
    );
  });
});

describe('canonicalBody', () => {
  it('gives the empty string for no body', () => {
    expect(canonicalBody(undefined)).toBe('');
    expect(canonicalBody(null)).toBe('');
    expect(canonicalBody('')).toBe('');
  });

  it('keeps an empty object and an object emptied by dropping', () => {
    expect(canonicalBody({})).toBe('{}');
    expect(canonicalBody({ a: { b: null, c: '' } })).toBe('{"a":{}}');
  });

  it('sorts keys by UTF-16 code units, as JS sort does (astral characters before U+FFFF)', () => {
    const body = { b: 1, a: 2, B: 3, '\uffff': 4, '😀': 5, é: 6 };
    expect(canonicalBody(body)).toBe('{"B":3,"a":2,"b":1,"é":6,"😀":5,"\uffff":4}');
  });

  it('keeps array order, and null and empty-string elements', () => {
    expect(canonicalBody({ t: ['b', 'a', null, ''] })).toBe('{"t":["b","a",null,""]}');
    expect(canonicalBody([{ b: 1, a: null }])).toBe('[{"b":1}]');
  });

  it('reads values as JSON.stringify does: toJSON, functions dropped, non-finite numbers dropped as null', () => {
    const body = { when: new Date(Date.UTC(2024, 7, 14)), f: () => 1, nan: Number.NaN };
    expect(canonicalBody(body)).toBe('{"when":"2024-08-14T00:00:00.000Z"}');
  });

  it('does not depend on key insertion order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(canonicalBody(reversed)).toBe(canonicalBody(obj));
      }),
    );
  });
});

describe('alchemyHeaders', () => {
  const body = vectors[0]!.body;

  it('builds the documented headers with a 13-digit timestamp from the clock', () => {
    const h = alchemyHeaders({
      accessKey: 'ak_1234',
      secret,
      email: 'a@b.test',
      method: 'POST',
      path: '/open/api/card/create',
      body,
      now: () => 1732233600000,
    });
    expect(h).toEqual({
      'ach-access-key': 'ak_1234',
      'ach-access-timestamp': '1732233600000',
      'ach-access-sign': vectors[0]!.sign,
      email: 'a@b.test',
      'content-type': 'application/json',
    });
  });

  it('adds language only when given', () => {
    const h = alchemyHeaders({ accessKey: 'k', secret, email: 'e', language: 'JA', method: 'POST', path: '/p', now: () => 1732233600000 });
    expect(h.language).toBe('JA');
  });

  it('refuses a clock that does not give 13-digit milliseconds', () => {
    expect(() => alchemyHeaders({ accessKey: 'k', secret, email: 'e', method: 'POST', path: '/p', now: () => 1732233600 })).toThrow(
      /13-digit/,
    );
  });
});

describe('verifyAlchemyRequest', () => {
  const now = 1732233600000;
  const body = { vid: 'USD', cardHolder: { firstName: 'Amy', lastName: '' }, deposit: '1000', orderNo: 'o-1' };
  const rawBody = JSON.stringify(body); // as sent: unsorted, the empty member kept
  const signed = alchemyHeaders({
    accessKey: 'ak_live_9876',
    secret,
    email: 'e@x.test',
    method: 'POST',
    path: '/open/api/card/create',
    body,
    now: () => now,
  });
  const base: AlchemyVerifyInput = {
    headers: signed,
    method: 'POST',
    path: '/open/api/card/create',
    rawBody,
    secretFor: (k) => (k === 'ak_live_9876' ? secret : undefined),
    now,
  };

  it('accepts a request signed by alchemyHeaders and sent as JSON.stringify(body)', () => {
    expect(verifyAlchemyRequest(base)).toEqual({ ok: true, accessKey: 'ak_live_9876' });
  });

  it('accepts a body-less request signed over the empty body', () => {
    const headers = alchemyHeaders({
      accessKey: 'ak_live_9876',
      secret,
      email: 'e',
      method: 'POST',
      path: '/open/api/card/segment/list',
      now: () => now,
    });
    expect(verifyAlchemyRequest({ ...base, headers, path: '/open/api/card/segment/list', rawBody: '' }).ok).toBe(true);
  });

  it('a body that is no object verifies signed as the bytes sent or in the canonical reading, and in no third form', () => {
    const sign = (wire: string, signedBody?: string) =>
      alchemyHeaders({
        accessKey: 'ak_live_9876',
        secret,
        email: 'e',
        method: 'POST',
        path: '/p',
        wire,
        ...(signedBody !== undefined ? { signedBody } : {}),
        now: () => now,
      });
    const verify = (wire: string, headers: Record<string, string | undefined>) =>
      verifyAlchemyRequest({ ...base, headers, path: '/p', rawBody: wire }).ok;
    expect(verify('null', sign('null'))).toBe(true);
    expect(verify('null', sign('null', ''))).toBe(true);
    expect(verify('null', sign('null', '{}'))).toBe(false);
    expect(verify('"x"', sign('"x"'))).toBe(true);
    // an object is signed in its canonical form only: its bytes as sent (keys unsorted) do not verify
    const unsorted = '{"vid":"USD","deposit":"1000"}';
    expect(verify(unsorted, sign(unsorted))).toBe(true);
    expect(verify(unsorted, sign(unsorted, unsorted))).toBe(false);
  });

  it('accepts a timestamp exactly at the window edge and rejects one past it', () => {
    expect(verifyAlchemyRequest({ ...base, now: now + 300_000 }).ok).toBe(true);
    expect(verifyAlchemyRequest({ ...base, now: now - 300_001 })).toMatchObject({ ok: false, reason: 'stale-timestamp' });
    expect(verifyAlchemyRequest({ ...base, now: now + 10_001, windowMs: 10_000 })).toMatchObject({ ok: false, reason: 'stale-timestamp' });
  });

  it.each([['ach-access-key'], ['ach-access-timestamp'], ['ach-access-sign']])('rejects a request without %s', (name) => {
    const headers = { ...signed, [name]: undefined };
    expect(verifyAlchemyRequest({ ...base, headers })).toEqual({
      ok: false,
      reason: 'missing-header',
      detail: `header ${name} is missing or empty`,
    });
  });

  it('rejects an unknown access key, showing only its last 4 characters', () => {
    const r = verifyAlchemyRequest({ ...base, secretFor: () => undefined });
    expect(r).toEqual({ ok: false, reason: 'unknown-key', detail: 'access key ****9876 is not known' });
  });

  it('rejects a timestamp that is not 13 digits', () => {
    const r = verifyAlchemyRequest({ ...base, headers: { ...signed, 'ach-access-timestamp': '1732233600' } });
    expect(r).toMatchObject({ ok: false, reason: 'stale-timestamp' });
  });

  it('rejects a body that is not JSON', () => {
    expect(verifyAlchemyRequest({ ...base, rawBody: '{"vid":' })).toMatchObject({ ok: false, reason: 'bad-body' });
  });

  it('rejects a tampered body, method, path or signature', () => {
    const tampered = [
      { rawBody: rawBody.replace('"1000"', '"1001"') },
      { method: 'GET' },
      { path: '/open/api/card/info' },
      { headers: { ...signed, 'ach-access-sign': signed['ach-access-sign'].replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) } },
      { headers: { ...signed, 'ach-access-sign': 'short' } },
    ];
    for (const change of tampered) {
      expect(verifyAlchemyRequest({ ...base, ...change })).toMatchObject({ ok: false, reason: 'bad-signature' });
    }
  });

  it('never puts the secret or the expected signature in a detail', () => {
    const r = verifyAlchemyRequest({ ...base, rawBody: rawBody.replace('Amy', 'Bob') });
    expect(r.ok).toBe(false);
    const detail = r.ok ? '' : r.detail;
    expect(detail).not.toContain(secret);
    expect(detail).not.toContain(signed['ach-access-sign']);
  });

  it('accepts any JSON body it signed itself (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const headers = alchemyHeaders({
          accessKey: 'ak_live_9876',
          secret,
          email: 'e',
          method: 'POST',
          path: '/p',
          body: obj,
          now: () => now,
        });
        expect(verifyAlchemyRequest({ ...base, headers, path: '/p', rawBody: JSON.stringify(obj) }).ok).toBe(true);
      }),
    );
  });
});
