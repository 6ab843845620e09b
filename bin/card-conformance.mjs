#!/usr/bin/env node
// Entry point for `npx card-conformance`: loads the TypeScript CLI through tsx's ESM loader, so the
// sources run as they are (Node 20 has no built-in type stripping) and there is no build step to forget.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
