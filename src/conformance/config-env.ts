/**
 * What the vitest config reads from the environment, in a module that imports nothing: the config is
 * loaded in a module graph of its own (vite's fresh import), so each module it imports is evaluated
 * again there — through settings.ts that was the whole catalogue, built a second time on every run's
 * critical path. `run` passes the conformance timeout it derived (CONFORMANCE_TIMEOUT_VARIABLE); a plain
 * `npx vitest` derives it here, from settings.ts, as before.
 */

/** Extra suite files (comma-separated globs relative to the project) run with the conformance suites. */
export const EXTRA_SUITES_VARIABLE = 'CARD_CONFORMANCE_EXTRA_SUITES';
/** The conformance project's default test and hook timeout in ms, as `run` derived it (internal to `run`). */
export const CONFORMANCE_TIMEOUT_VARIABLE = 'CARD_CONFORMANCE_PROJECT_TIMEOUT_MS';

export const extraSuites = (env: Readonly<Record<string, string | undefined>>): string[] =>
  (env[EXTRA_SUITES_VARIABLE] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** The timeout `run` passed, or the one settings.ts derives from the same environment. */
export async function conformanceTimeout(env: Readonly<Record<string, string | undefined>>): Promise<number> {
  const given = env[CONFORMANCE_TIMEOUT_VARIABLE];
  if (given !== undefined && /^[1-9]\d*$/.test(given)) return Number(given);
  const { conformanceTimeoutMs } = await import('./settings.ts');
  return conformanceTimeoutMs(env);
}
