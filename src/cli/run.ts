/**
 * `card-conformance run [--provider alchemy|gep|all] [--base-url URL] [--seed N] [--runs N]
 * [--report-dir DIR] [--schema-mode lenient|strict] [--deviate NAME]...`
 *
 * Runs the conformance suites (ordinary vitest files: `npx vitest --project conformance` runs the same)
 * with the rule reporter, against the configured sandbox or, without a base URL, the embedded mock.
 * Exit codes: 0 conformant, 1 a rule failed, 2 usage or configuration error, 3 the target could not be
 * tested.
 */
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { baseUrlVariable, loadConfig, parseHttpUrl } from '../config/env.ts';
import { DEFAULT_RUNS, DEFAULT_SCHEMA_MODE, DEFAULT_SEED, SETTINGS_VARIABLES } from '../conformance/settings.ts';
import { resolveDeviations } from '../mock/deviations.ts';
import type { ConformanceReport } from '../report/conformance.ts';
import { ConformanceReporter } from '../report/reporter.ts';
import { catalogue } from '../spec/catalogue.ts';
import { PROVIDERS, SCHEMA_MODES } from '../spec/registry.ts';
import { EXIT } from '../wire/errors.ts';
import { type CommandSpec, helpText, oneOf, parse, UsageError } from './args.ts';

const PROVIDER_CHOICES = [...PROVIDERS, 'all'] as const;
const ALL = 'all' satisfies (typeof PROVIDER_CHOICES)[number];

export const RUN = {
  name: 'run',
  positionals: '',
  summary: [
    'test a provider rule by rule (the embedded mock without a base URL)',
    'runs the conformance suites against --base-url or <PROVIDER>_BASE_URL, else the embedded mock, and',
    'writes conformance.json and junit.xml to the report directory',
  ].join('\n'),
  options: {
    provider: { type: 'string', arg: PROVIDER_CHOICES.join('|'), default: ALL, help: 'which provider to test' },
    'base-url': {
      type: 'string',
      arg: 'URL',
      default: '<PROVIDER>_BASE_URL, else the embedded mock',
      help: 'the target of every provider tested',
    },
    seed: { type: 'string', arg: 'N', default: DEFAULT_SEED, help: `seed of the generated cases (or ${SETTINGS_VARIABLES.seed})` },
    runs: { type: 'string', arg: 'N', default: DEFAULT_RUNS, help: `random cases per property (or ${SETTINGS_VARIABLES.runs})` },
    'report-dir': { type: 'string', arg: 'DIR', default: 'reports', help: 'where the reports are written' },
    'schema-mode': {
      type: 'string',
      arg: SCHEMA_MODES.join('|'),
      default: DEFAULT_SCHEMA_MODE,
      help: `strict also checks empty strings as values (or ${SETTINGS_VARIABLES.mode})`,
    },
    deviate: {
      type: 'string',
      multiple: true,
      arg: 'NAME',
      help: 'switch a deviation on in the embedded mock (tests the suite); repeatable',
    },
  },
  exits: [
    [EXIT.ok, 'conformant'],
    [EXIT.failed, 'a rule failed'],
    [EXIT.usage, 'usage or configuration error'],
    [EXIT.untestable, 'the target could not be tested'],
  ],
  example: 'card-conformance run --provider gep --seed 7 --report-dir reports/gep',
} as const satisfies CommandSpec;

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const whole = (flag: string, v: string | undefined, min: number): string | undefined => {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min) throw new UsageError(`--${flag} must be a whole number of at least ${min} (got "${v}")`);
  return v;
};

export async function runCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parse(argv, RUN);
  if (values.help) {
    out(helpText(RUN));
    return EXIT.ok;
  }
  if (positionals.length) throw new UsageError(`run takes no arguments (got "${positionals[0]}")`);
  const provider = oneOf('provider', values.provider, PROVIDER_CHOICES, ALL);
  const providers = provider === ALL ? [...PROVIDERS] : [provider];
  const env = process.env;
  const set = (name: string, v: string | undefined) => {
    if (v !== undefined) env[name] = v;
  };
  set(SETTINGS_VARIABLES.provider, provider);
  set(SETTINGS_VARIABLES.seed, whole('seed', values.seed, 0));
  set(SETTINGS_VARIABLES.runs, whole('runs', values.runs, 1));
  set(
    SETTINGS_VARIABLES.mode,
    values['schema-mode'] === undefined ? undefined : oneOf('schema-mode', values['schema-mode'], SCHEMA_MODES, DEFAULT_SCHEMA_MODE),
  );
  if (values.deviate?.length) {
    resolveDeviations(values.deviate);
    env[SETTINGS_VARIABLES.deviate] = values.deviate.join(',');
  }
  if (values['base-url'] !== undefined) {
    const url = parseHttpUrl('--base-url', values['base-url']);
    for (const p of providers) env[baseUrlVariable(p)] = url;
  }
  // Configuration errors end here, with one line, before anything runs.
  const config = loadConfig(env);
  if (values.deviate?.length && providers.every((p) => config[p].target))
    throw new UsageError('--deviate switches the embedded mock, but every provider has a base URL');
  const reportDir = resolve(values['report-dir'] ?? RUN.options['report-dir'].default);
  checkWritableDir(reportDir);

  const totalRules = catalogue().rules.filter((r) => providers.includes(r.provider)).length;
  let report: ConformanceReport | undefined;
  const reporter = new ConformanceReporter({
    reportDir,
    providers,
    totalRules,
    out,
    secrets: config.secrets,
    onReport: (r) => (report = r),
  });
  out(
    `card-conformance run: ${providers.join(' + ')} against ${providers.map((p) => config[p].target?.baseUrl ?? 'the embedded mock').join(' / ')}\n`,
  );
  const { startVitest } = await import('vitest/node');
  const vitest = await startVitest('test', [], {
    run: true,
    watch: false,
    root: ROOT,
    config: resolve(ROOT, 'vitest.config.ts'),
    project: ['conformance'],
    reporters: [reporter],
    ...(env[SETTINGS_VARIABLES.workers] ? { maxWorkers: Number(env[SETTINGS_VARIABLES.workers]) } : {}),
  });
  await vitest.close();
  if (!report) {
    out('card-conformance run: the suites did not run to the end; see the messages above\n');
    return EXIT.untestable;
  }
  return (report as ConformanceReport).exitCode;
}

export function checkWritableDir(dir: string): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`--report-dir ${dir} is not a directory`);
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch {
    throw new UsageError(`--report-dir ${dir} cannot be written`);
  }
}
