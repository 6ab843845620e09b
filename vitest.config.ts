import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'suites/**/*.test.ts', 'contracts/**/*.test.ts', 'properties/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    env: { PACT_DO_NOT_TRACK: 'true' },
  },
});
