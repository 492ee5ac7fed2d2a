/**
 * state-store: the state stores' write and read paths against the raw engines they sit on,
 * measured in the same run (DESIGN.md §10).
 *
 * - rocksdb-put-batched: puts of 16-byte keys (distinct, scattered) and 100-byte values through
 *   the transactional store on the RocksDB engine, committed every BATCH records (one atomic
 *   WriteBatch each, with a changelog offset). Baseline: the raw binding's chained batch doing the
 *   same puts and writes (without the offset), on a fresh directory each run.
 * - rocksdb-get-sync: synchronous point reads of every key, in scattered order, through the
 *   transactional store (empty transaction). Baseline: the raw binding's `_getManySync([key])` on a
 *   database with the same contents.
 * - memory-put / memory-get: the same through the transactional store on the in-memory engine (a
 *   B+tree for order with a hash index beside it). Baseline: a JS Map keyed by the keys as strings
 *   (built before timing); a Map is unordered, the store keeps byte order for range scans.
 * - cached-put-collapsing: many updates to few keys through the record cache over the RocksDB
 *   store, committed every CACHED_COMMIT_EVERY records; the flush listener sees one entry per key
 *   per commit. Baseline: a hand-written loop doing the same collapsing (a Map of latest values,
 *   written to a raw batch and handed to a listener at each commit).
 *
 * - store-write: 1 M updates over 100 k string keys (uniform, seeded) with int64 values through a
 *   typed key-value store (Serdes.string / Serdes.int64) with the record cache, on RocksDB, with a
 *   commit every 10 k updates. Baseline: the raw binding writing the same final data in batches:
 *   per commit, each key's latest value in the order of the keys' latest writes (what the cache
 *   flushes), from prebuilt key buffers.
 * - store-get: synchronous gets of every key, scattered, through the typed store with the cache off
 *   (so every get reaches RocksDB), against the raw binding's `_getManySync([key])`, same contents.
 *
 * Sides alternate (baseline, millrace, …); each reports its best run, every run is in the notes.
 */

import * as path from 'node:path';
import { type RocksChainedBatch, RocksLevel } from '@nxtedition/rocksdb';
import { Serdes } from '../src/serdes/serdes.js';
import { CachingBytesStore, type FlushedEntry } from '../src/state-stores/caching-bytes-store.js';
import type { KeyValueStore } from '../src/state-stores/key-value-store.js';
import { MemoryEngine } from '../src/state-stores/memory/memory-engine.js';
import { RocksDbEngine } from '../src/state-stores/rocksdb/rocksdb-engine.js';
import { keyValueStore } from '../src/state-stores/stores.js';
import { TransactionalBytesStore } from '../src/state-stores/transactional-bytes-store.js';
import {
  type Benchmark,
  collectGarbage,
  type Figure,
  figure,
  median,
  nowMs,
  perSec,
  progress,
  removeAndSettle,
  roundFigure,
  withTempDir,
} from './harness.js';

const ROUNDS = 3;
const TYPED_ROUNDS = 3;
const TYPED_KEYS = 100_000;
const TYPED_UPDATES = 1_000_000;
const TYPED_COMMIT_EVERY = 10_000;
const RECORDS = 200_000;
const BATCH = 1000;
const CACHED_KEYS = 1000;
const CACHED_UPDATES = 1_000_000;
const CACHED_COMMIT_EVERY = 10_000;
const CHANGELOG = 'bench-store-changelog/0';
const ROCKS = { compression: false, blockCacheBytes: 64 * 1024 * 1024 };
const UNBOUNDED = { maxUncommittedBytes: Number.MAX_SAFE_INTEGER };

interface Data {
  keys: Buffer[];
  /** The keys as latin1 strings, for the Map baselines. */
  names: string[];
  values: Buffer[];
  /** A scattered read order. */
  readOrder: number[];
}

