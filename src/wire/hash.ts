/** A stable 32-bit hash of a string (FNV-1a), for choices that must not depend on arrival order. Imports nothing. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h >>> 0;
}
