import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRedactor, maskTail, shortenHex } from '../../src/wire/redact.ts';
import { gepVector } from './vectors.ts';

const PAN = '4383570000037441'; // Luhn-valid
const MASKED = '438357******7441';
const NOT_LUHN = '4383570000037442';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJjYXJkSWQiOiJjXzEifQ.4pcPyMD09olPSyXnrXCjTwXyr4BsezdI1AVTmud2fU4';
const SECRET = 'test-secret-not-real-0001';
const r = createRedactor({ secrets: [SECRET, 'pfx-pass-1', 'abc'] });

describe('configured secrets', () => {
  it('replaces each configured secret wherever it occurs', () => {
    expect(r.text(`key=${SECRET}; again ${SECRET}!`)).toBe('key=[REDACTED]; again [REDACTED]!');
    expect(r.value({ note: `pw pfx-pass-1 used` })).toEqual({ note: 'pw [REDACTED] used' });
  });

  it('ignores configured secrets shorter than 4 characters', () => {
    expect(r.text('abc stays')).toBe('abc stays');
  });
});

describe('sensitive fields by name', () => {
  it('hides secrets, signatures, passwords, private keys and authorization in objects, any case', () => {
    const out = r.value({
      'ach-access-sign': 'Z+Vw=',
      Secret: 's',
      secretKey: 'sk',
      password: 'p',
      PrivateKey: { n: 1 },
      authorization: 'Bearer x',
    });
    expect(out).toEqual({
      'ach-access-sign': '[REDACTED]',
      Secret: '[REDACTED]',
      secretKey: '[REDACTED]',
      password: '[REDACTED]',
      PrivateKey: '[REDACTED]',
      authorization: '[REDACTED]',
    });
  });

  it('keeps only the last 4 characters of the access key', () => {
    expect(r.headers({ 'ach-access-key': 'ak_live_9876' })).toEqual({ 'ach-access-key': '****9876' });
    expect(maskTail('abc')).toBe('***');
  });

  it('always hides CVV fields, whatever their type, and keeps empty ones empty', () => {
    const out = r.value({
      cvc: '123',
      cvv: 456,
      cvv2: '789',
      cardVerifyNo: '012',
      securityCode: '345',
      card: { cvc: '' },
      gone: { cvv: null },
    });
    expect(out).toEqual({
      cvc: '[REDACTED]',
      cvv: '[REDACTED]',
      cvv2: '[REDACTED]',
      cardVerifyNo: '[REDACTED]',
      securityCode: '[REDACTED]',
      card: { cvc: '' },
      gone: { cvv: null },
    });
  });

  it('masks card-number fields whether or not they pass Luhn', () => {
    const out = r.value({ cardNo: NOT_LUHN, number: Number(PAN), pan: '4383 5700 0003 7442', cardNumber: '1234' });
    expect(out).toEqual({ cardNo: '438357******7442', number: MASKED, pan: '438357******7442', cardNumber: '****' });
  });

  it('keeps a millisecond timestamp even when it passes Luhn: 13 digits starting with 1 are never a card', () => {
    const ts = '1732233600003'; // passes Luhn
    expect(r.value({ ts })).toEqual({ ts });
    expect(r.text(`-H 'ach-access-timestamp: ${ts}' at ${ts}`)).toBe(`-H 'ach-access-timestamp: ${ts}' at ${ts}`);
    // a 13-digit Luhn-valid number starting with 4 (an old Visa length) is still a card
    expect(r.text('4222222222222')).toBe('422222***2222');
    expect(r.headers({ 'ach-access-timestamp': ts })).toEqual({ 'ach-access-timestamp': ts });
    expect(r.value({ timestamp: Number(ts) })).toEqual({ timestamp: Number(ts) });
  });

  it('finds the fields in JSON text, form text and header lines', () => {
    expect(r.text(`{"cvc":"123","cardNo":"${NOT_LUHN}","cvv" : 99,"password":"a\\"b","x":1}`)).toBe(
      '{"cvc":"[REDACTED]","cardNo":"438357******7442","cvv" : "[REDACTED]","password":"[REDACTED]","x":1}',
    );
    expect(r.text(`version=1.0.0&cvv2=321&cardNo=${NOT_LUHN}`)).toBe('version=1.0.0&cvv2=[REDACTED]&cardNo=438357******7442');
    expect(r.text("curl -H 'ach-access-sign: Z+VwIA6Ezn1j=' -H 'Authorization: Bearer abc.def' -H 'ach-access-key: ak_9876'")).toBe(
      "curl -H 'ach-access-sign: [REDACTED]' -H 'Authorization: [REDACTED]' -H 'ach-access-key: ****9876'",
    );
  });

  it('finds the fields in JSON text embedded in a JSON string, escaped quotes included', () => {
    const inner = JSON.stringify({ cvc: '123', password: 'p"w', ok: 'yes' });
    const outer = JSON.stringify({ raw: inner });
    const out = r.text(outer);
    expect(JSON.parse(JSON.parse(out).raw)).toEqual({ cvc: '[REDACTED]', password: '[REDACTED]', ok: 'yes' });
  });
});