function makeData(count: number): Data {
  const keys: Buffer[] = [];
  const values: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const k = Buffer.alloc(16);
    // Multiplicative hashing scatters the keys over the key space, as real keys would be.
    k.writeUInt32BE(Math.imul(i, 2654435761) >>> 0, 0);
    k.writeUInt32BE(i, 12);
    keys.push(k);
    const v = Buffer.alloc(100, i & 0xff);
    v.writeUInt32BE(i, 0);
    values.push(v);
  }
  const readOrder = Array.from({ length: count }, (_, i) => (i * 40503) % count);
  return { keys, names: keys.map((k) => k.toString('latin1')), values, readOrder };
}

interface Timings {
  baseline: number[];
  millrace: number[];
}

async function alternate(
  rounds: number,
  baseline: () => Promise<number>,
  millrace: () => Promise<number>,
): Promise<Timings> {
  const out: Timings = { baseline: [], millrace: [] };
  for (let r = 0; r < rounds; r++) {
    out.baseline.push(await baseline());
    out.millrace.push(await millrace());
  }
  return out;
}

function compared(
  metric: string,
  unit: string,
  t: Timings,
  count: number,
  note: string,
  goal?: number,
): Figure {
  const rate = (ms: number) => perSec(count, ms);
  const value = rate(Math.min(...t.millrace));
  const baseline = rate(Math.min(...t.baseline));
  const fmt = (xs: number[]) => xs.map((ms) => roundFigure(rate(ms)).toLocaleString('en-US')).join(', ');
  const runs =
    `Best of ${t.millrace.length} alternated runs; runs in ${unit}: baseline ${fmt(t.baseline)}; millrace ` +
    `${fmt(t.millrace)}; ratio of medians ${(rate(median(t.millrace)) / rate(median(t.baseline))).toFixed(2)}.`;
  return figure(metric, unit, value, {
    baseline,
    note: `${note} ${runs}`,
    ...(goal === undefined ? {} : { goal }),
  });
}

async function openRaw(dir: string): Promise<RocksLevel> {
  const db = new RocksLevel(dir);
  await db.open({
    createIfMissing: true,
    parallelism: 1,
    columns: { default: { cacheSize: ROCKS.blockCacheBytes, compression: ROCKS.compression } },
  });
  return db;
}

/** Times `body` after a full GC. */
function timed(body: () => void): number {
  collectGarbage();
  const start = nowMs();
  body();
  return nowMs() - start;
}

function rawPuts(batch: RocksChainedBatch, d: Data, order: (i: number) => number, count: number): void {
  for (let i = 0; i < count; i++) {
    const j = order(i);
    batch._put(d.keys[j]!, d.values[j]!);
    if ((i + 1) % BATCH === 0) {
      batch._writeSync();
      batch._clear();
    }
  }
  batch._writeSync();
  batch._clear();
}

function storePuts(store: TransactionalBytesStore, d: Data): void {
  for (let i = 0; i < RECORDS; i++) {
    store.put(d.keys[i]!, d.values[i]!);
    if ((i + 1) % BATCH === 0) store.commit(new Map([[CHANGELOG, i + 1]]));
  }
  store.commit(new Map([[CHANGELOG, RECORDS]]));
}

async function rocksPut(root: string, d: Data): Promise<Timings> {
  progress(`rocksdb-put-batched: ${ROUNDS} × (raw batch, store) of ${RECORDS.toLocaleString()} puts`);
  let run = 0;
  return alternate(
    ROUNDS,
    async () => {
      const dir = path.join(root, `raw-put-${run}`);
      const db = await openRaw(dir);
      const batch = db._chainedBatch();
      const ms = timed(() => rawPuts(batch, d, (i) => i, RECORDS));
      batch._closeSync();
      await db.close();
      removeAndSettle(dir);
      return ms;
    },
    async () => {
      const dir = path.join(root, `store-put-${run++}`);
      const store = new TransactionalBytesStore(
        await RocksDbEngine.open({ name: 'bench', dir, config: ROCKS }),
        UNBOUNDED,
      );
      const ms = timed(() => storePuts(store, d));
      if (store.committedOffsets().get(CHANGELOG) !== RECORDS) throw new Error('store lost its offset');
      await store.close();
      removeAndSettle(dir);
      return ms;
    },
  );
}

