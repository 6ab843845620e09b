/** Types of bin/build.mjs (plain JavaScript: it runs before anything is built), for the tests. */
export const ROOT: string;
/** The module bin/card-conformance.mjs loads, relative to a build folder. */
export const ENTRY: string;
export class BuildError extends Error {}
/** The content fingerprint of the sources under `root` (default: this package). */
export function fingerprint(root?: string): string;
/** True when the TypeScript compiler is installed. */
export function canBuild(): boolean;
/** The current build folder of the package at `root`, built first when missing. */
export function ensureBuilt(root?: string): string;
/** Runs the build's case-list step `step` of src/conformance/install-cases.ts on `out` (`env` on top of this process's): its ms, or undefined when it failed. */
export function keepCases(out: string, step: string, root?: string, env?: Record<string, string>): number | undefined;
