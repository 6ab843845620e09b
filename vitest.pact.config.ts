import { defineConfig } from 'vitest/config';

/**
 * `npm run pact:consumer`: the consumer pact tests (test/pact/consumer/*.pact.test.ts), one file per
 * provider, run on their own (they write contracts/pacts/, or PACT_OUTPUT_DIR); `npm test` does not run
 * them directly: test/pact/drift.test.ts runs this configuration into a temporary folder and compares.
 */
export default defineConfig({
  test: {
    include: ['test/pact/consumer/*.pact.test.ts'],
    globalSetup: ['test/pact/consumer/setup.ts'],
    pool: 'forks',
    // one Pact mock server at a time per file, the two files one after the other: the files are written whole
    fileParallelism: false,
    env: { PACT_DO_NOT_TRACK: 'true' },
    testTimeout: 60_000,
  },
});
