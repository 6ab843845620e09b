/** `echo`: an answer field repeats a request field (GEP's card currency). */
import { getPath, isAbsent, NA, of } from '../spec/evaluate.ts';
import type { CheckKind } from './types.ts';
import { setAt } from './util.ts';

export const echo: CheckKind<'echo'> = {
  kind: 'echo',
  describe: 'the answer repeats the request field',
  expected({ check, path, ctx }) {
    const sent = ctx?.request ? getPath(ctx.request, check.requestField) : undefined;
    return `${path} equal to the request's ${check.requestField}${isAbsent(sent) ? '' : ` (${JSON.stringify(sent)})`}`;
  },
  scope: 'object',
  holds({ check, value, ctx }) {
    const sent = ctx.request ? getPath(ctx.request, check.requestField) : undefined;
    return isAbsent(value) || isAbsent(sent) ? NA : of(String(value) === String(sent));
  },
  edges: () => [],
  values: null,
  repair({ check, path, obj, value, g }) {
    if (!isAbsent(value) && g.request) setAt(obj, path, getPath(g.request, check.requestField));
  },
  mutators({ check, path, text, with: w }) {
    const other = text === 'EUR' ? 'USD' : 'EUR';
    return [w(other, `${path} = ${other}, not the requested ${check.requestField}`, 'relation')];
  },
};
