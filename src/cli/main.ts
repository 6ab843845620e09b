/**
 * `card-conformance <command>`: argv and wiring only; nothing imports this module. Every failure ends
 * as one line on stderr and the exit code its error carries (`exitCodeOf`: the one mapping), never a
 * stack trace.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDir } from '../conformance/from-build.ts';
import { EXIT, errorLine, exitCodeOf } from '../wire/errors.ts';
import { type CommandSpec, synopsis } from './args.ts';

type Command = (argv: string[], out: (s: string) => void) => number | Promise<number>;
export interface LoadedCommand {
  spec: CommandSpec;
  run: Command;
}

/**
 * Every command, loaded when it is asked for: a command pays for its own module graph, not for every
 * other command's. Each gives the spec its parser and its `--help` are derived from.
 */
export const COMMANDS: Record<string, () => Promise<LoadedCommand>> = {
  rules: () => import('./rules.ts').then((m) => ({ spec: m.RULES, run: m.rulesCommand })),
  call: () => import('./call.ts').then((m) => ({ spec: m.CALL, run: m.callCommand })),
  mock: () => import('./mock.ts').then((m) => ({ spec: m.MOCK, run: m.mockCommand })),
  run: () => import('./run.ts').then((m) => ({ spec: m.RUN, run: m.runCommand })),
  selfcheck: () => import('./selfcheck.ts').then((m) => ({ spec: m.SELFCHECK, run: m.selfcheckCommand })),
  proxy: () => import('./proxy.ts').then((m) => ({ spec: m.PROXY, run: m.proxyCommand })),
  'verify-pacts': () => import('./verify-pacts.ts').then((m) => ({ spec: m.VERIFY_PACTS, run: m.verifyPactsCommand })),
  export: () => import('./export.ts').then((m) => ({ spec: m.EXPORT, run: m.exportCommand })),
  'lint-spec': () => import('./lint-spec.ts').then((m) => ({ spec: m.LINT_SPEC, run: m.lintSpecCommand })),
  report: () => import('./report.ts').then((m) => ({ spec: m.REPORT, run: m.reportCommand })),
  diff: () => import('./diff.ts').then((m) => ({ spec: m.DIFF, run: m.diffCommand })),
  replay: () => import('./replay.ts').then((m) => ({ spec: m.REPLAY, run: m.replayCommand })),
  merge: () => import('./merge.ts').then((m) => ({ spec: m.MERGE, run: m.mergeCommand })),
};

/** Every command loaded, by name (the top-level usage and the help tests need them all). */
export async function loadCommands(): Promise<Record<string, LoadedCommand>> {
  return Object.fromEntries(await Promise.all(Object.entries(COMMANDS).map(async ([name, load]) => [name, await load()] as const)));
}

/** The top-level usage: every command's synopsis and summary, from its spec. */
export async function usage(): Promise<string> {
  const commands = await loadCommands();
  return `usage: card-conformance <command> [options]

commands:
${Object.values(commands)
  .map(({ spec }) => `  ${synopsis(spec)}\n      ${spec.summary.split('\n')[0]}\n`)
  .join('')}
card-conformance <command> --help (or -h) shows a command's options, defaults, exit codes and an example.
exit codes: 0 conformant, 1 a rule failed, 2 usage or configuration, 3 the target could not be tested
`;
}

/**
 * The top-level usage, kept beside the CLI's build (`usage.txt` in the folder CARD_CONFORMANCE_BUILD
 * names) once made: the build's folder is named by its sources' fingerprint, so the text is that build's
 * own, and a bare `--help` then loads no command module at all. Without a build (sources, tests) it is
 * made each time.
 */
async function cachedUsage(): Promise<string> {
  const dir = buildDir(process.env);
  const file = dir && join(dir, 'usage.txt');
  if (file && existsSync(file)) return readFileSync(file, 'utf8');
  const text = await usage();
  if (file) {
    try {
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, text);
      renameSync(tmp, file);
    } catch {
      // a read-only install: made again next time
    }
  }
  return text;
}

export async function main(argv: string[]): Promise<number> {
  const out = (s: string) => process.stdout.write(s);
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    out(await cachedUsage());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) {
    process.stderr.write(`card-conformance: unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(', ')})\n`);
    return EXIT.usage;
  }
  try {
    const command = await load();
    return await command.run(rest, out);
  } catch (err) {
    process.stderr.write(`card-conformance ${name}: ${errorLine(err)}\n`);
    return exitCodeOf(err);
  }
}
