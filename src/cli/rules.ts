/** `card-conformance rules [--provider P] [--json] [--explain ID]`: the catalogue, as a table or as JSON, or one rule's trail. */
import { catalogue } from '../spec/catalogue.ts';
import { PROVIDERS } from '../spec/registry.ts';
import { oneOf, parse } from './args.ts';
import { explainRule } from './explain.ts';

export function rulesCommand(argv: string[], out: (s: string) => void): number {
  const { values } = parse(argv, { provider: { type: 'string' }, json: { type: 'boolean' }, explain: { type: 'string' } });
  if (values.explain !== undefined) {
    out(explainRule(values.explain));
    return 0;
  }
  const provider = oneOf('provider', values.provider, [...PROVIDERS, 'all'], 'all');
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
