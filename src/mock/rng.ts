/** A small seeded PRNG (mulberry32): the same seed gives the same card numbers, ids and outcomes. */
export interface Rng {
  next(): number;
  int(maxExclusive: number): number;
  digits(n: number): string;
  hex(n: number): string;
}

export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number) => Math.floor(next() * max);
  return {
    next,
    int,
    digits: (n) => Array.from({ length: n }, () => String(int(10))).join(''),
    hex: (n) => Array.from({ length: n }, () => int(16).toString(16)).join(''),
  };
}
