/** A small seeded PRNG (mulberry32): the same seed gives the same card numbers, ids and outcomes. */
export interface Rng {
  next(): number;
  int(maxExclusive: number): number;
  digits(n: number): string;
  hex(n: number): string;
}

/** Character codes of 0-9a-f. */
const HEX = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

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
  // a plain loop: the mock draws dozens of these per request (same draws, same strings as before), made
  // flat at once (a string grown by += is a rope, and held card fields would keep its pieces)
  const draw = (n: number, base: number) => {
    const codes: number[] = new Array(n);
    for (let i = 0; i < n; i++) codes[i] = HEX[int(base)]!;
    return String.fromCharCode(...codes);
  };
  return { next, int, digits: (n) => draw(n, 10), hex: (n) => draw(n, 16) };
}
