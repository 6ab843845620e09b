/**
 * The package's root folder (the one holding package.json), found from this module's own place: the
 * same answer when the CLI runs from the sources (`src/config/root.ts`) and from the build
 * (`dist/<fingerprint>/src/config/root.js`, bin/build.mjs), where `../..` would point inside the build.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function packageRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${from}`);
    dir = up;
  }
  return dir;
}

export const PACKAGE_ROOT = packageRoot(dirname(fileURLToPath(import.meta.url)));
