/**
 * The process memory budget of the stores: the config is validated with defaults in one place; the
 * RocksDB bytes are divided among engines as they open (each engine really opens with its block
 * cache and memtable share) and return to the pool at close; the record caches draw from one shared
 * byte bound that is never exceeded, a cache flushing and evicting its own entries when a write
 * would take the total over it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/common/errors.js';
import { int64Serde } from '../../src/serdes/number-serdes.js';
import { stringSerde } from '../../src/serdes/string-serde.js';
import { CacheBytesPool } from '../../src/state-stores/cache-bytes-pool.js';
import { CachingBytesStore, type FlushedEntry } from '../../src/state-stores/caching-bytes-store.js';
import { EngineMemoryPool } from '../../src/state-stores/engine-memory-pool.js';
import { MemoryEngine } from '../../src/state-stores/memory/memory-engine.js';
import { MemoryBudget } from '../../src/state-stores/memory-budget.js';
import {
  DEFAULT_MEMORY_BUDGET_CONFIG,
  resolveMemoryBudgetConfig,
} from '../../src/state-stores/memory-budget-config.js';
import { RocksDbEngine } from '../../src/state-stores/rocksdb/rocksdb-engine.js';
import { keyValueStore } from '../../src/state-stores/stores.js';
import { TransactionalBytesStore } from '../../src/state-stores/transactional-bytes-store.js';
import { windowStore } from '../../src/state-stores/window/window-stores.js';
import { RUNS } from './store-fixtures.js';

const MiB = 1024 * 1024;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'millrace-budget-'));
  dirs.push(d);
  return d;
}

/** write_buffer_size of the data column family, from the OPTIONS file RocksDB wrote at open. */
function writeBufferSize(dir: string): number {
  const file = fs
    .readdirSync(dir)
    .filter((f) => f.startsWith('OPTIONS-'))
    .sort()
    .at(-1)!;
  const text = fs.readFileSync(path.join(dir, file), 'utf8');
  const section = text.split('[CFOptions "default"]')[1]!.split('[')[0]!;
  return Number(/\n\s*write_buffer_size=(\d+)/.exec(section)![1]);
}

describe('MemoryBudgetConfig', () => {
  it('fills defaults and refuses bad values with a ConfigError naming the key', () => {
    expect(resolveMemoryBudgetConfig()).toEqual(DEFAULT_MEMORY_BUDGET_CONFIG);
    expect(resolveMemoryBudgetConfig({ cacheMaxBytes: 0 }).cacheMaxBytes).toBe(0);
    const bad: [string, unknown][] = [
      ['rocksDbMaxBytes', -1],
      ['writeBufferRatio', 1],
      ['writeBufferRatio', '0.5'],
      ['expectedEngines', 0],
      ['minEngineBytes', 1024],
      ['cacheMaxBytes', 1.5],
      ['cacheMaxByte', 10],
    ];
    for (const [key, value] of bad) {
      const attempt = () => resolveMemoryBudgetConfig({ [key]: value });
      expect(attempt).toThrow(ConfigError);
      expect(attempt).toThrow(key);
    }
    // The minimum share cannot exceed the whole budget.
    expect(() => resolveMemoryBudgetConfig({ rocksDbMaxBytes: 2 * MiB, minEngineBytes: 4 * MiB })).toThrow(
      'minEngineBytes',
    );
  });
});

