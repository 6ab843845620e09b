/**
 * The conformance suites on the CLI's build. `card-conformance run` (and `selfcheck`) start from the
 * JavaScript build of src/ (bin/build.mjs), whose folder the bin names in CARD_CONFORMANCE_BUILD. With
 * it set, the conformance project resolves every module of src/, properties/ and contracts/ that the
 * suite files and the global setup import to its built twin and hands those to Node as they are
 * (externalized): no module is transformed at run time, each worker loads the graph at Node's own
 * speed, and the reporter and the global setup in the run's process share one instance of each
 * module. Without the variable (`npx vitest`, `npm test`) the sources run as they are.
 *
 * The build is current by construction: the bin checks the sources' fingerprint before it starts.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { Plugin } from 'vite';

export const BUILD_VARIABLE = 'CARD_CONFORMANCE_BUILD';
const BUILT = ['src', 'properties', 'contracts'];

/** The build folder named by the environment, when it holds a build. */
export function buildDir(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const dir = env[BUILD_VARIABLE];
  return dir && isAbsolute(dir) && existsSync(dir) ? dir : undefined;
}

/** The vite plugin that swaps a source module for its built twin (none without a build). */
export function fromBuild(root: string, env: Readonly<Record<string, string | undefined>>): Plugin[] {
  const dir = buildDir(env);
  if (!dir) return [];
  return [
    {
      name: 'card-conformance:from-build',
      enforce: 'pre',
      async resolveId(source, importer, options) {
        if (!source.endsWith('.ts')) return null;
        const r = await this.resolve(source, importer, { ...options, skipSelf: true });
        if (!r || r.external) return r;
        const rel = relative(root, r.id);
        if (rel.startsWith('..') || isAbsolute(rel) || !BUILT.includes(rel.split(sep)[0]!)) return r;
        const built = join(dir, rel.replace(/\.ts$/, '.js'));
        return existsSync(built) ? { id: built, external: false } : r;
      },
    },
  ];
}

/** The built modules, for `server.deps.external`: Node loads them natively (none without a build). */
export const buildExternals = (env: Readonly<Record<string, string | undefined>>): RegExp[] => {
  const dir = buildDir(env);
  return dir ? [new RegExp(`^${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`)] : [];
};
