/**
 * Shared helpers of the state-store tests: both engines behind one interface (so every semantic
 * test runs the same body on each), temp directories, byte-string arbitraries and a sorted model.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect } from 'vitest';
import { compareBytes } from '../../src/state-stores/byte-order.js';
import type { StoreEngine } from '../../src/state-stores/engine.js';
import type { KeyValueIterator } from '../../src/state-stores/key-value-iterator.js';
import { MemoryEngine, MemoryVolume } from '../../src/state-stores/memory/memory-engine.js';
import { RocksDbEngine } from '../../src/state-stores/rocksdb/rocksdb-engine.js';

export const RUNS = Number(process.env.MODEL_RUNS ?? 100);

/** Where an engine keeps its data between opens: a memory volume or a directory. */
export interface EngineKind {
  readonly kind: 'memory' | 'rocksdb';
  /** A fresh place for one store's data. */
  newPlace(): EnginePlace;
}

export interface EnginePlace {
  open(name?: string): Promise<StoreEngine>;
  /** Simulates the process dying: the open engine is abandoned, its committed data stays. */
  crash(engine: StoreEngine): Promise<void>;
  /** Removes the data. */
  dispose(): void;
}

const tempDirs: string[] = [];

/** A temp directory removed by `removeTempDirs`. */
export function tempDir(prefix = 'millrace-store-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export const memoryKind: EngineKind = {
  kind: 'memory',
  newPlace() {
    const volume = new MemoryVolume();
    return {
      open: async (name = 'store') => MemoryEngine.open(name, volume),
      crash: async () => volume.crash(),
      dispose: () => {},
    };
  },
};

export const rocksdbKind: EngineKind = {
  kind: 'rocksdb',
  newPlace() {
    const dir = tempDir();
    return {
      open: (name = 'store') =>
        RocksDbEngine.open({ name, dir, config: { compression: false, blockCacheBytes: 1 << 20 } }),
      // In-process, a crash cannot be simulated without closing (RocksDB holds a lock); the
      // SIGKILL test covers real crashes. Closing drops nothing that was committed.
      crash: (engine) => engine.close(),
      dispose: () => rmSync(dir, { recursive: true, force: true }),
    };
  },
};

export const ENGINE_KINDS: readonly EngineKind[] = [memoryKind, rocksdbKind];

/** Byte strings over a small alphabet (0x00, 0x01, 0x7f, 0xff), so keys collide and share prefixes. */
export const smallKey: fc.Arbitrary<Uint8Array> = fc
  .array(fc.constantFrom(0, 1, 0x7f, 0xff), { maxLength: 4 })
  .map((a) => new Uint8Array(a));

/** Keys: mostly small-alphabet ones, sometimes any bytes up to 12 long. */
export const anyKey: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 4, arbitrary: smallKey },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 12 }) },
);

/** Values, including empty ones. */
export const anyValue: fc.Arbitrary<Uint8Array> = fc.uint8Array({ maxLength: 6 });

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** A map of byte strings, sorted by byte order when read. */
export class SortedModel {
  readonly entries = new Map<string, { key: Uint8Array; value: Uint8Array }>();

  get(key: Uint8Array): Uint8Array | undefined {
    return this.entries.get(hex(key))?.value;
  }

  put(key: Uint8Array, value: Uint8Array | null): void {
    if (value === null) this.entries.delete(hex(key));
    else this.entries.set(hex(key), { key, value });
  }

  get size(): number {
    return this.entries.size;
  }

  /** Entries with from <= key <= to (null: open), sorted; reversed on request. */
  range(from: Uint8Array | null, to: Uint8Array | null, reverse = false): [string, string][] {
    const out = [...this.entries.values()]
      .filter(
        (e) =>
          (from === null || compareBytes(e.key, from) >= 0) && (to === null || compareBytes(e.key, to) <= 0),
      )
      .sort((a, b) => compareBytes(a.key, b.key))
      .map((e): [string, string] => [hex(e.key), hex(e.value)]);
    return reverse ? out.reverse() : out;
  }

  prefix(prefix: Uint8Array): [string, string][] {
    return this.range(null, null).filter(([k]) => k.startsWith(hex(prefix)));
  }

  clone(): SortedModel {
    const m = new SortedModel();
    for (const [k, v] of this.entries) m.entries.set(k, v);
    return m;
  }
}

/** Drains an iterator into [keyHex, valueHex] pairs. */
export function drain(it: KeyValueIterator<Uint8Array, Uint8Array>): [string, string][] {
  const out: [string, string][] = [];
  for (const { key, value } of it) out.push([hex(key), hex(value)]);
  return out;
}

/** A model that keeps the open transaction's state and the last committed one. */
export interface TransactionalModel<S extends { observed: number }> {
  now: S;
  committed: S;
}

/** A real store under test whose stream time the model tracks. */
export interface TimedReal {
  place: EnginePlace;
  engine: StoreEngine;
  store: { abort(): void; readonly streamTimeMs: number };
}

/**
 * The Abort and CrashAndReopen commands every time-keeping store's model test shares: both return
 * the model to its committed state, and the store's stream time must follow.
 */
export function rollbackCommands<
  S extends { observed: number },
  M extends TransactionalModel<S>,
  R extends TimedReal,
>(
  clone: (s: S) => S,
  reopen: (r: R) => Promise<void>,
): [abort: fc.AsyncCommand<M, R>, crashAndReopen: fc.AsyncCommand<M, R>] {
  const rolledBack = (m: M, r: R) => {
    m.now = clone(m.committed);
    expect(r.store.streamTimeMs).toBe(m.now.observed);
  };
  return [
    {
      check: () => true,
      async run(m, r) {
        r.store.abort();
        rolledBack(m, r);
      },
      toString: () => 'abort',
    },
    {
      check: () => true,
      async run(m, r) {
        await r.place.crash(r.engine);
        await reopen(r);
        rolledBack(m, r);
      },
      toString: () => 'crashAndReopen',
    },
  ];
}