async function rocksGet(root: string, d: Data): Promise<Timings> {
  progress(
    `rocksdb-get-sync: loading ${RECORDS.toLocaleString()} records twice, then ${ROUNDS} × (raw, store) reads`,
  );
  const db = await openRaw(path.join(root, 'raw-get'));
  const batch = db._chainedBatch();
  rawPuts(batch, d, (i) => i, RECORDS);
  batch._closeSync();
  const store = new TransactionalBytesStore(
    await RocksDbEngine.open({ name: 'bench', dir: path.join(root, 'store-get'), config: ROCKS }),
    UNBOUNDED,
  );
  storePuts(store, d);
  const one: Buffer[] = [d.keys[0]!];
  let sink = 0;
  const t = await alternate(
    ROUNDS,
    async () =>
      timed(() => {
        for (const j of d.readOrder) {
          one[0] = d.keys[j]!;
          sink += db._getManySync(one)[0]!.length;
        }
      }),
    async () =>
      timed(() => {
        for (const j of d.readOrder) sink += store.get(d.keys[j]!)!.length;
      }),
  );
  if (sink !== 2 * ROUNDS * RECORDS * 100) throw new Error(`read ${sink} bytes`);
  await db.close();
  await store.close();
  return t;
}

function memoryRuns(d: Data): { put: Timings; get: Timings } {
  progress(`memory-put / memory-get: ${ROUNDS} × (Map, store) of ${RECORDS.toLocaleString()} puts and gets`);
  const put: Timings = { baseline: [], millrace: [] };
  const get: Timings = { baseline: [], millrace: [] };
  let sink = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const map = new Map<string, Uint8Array>();
    put.baseline.push(
      timed(() => {
        for (let i = 0; i < RECORDS; i++) map.set(d.names[i]!, d.values[i]!);
      }),
    );
    const store = new TransactionalBytesStore(MemoryEngine.open('bench'), UNBOUNDED);
    put.millrace.push(timed(() => storePuts(store, d)));
    get.baseline.push(
      timed(() => {
        for (const j of d.readOrder) sink += map.get(d.names[j]!)!.length;
      }),
    );
    get.millrace.push(
      timed(() => {
        for (const j of d.readOrder) sink += store.get(d.keys[j]!)!.length;
      }),
    );
  }
  if (sink !== 2 * ROUNDS * RECORDS * 100) throw new Error(`read ${sink} bytes`);
  return { put, get };
}

