/**
 * The mock's record of order numbers ever used: exact membership for every number added, none for a
 * number never added, across many tables (small ones here, so the rollover to a new table is exercised),
 * and never a rehash: a full table is kept as it is.
 */
import { describe, expect, it } from 'vitest';
import { UsedRecord } from '../../src/mock/store.ts';

describe('UsedRecord', () => {
  it('knows every number added and no other, over tables that fill and roll over', () => {
    // tables of 8, 16, then 32 entries at most: 5,000 numbers fill about 160 of them
    const used = new UsedRecord(8, 32);
    const added = Array.from({ length: 5000 }, (_, i) => `order-${i}`);
    // positive case first: nothing is known before it is added
    expect(added.some((k) => used.has(k))).toBe(false);
    for (const k of added) used.add(k);
    expect(used.size).toBe(added.length);
    expect(added.every((k) => used.has(k))).toBe(true);
    // numbers never added, some a character away from added ones
    const others = [...Array.from({ length: 5000 }, (_, i) => `order-${i + 5000}`), 'order-', 'Order-1', 'order-1 ', '', 'ordre-1'];
    expect(others.filter((k) => used.has(k))).toEqual([]);
    // adding again changes nothing
    for (const k of added.slice(0, 100)) used.add(k);
    expect(used.size).toBe(added.length);
    used.clear();
    expect(used.size).toBe(0);
    expect(used.has('order-1')).toBe(false);
  });

  it('the same text as the same number whatever its characters (UTF-8), and table sizes must be powers of two', () => {
    const used = new UsedRecord();
    for (const k of ['订单-1', 'ö-2', '😀', 'a'.repeat(1000)]) {
      expect(used.has(k)).toBe(false);
      used.add(k);
      expect(used.has(k)).toBe(true);
    }
    expect(used.has('订单-2')).toBe(false);
    expect(() => new UsedRecord(3, 32)).toThrow('powers of two');
  });
});
