/**
 * `card-conformance lint-spec [--provider P] [--json] [--spec-version NAME]...`: every place where a
 * provider's document disagrees with itself (or with another published version of itself), with the rows
 * quoted. INFO findings: always exit 0 once printed; the run's report carries the same list.
 */
import { catalogue } from '../spec/catalogue.ts';
import { lintSpec } from '../spec/lint.ts';
import { PROVIDERS } from '../spec/registry.ts';
import { EXIT } from '../wire/errors.ts';
import { type CommandSpec, helpText, oneOf, parse, SPEC_VERSION_OPTION, UsageError, useSpecVersions } from './args.ts';

const PROVIDER_CHOICES = [...PROVIDERS, 'all'] as const;
const ALL = 'all' satisfies (typeof PROVIDER_CHOICES)[number];

export const LINT_SPEC = {
  name: 'lint-spec',
  positionals: '',
  summary: [
    "list where a provider's document disagrees with itself, rows quoted (INFO findings, never failures)",
    "table types against the document's own example, descriptions that name another field, conditions naming",
    'values the table does not allow, examples outside their own rules, other published versions, and rules no',
    'check kind can express',
  ].join('\n'),
  options: {
    provider: { type: 'string', arg: PROVIDER_CHOICES.join('|'), default: ALL, help: 'only the findings of this provider' },
    json: { type: 'boolean', help: 'print the findings as a JSON array of { provider, version, level, kind, ruleId, message, rows }' },
    ...SPEC_VERSION_OPTION,
  },
  exits: [
    [EXIT.ok, 'the findings were printed (findings are INFO, never failures)'],
    [EXIT.usage, 'usage error, an unknown version, or the rule data is invalid'],
  ],
  example: 'card-conformance lint-spec --provider gep --json',
} as const satisfies CommandSpec;

export function lintSpecCommand(argv: string[], out: (s: string) => void): number {
  const { values, positionals } = parse(argv, LINT_SPEC);
  if (values.help) {
    out(helpText(LINT_SPEC));
    return EXIT.ok;
  }
  useSpecVersions(values['spec-version']);
  if (positionals.length) throw new UsageError(`lint-spec takes no arguments (got "${positionals[0]}")`);
  const provider = oneOf('provider', values.provider, PROVIDER_CHOICES, ALL);
  const cat = catalogue();
  const findings = lintSpec(cat, provider === ALL ? [...PROVIDERS] : [provider]);
  if (values.json) {
    out(`${JSON.stringify(findings, null, 2)}\n`);
    return EXIT.ok;
  }
  for (const f of findings) {
    out(`INFO  ${f.provider} (${f.version})  ${f.kind}${f.ruleId ? `  ${f.ruleId}` : ''}\n      ${f.message}\n`);
    for (const row of f.rows) out(`      > ${row}\n`);
  }
  out(`${findings.length} findings (INFO: the documents' own disagreements, never failures)\n`);
  return EXIT.ok;
}
