/**
 * What the consumer pact tests share: the pact's names and directory, and the typed clients in plaintext
 * codec mode pointed at a Pact mock server. The consumer name is `PACT_CONSUMER` (default
 * `card-conformance`); a provider's name is its profile name as a slug.
 */
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { createAlchemyClient } from '../client/alchemy.ts';
import { createGepClient } from '../client/gep.ts';
import type { CallResult } from '../client/types.ts';
import { DEFAULT_LIMITS } from '../config/env.ts';
import { PACKAGE_ROOT } from '../config/root.ts';
import { catalogue } from '../spec/catalogue.ts';
import type { Provider } from '../spec/registry.ts';
import { createTransport } from '../wire/http.ts';
import type { PactInteraction } from './interactions.ts';

export const PACT_VARIABLES = { consumer: 'PACT_CONSUMER', outputDir: 'PACT_OUTPUT_DIR', doNotTrack: 'PACT_DO_NOT_TRACK' } as const;
export const DEFAULT_CONSUMER = 'card-conformance';
/** Where the committed pacts and the provider-state vocabulary live. */
export const PACT_DIR = join(PACKAGE_ROOT, 'contracts', 'pacts');
export const VOCABULARY_FILE = 'provider-states.json';

export const consumerName = (env: NodeJS.ProcessEnv = process.env): string => env[PACT_VARIABLES.consumer] || DEFAULT_CONSUMER;

/** The provider's name in pacts and on a broker: its profile name as a slug. */
export const providerName = (provider: Provider): string =>
  catalogue()
    .profiles[provider].name.toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

export const pactFileName = (consumer: string, provider: Provider): string => `${consumer}-${providerName(provider)}.json`;
export const pactOutputDir = (env: NodeJS.ProcessEnv = process.env): string => env[PACT_VARIABLES.outputDir] || PACT_DIR;
export const pactFilePath = (provider: Provider, env: NodeJS.ProcessEnv = process.env) =>
  join(pactOutputDir(env), pactFileName(consumerName(env), provider));

/** Sends one interaction's request through the typed client in plaintext codec mode to `baseUrl`. */
export async function sendPlaintext(i: PactInteraction, baseUrl: string): Promise<CallResult> {
  const transport = createTransport(DEFAULT_LIMITS);
  const opts = { transport, retries: 0, codec: 'plaintext' as const };
  try {
    if (i.provider === 'alchemy') {
      // throwaway credentials: the Pact mock server matches the headers' shape, a proxy signs again
      const client = createAlchemyClient(
        { baseUrl, accessKey: 'pact-example-access-key', secretKey: 'pact-consumer-throwaway', email: 'merchant@example.com' },
        opts,
      );
      return await client.call(i.operation as 'create', i.send.body, i.send.options);
    }
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const client = createGepClient(
      { baseUrl, userNo: '0'.repeat(19), certificateId: '0'.repeat(19), merchantPrivateKey: privateKey, platformPublicKey: publicKey },
      opts,
    );
    return await client.call(i.operation as 'apply', i.send.body, i.send.options);
  } finally {
    await transport.close();
  }
}
