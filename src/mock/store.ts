/**
 * The mock's bounded memory of orders, one store per provider. It holds at most `max` order details; when
 * a new order needs room, the oldest settled one is evicted (its detail is gone: a read of it answers the
 * provider's "does not exist"). An order still inside its lifecycle is never evicted: with nothing
 * settled, `admit()` says no and the caller answers 503 (counted). Apart from the details, the store keeps
 * the record that an order number was used (`used`: a 16-byte fingerprint each, outside the traced
 * heap), so a duplicate is refused as a duplicate however old the first order is.
 *
 * Each order is held as one flat string made by the provider's codec (`OrderCodec`): `get` hands out a
 * copy, and a simulator that changes an order `save`s it.
 *
 * Nothing here is scheduled: whether an order has settled is computed from the mock's clock when room is
 * needed (`settlesAt`), or told by the one event that is not a matter of time (`wake`: a callback finished).
 *
 * Each held order waits in exactly one place: `fresh` (creation order, never looked at yet), `timed` (a
 * heap by the clock time it settles), `blocked` (it settles on an event, or never) or `woken` (the event
 * came). Every order a look skipped is older than the head of `fresh`, so those go first once settled:
 * eviction is oldest-first among settled orders, an order that was still in its lifecycle when its turn
 * came going as soon as it has settled. Each order is looked at a bounded number of times (amortised
 * O(log n) per admission, however many orders are stuck in their lifecycle).
 */

import { hash } from 'node:crypto';
import { flat } from './context.ts';

/** Entries of the used record's first table (128 KB) and of its largest (2^19 entries in 2^20 slots of 16 bytes: 16 MB). */
const FIRST_TABLE = 1 << 12;
const LARGEST_TABLE = 1 << 19;

/**
 * The order numbers ever used, as 128-bit fingerprints (MD5 of the UTF-8 text) in open-addressed tables
 * of typed arrays: 16 bytes a number and a half-empty table, against about 60 for a string in a Set, and
 * nothing the garbage collector has to trace. A mock left running at 2,000 orders/s adds 120,000 numbers a
 * minute: as strings in a Set they made every major collection longer and every doubling of the Set a
 * pause of tens of milliseconds. Tables are never resized: a full one (half its slots) is kept and a new
 * one begun, twice as large up to the largest, so no insertion ever rehashes and a mock that sees few
 * orders holds a small table. Two distinct order numbers share a fingerprint with probability about
 * n² / 2^129 (10^-22 for 10^8 numbers): a false duplicate is not a practical concern.
 */
export class UsedRecord {
  private shards: Uint32Array[] = [];
  private counts: number[] = [];
  constructor(
    private readonly first = FIRST_TABLE,
    private readonly largest = LARGEST_TABLE,
  ) {
    for (const n of [first, largest])
      if (!Number.isInteger(Math.log2(n)) || n < 1) throw new RangeError(`table sizes must be powers of two (got ${n})`);
  }
  /** The last fingerprint made: every caller reads it before the next is made (one thread). */
  private static readonly scratch = new Uint32Array(4);
  private static fingerprint(key: string): Uint32Array {
    // the one-shot hash: half the cost of a createHash object per order number
    const d = hash('md5', key, 'buffer');
    const f = UsedRecord.scratch;
    f[0] = d.readUInt32LE(0);
    f[1] = d.readUInt32LE(4);
    f[2] = d.readUInt32LE(8);
    f[3] = d.readUInt32LE(12);
    // an all-zero slot is empty: a fingerprint is never all zero
    if ((f[0]! | f[1]! | f[2]! | f[3]!) === 0) f[0] = 1;
    return f;
  }
  /** The slot of `f` in `table`: where it is, or the empty slot where it would go (linear probing). */
  private slotOf(table: Uint32Array, f: Uint32Array): number {
    const mask = table.length / 4 - 1;
    for (let i = f[0]! & mask; ; i = (i + 1) & mask) {
      const at = i * 4;
      if ((table[at]! | table[at + 1]! | table[at + 2]! | table[at + 3]!) === 0) return at;
      if (table[at] === f[0] && table[at + 1] === f[1] && table[at + 2] === f[2] && table[at + 3] === f[3]) return at;
    }
  }
  private find(f: Uint32Array): boolean {
    for (const table of this.shards) {
      const at = this.slotOf(table, f);
      // the slot found holds `f` unless it is the empty one
      if ((table[at]! | table[at + 1]! | table[at + 2]! | table[at + 3]!) !== 0) return true;
    }
    return false;
  }
  has(key: string): boolean {
    return this.find(UsedRecord.fingerprint(key));
  }
  add(key: string): void {
    const f = UsedRecord.fingerprint(key);
    if (this.find(f)) return;
    let last = this.shards.length - 1;
    // a table takes entries up to half its slots
    if (last < 0 || this.counts[last]! * 2 >= this.shards[last]!.length / 4) {
      const entries = Math.min(this.first * 2 ** this.shards.length, this.largest);
      this.shards.push(new Uint32Array(entries * 2 * 4));
      this.counts.push(0);
      last++;
    }
    const table = this.shards[last]!;
    table.set(f, this.slotOf(table, f));
    this.counts[last]!++;
  }
  get size(): number {
    return this.counts.reduce((n, c) => n + c, 0);
  }
  clear(): void {
    this.shards = [];
    this.counts = [];
  }
}

