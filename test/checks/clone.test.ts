import { describe, expect, it } from 'vitest';
import { clone } from '../../src/checks/util.ts';

describe('clone', () => {
  it('copies plain data deeply: a change to the copy never reaches the original', () => {
    const original = { a: '1', n: 2, f: false, z: null, u: undefined, nested: { list: [1, { deep: 'x' }, [2, 3]] } };
    const copy = clone(original);
    expect(copy).toStrictEqual(original);
    copy.nested.list[0] = 9;
    (copy.nested.list[1] as { deep: string }).deep = 'changed';
    (copy.nested.list[2] as number[]).push(4);
    expect(original).toStrictEqual({ a: '1', n: 2, f: false, z: null, u: undefined, nested: { list: [1, { deep: 'x' }, [2, 3]] } });
    expect('u' in copy).toBe(true);
  });

  it('keeps the odd numbers and the odd keys', () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": true}, "constructor": "c"}') as Record<string, unknown>;
    const copy = clone({ parsed, nan: Number.NaN, negZero: -0, inf: Number.POSITIVE_INFINITY });
    expect(Object.keys(copy.parsed)).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(copy.parsed)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(copy.nan).toBeNaN();
    expect(Object.is(copy.negZero, -0)).toBe(true);
    expect(copy.inf).toBe(Number.POSITIVE_INFINITY);
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { k: 1 });
    expect(Object.getPrototypeOf(clone(bare))).toBeNull();
  });

  it('leaves what is not plain data to structuredClone', () => {
    const when = new Date('2026-11-29T00:00:00Z');
    const copy = clone({ when, map: new Map([['k', 1]]) });
    expect(copy.when).toBeInstanceOf(Date);
    expect(copy.when).not.toBe(when);
    expect(copy.when.getTime()).toBe(when.getTime());
    expect(copy.map.get('k')).toBe(1);
  });
});
