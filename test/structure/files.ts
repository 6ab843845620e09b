/** The repository's own source files, for the structure tests (a walk of the tree, not git: works in any copy). */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SKIP = new Set(['node_modules', '.git', 'reports', 'coverage']);

/** Repository-relative paths (with `/`) of the .ts/.mjs files under `dirs`. */
export function sourceFiles(dirs: readonly string[]): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      if (SKIP.has(e.name)) return [];
      const full = join(dir, e.name);
      if (e.isDirectory()) return walk(full);
      return /\.(ts|mjs)$/.test(e.name) ? [relative(ROOT, full).split('\\').join('/')] : [];
    });
  return dirs.flatMap((d) => walk(join(ROOT, d))).sort();
}

export const readSource = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
