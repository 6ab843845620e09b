import { defineConfig } from 'vitest/config';
import { PACKAGE_ROOT } from './src/config/root.ts';
import { conformanceTimeout, extraSuites } from './src/conformance/config-env.ts';
import { buildExternals, fromBuild } from './src/conformance/from-build.ts';
import { ConformanceSequencer } from './src/conformance/sequencer.ts';

/** Derived from the run's wait (`--wait`, CARD_CONFORMANCE_WAIT): the bound, the stability window and a margin. */
const conformanceTimeoutMs = await conformanceTimeout(process.env);

/**
 * Two projects: `unit` (the library's own tests, test/**) and `conformance` (the suites, which test a
 * provider: the embedded mock unless a base URL is configured). `npm test` runs both;
 * `card-conformance run` runs `conformance` with its reporter.
 */
export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    // the conformance project's longest files first (src/conformance/sequencer.ts)
    sequence: { sequencer: ConformanceSequencer },
    env: { PACT_DO_NOT_TRACK: 'true' },
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: ['test/run/**', 'test/**/*.pact.test.ts'], testTimeout: 60_000 },
      },
      {
        extends: true,
        // `card-conformance run`: the suites on the CLI's JavaScript build (CARD_CONFORMANCE_BUILD), nothing transformed
        plugins: fromBuild(PACKAGE_ROOT, process.env),
        test: {
          name: 'conformance',
          // Worker threads, not processes: nothing in the suites is per process (no chdir, no signal, no exit),
          // and a thread starts without a second Node: 0.2-0.3 s off every run, 0.4-0.5 CPU-s (A/B, run --runs 1 and default)
          pool: 'threads',
          server: { deps: { external: buildExternals(process.env) } },
          // plus a user's own suite files (CARD_CONFORMANCE_EXTRA_SUITES), run with the same harness
          include: ['suites/**/*.conformance.test.ts', ...extraSuites(process.env)],
          globalSetup: ['suites/global-setup.ts'],
          // suite files share one module graph per worker: importing it once saves seconds per run
          isolate: false,
          testTimeout: conformanceTimeoutMs,
          hookTimeout: conformanceTimeoutMs,
          sequence: { groupOrder: 1 },
        },
      },
      {
        // Whole `card-conformance run`s as child processes (each a vitest of its own): one file at a
        // time, two runs at once, after the other projects, so that they never starve each other.
        extends: true,
        test: {
          name: 'runs',
          include: ['test/run/**/*.test.ts'],
          fileParallelism: false,
          maxConcurrency: 2,
          testTimeout: 300_000,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
