import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listCodec } from '../../src/mock/store.ts';

interface Sample {
  id: string;
  text: string;
  amount: bigint;
  at: number;
  done: boolean;
  holder: { firstName?: string; lastName?: string };
}
const codec = listCodec<Sample, 'id'>('id', { text: 'json', amount: 'bigint', at: 'json', done: 'json', holder: 'json' });

describe('listCodec: an order as one JSON array of its named fields', () => {
  it('writes the fields in the order named, without the id, a bigint as its digits', () => {
    const o: Sample = { id: 'card_1', text: 'Müller "x"', amount: 12345678901234567890n, at: 42, done: true, holder: { firstName: 'A' } };
    const packed = codec.pack(o);
    expect(packed).toBe('["Müller \\"x\\"","12345678901234567890",42,true,{"firstName":"A"}]');
    expect(packed).not.toContain('card_1');
    expect(codec.unpack('card_1', packed)).toEqual(o);
  });

  it('gives back every order it packed, under the id it is read with (property)', () => {
    const sample = fc.record({
      id: fc.string(),
      text: fc.string({ unit: 'grapheme' }),
      amount: fc.bigInt(),
      at: fc.integer(),
      done: fc.boolean(),
      holder: fc.record({ firstName: fc.string(), lastName: fc.string() }, { requiredKeys: [] }),
    });
    fc.assert(
      fc.property(sample, (o) => {
        const back = codec.unpack(o.id, codec.pack(o));
        expect(back).toEqual(o);
        expect(typeof back.amount).toBe('bigint');
      }),
      { numRuns: 300, seed: 16 },
    );
  });
});
