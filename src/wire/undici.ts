/**
 * undici, required on first use rather than imported with the module that uses it: it is a tenth of a
 * second of start-up that `--help`, `rules` and `export` never need. The same module instance as an
 * `import ... from 'undici'` elsewhere (undici ships CommonJS only, so both read Node's require cache).
 */
import { createRequire } from 'node:module';

type Undici = typeof import('undici');
let loaded: Undici | undefined;

export const undici = (): Undici => {
  loaded ??= createRequire(import.meta.url)('undici') as Undici;
  return loaded;
};
