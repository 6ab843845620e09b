#!/usr/bin/env node
/**
 * The CLI's build: the whole src/ tree (with properties/ and contracts/, which it imports, and the vitest
 * config, which `run` loads without bundling it) compiled to
 * JavaScript by the native TypeScript compiler (`tsc -p tsconfig.build.json`: `.ts` imports rewritten to
 * `.js`, types not checked here — `npm run typecheck` does that) into `dist/<fingerprint>/`, where the
 * fingerprint is a hash of the sources' contents. So nothing is transpiled when the CLI runs.
 *
 * Built by the install (`prepare`: `node bin/build.mjs`) and, when missing or stale, on first use by
 * bin/card-conformance.mjs (`npm ci --ignore-scripts`, an edited source, another branch checked out).
 * Staleness costs a stat of each source: a cache maps the sources' (path, size, mtime) to the content
 * fingerprint, so only a touched tree is read and hashed again. Several processes starting at once
 * build once (a lock folder); a build is written to a temporary folder and renamed into place whole.
 * Tests and development run the sources directly (vitest); this is the shipped CLI's path only.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** What is compiled, and what decides how: a change to any of these is a new build. */
const SOURCES = ['src', 'properties', 'contracts'];
const INPUTS = ['vitest.config.ts', 'tsconfig.json', 'tsconfig.build.json', 'bin/build.mjs'];
/** The module bin/card-conformance.mjs loads, relative to a build folder. */
export const ENTRY = 'src/cli/main.js';
const LOCK_STALE_MS = 120_000;
/** Older builds are removed once they have not been current for this long (a process started from one has loaded it by then). */
const PRUNE_AFTER_MS = 10 * 60_000;

export class BuildError extends Error {}

function files(root) {
  const out = [];
  const walk = (dir) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const full = join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile()) out.push(full);
    }
  };
  for (const d of SOURCES) walk(join(root, d));
  for (const f of INPUTS) out.push(join(root, f));
  return out;
}

/** The content fingerprint of the sources under `root`, read through the (path, size, mtime) cache. */
export function fingerprint(root = ROOT) {
  const dist = join(root, 'dist');
  const cacheFile = join(dist, 'fingerprints.json');
  const list = files(root);
  const stats = list.map((f) => {
    try {
      const s = statSync(f);
      return `${relative(root, f)}\0${s.size}\0${s.mtimeMs}`;
    } catch {
      return `${relative(root, f)}\0missing`;
    }
  });
  const signature = createHash('sha256').update(stats.join('\n')).digest('hex');
  let cache = {};
  try {
    cache = JSON.parse(readFileSync(cacheFile, 'utf8'));
  } catch {
    // no cache yet, or a broken one: hash the contents
  }
  if (typeof cache[signature] === 'string') return cache[signature];
  const h = createHash('sha256');
  for (const f of list) {
    h.update(`${relative(root, f)}\0`);
    try {
      h.update(readFileSync(f));
    } catch {
      h.update('\0missing');
    }
    h.update('\0');
  }
  const fp = h.digest('hex').slice(0, 16);
  try {
    mkdirSync(dist, { recursive: true });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ [signature]: fp }));
    renameSync(tmp, cacheFile);
  } catch {
    // a read-only checkout: the next run hashes again
  }
  return fp;
}

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function tscPath() {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
  } catch {
    return undefined;
  }
}

/** True when the TypeScript compiler is installed (a dev dependency): without it there is nothing to build with. */
export const canBuild = () => tscPath() !== undefined;

/**
 * The current build folder of the package at `root`, built first when missing. Throws `BuildError` (one line
 * plus tsc's first errors) when tsc fails or is not installed.
 */
