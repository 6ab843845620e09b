import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` (the library's own tests, test/**) and `conformance` (the suites, which test a
 * provider: the embedded mock unless a base URL is configured). `npm test` runs both;
 * `card-conformance run` runs `conformance` with its reporter.
 */
export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    env: { PACT_DO_NOT_TRACK: 'true' },
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], testTimeout: 180_000, maxConcurrency: 2 },
      },
      {
        extends: true,
        test: {
          name: 'conformance',
          include: ['suites/**/*.conformance.test.ts'],
          globalSetup: ['suites/global-setup.ts'],
          // suite files share one module graph per worker: importing it once saves seconds per run
          isolate: false,
          testTimeout: 600_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
