import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { luhnValid, maskPan } from '../../src/wire/luhn.ts';

/** A Luhn check digit computed the textbook way, independently of luhnValid. */
function checkDigit(payload: string): string {
  const digits = [...payload].reverse().map(Number);
  const sum = digits.reduce((acc, d, i) => acc + (i % 2 === 0 ? [0, 2, 4, 6, 8, 1, 3, 5, 7, 9][d]! : d), 0);
  return String((10 - (sum % 10)) % 10);
}

describe('luhnValid', () => {
  it('accepts published valid numbers and rejects their neighbours', () => {
    for (const pan of ['79927398713', '4111111111111111', '5555555555554444', '378282246310005', '6011111111111117']) {
      expect(luhnValid(pan)).toBe(true);
      const last = Number(pan.at(-1));
      expect(luhnValid(pan.slice(0, -1) + String((last + 1) % 10))).toBe(false);
    }
  });

  it('rejects anything that is not only digits', () => {
    for (const s of ['', '0', '4111 1111 1111 1111', '4111-1111-1111-1111', '41111111111111１1', 'abc']) expect(luhnValid(s)).toBe(false);
  });

  it('agrees with an independent check-digit computation (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{12,18}$/), fc.integer({ min: 1, max: 9 }), (payload, shift) => {
        const good = checkDigit(payload);
        expect(luhnValid(payload + good)).toBe(true);
        expect(luhnValid(payload + String((Number(good) + shift) % 10))).toBe(false);
      }),
    );
  });
});

describe('maskPan', () => {
  it('keeps the first 6 and last 4 digits, separators dropped', () => {
    expect(maskPan('4383570000037441')).toBe('438357******7441');
    expect(maskPan('4383 5700 0003 7441')).toBe('438357******7441');
    expect(maskPan('4383-5700-0003-7441')).toBe('438357******7441');
    expect(maskPan('6222000000000000000')).toBe('622200*********0000');
  });

  it('masks a short number entirely, a non-number as [REDACTED], and leaves empty empty', () => {
    expect(maskPan('123456789012')).toBe('************');
    expect(maskPan('not-a-card')).toBe('[REDACTED]');
    expect(maskPan('')).toBe('');
  });
});