async function cachedCollapsing(
  root: string,
  d: Data,
): Promise<{ t: Timings; flushed: number; uncached: number }> {
  progress(
    `cached-put-collapsing: ${ROUNDS} × (hand-written collapsing, cache) of ${CACHED_UPDATES.toLocaleString()} ` +
      `updates to ${CACHED_KEYS} keys`,
  );
  const key = (i: number) => (i * 7919) % CACHED_KEYS;
  let flushed = 0;
  let run = 0;
  const t = await alternate(
    ROUNDS,
    async () => {
      const dir = path.join(root, `raw-cached-${run}`);
      const db = await openRaw(dir);
      const batch = db._chainedBatch();
      let handed = 0;
      const ms = timed(() => {
        const latest = new Map<string, number>();
        const flush = () => {
          for (const [name, j] of latest) {
            batch._put(d.keys[j]!, d.values[j]!);
            if (name.length > 0) handed++;
          }
          latest.clear();
          batch._writeSync();
          batch._clear();
        };
        for (let i = 0; i < CACHED_UPDATES; i++) {
          const j = key(i);
          latest.set(d.names[j]!, j);
          if ((i + 1) % CACHED_COMMIT_EVERY === 0) flush();
        }
        flush();
      });
      if (handed === 0) throw new Error('nothing flushed');
      batch._closeSync();
      await db.close();
      removeAndSettle(dir);
      return ms;
    },
    async () => {
      const dir = path.join(root, `store-cached-${run++}`);
      const inner = new TransactionalBytesStore(
        await RocksDbEngine.open({ name: 'bench', dir, config: ROCKS }),
        UNBOUNDED,
      );
      let handed = 0;
      const store = new CachingBytesStore(inner, {
        maxBytes: 10 * 1024 * 1024,
        listener: (entries: readonly FlushedEntry[]) => {
          handed += entries.length;
        },
      });
      const ms = timed(() => {
        for (let i = 0; i < CACHED_UPDATES; i++) {
          const j = key(i);
          store.put(d.keys[j]!, d.values[j]!);
          if ((i + 1) % CACHED_COMMIT_EVERY === 0) store.commit(new Map([[CHANGELOG, i + 1]]));
        }
        store.commit(new Map([[CHANGELOG, CACHED_UPDATES]]));
      });
      flushed = handed;
      await store.close();
      removeAndSettle(dir);
      return ms;
    },
  );
  // For context: the same updates through the store without a cache (every update reaches RocksDB).
  const dir = path.join(root, 'store-uncached');
  const plain = new TransactionalBytesStore(
    await RocksDbEngine.open({ name: 'bench', dir, config: ROCKS }),
    UNBOUNDED,
  );
  const uncachedMs = timed(() => {
    for (let i = 0; i < CACHED_UPDATES; i++) {
      const j = key(i);
      plain.put(d.keys[j]!, d.values[j]!);
      if ((i + 1) % CACHED_COMMIT_EVERY === 0) plain.commit(new Map([[CHANGELOG, i + 1]]));
    }
    plain.commit();
  });
  await plain.close();
  removeAndSettle(dir);
  return { t, flushed, uncached: perSec(CACHED_UPDATES, uncachedMs) };
}

interface TypedData {
  names: string[];
  /** The keys serialized once, for the baseline. */
  keyBytes: Buffer[];
  /** The key of each update. */
  updates: Int32Array;
  /** Per commit: the keys flushed, in the order of their latest write, and their final values. */
  commitKeys: Int32Array[];
  commitValues: Float64Array[];
}

function makeTypedData(): TypedData {
  const names = Array.from({ length: TYPED_KEYS }, (_, i) => `user-${i}`);
  const updates = new Int32Array(TYPED_UPDATES);
  // xorshift32 with a fixed seed: the same uniform key sequence every run.
  let x = 0x9e3779b9;
  for (let i = 0; i < TYPED_UPDATES; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    updates[i] = (x >>> 0) % TYPED_KEYS;
  }
  const commitKeys: Int32Array[] = [];
  const commitValues: Float64Array[] = [];
  for (let start = 0; start < TYPED_UPDATES; start += TYPED_COMMIT_EVERY) {
    const latest = new Map<number, number>();
    for (let i = start; i < Math.min(start + TYPED_COMMIT_EVERY, TYPED_UPDATES); i++) {
      latest.delete(updates[i]!);
      latest.set(updates[i]!, i);
    }
    commitKeys.push(Int32Array.from(latest.keys()));
    commitValues.push(Float64Array.from(latest.values()));
  }
  return { names, keyBytes: names.map((n) => Buffer.from(n, 'utf8')), updates, commitKeys, commitValues };
}

function rawTypedWrites(db: RocksLevel, t: TypedData): number {
  const batch = db._chainedBatch();
  const value = Buffer.alloc(8);
  const ms = timed(() => {
    for (let c = 0; c < t.commitKeys.length; c++) {
      const keys = t.commitKeys[c]!;
      const values = t.commitValues[c]!;
      for (let j = 0; j < keys.length; j++) {
        value.writeUInt32BE(values[j]!, 4); // int64 big-endian; the values are below 2^32
        batch._put(t.keyBytes[keys[j]!]!, value);
      }
      batch._writeSync();
      batch._clear();
    }
  });
  batch._closeSync();
  return ms;
}