/**
 * The held orders by order number, oldest first. Nearly always one per number, held as itself: a list
 * per number (an array and its backing store, two more heap objects per order held) only where the
 * duplicateOpensCard deviation has opened several.
 */
export class ByOrderNumber<T extends object | string> {
  private readonly map = new Map<string, T | T[]>();
  /** The first order held for the number. */
  first(key: string): T | undefined {
    const v = this.map.get(key);
    return Array.isArray(v) ? v[0] : v;
  }
  add(key: string, order: T): void {
    const v = this.map.get(key);
    if (v === undefined) this.map.set(key, order);
    else this.map.set(key, Array.isArray(v) ? [...v, order] : [v, order]);
  }
  /** The order is no longer held (evicted). */
  remove(key: string, order: T): void {
    const v = this.map.get(key);
    if (v === order) this.map.delete(key);
    else if (Array.isArray(v)) {
      const rest = v.filter((x) => x !== order);
      if (rest.length === 0) this.map.delete(key);
      else this.map.set(key, rest.length === 1 ? rest[0]! : rest);
    }
  }
  /** Orders held per number. */
  counts(): Record<string, number> {
    return Object.fromEntries([...this.map].map(([k, v]) => [k, Array.isArray(v) ? v.length : 1]));
  }
  clear(): void {
    this.map.clear();
  }
}

/** A FIFO of ids on an array with a moving head (compacted now and then): O(1) push and shift. */
class Fifo {
  private items: string[] = [];
  private head = 0;
  push(id: string): void {
    this.items.push(id);
  }
  shift(): string | undefined {
    if (this.head >= this.items.length) return undefined;
    const id = this.items[this.head++]!;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return id;
  }
  get length(): number {
    return this.items.length - this.head;
  }
  clear(): void {
    this.items = [];
    this.head = 0;
  }
}

