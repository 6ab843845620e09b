#!/usr/bin/env node
// Entry point for `npx card-conformance`: runs the CLI built to JavaScript (bin/build.mjs: dist/<fingerprint>/,
// built by `npm ci` or here on first use when missing or stale), so nothing is transpiled at run time.
// Without the TypeScript compiler (an install without dev dependencies) it runs the sources through tsx.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// phase marks for `npm run bench` (CARD_CONFORMANCE_TIMINGS; src/conformance/timings.ts)
const mark = (name) => {
  const file = process.env.CARD_CONFORMANCE_TIMINGS;
  if (file) appendFileSync(file, `${JSON.stringify({ mark: name, at: Date.now(), pid: process.pid })}\n`);
};
mark('bin-start');
const { BuildError, canBuild, ENTRY, ensureBuilt } = await import('./build.mjs');
let entry;
if (canBuild()) {
  try {
    const build = ensureBuilt();
    entry = pathToFileURL(join(build, ENTRY)).href;
    // the conformance suites run on the same build (src/conformance/from-build.ts)
    process.env.CARD_CONFORMANCE_BUILD = build;
  } catch (err) {
    // tsc's own errors, or the folder that could not be written: one message, never a stack trace
    process.stderr.write(
      `card-conformance: ${err instanceof BuildError ? err.message : `cannot build the CLI into dist/: ${err.message}`}\n`,
    );
    process.exit(2);
  }
} else {
  const { register } = await import('tsx/esm/api');
  register();
  entry = '../src/cli/main.ts';
}
mark('built');
// A closed pipe (`card-conformance rules | head`) ends the output, not the program with a stack trace.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});
const { main } = await import(entry);
mark('main-loaded');
process.exitCode = await main(process.argv.slice(2));
mark('main-done');