describe('EngineMemoryPool', () => {
  const options = { totalBytes: 64 * MiB, expectedEngines: 4, minEngineBytes: MiB, writeBufferRatio: 0.25 };

  it('gives each engine an equal part among the expected engines, split into cache and write buffers', () => {
    const pool = new EngineMemoryPool(options);
    const shares = ['a', 'b', 'c', 'd'].map((n) => pool.reserve(n));
    for (const s of shares) {
      expect(s.bytes).toBe(16 * MiB);
      expect(s.writeBufferBytes).toBe(4 * MiB);
      expect(s.blockCacheBytes).toBe(12 * MiB);
    }
    expect(pool.reservedBytes).toBe(64 * MiB);
    expect(pool.overcommittedBytes).toBe(0);
  });

  it('never hands out more than is free, except the minimum, and counts that as overcommitted', () => {
    const pool = new EngineMemoryPool(options);
    for (let i = 0; i < 4; i++) pool.reserve(`e${i}`);
    const fifth = pool.reserve('e4');
    expect(fifth.bytes).toBe(MiB);
    expect(pool.overcommittedBytes).toBe(MiB);
    fifth.release();
    fifth.release(); // idempotent
    expect(pool.reservedBytes).toBe(64 * MiB);
  });

  it('re-divides as engines close and open: freed bytes go to the next engines, in equal parts', () => {
    const pool = new EngineMemoryPool({ ...options, expectedEngines: 2 });
    const a = pool.reserve('a');
    const b = pool.reserve('b');
    expect([a.bytes, b.bytes]).toEqual([32 * MiB, 32 * MiB]);
    a.release();
    // Two open again: half each, which is what is free.
    const c = pool.reserve('c');
    expect(c.bytes).toBe(Math.floor((64 * MiB) / 2));
    b.release();
    c.release();
    expect(pool.reservedBytes).toBe(0);
    expect(pool.shares()).toEqual([]);
  });

  it('keeps the reserved bytes within the budget through any open/close sequence (when the minimum fits)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(-1), fc.nat(20)), { maxLength: 60 }),
        fc.integer({ min: 1, max: 10 }),
        (ops, expected) => {
          const pool = new EngineMemoryPool({
            ...options,
            expectedEngines: expected,
            minEngineBytes: 256 * 1024,
          });
          const open: ReturnType<EngineMemoryPool['reserve']>[] = [];
          for (const op of ops) {
            if (op === -1 || open.length >= expected) open.shift()?.release();
            else open.push(pool.reserve(`e${op}`));
            expect(pool.reservedBytes).toBe(open.reduce((sum, s) => sum + s.bytes, 0));
            expect(pool.reservedBytes).toBeLessThanOrEqual(options.totalBytes);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('RocksDbEngine with a memory budget', () => {
  it('opens each engine with its share as block cache and memtables, and returns it at close', async () => {
    const budget = new MemoryBudget({
      rocksDbMaxBytes: 64 * MiB,
      expectedEngines: 2,
      writeBufferRatio: 0.25,
    });
    const dirA = tempDir();
    const dirB = tempDir();
    const a = await RocksDbEngine.open({ name: 'a', dir: dirA, memoryBudget: budget });
    const b = await RocksDbEngine.open({ name: 'b', dir: dirB, memoryBudget: budget });
    try {
      expect(budget.rocksDb.reservedBytes).toBe(64 * MiB);
      for (const [engine, dir] of [
        [a, dirA],
        [b, dirB],
      ] as const) {
        const share = engine.memoryShare!;
        expect(share.bytes).toBe(32 * MiB);
        expect(Number(engine.property('rocksdb.block-cache-capacity'))).toBe(share.blockCacheBytes);
        // Up to 6 memtables of write_buffer_size each, plus the offsets column's, fit the share.
        const memtables = 6 * writeBufferSize(dir) + 6 * 64 * 1024;
        expect(memtables).toBeLessThanOrEqual(share.writeBufferBytes);
        expect(memtables).toBeGreaterThan(share.writeBufferBytes * 0.9);
      }
      a.write([{ key: Buffer.from('k'), value: Buffer.from('v') }]);
      expect(Buffer.from(a.get(Buffer.from('k'))!).toString()).toBe('v');
    } finally {
      await a.close();
      expect(budget.rocksDb.reservedBytes).toBe(32 * MiB);
      await b.close();
    }
    expect(budget.rocksDb.reservedBytes).toBe(0);
  });

  it('returns the share when the open fails', async () => {
    const budget = new MemoryBudget({ rocksDbMaxBytes: 16 * MiB });
    const dir = tempDir();
    const first = await RocksDbEngine.open({ name: 'first', dir, memoryBudget: budget });
    // The directory is locked by the first engine.
    await expect(RocksDbEngine.open({ name: 'second', dir, memoryBudget: budget })).rejects.toThrow();
    expect(budget.rocksDb.shares().map((s) => s.name)).toEqual(['first']);
    await first.close();
    expect(budget.rocksDb.reservedBytes).toBe(0);
  });
});

describe('record caches sharing one byte bound', () => {
  function cached(pool: CacheBytesPool, name: string, flushes: string[][]) {
    const inner = new TransactionalBytesStore(MemoryEngine.open(name), { maxUncommittedBytes: 1 << 30 });
    return new CachingBytesStore(inner, {
      maxBytes: 1 << 30, // the store's own bound is no limit here: only the pool bounds it
      pool,
      listener: (entries: readonly FlushedEntry[]) =>
        flushes.push(entries.map((e) => Buffer.from(e.key).toString())),
    });
  }

  it('never lets the caches together exceed the bound; the writing cache flushes and evicts its own', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(2), fc.nat(40), fc.nat(60)), { maxLength: 300 }),
        fc.integer({ min: 0, max: 3000 }),
        (writes, maxBytes) => {
          const pool = new CacheBytesPool(maxBytes);
          const flushes: string[][][] = [[], [], []];
          const stores = [0, 1, 2].map((i) => cached(pool, `s${i}`, flushes[i]!));
          expect(pool.cacheCount).toBe(3);
          const latest = new Map<string, string>();
          for (const [s, k, len] of writes) {
            const key = `s${s}-k${k}`;
            const value = 'v'.repeat(len);
            stores[s]!.put(Buffer.from(key), Buffer.from(value));
            latest.set(key, value);
            expect(pool.usedBytes).toBeLessThanOrEqual(maxBytes);
            expect(pool.usedBytes).toBe(stores.reduce((sum, st) => sum + st.cachedBytes, 0));
          }
          // Nothing is lost: every store still answers with its latest value.
          for (const [key, value] of latest) {
            const s = Number(key[1]);
            expect(Buffer.from(stores[s]!.get(Buffer.from(key))!).toString()).toBe(value);
          }
          for (const st of stores) void st.close();
          expect(pool.usedBytes).toBe(0);
          expect(pool.cacheCount).toBe(0);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('flushes before commit once the shared bound is exceeded, though each store alone would fit', () => {
    const entryBytes = 'k00'.length + 8 + 64; // key, int64 value, ENTRY_OVERHEAD_BYTES
    const budget = new MemoryBudget({ cacheMaxBytes: 10 * entryBytes });
    const flushed: string[][] = [[], []];
    const stores = [0, 1].map((i) =>
      keyValueStore({
        engine: MemoryEngine.open(`s${i}`),
        keySerde: stringSerde,
        valueSerde: int64Serde,
        config: { cacheMaxBytes: 1 << 20 },
        memoryBudget: budget,
        onFlush: (entries) => flushed[i]!.push(...entries.map((e) => `${e.key}=${e.value}`)),
      }),
    );
    for (let k = 0; k < 6; k++) stores[0]!.put(`k0${k}`, k);
    expect(budget.caches.usedBytes).toBe(6 * entryBytes);
    expect(flushed[0]).toEqual([]);
    // Store 1's fifth entry takes the total to 11 entries: store 1 flushes its dirty entries and
    // evicts its eldest; store 0 keeps its six, unflushed.
    for (let k = 0; k < 5; k++) stores[1]!.put(`k0${k}`, 10 + k);
    expect(flushed[1]).toEqual(['k00=10', 'k01=11', 'k02=12', 'k03=13', 'k04=14']);
    expect(flushed[0]).toEqual([]);
    expect(budget.caches.usedBytes).toBe(10 * entryBytes);
    expect(stores[1]!.get('k00')).toBe(10); // read back from the store below
    for (const s of stores) s.commit();
    expect(flushed[0]).toHaveLength(6);
    expect(budget.caches.usedBytes).toBeLessThanOrEqual(10 * entryBytes);
  });

  it('counts a window store’s cache against the same shared bound as key-value stores', () => {
    const budget = new MemoryBudget({ cacheMaxBytes: 1 << 20 });
    const kv = keyValueStore({
      engine: MemoryEngine.open('kv'),
      keySerde: stringSerde,
      valueSerde: int64Serde,
      memoryBudget: budget,
    });
    const windows = windowStore({
      engine: MemoryEngine.open('windows'),
      keySerde: stringSerde,
      valueSerde: int64Serde,
      config: { windowSizeMs: 1000, retentionMs: 60_000 },
      memoryBudget: budget,
    });
    kv.put('a', 1);
    const afterKv = budget.caches.usedBytes;
    expect(afterKv).toBeGreaterThan(0);
    windows.put('a', 1, 5000);
    expect(budget.caches.usedBytes).toBeGreaterThan(afterKv);
    kv.commit();
    windows.commit();
  });
});
