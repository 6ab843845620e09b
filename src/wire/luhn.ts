/**
 * Luhn (ISO/IEC 7812-1 check digit) and the one PAN mask used across the project.
 * Pure functions; the redactor and the suites both use them.
 */

/**
 * The one Luhn check: the redactor finds card numbers with it and the rule predicate
 * (`gep.apply.response.result.cardNo.luhn`) judges answers with it. Imports nothing, so both may use it.
 */
export function luhnValid(digits: string): boolean {
  if (!/^\d{2,}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** `body` completed with the digit that makes it pass Luhn. */
export function withCheckDigit(body: string): string {
  for (let d = 0; d <= 9; d++) if (luhnValid(body + d)) return body + d;
  throw new Error('unreachable: one check digit always satisfies Luhn');
}

/**
 * Masks a card number: separators (spaces, dashes) dropped, first 6 and last 4 digits kept, the middle
 * as `*` (`4383571234567441` → `438357******7441`). Fewer than 13 digits cannot be shown safely with
 * 10 digits visible, so a short value is masked entirely; a value that is not digits becomes `[REDACTED]`.
 * The empty string stays empty (it carries no card number, and "empty" is itself a finding).
 */
export function maskPan(pan: string): string {
  if (pan === '') return '';
  const digits = pan.replace(/[\s-]/g, '');
  if (!/^\d+$/.test(digits)) return '[REDACTED]';
  if (digits.length < 13) return '*'.repeat(digits.length);
  return digits.slice(0, 6) + '*'.repeat(digits.length - 10) + digits.slice(-4);
}
