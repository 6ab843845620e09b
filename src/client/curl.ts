/** A one-line, redacted `curl` reproduction of a call's request, for reports and the `call` command. */
import type { Redactor } from '../wire/redact.ts';
import type { CallResult } from './types.ts';

/** Shell-quoted: single quotes, or `$'…'` when the text holds a line break or another control character. */
export function shellQuote(s: string): string {
  if (!/[\u0000-\u001f\u007f]/.test(s)) return `'${s.replace(/'/g, `'\\''`)}'`;
  const escaped = s
    .replace(/[\\']/g, (c) => `\\${c}`)
    .replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `$'${escaped}'`;
}

/**
 * `replayable`: the request's sealed `dataContent` is kept whole (`Redactor.wire`), so the line replays
 * the bytes as sent; the caller says so only when the sealed plaintext holds nothing the redactor hides.
 */
export function curlFor(result: Pick<CallResult, 'request'>, redactor: Redactor, replayable = false): string {
  const { method, url, headers, wireBody } = result.request;
  const parts = ['curl', '-sS', '-X', method, shellQuote(redactor.text(url))];
  for (const [name, value] of Object.entries(redactor.headers(headers))) parts.push('-H', shellQuote(`${name}: ${value}`));
  if (wireBody !== '') parts.push('--data-raw', shellQuote(replayable ? redactor.wire(wireBody) : redactor.text(wireBody)));
  return parts.join(' ');
}
