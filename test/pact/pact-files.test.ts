/**
 * The committed pacts: V4, one per provider, every interaction naming catalogue rule ids and using only
 * vocabulary states; and nothing in them that must not be written: no ciphertext, no signature, no
 * secret or key, no card number but the well-known test number, no CVV but the fixed example.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACT_DIR, pactFileName, providerName, VOCABULARY_FILE } from '../../src/pact/consumer.ts';
import { EXAMPLE_CVV, EXAMPLE_PAN } from '../../src/pact/examples.ts';
import { idsOfDescription } from '../../src/pact/interactions.ts';
import { STATE_LIST, vocabulary } from '../../src/pact/states.ts';
import { catalogue } from '../../src/spec/catalogue.ts';
import { PROVIDERS } from '../../src/spec/registry.ts';
import { luhnValid } from '../../src/wire/luhn.ts';

interface Pact {
  consumer: { name: string };
  provider: { name: string };
  metadata: { pactSpecification: { version: string } };
  interactions: Array<{ description: string; providerStates?: Array<{ name: string; params?: Record<string, unknown> }> }>;
}

const files = readdirSync(PACT_DIR).filter((f) => f.endsWith('.json') && f !== VOCABULARY_FILE);
const text = (f: string) => readFileSync(join(PACT_DIR, f), 'utf8');
const pact = (f: string) => JSON.parse(text(f)) as Pact;

/** What must not be in a pact file, found in `s`: one line per finding. */
function forbidden(s: string): string[] {
  const found: string[] = [];
  for (const m of s.matchAll(/[0-9a-fA-F]{64,}/g)) found.push(`hex ciphertext-like run of ${m[0].length} characters`);
  for (const m of s.matchAll(/(?<!\d)\d{13,19}(?!\d)/g))
    if (luhnValid(m[0]) && m[0] !== EXAMPLE_PAN) found.push(`card number ${m[0].slice(0, 6)}…`);
  for (const m of s.matchAll(/"(cvc|cvv|cardVerifyNo)"\s*:\s*(?:\{[^}]*"value"\s*:\s*)?"([^"]*)"/g))
    if (m[2] !== EXAMPLE_CVV && m[2] !== '') found.push(`${m[1]} ${m[2]}`);
  if (/-----BEGIN /.test(s)) found.push('PEM armour');
  for (const m of s.matchAll(/"ach-access-sign"\s*:\s*\[\s*"([^"]+)"/g)) {
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    if (!decoded.startsWith('pact example, not a signature')) found.push('an ach-access-sign value that is not the placeholder');
  }
  if (/secret|password|eyJ[A-Za-z0-9_-]{4,}\./i.test(s)) found.push('a secret, password or token');
  return found;
}

describe('committed pact files', () => {
  it('the scanner finds what it must (positive case first)', () => {
    expect(forbidden(`{"result":"${'ab'.repeat(40)}"}`)).toHaveLength(1);
    expect(forbidden('{"cardNo":"4532015112830366"}')).toEqual(['card number 453201…']);
    expect(forbidden(`{"cardNo":"${EXAMPLE_PAN}","cvc":"${EXAMPLE_CVV}"}`)).toEqual([]);
    expect(forbidden('{"cvc":{"pact:matcher:type":"type","value":"987"}}')).toEqual(['cvc 987']);
    expect(forbidden('{"ach-access-sign":["c2lnbmF0dXJlLXJlYWwtb25lLWhlcmU="]}')).toHaveLength(1);
    expect(forbidden('{"secretKey":"x"}')).toHaveLength(1);
  });

  it('there is one V4 pact per provider, named consumer-provider, with interactions', () => {
    expect(files.sort()).toEqual(PROVIDERS.map((p) => pactFileName('card-conformance', p)).sort());
    for (const p of PROVIDERS) {
      const c = pact(pactFileName('card-conformance', p));
      expect(c.provider.name).toBe(providerName(p));
      expect(c.metadata.pactSpecification.version).toBe('4.0');
      expect(c.interactions.length).toBeGreaterThan(5);
    }
  });

  it.each(files)('%s holds no ciphertext, signature, secret, other card number or CVV', (f) => {
    expect(forbidden(text(f))).toEqual([]);
  });

  it.each(files)('%s: every interaction names catalogue rule ids and uses vocabulary states only', (f) => {
    const sentences = new Set(STATE_LIST.map((s) => s.sentence));
    for (const i of pact(f).interactions) {
      const ids = idsOfDescription(i.description);
      expect(ids.length, i.description).toBeGreaterThan(0);
      for (const id of ids) expect(catalogue().byId.has(id), id).toBe(true);
      for (const s of i.providerStates ?? []) {
        expect(sentences.has(s.name), s.name).toBe(true);
        // present tense with its parameters: every {name} of the sentence is given
        for (const [, name] of s.name.matchAll(/\{(\w+)\}/g)) expect(s.params ?? {}, s.name).toHaveProperty(name!);
      }
    }
  });

  it('the README lists every state sentence of the vocabulary', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(STATE_LIST.length).toBeGreaterThan(5);
    for (const s of STATE_LIST) expect(readme, s.sentence).toContain(`| ${s.provider} | \`${s.sentence}\` |`);
  });

  it('the provider-state vocabulary file is the one the code holds', () => {
    expect(JSON.parse(text(VOCABULARY_FILE))).toEqual(JSON.parse(JSON.stringify(vocabulary())));
  });
});
