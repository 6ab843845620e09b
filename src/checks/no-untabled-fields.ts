/**
 * `noUntabledFields`: only the table's fields (strict schema mode). The tabled paths are the schema's
 * (src/schemas/derive.ts) and the judge's to compare; on one value the rule is undecided.
 */
import { NA } from '../spec/evaluate.ts';
import type { CheckKind } from './types.ts';
import { clone } from './util.ts';

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