function typedWrites(store: KeyValueStore<string, number>, t: TypedData): number {
  return timed(() => {
    const { names, updates } = t;
    for (let i = 0; i < TYPED_UPDATES; i++) {
      store.put(names[updates[i]!]!, i);
      if ((i + 1) % TYPED_COMMIT_EVERY === 0) store.commit(new Map([[CHANGELOG, i + 1]]));
    }
    store.commit(new Map([[CHANGELOG, TYPED_UPDATES]]));
  });
}

async function openTyped(dir: string, cacheMaxBytes: number): Promise<KeyValueStore<string, number>> {
  return keyValueStore({
    engine: await RocksDbEngine.open({ name: 'bench', dir, config: ROCKS }),
    keySerde: Serdes.string(),
    valueSerde: Serdes.int64(),
    config: { cacheMaxBytes },
  });
}

/** Big enough for every key (each ~82 bytes charged), so the cache collapses, never evicts. */
const TYPED_CACHE_BYTES = 16 * 1024 * 1024;

async function typedStoreRuns(
  root: string,
): Promise<{ write: Timings; get: Timings; flushed: number; reads: number }> {
  const t = makeTypedData();
  const flushed = t.commitKeys.reduce((sum, k) => sum + k.length, 0);
  progress(
    `store-write: ${TYPED_ROUNDS} × (raw batches, typed store) of ${TYPED_UPDATES.toLocaleString()} updates ` +
      `over ${TYPED_KEYS.toLocaleString()} keys`,
  );
  let run = 0;
  const write = await alternate(
    TYPED_ROUNDS,
    async () => {
      const dir = path.join(root, `raw-typed-${run}`);
      const db = await openRaw(dir);
      const ms = rawTypedWrites(db, t);
      await db.close();
      removeAndSettle(dir);
      return ms;
    },
    async () => {
      const dir = path.join(root, `typed-${run++}`);
      const store = await openTyped(dir, TYPED_CACHE_BYTES);
      const ms = typedWrites(store, t);
      const last = t.updates.lastIndexOf(t.updates[TYPED_UPDATES - 1]!);
      if (store.get(t.names[t.updates[last]!]!) !== last) throw new Error('typed store lost an update');
      await store.close();
      removeAndSettle(dir);
      return ms;
    },
  );
  progress(
    `store-get: loading ${TYPED_KEYS.toLocaleString()} keys twice, then ${ROUNDS} × (raw, typed) gets`,
  );
  const db = await openRaw(path.join(root, 'raw-typed-get'));
  rawTypedWrites(db, t);
  const store = await openTyped(path.join(root, 'typed-get'), 0);
  typedWrites(store, t);
  // A uniform draw of 1 M from 100 k leaves a few keys never written: read only the written ones.
  const written = new Set(t.updates);
  const order = Array.from({ length: TYPED_KEYS }, (_, i) => (i * 40503) % TYPED_KEYS).filter((j) =>
    written.has(j),
  );
  const one: Buffer[] = [t.keyBytes[0]!];
  let rawSum = 0;
  let storeSum = 0;
  const get = await alternate(
    ROUNDS,
    async () =>
      timed(() => {
        for (const j of order) {
          one[0] = t.keyBytes[j]!;
          rawSum += db._getManySync(one)[0]!.readUInt32BE(4);
        }
      }),
    async () =>
      timed(() => {
        for (const j of order) storeSum += store.get(t.names[j]!)!;
      }),
  );
  if (rawSum !== storeSum) throw new Error(`raw read ${rawSum}, store read ${storeSum}`);
  await db.close();
  await store.close();
  return { write, get, flushed, reads: order.length };
}

