/**
 * The record cache in front of a store: repeated updates of a key collapse into one flushed entry;
 * flushes hand entries to the listener in the order of each key's latest write; evicting a dirty
 * entry to stay within the byte bound flushes every dirty entry first, in order; commit flushes;
 * abort drops the cache; a size of 0 passes every write through at once.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { int64Serde } from '../../src/serdes/number-serdes.js';
import { stringSerde } from '../../src/serdes/string-serde.js';
import { CachingBytesStore, type FlushedEntry } from '../../src/state-stores/caching-bytes-store.js';
import { MemoryEngine } from '../../src/state-stores/memory/memory-engine.js';
import type { RecordContext } from '../../src/state-stores/record-cache.js';
import { keyValueStore } from '../../src/state-stores/stores.js';
import {
  ENTRY_OVERHEAD_BYTES,
  TransactionalBytesStore,
} from '../../src/state-stores/transactional-bytes-store.js';
import { RUNS } from './store-fixtures.js';

const b = (s: string) => Buffer.from(s);
const text = (x: Uint8Array | null | undefined) => (x == null ? x : Buffer.from(x).toString());

function cachedStore(
  maxBytes: number,
  options: { sendOldValues?: boolean; context?: () => RecordContext } = {},
) {
  const flushes: { key: string; value: string | null; old: string | null | undefined; ts?: number }[][] = [];
  const inner = new TransactionalBytesStore(MemoryEngine.open('cached'), { maxUncommittedBytes: 1 << 30 });
  const store = new CachingBytesStore(inner, {
    maxBytes,
    sendOldValues: options.sendOldValues ?? false,
    listener: (entries: readonly FlushedEntry[]) =>
      flushes.push(
        entries.map((e) => ({
          key: text(e.key)!,
          value: text(e.value) as string | null,
          old: text(e.oldValue),
          ...(e.context === undefined ? {} : { ts: e.context.timestampMs }),
        })),
      ),
    ...(options.context === undefined ? {} : { recordContext: options.context }),
  });
  return { store, inner, flushes };
}

/** Bytes one cache entry of a 1-byte key and a 1-byte value takes. */
const ENTRY = 2 + ENTRY_OVERHEAD_BYTES;

