/**
 * A value per owner object and key, made once: the memo every "once per catalogue and operation" lookup
 * shares (the catalogue, a field's plan). The owner is held weakly, so another catalogue (a spec version,
 * an override) gets its own values and a dropped one takes its values with it.
 */
export function keyedMemo<O extends object, T>(): (owner: O, key: string, make: () => T) => T {
  const memo = new WeakMap<O, Map<string, T>>();
  return (owner, key, make) => {
    let byKey = memo.get(owner);
    if (!byKey) {
      byKey = new Map();
      memo.set(owner, byKey);
    }
    if (byKey.has(key)) return byKey.get(key) as T;
    const value = make();
    byKey.set(key, value);
    return value;
  };
}
