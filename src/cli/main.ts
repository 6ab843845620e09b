/**
 * `card-conformance <command>`: argv and wiring only; nothing imports this module. Every failure ends
 * as one line on stderr and an exit code (2 usage or configuration), never a bare stack trace.
 */
import { DeviationError } from '../mock/deviations.ts';
import { SpecError } from '../spec/catalogue.ts';
import { ConfigError, KeyError } from '../wire/errors.ts';
import { UsageError } from './args.ts';
import { CALL_USAGE, callCommand } from './call.ts';
import { MOCK_USAGE, mockCommand } from './mock.ts';
import { rulesCommand } from './rules.ts';
import { RUN_USAGE, runCommand } from './run.ts';

const USAGE = `usage: card-conformance <command> [options]

commands:
  rules [--provider alchemy|gep|all] [--json]   print the rule catalogue (id, level, title, source)
${CALL_USAGE}${MOCK_USAGE}${RUN_USAGE}`;

type Command = (argv: string[], out: (s: string) => void) => number | Promise<number>;
const COMMANDS: Record<string, Command> = { rules: rulesCommand, call: callCommand, mock: mockCommand, run: runCommand };

export async function main(argv: string[]): Promise<number> {
  const out = (s: string) => process.stdout.write(s);
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    out(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`card-conformance: unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(', ')})\n`);
    return 2;
  }
  try {
    return await command(rest, out);
  } catch (err) {
    if (
      err instanceof UsageError ||
      err instanceof SpecError ||
      err instanceof ConfigError ||
      err instanceof KeyError ||
      err instanceof DeviationError
    ) {
      process.stderr.write(`card-conformance ${name}: ${err.message}\n`);
      return 2;
    }
    const e = err as Error;
    process.stderr.write(`card-conformance ${name}: ${e.name ?? 'Error'}: ${String(e.message).split('\n')[0]}\n`);
    return 1;
  }
}
