/**
 * A deep copy of a request or answer value, or of a data module (each catalogue owns its data). Plain
 * data (objects, arrays, primitives: everything a case or a parsed body holds) is copied by hand, eight
 * times faster than `structuredClone`, which a run called several times for every case; anything else
 * (a Date, a Map, a class instance) goes to `structuredClone`.
 */
export function clone<T>(v: T): T {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = clone(v[i]);
    return out as T;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return structuredClone(v);
  const out: Record<string, unknown> = proto === null ? Object.create(null) : {};
  for (const k of Object.keys(v)) {
    const value = clone((v as Record<string, unknown>)[k]);
    // an own "__proto__" key (JSON.parse makes one) stays a key: an assignment would set the prototype
    if (k === '__proto__') Object.defineProperty(out, k, { value, enumerable: true, writable: true, configurable: true });
    else out[k] = value;
  }
  return out as T;
}
