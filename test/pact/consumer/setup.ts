/**
 * Global setup of `npm run pact:consumer`: Pact merges into an existing file (stale interactions stay),
 * so both pact files are removed before the consumer tests write them again; the provider-state
 * vocabulary is written beside them.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pactFilePath, pactOutputDir, VOCABULARY_FILE } from '../../../src/pact/consumer.ts';
import { vocabulary } from '../../../src/pact/states.ts';
import { PROVIDERS } from '../../../src/spec/registry.ts';

export default function setup(): void {
  const dir = pactOutputDir();
  mkdirSync(dir, { recursive: true });
  for (const p of PROVIDERS) rmSync(pactFilePath(p), { force: true });
  const path = join(dir, VOCABULARY_FILE);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(vocabulary(), null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}
