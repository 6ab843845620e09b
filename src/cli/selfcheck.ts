/**
 * `card-conformance selfcheck [--seeds N] [--jobs N] [--runs N] [--report-dir DIR] [--deviate NAME]...`
 * (also `npm run mutation`): the suite's own power, measured. One vitest run tests the embedded mock
 * once per seed as it is and once per deviation and seed; every deviation must be caught by its rule
 * on every seed, and the faithful mock must fail nothing. Writes `<report-dir>/mutation.json`.
 */
import { resolve } from 'node:path';
import { SELFCHECK_VARIABLE, type SelfcheckPlan } from '../conformance/selfcheck.ts';
import { DEFAULT_SCHEMA_MODE, SETTINGS_VARIABLES } from '../conformance/settings.ts';
import { DEVIATIONS, resolveDeviations } from '../mock/deviations.ts';
import { type MutationReport, SelfcheckReporter } from '../report/selfcheck.ts';
import { SCHEMA_MODES } from '../spec/registry.ts';
import { EXIT } from '../wire/errors.ts';
import { type CommandSpec, helpText, oneOf, parse, SPEC_VERSION_OPTION, UsageError, useSpecVersions } from './args.ts';
import { runConformanceProject, whole } from './run.ts';

export const SELFCHECK = {
  name: 'selfcheck',
  positionals: '',
  summary: [
    "measure the suite's own power: every deviation of the embedded mock caught, the faithful mock passing",
    'runs the suites against the faithful mock and against each deviation, over several seeds, in one process,',
    'and writes mutation.json: per deviation the rules that caught it, the kill rate per kind, the survivors',
  ].join('\n'),
  options: {
    ...SPEC_VERSION_OPTION,
    seeds: { type: 'string', arg: 'N', default: 3, help: 'seeds 1..N' },
    jobs: { type: 'string', arg: 'N', default: 2, help: 'test workers at once' },
    runs: { type: 'string', arg: 'N', default: 4, help: 'random cases per property (the boundaries always run)' },
    'report-dir': { type: 'string', arg: 'DIR', default: 'reports', help: 'where mutation.json is written' },
    deviate: { type: 'string', multiple: true, arg: 'NAME', help: 'only these deviations (default: all); repeatable' },
    'schema-mode': {
      type: 'string',
      arg: SCHEMA_MODES.join('|'),
      default: DEFAULT_SCHEMA_MODE,
      help: "the suites' schema mode, and the face of the mocks",
    },
  },
  exits: [
    [EXIT.ok, 'every deviation caught on every seed, no false positive'],
    [EXIT.failed, 'a deviation survived, or the faithful mock failed a rule'],
    [EXIT.usage, 'usage error or unknown deviation'],
  ],
  example: 'card-conformance selfcheck --seeds 3 --jobs 2',
} as const satisfies CommandSpec;

export async function selfcheckCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parse(argv, SELFCHECK);
  if (values.help) {
    out(helpText(SELFCHECK));
    return EXIT.ok;
  }
  useSpecVersions(values['spec-version']);
  if (positionals.length) throw new UsageError(`selfcheck takes no arguments (got "${positionals[0]}")`);
  const n = Number(whole('seeds', values.seeds, 1) ?? SELFCHECK.options.seeds.default);
  const jobs = Number(whole('jobs', values.jobs, 1) ?? SELFCHECK.options.jobs.default);
  const runs = whole('runs', values.runs, 1) ?? String(SELFCHECK.options.runs.default);
  const deviations = values.deviate?.length ? resolveDeviations(values.deviate).map((d) => d.name) : DEVIATIONS.map((d) => d.name);
  const seeds = Array.from({ length: n }, (_, i) => i + 1);
  const plan: SelfcheckPlan = { seeds, deviations };
  const env = process.env;
  env[SELFCHECK_VARIABLE] = JSON.stringify(plan);
  env[SETTINGS_VARIABLES.runs] = runs;
  env[SETTINGS_VARIABLES.provider] = 'all';
  env[SETTINGS_VARIABLES.mode] = oneOf('schema-mode', values['schema-mode'], SCHEMA_MODES, DEFAULT_SCHEMA_MODE);
  const reportDir = resolve(values['report-dir'] ?? SELFCHECK.options['report-dir'].default);
  let report: MutationReport | undefined;
  const reporter = new SelfcheckReporter({ reportDir, seeds, runs: Number(runs), deviations, out, onReport: (r) => (report = r) });
  out(`card-conformance selfcheck: ${deviations.length} deviations and the faithful mock × ${seeds.length} seeds, ${jobs} workers\n`);
  await runConformanceProject(reporter, jobs);
  if (!report) {
    out('card-conformance selfcheck: the suites did not run to the end; see the messages above\n');
    return EXIT.untestable;
  }
  return (report as MutationReport).exitCode;
}