describe('tokens and JWTs', () => {
  it('hides the activation link token in a URL', () => {
    expect(r.text(`open https://card.test/activate?cardId=c_1&token=${JWT}&lang=en now`)).toBe(
      'open https://card.test/activate?cardId=c_1&token=[REDACTED]&lang=en now',
    );
  });

  it('hides a bare JWT anywhere, including inside a JSON string value', () => {
    expect(r.text(`Bearer-less ${JWT}.`)).toBe('Bearer-less [REDACTED].');
    expect(r.value({ link: `x ${JWT}` })).toEqual({ link: 'x [REDACTED]' });
  });

  it('does not take GEP Base64 payloads (eyJ… without dots) for JWTs', () => {
    expect(r.text(gepVector().base64)).toBe(gepVector().base64);
  });
});

describe('card numbers in free text', () => {
  it('masks a Luhn-valid 13–19 digit run, with or without separators', () => {
    expect(r.text(`pan ${PAN} end`)).toBe(`pan ${MASKED} end`);
    expect(r.text('pan 4383 5700 0003 7441, end')).toBe(`pan ${MASKED}, end`);
    expect(r.text('pan 4383-5700-0003-7441')).toBe(`pan ${MASKED}`);
    expect(r.text('amex 378282246310005')).toBe('amex 378282*****0005');
  });

  it('masks the card inside a longer run of digit groups', () => {
    expect(r.text('4383 5700 0003 7441 1234')).toBe(`${MASKED} 1234`);
  });

  it('leaves Luhn-invalid runs, short runs and longer unbroken runs alone', () => {
    for (const s of [NOT_LUHN, '20240814201558-1133055849', '123456789012', `9${PAN}0000`]) expect(r.text(s)).toBe(s);
  });

  it('masks a card number inside a JSON text string under a harmless name', () => {
    const json = JSON.stringify({ code: '0', model: { card: { last4: '7441', memo: `card ${PAN}` } } });
    expect(JSON.parse(r.text(json)).model.card.memo).toBe(`card ${MASKED}`);
    expect(r.value({ memo: json })).toEqual({ memo: json.replace(PAN, MASKED) });
  });

  it('masks numbers and object keys that are card numbers', () => {
    expect(r.value({ list: [Number(PAN), 5], [PAN]: true })).toEqual({ list: [MASKED, 5], [MASKED]: true });
  });
});

describe('PEM blocks', () => {
  const pem = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;

  it('replaces a whole block, also JSON-escaped and also cut short', () => {
    expect(r.text(`before\n${pem}after`)).toBe('before\n[REDACTED KEY]\nafter');
    expect(r.text(JSON.stringify({ key: pem }))).toBe('{"key":"[REDACTED KEY]\\n"}');
    expect(r.text(`x ${pem.slice(0, 200)}`)).toBe('x [REDACTED KEY]');
  });

  it('replaces key objects and PEM strings in values', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(r.value({ k: privateKey, pem })).toEqual({ k: '[REDACTED KEY]', pem: '[REDACTED KEY]\n' });
  });
});

