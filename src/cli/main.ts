/**
 * `card-conformance <command>`: argv and wiring only; nothing imports this module. Every failure ends
 * as one line on stderr and an exit code (2 usage or configuration), never a bare stack trace.
 */
import { SpecError } from '../spec/catalogue.ts';
import { UsageError } from './args.ts';
import { rulesCommand } from './rules.ts';

const USAGE = `usage: card-conformance <command> [options]

commands:
  rules [--provider alchemy|gep|all] [--json]   print the rule catalogue (id, level, title, source)
`;

type Command = (argv: string[], out: (s: string) => void) => number | Promise<number>;
const COMMANDS: Record<string, Command> = { rules: rulesCommand };

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
    if (err instanceof UsageError || err instanceof SpecError) {
      process.stderr.write(`card-conformance ${name}: ${err.message}\n`);
      return 2;
    }
    const e = err as Error;
    process.stderr.write(`card-conformance ${name}: ${e.name ?? 'Error'}: ${String(e.message).split('\n')[0]}\n`);
    return 1;
  }
}