const stateStore: Benchmark = {
  name: 'state-store',
  async run(): Promise<Figure[]> {
    const d = makeData(RECORDS);
    return withTempDir('state-store', async (root) => {
      const typed = await typedStoreRuns(root);
      const put = await rocksPut(root, d);
      const get = await rocksGet(root, d);
      const memory = memoryRuns(d);
      const cached = await cachedCollapsing(root, d);
      const shape = `${RECORDS.toLocaleString('en-US')} records, 16-byte scattered keys, 100-byte values`;
      const typedShape =
        `${TYPED_UPDATES.toLocaleString('en-US')} updates over ${TYPED_KEYS.toLocaleString('en-US')} keys ` +
        '(`user-N` strings, uniform seeded order), int64 values';
      return [
        compared(
          'store-write',
          'updates/s',
          typed.write,
          TYPED_UPDATES,
          `${typedShape}: typed key-value store (Serdes.string, Serdes.int64) with a 16 MiB record cache over ` +
            `the transaction buffer on RocksDB, commit every ${TYPED_COMMIT_EVERY.toLocaleString('en-US')} ` +
            `(${typed.flushed.toLocaleString('en-US')} entries flushed in all). Baseline: the raw binding's chained ` +
            'batch writing the same final data per commit (each key once, latest value, flush order) from ' +
            'prebuilt key buffers. Compression off, WAL on, no fsync, both sides; millrace writes behind (RocksDbConfig.writeBehind, the default: RocksDB takes each commit on a helper thread), the baseline in the caller.',
          0.8,
        ),
        compared(
          'store-get',
          'ops/s',
          typed.get,
          typed.reads,
          `${typed.reads.toLocaleString('en-US')} scattered gets of every written key through the typed store with the ` +
            'cache off (so each get reaches RocksDB: key serialize, buffer lookup, engine MultiGet of one key, ' +
            'int64 deserialize). Baseline: _getManySync([key]) with prebuilt keys on the same contents.',
        ),
        compared(
          'rocksdb-put-batched',
          'records/s',
          put,
          RECORDS,
          `${shape}; TransactionalBytesStore.put (copies key and value into the transaction buffer, a hash map sorted once at commit), ` +
            `commit every ${BATCH} (one WriteBatch with the changelog offset). Baseline: the raw binding's ` +
            'chained batch, same puts and writes. RocksDB compression off, WAL on, no fsync, both sides; millrace writes behind (the default), the baseline in the caller.',
        ),
        compared(
          'rocksdb-get-sync',
          'ops/s',
          get,
          RECORDS,
          `${shape}; TransactionalBytesStore.get with an empty transaction (a buffer lookup, then the ` +
            "engine's synchronous MultiGet of one key). Baseline: _getManySync([key]) on a database with the same contents.",
        ),
        compared(
          'memory-put',
          'ops/s',
          memory.put,
          RECORDS,
          `${shape}; TransactionalBytesStore on the in-memory engine (hash-map buffer; at each commit of ${BATCH} the engine ` +
            'updates present keys in place by hash and inserts new ones, sorted, into its B+tree). Baseline: Map.set with ' +
            'the keys as prebuilt strings (unordered).',
        ),
        compared(
          'memory-get',
          'ops/s',
          memory.get,
          RECORDS,
          `${shape}; TransactionalBytesStore.get on the in-memory engine. Baseline: Map.get with prebuilt string keys.`,
        ),
        compared(
          'cached-put-collapsing',
          'records/s',
          cached.t,
          CACHED_UPDATES,
          `${CACHED_UPDATES.toLocaleString('en-US')} updates to ${CACHED_KEYS} keys (100-byte values), commit every ` +
            `${CACHED_COMMIT_EVERY.toLocaleString('en-US')}: the record cache (10 MiB) over the RocksDB store; ` +
            `the listener received ${cached.flushed.toLocaleString('en-US')} entries. Baseline: a hand-written Map ` +
            'of latest values written to a raw batch at each commit. Without the cache, the store takes ' +
            `${Math.round(cached.uncached).toLocaleString('en-US')} records/s for the same updates.`,
        ),
      ];
    });
  },
};

export default stateStore;