describe('GEP ciphertexts', () => {
  const hex = gepVector().dataContentHex;

  it('shortens dataContent and result hex, in objects, forms and JSON text', () => {
    const short = `${hex.slice(0, 16)}…(${hex.length} chars)`;
    expect(shortenHex(hex)).toBe(short);
    expect(r.value({ dataContent: hex, result: hex })).toEqual({ dataContent: short, result: short });
    expect(r.text(`version=1.0.0&dataContent=${hex}&userNo=1`)).toBe(`version=1.0.0&dataContent=${short}&userNo=1`);
    expect(r.text(JSON.stringify({ success: true, result: hex }))).toBe(`{"success":true,"result":"${short}"}`);
  });

  it('keeps the shortened prefix as it is when its digits would pass for a card, and stays so redacted again', () => {
    // the ciphertext's first 16 characters are a Luhn-valid digit run: a card number anywhere else
    const lead = `${PAN}${'ab'.repeat(60)}`;
    const mid = `6ab${PAN.slice(0, 13)}${'cd'.repeat(60)}`; // 13 digits inside the 16
    expect(mid.slice(0, 16)).toMatch(/^6ab\d{13}$/);
    for (const c of [lead, mid]) {
      const short = shortenHex(c);
      expect(short.startsWith(c.slice(0, 16))).toBe(true);
      expect(r.text(`a=1&dataContent=${c}`)).toBe(`a=1&dataContent=${short}`);
      expect(r.text(r.text(`a=1&dataContent=${c}`))).toBe(`a=1&dataContent=${short}`);
      expect(r.value(r.value({ result: c }))).toEqual({ result: short });
      expect(r.text(`curl --data-raw 'dataContent=${short}'`)).toBe(`curl --data-raw 'dataContent=${short}'`);
    }
    // the same 16 characters without the shortening mark after them are still a card number
    expect(r.text(`note ${PAN} here`)).toBe(`note ${MASKED} here`);
    expect(r.text(`note ${PAN}…(12 words) here`)).toBe(`note ${MASKED}…(12 words) here`);
  });

  it('shortens any ciphertext to its own first 16 characters, however often it is redacted (property)', () => {
    const hexText = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 600 });
    const digits = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 13, maxLength: 16 });
    fc.assert(
      fc.property(digits, hexText, fc.nat(3), (d, tail, at) => {
        const c = `${tail.slice(0, at)}${d}${tail}`.slice(0, Math.max(64, tail.length));
        const short = `${c.slice(0, 16)}…(${c.length} chars)`;
        const once = r.text(`dataContent=${c}&x=1`);
        expect(once).toBe(`dataContent=${short}&x=1`);
        expect(r.text(once)).toBe(once);
        expect(r.value(r.value({ dataContent: c }))).toEqual({ dataContent: short });
      }),
      { numRuns: 300, seed: 16 },
    );
  });

  it('redacts a decoded result object field by field, and a non-hex dataContent as text', () => {
    expect(r.value({ result: { cardNo: PAN, cardVerifyNo: '123' } })).toEqual({ result: { cardNo: MASKED, cardVerifyNo: '[REDACTED]' } });
    expect(r.value({ dataContent: `{"cvc":"1"} ${PAN}` })).toEqual({ dataContent: `{"cvc":"[REDACTED]"} ${MASKED}` });
  });
});

describe('value and headers', () => {
  it('returns a deep copy and leaves the input untouched', () => {
    const input = { a: { cvc: '123' }, list: [{ cardNo: PAN }] };
    const copy = JSON.parse(JSON.stringify(input));
    const out = r.value(input) as typeof input;
    expect(input).toEqual(copy);
    expect(out.a).not.toBe(input.a);
  });

  it('survives cycles, errors, buffers, functions and __proto__ keys', () => {
    const cyclic: Record<string, unknown> = { n: 1 };
    cyclic['self'] = cyclic;
    expect(r.value(cyclic)).toEqual({ n: 1, self: '[Circular]' });
    expect(r.value(new Error(`bad ${PAN}`))).toEqual({ name: 'Error', message: `bad ${MASKED}` });
    expect(r.value({ b: Buffer.from('secret bytes'), f: () => 1 })).toEqual({ b: '[12 bytes]', f: undefined });
    const parsed = r.value(JSON.parse('{"__proto__":{"cvc":"1"}}')) as object;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(parsed, '__proto__')?.value).toEqual({ cvc: '[REDACTED]' });
  });

  it('flattens header arrays, drops undefined, reads Headers-like iterables', () => {
    expect(r.headers({ 'set-cookie': ['a=1', 'b=2'], 'x-n': 5, gone: undefined, accept: `text/${PAN}` })).toEqual({
      'set-cookie': '[REDACTED]',
      'x-n': '5',
      accept: `text/${MASKED}`,
    });
    expect(r.headers(new Headers({ Authorization: 'Bearer x', 'ach-access-sign': 'abc' }))).toEqual({
      authorization: '[REDACTED]',
      'ach-access-sign': '[REDACTED]',
    });
  });
});

