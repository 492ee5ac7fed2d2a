/**
 * The window store's side of its typed value cache (window-value-cache.ts): which stores get one,
 * how values go in and come out (a timestamped pair as its two fields), and how dirty entries
 * become the transaction buffer's writes.
 */
import type { Serde } from '../../serdes/serde.js';
import { stringSerde } from '../../serdes/string-serde.js';
import { copyBytes } from '../byte-order.js';
import { type RoundTripCheck, roundTripCheck, timestampedPairs } from '../cacheable-values.js';
import { hasFreshOutput } from '../fresh-output-serdes.js';
import type { SegmentedBytesStore } from '../segmented-bytes-store.js';
import type { ValueAndTimestamp } from '../timestamped-key-value-store.js';
import {
  ENTRY_OVERHEAD_BYTES,
  type OwnedWrite,
  TransactionalBytesStore,
} from '../transactional-bytes-store.js';
import type { WindowStoreConfig } from './window-config.js';
import type { WindowPointKeys } from './window-point-keys.js';
import { type CachedWindow, WindowValueCache } from './window-value-cache.js';

/**
 * The cache's key for a string key: the string itself, or for one with lone surrogates (which
 * UTF-8 writes as U+FFFD) the string with them replaced, so keys with equal bytes share an entry.
 */
function cacheKey(key: string): string {
  const k = key as unknown as { isWellFormed(): boolean; toWellFormed(): string };
  return k.isWellFormed() ? key : k.toWellFormed();
}

/** What an entry takes in the transaction buffer, about: its store key and value, and overhead. */
function estimatedBytes(key: string, value: unknown): number {
  return ENTRY_OVERHEAD_BYTES + 22 + key.length + (typeof value === 'string' ? 8 + value.length : 16);
}

/** What a window store hands its cache. */
export interface WindowStoreCacheParts<V> {
  segments: SegmentedBytesStore;
  valueSerde: Serde<V>;
  serdeTopic: string;
  points: WindowPointKeys<unknown>;
  /**
   * Reads a window as stored (transaction buffer, then engine). Given once, not per fetch: a
   * closure per read was most of what a cache hit allocated.
   */
  readStored: (key: string, startMs: number) => V | undefined;
}

/**
 * The typed value cache of one window store, or undefined when the store cannot have one: it
 * needs string keys under the string serde, values whose serde has a round-trip check, single
 * windows (no retained duplicates), and the transaction buffer right below (a record cache's
 * flushes are what it forwards downstream, and writing into it later would change when they
 * happen).
 *
 * @example
 * ```ts
 * const cache = WindowStoreCache.for(config, keySerde, { segments, valueSerde, serdeTopic, points, readStored });
 * ```
 */
export class WindowStoreCache<V> {
  private readonly cache: WindowValueCache<string, unknown>;
  private readonly pairs: boolean;
  private readonly freshValues: boolean;
  /**
   * Segments every stored key of which (in the transaction buffer or the engine) has an entry
   * here: segments new since the store opened (empty then, see SegmentedBytesStore.segmentFor)
   * that only this cache has written. A miss in one of them is a miss in the store too, so `fetch`
   * reads nothing: a window's first record of each key then costs no hash lookup in the buffer
   * and the engine. A segment leaves the set when a key of it is written past the cache, when
   * entries of it leave the cache (eviction, expiry), and when the cache is cleared.
   */
  private readonly ownSegments = new Set<number>();
  /** The pair `toWrites` hands the timestamped serde, its fields set for each write (reused). */
  private readonly serializedPair: { timestampMs: number; value: unknown } = { timestampMs: 0, value: null };

  private constructor(
    private readonly parts: WindowStoreCacheParts<V>,
    private readonly buffer: TransactionalBytesStore,
    private readonly cacheable: RoundTripCheck,
    maxEntries: number,
  ) {
    this.cache = new WindowValueCache(
      maxEntries,
      (dirty) => this.writeBack(dirty, false),
      estimatedBytes,
      // Its entries leave, their keys may stay stored: the segment is no longer ours alone.
      (startMs) => this.ownSegments.delete(parts.segments.segmentId(startMs)),
    );
    parts.segments.onNewSegment = (id) => this.ownSegments.add(id);
    this.pairs = timestampedPairs(parts.valueSerde as Serde<unknown>);
    this.freshValues = hasFreshOutput(parts.valueSerde as Serde<unknown>);
  }

  /** The cache of a store with this config and these serdes, or undefined (see the class). */
  static for<K, V>(
    config: WindowStoreConfig,
    keySerde: Serde<K>,
    parts: WindowStoreCacheParts<V>,
  ): WindowStoreCache<V> | undefined {
    const buffer = parts.segments.store;
    const check = roundTripCheck(parts.valueSerde as Serde<unknown>);
    if (
      !(buffer instanceof TransactionalBytesStore) ||
      config.retainDuplicates ||
      config.valueCacheEntries === 0 ||
      (keySerde as Serde<unknown>) !== stringSerde ||
      check === undefined
    )
      return undefined;
    return new WindowStoreCache(parts, buffer, check, config.valueCacheEntries);
  }

  /** About the bytes of writes held here and not yet in the transaction buffer. */
  get dirtyBytes(): number {
    return this.cache.dirtyBytes;
  }

  get hasDirty(): boolean {
    return this.cache.hasDirty;
  }