describe('the record cache', () => {
  it('collapses repeated updates of a key into one flushed entry with the latest value', () => {
    const { store, inner, flushes } = cachedStore(1 << 20);
    for (let i = 0; i < 100; i++) store.put(b('k'), b(`v${i}`));
    expect(flushes).toEqual([]);
    expect(inner.get(b('k'))).toBeUndefined();
    store.flush();
    expect(flushes).toEqual([[{ key: 'k', value: 'v99', old: undefined }]]);
    expect(text(inner.get(b('k')))).toBe('v99');
  });

  it('flushes in the order of each key’s latest write, and a delete as a null value', () => {
    const { store, flushes } = cachedStore(1 << 20);
    store.put(b('a'), b('1'));
    store.put(b('b'), b('1'));
    store.put(b('c'), b('1'));
    store.put(b('a'), b('2'));
    store.delete(b('b'));
    store.commit();
    expect(flushes).toEqual([
      [
        { key: 'c', value: '1', old: undefined },
        { key: 'a', value: '2', old: undefined },
        { key: 'b', value: null, old: undefined },
      ],
    ]);
    expect(store.uncommittedBytes).toBe(0);
  });

  it('hands the previous stored value with each flushed entry when sendOldValues is on', () => {
    const { store, flushes } = cachedStore(1 << 20, { sendOldValues: true });
    store.put(b('a'), b('1'));
    store.commit();
    store.put(b('a'), b('2'));
    store.put(b('a'), b('3'));
    store.delete(b('x'));
    store.commit();
    expect(flushes[1]).toEqual([
      { key: 'a', value: '3', old: '1' },
      { key: 'x', value: null, old: undefined },
    ]);
  });

  it('keeps the record context of each key’s latest write for the flush', () => {
    let ts = 0;
    const { store, flushes } = cachedStore(1 << 20, { context: () => ({ timestampMs: ts }) });
    ts = 5;
    store.put(b('a'), b('1'));
    ts = 9;
    store.put(b('b'), b('1'));
    ts = 12;
    store.put(b('a'), b('2'));
    store.flush();
    expect(flushes[0]!.map((e) => [e.key, e.ts])).toEqual([
      ['b', 9],
      ['a', 12],
    ]);
  });

  it('evicting a dirty entry flushes every dirty entry first, in write order, and stays within its bound', () => {
    const { store, inner, flushes } = cachedStore(3 * ENTRY);
    store.put(b('a'), b('1'));
    store.put(b('b'), b('1'));
    store.put(b('c'), b('1'));
    expect(flushes).toEqual([]);
    store.put(b('d'), b('1')); // over the bound: a, the eldest, is dirty
    expect(flushes).toEqual([
      [
        { key: 'a', value: '1', old: undefined },
        { key: 'b', value: '1', old: undefined },
        { key: 'c', value: '1', old: undefined },
        { key: 'd', value: '1', old: undefined },
      ],
    ]);
    expect(store.cachedBytes).toBeLessThanOrEqual(3 * ENTRY);
    // Evicted entries went to the transaction below, not yet to the engine.
    expect(text(inner.get(b('a')))).toBe('1');
    expect(inner.engine.get(b('a'))).toBeUndefined();
    expect(text(store.get(b('a')))).toBe('1');
  });

  it('evicts clean entries without flushing, least recently used first', () => {
    const { store, inner, flushes } = cachedStore(2 * ENTRY);
    inner.put(b('a'), b('1'));
    inner.put(b('b'), b('1'));
    inner.put(b('c'), b('1'));
    store.get(b('a'));
    store.get(b('b'));
    store.get(b('a')); // b is now the least recently used
    store.get(b('c')); // evicts b
    expect(flushes).toEqual([]);
    expect(store.cachedBytes).toBe(2 * ENTRY);
    inner.put(b('a'), b('changed below'));
    inner.put(b('b'), b('changed below'));
    expect(text(store.get(b('a')))).toBe('1'); // still cached
    expect(text(store.get(b('b')))).toBe('changed below'); // was evicted
  });

  it('drops every cached entry on abort, so nothing read from the aborted transaction survives', () => {
    const { store, flushes } = cachedStore(1 << 20);
    store.put(b('a'), b('1'));
    store.commit();
    store.put(b('a'), b('2'));
    store.put(b('b'), b('2'));
    store.abort();
    expect(text(store.get(b('a')))).toBe('1');
    expect(store.get(b('b'))).toBeUndefined();
    store.commit();
    expect(flushes).toHaveLength(1);
  });

  it('with a size of 0 passes every write through to the store and the listener at once', () => {
    const { store, inner, flushes } = cachedStore(0);
    store.put(b('a'), b('1'));
    store.put(b('a'), b('2'));
    store.delete(b('a'));
    expect(flushes).toEqual([
      [{ key: 'a', value: '1', old: undefined }],
      [{ key: 'a', value: '2', old: undefined }],
      [{ key: 'a', value: null, old: undefined }],
    ]);
    expect(store.cachedBytes).toBe(0);
    store.put(b('c'), b('3'));
    expect(text(inner.get(b('c')))).toBe('3');
  });

  it('flushes, over any sequence of writes and bound, exactly the latest value of every key written since the last flush', () => {
    const write = fc.record({
      key: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
      value: fc.option(fc.string({ maxLength: 3 })),
    });
    fc.assert(
      fc.property(
        fc.array(write, { maxLength: 60 }),
        fc.integer({ min: 0, max: 6 * ENTRY }),
        (writes, maxBytes) => {
          const { store, flushes } = cachedStore(maxBytes);
          const downstream = new Map<string, string | null>();
          const latest = new Map<string, string | null>();
          for (const w of writes) {
            store.put(b(w.key), w.value === null ? null : b(w.value));
            latest.set(w.key, w.value);
            expect(store.cachedBytes).toBeLessThanOrEqual(maxBytes);
          }
          store.commit();
          for (const flush of flushes) {
            // Within one flush, each key appears once.
            expect(new Set(flush.map((e) => e.key)).size).toBe(flush.length);
            for (const e of flush) downstream.set(e.key, e.value);
          }
          expect(downstream).toEqual(latest);
          if (maxBytes >= 6 * ENTRY) expect(flushes.length).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: RUNS * 5 },
    );
  });
});

describe('a typed store’s flush listener', () => {
  it('receives typed keys and values', () => {
    const seen: [string, number | null][] = [];
    const store = keyValueStore({
      engine: MemoryEngine.open('typed'),
      keySerde: stringSerde,
      valueSerde: int64Serde,
      onFlush: (entries) => seen.push(...entries.map((e): [string, number | null] => [e.key, e.value])),
    });
    store.put('alice', 1);
    store.put('alice', 2);
    store.put('bob', 7);
    store.delete('bob');
    store.commit();
    expect(seen).toEqual([
      ['alice', 2],
      ['bob', null],
    ]);
  });
});
