/**
 * `card-conformance <command>`: argv and wiring only; nothing imports this module. Every failure ends
 * as one line on stderr and the exit code its error carries (`exitCodeOf`: the one mapping), never a
 * stack trace.
 */
import { EXIT, errorLine, exitCodeOf } from '../wire/errors.ts';
import { type CommandSpec, synopsis } from './args.ts';
import { CALL, callCommand } from './call.ts';
import { DIFF, diffCommand } from './diff.ts';
import { EXPORT, exportCommand } from './export.ts';
import { LINT_SPEC, lintSpecCommand } from './lint-spec.ts';
import { MERGE, mergeCommand } from './merge.ts';
import { MOCK, mockCommand } from './mock.ts';
import { PROXY, proxyCommand } from './proxy.ts';
import { REPLAY, replayCommand } from './replay.ts';
import { REPORT, reportCommand } from './report.ts';
import { RULES, rulesCommand } from './rules.ts';
import { RUN, runCommand } from './run.ts';
import { SELFCHECK, selfcheckCommand } from './selfcheck.ts';
import { VERIFY_PACTS, verifyPactsCommand } from './verify-pacts.ts';

type Command = (argv: string[], out: (s: string) => void) => number | Promise<number>;

/** Every command, with the spec its parser and its `--help` are derived from. */
export const COMMANDS: Record<string, { spec: CommandSpec; run: Command }> = {
  rules: { spec: RULES, run: rulesCommand },
  call: { spec: CALL, run: callCommand },
  mock: { spec: MOCK, run: mockCommand },
  run: { spec: RUN, run: runCommand },
  selfcheck: { spec: SELFCHECK, run: selfcheckCommand },
  proxy: { spec: PROXY, run: proxyCommand },
  'verify-pacts': { spec: VERIFY_PACTS, run: verifyPactsCommand },
  export: { spec: EXPORT, run: exportCommand },
  'lint-spec': { spec: LINT_SPEC, run: lintSpecCommand },
  report: { spec: REPORT, run: reportCommand },
  diff: { spec: DIFF, run: diffCommand },
  replay: { spec: REPLAY, run: replayCommand },
  merge: { spec: MERGE, run: mergeCommand },
};

const USAGE = `usage: card-conformance <command> [options]

commands:
${Object.values(COMMANDS)
  .map(({ spec }) => `  ${synopsis(spec)}\n      ${spec.summary.split('\n')[0]}\n`)
  .join('')}
card-conformance <command> --help (or -h) shows a command's options, defaults, exit codes and an example.
exit codes: 0 conformant, 1 a rule failed, 2 usage or configuration, 3 the target could not be tested
`;

export async function main(argv: string[]): Promise<number> {
  const out = (s: string) => process.stdout.write(s);
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    out(USAGE);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`card-conformance: unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(', ')})\n`);
    return EXIT.usage;
  }
  try {
    return await command.run(rest, out);
  } catch (err) {
    process.stderr.write(`card-conformance ${name}: ${errorLine(err)}\n`);
    return exitCodeOf(err);
  }
}
