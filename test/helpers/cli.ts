/** Runs the real CLI as a child process, as a user's CI script would. */
import { execFile } from 'node:child_process';

export const BIN = new URL('../../bin/card-conformance.mjs', import.meta.url).pathname;

/** Switches every sandbox budget default off, for a whole suite run against a local mock given by URL. */
export const NO_BUDGETS = {
  CARD_CONFORMANCE_MAX_REQUESTS: 'off',
  CARD_CONFORMANCE_RATE: 'off',
  CARD_CONFORMANCE_MAX_TIME: 'off',
  CARD_CONFORMANCE_MAX_SPEND: 'off',
} as const;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function cli(args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 120_000): Promise<CliResult> {
  return spawnCli(process.execPath, [BIN, ...args], env, timeoutMs);
}

/** `npm run <script> …` from the package root, as the README says it. */
export function npmRun(args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 120_000): Promise<CliResult> {
  return spawnCli('npm', ['run', '--silent', ...args], env, timeoutMs);
}

function spawnCli(file: string, args: string[], env: Record<string, string | undefined>, timeoutMs: number): Promise<CliResult> {
  return new Promise((resolve) => {
    // Only what the test gives: no ALCHEMY_*/GEP_* of the developer's shell leaks in.
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(ALCHEMY_|GEP_|MOCK_|CARD_CONFORMANCE_)/.test(k)));
    const cwd = new URL('../../', import.meta.url).pathname;
    execFile(file, args, { cwd, env: { ...base, ...env }, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err && typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : err ? -1 : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