describe('precise redaction: by what a value is, never by the word before it', () => {
  const USER_NO = '1925920000000000304'; // a 19-digit merchant number that passes Luhn
  const precise = createRedactor({ secrets: [SECRET], keep: [USER_NO] });
  // the ciphertext of a sealed request, with a Luhn-valid 16-digit run inside (a card number would be masked)
  const HEX = `${'ab'.repeat(40)}${PAN}${'cd'.repeat(40)}`;

  const masked: [string, string, string][] = [
    ['a configured secret in prose', `the key is ${SECRET}.`, 'the key is [REDACTED].'],
    ['a signature header line', "-H 'ach-access-sign: Z+VwIA6E='", "-H 'ach-access-sign: [REDACTED]'"],
    ['an authorization header line', 'Authorization: Bearer abc.def', 'Authorization: [REDACTED]'],
    ['a token parameter', 'https://x.test/a?token=abc123&lang=en', 'https://x.test/a?token=[REDACTED]&lang=en'],
    ['a bare JWT in prose', `the link holds ${JWT} here`, 'the link holds [REDACTED] here'],
    ['a PAN in prose (Luhn + length)', `card ${PAN} was made`, `card ${MASKED} was made`],
    ['a PAN after a harmless word', `code = "${PAN}"`, `code = "${MASKED}"`],
    ['a CVV by JSON field name', '{"cardVerifyNo":"123","cvc":456}', '{"cardVerifyNo":"[REDACTED]","cvc":"[REDACTED]"}'],
    ['a CVV by form field name', 'a=1&cvv2=321', 'a=1&cvv2=[REDACTED]'],
    ['a card-number field that fails Luhn', `{"cardNo":"${NOT_LUHN}"}`, '{"cardNo":"438357******7442"}'],
  ];
  const unchanged: [string, string][] = [
    ['a code after "code ="', 'code is a whole number: broken by code = "1002"'],
    ['an order number after "orderNo ="', 'orderNo = "ab12"'],
    ['a PAN already masked 6+4, in prose', `result.cardNo = "${MASKED}"`],
    ['a PAN already masked 6+4, in JSON', `{"cardNo":"${MASKED}","number":"${MASKED}"}`],
    ['words that name sensitive fields, in prose', 'the number: 12; secret: none given; token: absent; password is required'],
    ['a field name followed by a space and "="', 'cvc = 12 and number = 3'],
    ['a short number', 'deposit = "999" (min − 1)'],
    ['a Luhn-invalid 16-digit run', `amount ${NOT_LUHN}`],
    ['a configured merchant number that passes Luhn', `userNo=${USER_NO}&dataType=JSON`],
    ['digits inside a long hex ciphertext of a reproduction', `dataContent=${HEX}`],
  ];

  it('masks each value by what it is (the positive cases)', () => {
    for (const [what, input, output] of masked) expect(precise.text(input), what).toBe(output);
  });

  it('leaves text whose words merely name a sensitive field unchanged', () => {
    // the case the table guards against: before, "broken by code = " was eaten after "number:"
    for (const [what, input] of unchanged) expect(precise.wire(input), what).toBe(input);
    for (const [what, input] of unchanged.slice(0, -1)) expect(precise.text(input), what).toBe(input);
  });

  it('shortens a request ciphertext in text, keeps it whole in a reproduction, and always shortens a result', () => {
    expect(precise.text(`dataContent=${HEX}`)).toBe(`dataContent=${HEX.slice(0, 16)}…(${HEX.length} chars)`);
    expect(precise.wire(`a=1&dataContent=${HEX}`)).toBe(`a=1&dataContent=${HEX}`);
    expect(precise.value({ reproduction: `curl --data-raw 'dataContent=${HEX}&cvv2=1'` })).toEqual({
      reproduction: `curl --data-raw 'dataContent=${HEX}&cvv2=[REDACTED]'`,
    });
    expect(precise.wire(JSON.stringify({ result: HEX }))).toBe(`{"result":"${HEX.slice(0, 16)}…(${HEX.length} chars)"}`);
  });

  it('tells a value that holds a secret from one whose only hidden part is a Luhn-valid id', () => {
    for (const v of [{ cvv2: '1' }, { a: `x ${SECRET}` }, { link: `?token=abc` }, { k: JWT }, { cardNo: '1' }])
      expect(precise.holdsSecret(v), JSON.stringify(v)).toBe(true);
    for (const v of [{ cardUserId: PAN }, { code: '1002', orderNo: 'ab12' }, { cvv: '' }, 'plain'])
      expect(precise.holdsSecret(v), JSON.stringify(v)).toBe(false);
    // value() still masks the Luhn-valid id: holdsSecret only asks whether anything else is hidden
    expect(precise.value({ cardUserId: PAN })).toEqual({ cardUserId: MASKED });
  });

  it('redacts a value by the field it belongs to, for text written as prose', () => {
    expect(precise.field('cardVerifyNo', '123')).toBe('[REDACTED]');
    expect(precise.field('cardNo', PAN)).toBe(MASKED);
    expect(precise.field('cardNo', MASKED)).toBe(MASKED);
    expect(precise.field('code', '1002')).toBe('1002');
    expect(precise.field('result', { cardNo: PAN, cvc: '1' })).toEqual({ cardNo: MASKED, cvc: '[REDACTED]' });
  });
});
