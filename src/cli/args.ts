/**
 * Commands as data: each command declares its options once (`CommandSpec`), and both the argv parser
 * (node:util parseArgs) and its `--help` text are derived from that declaration, so an option list is
 * never typed twice. Unknown flags and bad values become one-line usage errors.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { SPEC_VERSION_NAMES, SPEC_VERSION_VARIABLE, versionsNamed } from '../spec/catalogue.ts';
import { PROVIDERS } from '../spec/registry.ts';
import { type ExitCode, UsageError } from '../wire/errors.ts';

export { UsageError };

export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  /** The value's placeholder in help (`URL`, `N`); string options only. */
  arg?: string;
  /** The default as help shows it; the code that applies it reads the same constant. */
  default?: string | number;
  help: string;
}

export interface CommandSpec<O extends Record<string, OptionSpec> = Record<string, OptionSpec>> {
  name: string;
  /** Positional arguments as help shows them (`<provider> <operation>`); '' for none. */
  positionals: string;
  /** First line: what the command does (the top-level usage shows it); further lines: details. */
  summary: string;
  options: O;
  /** What each exit code means for this command. */
  exits: ReadonlyArray<readonly [ExitCode, string]>;
  example: string;
}

/** `--provider alchemy|gep|all`, as every command that tests a provider takes it. */
export const PROVIDER_CHOICES = [...PROVIDERS, 'all'] as const;
export const ALL = 'all' satisfies (typeof PROVIDER_CHOICES)[number];

/** `--help`/`-h`, added to every command's options. */
const HELP = { help: { type: 'boolean', short: 'h', help: 'print this help and exit 0' } } as const satisfies Record<string, OptionSpec>;

type ParserOptions<O extends Record<string, OptionSpec>> = {
  [K in keyof O]: { type: O[K]['type']; multiple: O[K]['multiple'] extends true ? true : false; short?: string };
};

function parserOptions(options: Record<string, OptionSpec>): NonNullable<ParseArgsConfig['options']> {
  return Object.fromEntries(
    Object.entries(options).map(([name, o]) => [
      name,
      { type: o.type, multiple: o.multiple === true, ...(o.short ? { short: o.short } : {}) },
    ]),
  );
}

export function parse<const O extends Record<string, OptionSpec>>(argv: string[], spec: CommandSpec<O>) {
  const options = parserOptions({ ...spec.options, ...HELP }) as ParserOptions<O & typeof HELP>;
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message.split('\n')[0]} (see card-conformance ${spec.name} --help)`);
  }
}

const flag = (name: string, o: OptionSpec): string =>
  `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` ${o.arg ?? 'VALUE'}` : ''}${o.multiple ? '...' : ''}`;

/** The one-line synopsis: `call <provider> <operation> [--data JSON|@FILE] [--base-url URL] [--json]`. */
export function synopsis(spec: CommandSpec): string {
  const opts = Object.entries(spec.options).map(([name, o]) => `[${flag(name, { ...o, short: undefined } as OptionSpec)}]`);
  return [spec.name, spec.positionals, ...opts].filter(Boolean).join(' ');
}

/** `card-conformance <command> --help`: usage, options with defaults, exit codes, one example. */
export function helpText(spec: CommandSpec): string {
  const all: Array<[string, OptionSpec]> = [...Object.entries(spec.options), ...Object.entries(HELP)];
  const flags = all.map(([name, o]) => flag(name, o));
  const width = Math.max(...flags.map((f) => f.length));
  const lines = [
    `usage: card-conformance ${synopsis(spec)}`,
    '',
    spec.summary,
    '',
    'options:',
    ...all.map(([, o], i) => `  ${flags[i]!.padEnd(width)}  ${o.help}${o.default !== undefined ? ` (default: ${o.default})` : ''}`),
    '',
    'exit codes:',
    ...spec.exits.map(([code, meaning]) => `  ${code}  ${meaning}`),
    '',
    'example:',
    `  ${spec.example}`,
    '',
  ];
  return lines.join('\n');
}

export function oneOf<const V extends string>(flag: string, value: string | undefined, allowed: readonly V[], fallback: V): V {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`--${flag} must be one of ${allowed.join(', ')} (got "${value}")`);
  return value as V;
}

/** `--spec-version NAME`, declared once and spread into every command's options. */
export const SPEC_VERSION_OPTION = {
  'spec-version': {
    type: 'string',
    multiple: true,
    arg: 'NAME',
    default: "each provider's seed",
    help: `the version of a provider's document to follow: ${SPEC_VERSION_NAMES.join(', ')}; one per provider, repeatable (or ${SPEC_VERSION_VARIABLE})`,
  },
} as const satisfies Record<string, OptionSpec>;

/**
 * Selects the document versions a command follows: checked here (one line naming the bad one), then set
 * in the environment so that everything the command reaches — the catalogue, the suites' workers, the
 * embedded mock, the report — follows the same versions. Without the flag the variable stays as it is.
 */
export function useSpecVersions(names: readonly string[] | undefined): void {
  if (!names?.length) return;
  const list = names.flatMap((n) => n.split(',')).map((n) => n.trim());
  try {
    versionsNamed(list, '--spec-version');
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  process.env[SPEC_VERSION_VARIABLE] = list.join(',');
}
