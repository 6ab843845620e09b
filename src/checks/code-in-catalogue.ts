/** `codeInCatalogue`: a refusal's code is one of the provider's catalogue (published, inferred or profile). */
import { isAbsent, NA, of } from '../spec/evaluate.ts';
import type { CheckKind } from './types.ts';
import { setAt } from './util.ts';

export const codeInCatalogue: CheckKind<'codeInCatalogue'> = {
  kind: 'codeInCatalogue',
  describe: "a refusal's code is in the provider's code catalogue",
  expected: ({ path, ctx }) => `${path} one of the provider's codes${ctx?.codes ? ` (${[...ctx.codes].join(', ')})` : ''}`,
  scope: 'object',
  holds({ root, value, ctx }) {
    if (!ctx.codes || (root as Record<string, unknown>)['success'] !== false || isAbsent(value)) return NA;
    return of(ctx.codes.has(String(value)));
  },
  edges: () => [],
  values: null,
  repair({ path, obj, typed, spare, refusalCodes }) {
    if (obj['success'] === false && refusalCodes.length > 0) setAt(obj, path, typed(refusalCodes[spare[0]! % refusalCodes.length]!));
  },
  mutators({ path, typed, valid, with: w }) {
    if (valid['success'] !== false) return [];
    return [w(typed('999999'), `${path} = 999999 (not in the catalogue)`, 'unknownValue')];
  },
};