  /**
   * The value of `key`'s window at `startMs` (live: the store checked), from the cache or else
   * read through the parts' `readStored` and cached.
   */
  fetch(key: string, startMs: number): V | undefined {
    const k = cacheKey(key);
    const cached = this.cache.get(k, startMs);
    if (cached !== undefined) {
      const v = cached.value;
      if (v === null) return undefined;
      // A pair of its own for each read, as deserializing gives.
      return this.pairs ? ({ timestampMs: cached.timestampMs, value: v } as V) : (v as V);
    }
    const segments = this.parts.segments;
    if (this.ownSegments.size > 0 && this.ownSegments.has(segments.segmentId(startMs))) {
      // Not stored: its store key is built when the put that follows is flushed.
      this.cache.cacheRead(k, startMs, null, 0, null, '', true);
      return undefined;
    }
    const value = this.parts.readStored(key, startMs);
    const points = this.parts.points;
    // A miss is cached too (as null): the aggregation's put that follows then finds its entry,
    // and its first flush tells the engine the key is new (WriteOp.absent).
    if (value === undefined) {
      this.cache.cacheRead(k, startMs, null, 0, points.of(key, startMs), points.id, true);
    } else if (this.cacheable(value)) {
      const storeKey = points.of(key, startMs);
      this.cache.cacheRead(
        k,
        startMs,
        this.inner(value),
        this.timestampOf(value),
        storeKey,
        points.id,
        false,
      );
    }
    return value;
  }

  /** Whether `put` takes this value (else the store writes it through and calls `forget`). */
  accepts(value: V | null): boolean {
    return value === null || this.cacheable(value);
  }

  /** Takes a put (of a value `accepts`) to a live window: dirty until the next flush. */
  put(key: string, startMs: number, value: V | null): void {
    if (value === null) {
      this.cache.put(cacheKey(key), startMs, null, 0);
      return;
    }
    this.cache.put(cacheKey(key), startMs, this.inner(value), this.timestampOf(value));
  }

  /**
   * Forgets `key`'s window at `startMs`: the store has just written it through (into the segment
   * `segmentId`, which so holds a key without an entry here).
   */
  forget(key: unknown, startMs: number, segmentId: number): void {
    this.ownSegments.delete(segmentId);
    if (typeof key === 'string') this.cache.invalidate(cacheKey(key), startMs);
  }

  /**
   * Writes the dirty entries into the transaction buffer, with the stream time when `withMeta`
   * (at a flush or commit: one batch, see SegmentedBytesStore.takeMetaWrite).
   */
  flush(withMeta: boolean): void {
    if (this.cache.hasDirty) this.writeBack(this.cache.takeDirty(), withMeta);
  }

  /** Forgets windows that expired (after a commit: nothing is dirty then). */
  dropBefore(startMs: number): void {
    this.cache.dropBefore(startMs);
  }

  /** Forgets everything, dirty entries included (abort, close). */
  clear(): void {
    this.cache.clear();
    // Committed keys of the segments lost their entries.
    this.ownSegments.clear();
  }

  /** What the cache keeps of a value: a pair's value, or the value itself. */
  private inner(value: V): unknown {
    return this.pairs ? (value as ValueAndTimestamp<unknown>).value : value;
  }

  private timestampOf(value: V): number {
    return this.pairs ? (value as ValueAndTimestamp<unknown>).timestampMs : 0;
  }

  private writeBack(dirty: readonly CachedWindow<string, unknown>[], withMeta: boolean): void {
    const writes = this.toWrites(dirty);
    const meta = withMeta ? this.parts.segments.takeMetaWrite() : null;
    if (meta !== null) writes.push(meta);
    this.buffer.putOwnedAll(writes, true);
  }

  /**
   * The transaction buffer's writes of `dirty`. Its own function, with nothing after the loop: run
   * once per commit, the loop is optimized while it runs, and code after it that the optimized
   * version had never seen run made it deoptimize at nearly every commit.
   */
  private toWrites(dirty: readonly CachedWindow<string, unknown>[]): OwnedWrite[] {
    const { points, valueSerde, serdeTopic } = this.parts;
    // One pair for every serialize: the timestamped serde (ours: only it registers pairs) reads
    // the two fields and keeps nothing, and an object per write was a fifth of a flush's garbage.
    // (It keeps the last value, a primitive, until the next flush.)
    const pair = this.pairs ? this.serializedPair : null;
    const writes: OwnedWrite[] = new Array(dirty.length);
    // Indexed, not for-of: an unoptimized for-of allocates a result object per element.
    for (let n = 0; n < dirty.length; n++) {
      const e = dirty[n]!;
      let key = e.storeKey;
      if (key === null) {
        key = e.storeKey = points.of(e.key, e.startMs);
        e.id = points.id;
      }
      let bytes: Uint8Array | null = null;
      if (e.value !== null) {
        let v: unknown = e.value;
        if (pair !== null) {
          pair.timestampMs = e.timestampMs;
          pair.value = e.value;
          v = pair;
        }
        bytes = valueSerde.serialize(serdeTopic, v as V);
      }
      // Handed over, as the store's put does: nobody changes the store key, and a fresh serde's
      // value is ours alone.
      const value = bytes === null || this.freshValues ? bytes : copyBytes(bytes);
      // Absent from the store as read, until this first write of it reaches the engine.
      writes[n] = { key, value, id: e.id, slot: e, absent: e.absent };
      e.absent = false;
    }
    return writes;
  }
}
