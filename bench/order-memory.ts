/**
 * `npm run bench:memory [-- N]`: what one order costs the mock's heap. The embedded mock in this process
 * (real time, so nothing settles or is evicted) is sent N signed Alchemy creates (callbacks to a closed
 * port, so each stays queued) and N sealed GEP applies (default 10,000 each); a heap snapshot before and
 * after (each after two full collections) is summed by kind of node, and the growth is printed per order,
 * on the JavaScript heap and off it (the used-number tables).
 * JIT code counted in the growth is a one-off, so the figure falls a little as N grows.
 * A benchmark: it prints figures and asserts nothing. Run with `node --expose-gc` (the script does).
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { Pool } from 'undici';
import { startMock } from '../src/mock/server.ts';
import { catalogue } from '../src/spec/catalogue.ts';
import { todayIn } from '../src/spec/evaluate.ts';
import { alchemyCreate, benchKeys, gepApply } from './mock-process.ts';

const N = Math.max(100, Number(process.argv[2] ?? 10_000));
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npm run bench:memory does)');

const k = benchKeys();
const mock = await startMock({
  timeScale: 1,
  seed: 1,
  keys: {
    alchemy: { accessKey: k.MOCK_ALCHEMY_ACCESS_KEY, secretKey: k.MOCK_ALCHEMY_SECRET_KEY },
    gep: {
      userNo: k.MOCK_GEP_USER_NO,
      merchantPublicKey: createPublicKey(k.MOCK_GEP_MERCHANT_PUBLIC_KEY),
      platformPrivateKey: createPrivateKey(k.MOCK_GEP_PLATFORM_PRIVATE_KEY),
    },
  },
});

/**
 * A heap snapshot after two full collections, written to a file and read only once both are taken: the
 * tally of the first, held while the second was taken, would count as growth (it did: ~25 bytes an order).
 */
function snapshot(label: string): string {
  gc!();
  gc!();
  return writeHeapSnapshot(join(tmpdir(), `cc-order-memory-${process.pid}-${label}.heapsnapshot`));
}

/** Self size and count per kind of node (strings by their representation, objects by constructor); the file is removed. */
function tally(file: string): Map<string, { count: number; bytes: number }> {
  const h = JSON.parse(readFileSync(file, 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  rmSync(file);
  const f = h.snapshot.meta.node_fields;
  const [type, name, size] = ['type', 'name', 'self_size'].map((x) => f.indexOf(x)) as [number, number, number];
  const types = h.snapshot.meta.node_types[0];
  const out = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < h.nodes.length; i += f.length) {
    const t = types[h.nodes[i + type]!]!;
    const key = /string/.test(t) ? `(${t})` : `${t}: ${String(h.strings[h.nodes[i + name]!]).slice(0, 40)}`;
    const e = out.get(key) ?? { count: 0, bytes: 0 };
    e.count++;
    e.bytes += h.nodes[i + size]!;
    out.set(key, e);
  }
  return out;
}

const beforeFile = snapshot('before');
const pool = new Pool(mock.url, { connections: 16 });
const today = todayIn(catalogue().profiles.gep.timeZone, new Date());
let answered = 0;
const batch: Promise<unknown>[] = [];
for (let i = 0; i < N; i++) {
  for (const r of [alchemyCreate(`mem-a-${i}`, 'http://127.0.0.1:9/cb'), gepApply(`mem-g-${i}`, today)])
    batch.push(
      pool
        .request({ method: 'POST', path: r.path, headers: r.headers, body: r.body })
        .then((x) => x.body.text())
        .then(() => answered++),
    );
  if (batch.length >= 256) await Promise.all(batch.splice(0));
}
await Promise.all(batch);
const stats = mock.stats();
const afterFile = snapshot('after');
await pool.close();
await mock.close();
const before = tally(beforeFile);
const after = tally(afterFile);

const orders = stats.alchemy.orders + stats.gep.orders;
const rows = [...after].map(([key, a]) => {
  const b = before.get(key) ?? { count: 0, bytes: 0 };
  return { key, count: a.count - b.count, bytes: a.bytes - b.bytes };
});
const total = rows.reduce((s, r) => s + r.bytes, 0);
console.log(
  `${answered} answers; orders held: alchemy ${stats.alchemy.orders}, gep ${stats.gep.orders}; callbacks waiting ${stats.callbacks.waiting}`,
);
/** Typed arrays' and buffers' bytes: the used-number tables (the store's record of every order number). */
const offHeap = rows.filter((r) => r.key === 'native: system / JSArrayBufferData').reduce((s, r) => s + r.bytes, 0);
const per = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB = ${Math.round(bytes / orders)} bytes per order held`;
console.log(`growth ${per(total)}`);
console.log(`  on the JavaScript heap (what the collector traces and frees): ${per(total - offHeap)}`);
console.log(`  off the heap (the used-number tables): ${per(offHeap)}`);
console.log('bytes/order  nodes/order  kind');
for (const r of rows.sort((x, y) => y.bytes - x.bytes).slice(0, 15))
  console.log(`${String(Math.round(r.bytes / orders)).padStart(11)}  ${(r.count / orders).toFixed(2).padStart(11)}  ${r.key}`);