/** A binary min-heap of (at, seq, id): the earliest settle time first, the older order on a tie. */
class TimeHeap {
  private at: number[] = [];
  private seq: number[] = [];
  private ids: string[] = [];
  get size(): number {
    return this.ids.length;
  }
  peekAt(): number {
    return this.at[0] ?? Number.POSITIVE_INFINITY;
  }
  private less(i: number, j: number): boolean {
    return this.at[i]! < this.at[j]! || (this.at[i] === this.at[j] && this.seq[i]! < this.seq[j]!);
  }
  private swap(i: number, j: number): void {
    [this.at[i], this.at[j]] = [this.at[j]!, this.at[i]!];
    [this.seq[i], this.seq[j]] = [this.seq[j]!, this.seq[i]!];
    [this.ids[i], this.ids[j]] = [this.ids[j]!, this.ids[i]!];
  }
  push(at: number, seq: number, id: string): void {
    this.at.push(at);
    this.seq.push(seq);
    this.ids.push(id);
    for (let i = this.ids.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }
  pop(): string | undefined {
    const n = this.ids.length;
    if (n === 0) return undefined;
    const top = this.ids[0]!;
    this.swap(0, n - 1);
    this.at.pop();
    this.seq.pop();
    this.ids.pop();
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n - 1 && this.less(l, m)) m = l;
      if (r < n - 1 && this.less(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
    return top;
  }
  clear(): void {
    this.at = [];
    this.seq = [];
    this.ids = [];
  }
}

/**
 * How an order is held: as one flat string. An order as an object was a dozen heap objects (the object,
 * each field's string, a nested holder, a bigint) that every major collection traced and that, evicted at
 * 2,000 orders a second, became old-generation garbage faster than the collector came round; as one string
 * it is a single object the collector never looks inside. `unpack` gets the order's id (its key in the
 * store), so the packed form need not repeat it.
 */
export interface OrderCodec<T> {
  pack(order: T): string;
  unpack(id: string, packed: string): T;
}

/** How a field is written in an order's text: as JSON, or (a bigint) as its decimal digits. */
export type FieldKind = 'json' | 'bigint';

/**
 * The codec of an order type from its fields: every field but the id, each named once (the type of
 * `fields` requires them all, so a field added to the order cannot be left out of its text), written as
 * one JSON array in the order they are named.
 */
export function listCodec<T extends object, I extends keyof T & string>(
  id: I,
  fields: { readonly [P in Exclude<keyof T, I>]-?: FieldKind },
): OrderCodec<T> {
  const names = Object.keys(fields) as (keyof T & string)[];
  const big = names.map((n) => (fields as Record<string, FieldKind>)[n] === 'bigint');
  return {
    pack: (order) => JSON.stringify(names.map((n, i) => (big[i] ? String(order[n]) : order[n]))),
    unpack: (key, packed) => {
      const values = JSON.parse(packed) as unknown[];
      const order: Record<string, unknown> = { [id]: key };
      names.forEach((n, i) => {
        order[n] = big[i] ? BigInt(values[i] as string) : values[i];
      });
      return order as T;
    },
  };
}

export interface StoreOptions<T> {
  /** How many order details the store holds at most (at least 1). */
  max: number;
  codec: OrderCodec<T>;
  /** The mock's clock. */
  now: () => number;
  /**
   * The clock time at which the order has settled (its lifecycle is over): a time in the past means
   * settled now; `Infinity` means not by the clock alone (an event will `wake` it, or it never settles).
   */
  settlesAt: (order: T) => number;
  /** The order's detail is being dropped: remove it from the provider's own indexes. */
  onEvict: (id: string, order: T) => void;
}

export interface StoreStats {
  /** Order details held now. */
  orders: number;
  max: number;
  /** Order details dropped to make room, in all. */
  evicted: number;
  /** New orders refused (503) because every held order was still in its lifecycle. */
  refusedAtCapacity: number;
  /** Order numbers on record (held or evicted): duplicates of these are refused. */
  orderNumbers: number;
}

interface Held {
  /** The order, packed by the store's codec. */
  order: string;
  seq: number;
  where: 'fresh' | 'timed' | 'blocked' | 'woken';
}

export class OrderStore<T> {
  readonly used = new UsedRecord();
  private held = new Map<string, Held>();
  private fresh = new Fifo();
  private timed = new TimeHeap();
  private woken = new Fifo();
  private seq = 0;
  private evicted = 0;
  private refused = 0;

  constructor(private readonly opts: StoreOptions<T>) {
    if (!Number.isInteger(opts.max) || opts.max < 1) throw new RangeError(`max orders must be a whole number ≥ 1 (got ${opts.max})`);
  }

  get size(): number {
    return this.held.size;
  }

  /** The order held under `id` (a copy: change it and `save` it), or undefined when it is not held (never made, or evicted). */
  get(id: string): T | undefined {
    const h = this.held.get(id);
    return h === undefined ? undefined : this.opts.codec.unpack(id, h.order);
  }

  /** Keeps `order` as the order held under `id`; an order no longer held (evicted, reset) stays gone. */
  save(id: string, order: T): void {
    const h = this.held.get(id);
    if (h !== undefined) h.order = flat(this.opts.codec.pack(order));
  }

  /** The held orders, oldest first, with their ids. */
  *entries(): IterableIterator<[string, T]> {
    for (const [id, h] of this.held) yield [id, this.opts.codec.unpack(id, h.order)];
  }

  /**
   * Room for one more order: true when below the limit or after evicting the oldest settled order; false
   * (and counted) when every held order is still in its lifecycle.
   */
  admit(): boolean {
    if (this.held.size < this.opts.max) return true;
    if (this.evictOne()) return true;
    this.refused++;
    return false;
  }

  /** Holds a new order (call `admit()` first). */
  add(id: string, order: T): void {
    this.held.set(id, { order: flat(this.opts.codec.pack(order)), seq: this.seq++, where: 'fresh' });
    this.fresh.push(id);
  }

  /** The order's settling event came (its callback was delivered or given up): look at it again when room is needed. */
  wake(id: string): void {
    const h = this.held.get(id);
    if (h?.where !== 'blocked') return;
    h.where = 'woken';
    this.woken.push(id);
  }

  stats(): StoreStats {
    return {
      orders: this.held.size,
      max: this.opts.max,
      evicted: this.evicted,
      refusedAtCapacity: this.refused,
      orderNumbers: this.used.size,
    };
  }

  /** Forgets everything, the used order numbers included (admin reset); the counters stay. */
  clear(): void {
    this.held.clear();
    this.fresh.clear();
    this.timed.clear();
    this.woken.clear();
    this.used.clear();
  }

  /** Evicts the oldest settled order, or puts each unsettled one it looks at where it will be found when settled. */
  private evictOne(): boolean {
    const now = this.opts.now();
    // Orders skipped earlier are older than any fresh one: those whose event came, then those whose time came.
    for (let id = this.woken.shift(); id !== undefined; id = this.woken.shift()) if (this.tryEvict(id, now)) return true;
    while (this.timed.peekAt() <= now) if (this.tryEvict(this.timed.pop()!, now)) return true;
    for (let id = this.fresh.shift(); id !== undefined; id = this.fresh.shift()) if (this.tryEvict(id, now)) return true;
    return false;
  }

  /** Evicts the order if it has settled; otherwise parks it (timed or blocked). Stale ids are skipped. */
  private tryEvict(id: string, now: number): boolean {
    const h = this.held.get(id);
    if (!h) return false;
    const order = this.opts.codec.unpack(id, h.order);
    const at = this.opts.settlesAt(order);
    if (at <= now) {
      this.held.delete(id);
      this.evicted++;
      this.opts.onEvict(id, order);
      return true;
    }
    if (Number.isFinite(at)) {
      h.where = 'timed';
      this.timed.push(at, h.seq, id);
    } else h.where = 'blocked';
    return false;
  }
}
