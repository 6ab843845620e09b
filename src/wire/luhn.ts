/**
 * Luhn (ISO/IEC 7812-1 check digit) and the one PAN mask used across the project.
 * Pure functions; the redactor and the suites both use them.
 */

/** The one Luhn check, kept with the rule predicates (`gep.apply.response.result.cardNo.luhn`). */
export { luhnValid } from '../spec/evaluate.ts';

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
