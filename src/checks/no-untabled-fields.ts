/**
 * `noUntabledFields`: only the table's fields (strict schema mode). The tabled paths are the schema's
 * (src/schemas/derive.ts) and the judge's to compare; on one value the rule is undecided.
 */
import type { Rule } from '../spec/catalogue.ts';
import { isPlainObject, NA, relativePath } from '../spec/evaluate.ts';
import type { CheckKind } from './types.ts';
import { clone } from './util.ts';

/** The paths of `body` that no row of the side's table names (`rules`: the side's rules, whose type rules list the tabled paths). */
export function untabledPaths(body: Record<string, unknown>, rules: readonly Rule[]): string[] {
  const tabled = new Set(rules.filter((r) => r.check.kind === 'type').map(relativePath));
  const out: string[] = [];
  const walk = (o: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(o)) {
      const p = prefix ? `${prefix}.${k}` : k;
      if (!tabled.has(p)) out.push(p);
      else if (isPlainObject(v) && [...tabled].some((t) => t.startsWith(`${p}.`))) walk(v, p);
    }
  };
  walk(body, '');
  return out;
}

export const noUntabledFields: CheckKind<'noUntabledFields'> = {
  kind: 'noUntabledFields',
  describe: 'the object carries only the fields its table lists (strict mode)',
  expected: () => 'only the fields the table lists',
  scope: 'object',
  holds: () => NA,
  edges: () => [],
  values: null,
  repair: null,
  mutators: ({ valid }) => [
    { value: { ...clone(valid), untabledField: 'x' }, note: 'adds untabledField, a field outside the table', cls: 'body' },
  ],
};
