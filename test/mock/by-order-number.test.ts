/** The held orders by order number: one held as itself, several (the duplicateOpensCard deviation) in order, each removable. */
import { describe, expect, it } from 'vitest';
import { ByOrderNumber } from '../../src/mock/store.ts';

describe('ByOrderNumber', () => {
  it('one order per number: found, counted, removed; removing an order not held changes nothing', () => {
    const byNo = new ByOrderNumber<{ id: number }>();
    const a = { id: 1 };
    const b = { id: 2 };
    byNo.add('n1', a);
    byNo.add('n2', b);
    expect([byNo.first('n1'), byNo.first('n2'), byNo.first('n3')]).toEqual([a, b, undefined]);
    expect(byNo.counts()).toEqual({ n1: 1, n2: 1 });
    byNo.remove('n1', b);
    expect(byNo.first('n1')).toBe(a);
    byNo.remove('n1', a);
    expect(byNo.first('n1')).toBeUndefined();
    expect(byNo.counts()).toEqual({ n2: 1 });
  });

  it('several orders for one number: the oldest first, and the next one first once it is removed, down to none', () => {
    const byNo = new ByOrderNumber<{ id: number }>();
    const [a, b, c] = [{ id: 1 }, { id: 2 }, { id: 3 }];
    for (const o of [a, b, c]) byNo.add('n', o);
    expect(byNo.first('n')).toBe(a);
    expect(byNo.counts()).toEqual({ n: 3 });
    byNo.remove('n', b);
    expect([byNo.first('n'), byNo.counts()]).toEqual([a, { n: 2 }]);
    byNo.remove('n', a);
    expect([byNo.first('n'), byNo.counts()]).toEqual([c, { n: 1 }]);
    byNo.add('n', a);
    expect([byNo.first('n'), byNo.counts()]).toEqual([c, { n: 2 }]);
    byNo.remove('n', c);
    byNo.remove('n', a);
    expect([byNo.first('n'), byNo.counts()]).toEqual([undefined, {}]);
    byNo.add('m', a);
    byNo.clear();
    expect(byNo.counts()).toEqual({});
  });
});