export function ensureBuilt(root = ROOT) {
  const dist = join(root, 'dist');
  const fp = fingerprint(root);
  const out = join(dist, fp);
  if (existsSync(join(out, ENTRY))) return out;
  const tsc = tscPath();
  if (!tsc) throw new BuildError('cannot build the CLI: the TypeScript compiler is not installed (run npm ci)');
  mkdirSync(dist, { recursive: true });
  const lock = join(dist, `${fp}.lock`);
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    // another process builds the same sources: wait for its result
    if (existsSync(join(out, ENTRY))) return out;
    try {
      if (Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS) rmSync(lock, { recursive: true, force: true });
    } catch {
      // released meanwhile
    }
    sleep(50);
  }
  try {
    if (existsSync(join(out, ENTRY))) return out;
    const tmp = join(dist, `.tmp-${fp}-${process.pid}`);
    rmSync(tmp, { recursive: true, force: true });
    const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', tmp], { cwd: root, encoding: 'utf8' });
    if (r.status !== 0 || !existsSync(join(tmp, ENTRY))) {
      rmSync(tmp, { recursive: true, force: true });
      const detail = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(0, 10).join('\n');
      throw new BuildError(`the CLI's build (tsc -p tsconfig.build.json) failed${detail ? `:\n${detail}` : ''}`);
    }
    // the shipped data modules against their schemas: a run reads them unchecked (src/spec/build.ts)
    const checker = join(tmp, 'src/spec/build.js');
    const check = !existsSync(checker)
      ? { status: 0 }
      : spawnSync(
          process.execPath,
          [
            '--input-type=module',
            '-e',
            `try { (await import(${JSON.stringify(pathToFileURL(checker).href)})).checkShippedData(); } catch (e) { process.stderr.write(e.message); process.exit(1); }`,
          ],
          { cwd: root, encoding: 'utf8' },
        );
    if (check.status !== 0) {
      rmSync(tmp, { recursive: true, force: true });
      throw new BuildError(`a data module does not match its schema: ${(check.stderr ?? '').trim().split('\n')[0]}`);
    }
    rmSync(out, { recursive: true, force: true });
    renameSync(tmp, out);
    keepCases(out, 'keepRuleLists', root);
    prune(dist, fp);
    return out;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Case lists kept ready in the build's `cases/` folder (src/conformance/install-cases.ts): `keepRuleLists`
 * on every build (the lists every run derives its suites' rule lists from: fixed inputs), `keepInstallLists`
 * on the install's (those and today's default run). Keyed by this build's folder. A step that fails keeps
 * nothing: runs draw them then. `env`: variables on top of this process's (another case folder, say).
 * Returns the ms it took, or undefined when it failed.
 */
export function keepCases(out, step, root = ROOT, env = {}) {
  const module = join(out, 'src/conformance/install-cases.js');
  if (!existsSync(module)) return undefined;
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', `(await import(${JSON.stringify(pathToFileURL(module).href)})).${step}();`],
    {
      cwd: root,
      env: { ...process.env, ...env, CARD_CONFORMANCE_BUILD: out },
      stdio: 'ignore',
    },
  );
  return r.status === 0 ? Math.round(performance.now() - t0) : undefined;
}

/** Remove builds of other sources that have not been current for a while (and temporary folders of dead builds). */
function prune(dist, current) {
  const now = Date.now();
  for (const e of readdirSync(dist, { withFileTypes: true })) {
    if (!e.isDirectory() || e.name === current || e.name.endsWith('.lock')) continue;
    const full = join(dist, e.name);
    try {
      if (now - statSync(full).mtimeMs > PRUNE_AFTER_MS) rmSync(full, { recursive: true, force: true });
    } catch {
      // removed by another process
    }
  }
}

// `node bin/build.mjs` (the `prepare` script): build now, or say why not
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (!canBuild()) {
    // an install without dev dependencies: the bin runs the sources through tsx instead
    console.error('card-conformance build: skipped, the TypeScript compiler is not installed');
  } else {
    try {
      const t0 = performance.now();
      const out = ensureBuilt();
      const built = Math.round(performance.now() - t0);
      // the install's build: the README's first command, `npm run conformance`, finds today's cases drawn
      const cases = keepCases(out, 'keepInstallLists');
      console.error(
        `card-conformance build: ${relative(ROOT, out)} (${built} ms)${cases === undefined ? '' : `; today's default run's cases kept (${cases} ms)`}`,
      );
    } catch (err) {
      console.error(`card-conformance build: ${err.message}`);
      process.exitCode = 2;
    }
  }
}
