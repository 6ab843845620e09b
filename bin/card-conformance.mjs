#!/usr/bin/env node
// Entry point for `npx card-conformance`: loads the TypeScript CLI through tsx's ESM loader, so the
// sources run as they are (Node 20 has no built-in type stripping) and there is no build step to forget.
import { appendFileSync } from 'node:fs';

// phase marks for `npm run bench` (CARD_CONFORMANCE_TIMINGS; src/conformance/timings.ts)
const mark = (name) => {
  const file = process.env.CARD_CONFORMANCE_TIMINGS;
  if (file) appendFileSync(file, `${JSON.stringify({ mark: name, at: Date.now(), pid: process.pid })}\n`);
};
mark('bin-start');
const { register } = await import('tsx/esm/api');

register();
// A closed pipe (`card-conformance rules | head`) ends the output, not the program with a stack trace.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});
const { main } = await import('../src/cli/main.ts');
mark('main-loaded');
process.exitCode = await main(process.argv.slice(2));
mark('main-done');
