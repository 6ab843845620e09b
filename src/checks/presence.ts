/**
 * The presence classes shared by `required` and `requiredWhen`: left out, the empty string, JSON null.
 * In strict mode an empty string is a value, so the field's value rules may see it too: named as overlap.
 */
import type { RuleCheck } from '../spec/catalogue.ts';
import type { Mutation, MutationSite } from './types.ts';

export function presenceMutations<K extends RuleCheck['kind']>(site: MutationSite<K>): Mutation[] {
  const { path, with: w } = site;
  const empty = site.brokenOwn('');
  return [
    w(undefined, `${path} left out`, 'presence', { variant: 'absent' }),
    w('', `${path} = ""`, 'presence', {
      variant: 'empty',
      ...(empty.length ? { overlaps: { ids: empty.map((r) => r.id), why: 'strict mode checks an empty string as a value' } } : {}),
    }),
    w(null, `${path} = null`, 'presence', { variant: 'null' }),
  ];
}
