/**
 * The property suites' generated cases, kept between runs. Drawing them is about a CPU-second of a
 * default run, on test workers that are busy sending; the draws depend on their inputs alone (the
 * catalogue, the schema mode, today in the provider's zone, the segment list, the depth, the seed: the
 * same inputs, the same cases). So a run on the CLI's build keeps each list it draws in a file of the
 * build folder (`<build>/cases/`, or the folder CARD_CONFORMANCE_CASE_CACHE names; `off` keeps nothing),
 * keyed by every input — and by the build's folder name, which is the sources' fingerprint (code and
 * shipped rule data), and fast-check's version, so a folder kept across versions never serves another
 * build's lists — and the next run with the same inputs reads it instead. `v8.serialize` keeps
 * every value as it was drawn (undefined, -0, NaN, a sparse array included). A file that cannot be read
 * is drawn again; one is written whole (under another name, then renamed) or not at all; the most recent
 * KEPT files are kept. Without a build (`npx vitest`, `npm test`) nothing is kept: every run draws.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { threadId } from 'node:worker_threads';
import fc from 'fast-check';
import type { GenContext } from '../checks/types.ts';
import { SPEC_VERSION_VARIABLE } from '../spec/catalogue.ts';
import type { Provider } from '../spec/registry.ts';
import { buildDir } from './from-build.ts';
import { mark } from './timings.ts';

export const CASE_CACHE_VARIABLE = 'CARD_CONFORMANCE_CASE_CACHE';
/** Lists kept at most (a CI job that draws with a new seed every run writes a new one each time). */
export const KEPT = 24;

/** Which list: `validCases` or `invalidCases` of one operation, with its inputs. */
export interface CaseInputs {
  kind: 'valid' | 'invalid';
  provider: Provider;
  operation: string;
  g: GenContext;
  /** runs (valid) or cases per rule (invalid). */
  n: number;
  seed: number;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Where lists are kept: CARD_CONFORMANCE_CASE_CACHE (a folder, or `off`), else `cases/` of the CLI's
 * build. None without a build: the sources have no fingerprint to key the lists by.
 */
export function caseCacheDir(env: Env = process.env): string | undefined {
  const build = buildDir(env);
  const named = env[CASE_CACHE_VARIABLE];
  if (!build || named === 'off') return undefined;
  return named ? resolve(named) : join(build, 'cases');
}

/** The file a list is kept in: its key, in the folder lists are kept in. */
const LIST_SUFFIX = '.v8';
const keptFile = (dir: string, key: string): string => join(dir, `${key}${LIST_SUFFIX}`);

/** Whether the list of this key is kept already (a file there; whether it reads is the reader's to find out). */
export function isKept(key: string, env: Env = process.env): boolean {
  const dir = caseCacheDir(env);
  return dir !== undefined && existsSync(keptFile(dir, key));
}

export const caseKey = (inputs: CaseInputs, env: Env = process.env): string =>
  createHash('sha256')
    .update(JSON.stringify([inputs, env[SPEC_VERSION_VARIABLE] ?? '', basename(buildDir(env) ?? ''), fc.__version]))
    .digest('hex')
    .slice(0, 40);

/**
 * Lists the run's drawing thread handed over to this worker (predraw.ts), serialized, by key, until the
 * test that asked takes them; null: the thread did not draw it (this worker draws it).
 */
export const received = new Map<string, Uint8Array | null>();

/** The list `draw` makes for `inputs`: handed over by the drawing thread, read from where it was kept, or drawn (and kept). */
export function cachedCases<T>(inputs: CaseInputs, draw: () => T[]): T[] {
  const key = caseKey(inputs);
  const handed = received.get(key);
  received.delete(key);
  const fromThread = handed ? listOf<T>(handed) : undefined;
  if (fromThread) return fromThread;
  const dir = caseCacheDir();
  if (!dir) return drawnHere(draw);
  const kept = listOf<T>(bytesOf(keptFile(dir, key)));
  if (kept) return kept;
  const drawn = drawnHere(draw);
  keep(dir, key, serialize(drawn));
  return drawn;
}

/** A list drawn where it is used (marked for `npm run bench` and the run's tests: the drawing thread had none to give). */
function drawnHere<T>(draw: () => T[]): T[] {
  mark('cases-drawn-here');
  return draw();
}

/**
 * The list `draw` makes for `inputs`, serialized: the kept file's bytes as they are, or drawn and kept
 * (the drawing thread's way: it hands the bytes over, and the worker that reads them finds a broken
 * file, draws for itself and keeps its list in its place).
 */
export function keptList(inputs: CaseInputs, draw: () => unknown[]): Uint8Array {
  const key = caseKey(inputs);
  const dir = caseCacheDir();
  const kept = dir ? bytesOf(keptFile(dir, key)) : undefined;
  if (kept) return kept;
  const bytes = serialize(draw());
  if (dir) keep(dir, key, bytes);
  return bytes;
}

const bytesOf = (file: string): Buffer | undefined => {
  try {
    return readFileSync(file);
  } catch {
    return undefined; // not kept yet, or not readable: drawn again
  }
};

/** The list in `bytes`; undefined when they hold anything else (a broken file is drawn again). */
function listOf<T>(bytes: Uint8Array | undefined): T[] | undefined {
  if (!bytes) return undefined;
  try {
    const list = deserialize(bytes);
    return Array.isArray(list) ? (list as T[]) : undefined;
  } catch {
    return undefined;
  }
}

/** Writes a list whole (another name, then renamed) or not at all; a folder that cannot be written keeps nothing. */
function keep(dir: string, key: string, bytes: Uint8Array): void {
  const file = keptFile(dir, key);
  try {
    mkdirSync(dir, { recursive: true });
    const part = `${file}.${process.pid}-${threadId}.part`;
    writeFileSync(part, bytes);
    renameSync(part, file);
    prune(dir);
  } catch {
    // the run goes on with what it drew
  }
}

/** Keeps the KEPT most recently written lists (and no leftover part older than a minute). */
function prune(dir: string): void {
  const now = Date.now();
  const files = readdirSync(dir).flatMap((name) => {
    try {
      return [{ name, at: statSync(join(dir, name)).mtimeMs }];
    } catch {
      return [];
    }
  });
  const lists = files.filter((f) => f.name.endsWith(LIST_SUFFIX)).sort((a, b) => b.at - a.at);
  const stale = [...lists.slice(KEPT), ...files.filter((f) => f.name.endsWith('.part') && now - f.at > 60_000)];
  for (const f of stale) rmSync(join(dir, f.name), { force: true });
}
