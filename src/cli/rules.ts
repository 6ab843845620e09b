/** `card-conformance rules [--provider P] [--json] [--explain ID]`: the catalogue, as a table or as JSON, or one rule's trail. */
import { catalogue } from '../spec/catalogue.ts';
import { EXIT } from '../wire/errors.ts';
import { ALL, type CommandSpec, helpText, oneOf, PROVIDER_CHOICES, parse, SPEC_VERSION_OPTION, useSpecVersions } from './args.ts';

export const RULES = {
  name: 'rules',
  positionals: '',
  summary: 'print the rule catalogue (id, level, title, source)',
  options: {
    provider: { type: 'string', arg: PROVIDER_CHOICES.join('|'), default: ALL, help: 'only the rules of this provider' },
    json: { type: 'boolean', help: 'print the rules as a JSON array (with side, origin and check kind)' },
    explain: { type: 'string', arg: 'ID', help: "print one rule's trail: data row, check kind, edges, mutations, suites, deviations" },
    ...SPEC_VERSION_OPTION,
  },
  exits: [
    [EXIT.ok, 'the catalogue was printed'],
    [EXIT.usage, 'usage error, an unknown rule id, or the rule data is invalid'],
  ],
  example: 'card-conformance rules --provider gep --json',
} as const satisfies CommandSpec;

export async function rulesCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const { values } = parse(argv, RULES);
  if (values.help) {
    out(helpText(RULES));
    return EXIT.ok;
  }
  useSpecVersions(values['spec-version']);
  if (values.explain !== undefined) {
    // loaded here, not with the CLI: the trail reads the suites' module graph (vitest's runtime with it)
    const { explainRule } = await import('./explain.ts');
    out(explainRule(values.explain));
    return EXIT.ok;
  }
  const provider = oneOf('provider', values.provider, PROVIDER_CHOICES, ALL);
  const rules = catalogue().rules.filter((r) => provider === 'all' || r.provider === provider);
  if (values.json) {
    const rows = rules.map(({ id, provider, operation, field, level, title, source, side, origin, check }) => ({
      id,
      provider,
      operation,
      field,
      level,
      title,
      source,
      side,
      origin,
      kind: check.kind,
    }));
    out(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  const width = Math.max(...rules.map((r) => r.id.length));
  for (const r of rules) out(`${r.id.padEnd(width)}  ${r.level.padEnd(6)}  ${r.title}\n${' '.repeat(width + 10)}source: ${r.source}\n`);
  out(`${rules.length} rules\n`);
  return 0;
}
