/** `jsonObject`: the body is a JSON object. Every other rule is undecidable on anything else. */
import { isPlainObject, of } from '../spec/evaluate.ts';
import type { CheckKind } from './types.ts';

export const jsonObject: CheckKind<'jsonObject'> = {
  kind: 'jsonObject',
  describe: 'the body is a JSON object',
  expected: () => 'the body a JSON object',
  scope: 'object',
  holds: ({ root }) => of(isPlainObject(root)),
  // the object itself is the only valid shape: no edge
  edges: () => [],
  values: null,
  repair: null,
  mutators: ({ valid }) => [
    { value: [valid], note: 'body is a JSON array', cls: 'body', variant: 'array' },
    { value: 'x', note: 'body is a JSON string', cls: 'body', variant: 'string' },
    { value: 1, note: 'body is a JSON number', cls: 'body', variant: 'number' },
    { value: null, note: 'body is JSON null', cls: 'body', variant: 'null' },
  ],
};
