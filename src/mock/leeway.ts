/**
 * Readings where the documents leave room: each a different, equally conformant way to be the provider.
 * The faithful mock takes the most accepting reading; `--leeway NAME` makes it a second provider that
 * reads the documents otherwise, so a verdict the suite gives is tested against both (a suite that fails
 * either one is stricter than the documents).
 */
import { CardConformanceError, EXIT } from '../wire/errors.ts';

export const LEEWAYS = {
  'literal-strings': {
    description: 'refuses a JSON number where the table writes String (the faithful mock takes it by value)',
    source: 'the tables type fields String, Number; no document says whether a number is taken for a String field',
  },
  'bytes-signed': {
    description: 'verifies an Alchemy body that is no JSON object only as the bytes sent (not as its canonical reading)',
    source: 'WIRE.md, Signature: the page canonicalises objects; what a null, number or string body signs is not said',
  },
  'fields-first': {
    description:
      'checks the fields before the Alchemy signature, and the field rules in the reverse of the catalogue order (a different code when two rules break)',
    source: 'no document orders the checks a provider makes',
  },
} as const satisfies Record<string, { description: string; source: string }>;

export type LeewayName = keyof typeof LEEWAYS;
export const LEEWAY_NAMES = Object.keys(LEEWAYS) as LeewayName[];

class LeewayError extends CardConformanceError {
  override name = 'LeewayError';
  readonly exitCode = EXIT.usage;
}

/** Names as given (`all` for every one); an unknown name is one line listing the known ones. */
export function resolveLeeway(names: readonly string[]): LeewayName[] {
  const out = new Set<LeewayName>();
  for (const n of names) {
    if (n === 'all') for (const l of LEEWAY_NAMES) out.add(l);
    else if (n in LEEWAYS) out.add(n as LeewayName);
    else throw new LeewayError(`unknown leeway "${n}" (leeways: ${LEEWAY_NAMES.join(', ')}, all)`);
  }
  return [...out];
}
