/** The one memo of "once per catalogue and operation": made once per owner and key, never shared across owners. */
import { describe, expect, it } from 'vitest';
import { keyedMemo } from '../../src/spec/memo.ts';

describe('keyedMemo', () => {
  it('makes a value once per owner and key, and keeps owners apart', () => {
    const memo = keyedMemo<object, number>();
    const a = {};
    const b = {};
    let made = 0;
    const make = () => ++made;
    expect([memo(a, 'x', make), memo(a, 'x', make), memo(a, 'y', make), memo(b, 'x', make), memo(b, 'x', make)]).toEqual([1, 1, 2, 3, 3]);
    expect(made).toBe(3);
  });

  it('keeps a value that is undefined (made once, not again on every ask)', () => {
    const memo = keyedMemo<object, string | undefined>();
    const owner = {};
    let made = 0;
    for (let i = 0; i < 3; i++)
      expect(
        memo(owner, 'k', () => {
          made++;
          return undefined;
        }),
      ).toBeUndefined();
    expect(made).toBe(1);
  });
});
