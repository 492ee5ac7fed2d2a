/**
 * The window store over time segments (see SegmentedBytesStore for retention) on either engine.
 */
import type { Serde } from '../../serdes/serde.js';
import { compareBytes, copyBytes } from '../byte-order.js';
import type { ChangelogOffsets } from '../engine.js';
import { hasFreshOutput } from '../fresh-output-serdes.js';
import { orderedInt64 } from '../key-encoding.js';
import { emptyIterator, type KeyValueIterator, MappedKeyValueIterator } from '../key-value-iterator.js';
import { ConcatIterator, MergedIterator } from '../merged-iterator.js';
import type { SegmentedBytesStore } from '../segmented-bytes-store.js';
import { checkTime, SegmentedStoreBase } from '../segmented-store-base.js';
import { TransactionalBytesStore } from '../transactional-bytes-store.js';
import type { Windowed } from '../windowed.js';
import type { WindowStoreConfig } from './window-config.js';
import { keyRangeBounds, keyTimeBounds, parseWindowStoreKey, windowStoreKey } from './window-key-schema.js';
import { WindowPointKeys } from './window-point-keys.js';
import type { WindowStore } from './window-store.js';
import { WindowStoreCache } from './window-store-cache.js';

const UINT32 = 4294967296;

/** Orders store keys of different segments by what follows the segment id: key, start, seq. */
const bySuffix = (a: Uint8Array, b: Uint8Array) => compareBytes(a.subarray(8), b.subarray(8));

/**
 * A WindowStore<K, V> on a segmented bytes store.
 *
 * @example
 * ```ts
 * const store = windowStore({ engine, keySerde: Serdes.string(), valueSerde: Serdes.int64(),
 *   config: { windowSizeMs: 60_000, retentionMs: 3_600_000 } });
 * store.put('alice', 1, 0);
 * ```
 * @throws StoreClosedError once closed; SerializationError on keys or values the serdes reject.
 */
export class SegmentedWindowStore<K, V> extends SegmentedStoreBase<K> implements WindowStore<K, V> {
  private readonly points: WindowPointKeys<K>;
  /** The transaction buffer when puts go straight to it (no cache): it may keep our arrays. */
  private readonly buffer: TransactionalBytesStore | undefined;
  private readonly freshValues: boolean;
  /** The typed value cache, when this store can have one (see WindowStoreCache.for). */
  private readonly cache: WindowStoreCache<V> | undefined;

  constructor(
    segments: SegmentedBytesStore,
    keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
    private readonly config: WindowStoreConfig,
    serdeTopic: string,
  ) {
    super(segments, keySerde, serdeTopic);
    this.points = new WindowPointKeys(
      keySerde,
      (k) => this.keyBytes(k),
      (t) => segments.segmentId(t),
    );
    this.buffer = segments.store instanceof TransactionalBytesStore ? segments.store : undefined;
    this.freshValues = hasFreshOutput(valueSerde as Serde<unknown>);
    const points = this.points as WindowPointKeys<unknown>;
    const readStored = (key: string, startMs: number) => this.fetchStored(key as K, startMs);
    this.cache = WindowStoreCache.for(config, keySerde, {
      segments,
      valueSerde,
      serdeTopic,
      points,
      readStored,
    });
  }

  override get uncommittedBytes(): number {
    return this.segments.store.uncommittedBytes + (this.cache?.dirtyBytes ?? 0);
  }

  override get commitNeeded(): boolean {
    if (this.cache === undefined || !this.cache.hasDirty) return this.segments.store.commitNeeded;
    return this.buffer!.commitNeededWith(this.cache.dirtyBytes);
  }

  override flush(): void {
    this.checkOpen();
    this.cache?.flush(true);
    super.flush();
  }

  override commit(changelogOffsets?: ChangelogOffsets): void {
    this.checkOpen();
    this.cache?.flush(true);
    super.commit(changelogOffsets);
    this.cache?.dropBefore(this.segments.minLiveTime);
  }

  override abort(): void {
    this.checkOpen();
    // The cache holds uncommitted writes, and reads of them: all of it goes with the transaction.
    this.cache?.clear();
    super.abort();
  }

  override close(): Promise<void> {
    this.cache?.clear();
    return super.close();
  }

  put(key: K, value: V | null, windowStartMs: number): void {
    checkTime('windowStartMs', windowStartMs);
    const cache = this.cache;
    if (cache !== undefined && typeof key === 'string' && cache.accepts(value)) {
      this.checkOpen();
      // Stream time first, as below: the window may have expired with this very put.
      this.segments.observe(windowStartMs);
      if (this.segments.isExpired(windowStartMs)) return;
      this.segments.segmentFor(windowStartMs);
      cache.put(key, windowStartMs, value);
      return;
    }
    const duplicates = this.config.retainDuplicates;
    if (value === null && duplicates) return;
    const keyBytes = duplicates ? this.keyBytes(key) : null;
    const storeKey = duplicates ? null : this.points.of(key, windowStartMs);
    const valueBytes = value === null ? null : this.valueSerde.serialize(this.serdeTopic, value);
    this.checkOpen();
    this.segments.observe(windowStartMs);
    if (this.segments.isExpired(windowStartMs)) return;
    const segmentId = this.segments.segmentFor(windowStartMs);
    // Written through now: a cached value of this window (even a dirty one) is superseded.
    cache?.forget(key, windowStartMs, segmentId);
    if (storeKey === null) {
      const seq = (this.segments.extra + 1) % UINT32;
      this.segments.extra = seq;
      this.segments.store.put(windowStoreKey(segmentId, keyBytes!, windowStartMs, seq), valueBytes);
    } else if (this.buffer !== undefined) {
      // Handed over: nobody changes the store key, and a fresh serde's value is ours alone.
      const v = valueBytes === null || this.freshValues ? valueBytes : copyBytes(valueBytes);
      this.buffer.putOwned(storeKey, v, this.points.id);
    } else {
      this.segments.store.put(storeKey, valueBytes, this.points.id);
    }
  }

  fetch(key: K, windowStartMs: number): V | undefined {
    checkTime('windowStartMs', windowStartMs);
    if (this.segments.isExpired(windowStartMs) || windowStartMs > this.segments.streamTime) {
      // The key serde still sees the key, as it did before any cache (its errors are the same).
      if (this.cache === undefined || typeof key !== 'string') this.keyBytes(key);
      this.checkOpen();
      return undefined;
    }
    if (this.config.retainDuplicates) {
      const it = this.fetchTimeRange(key, windowStartMs, windowStartMs);
      const first = it.peek();
      it.close();
      return first?.value;
    }
    const cache = this.cache;
    if (cache === undefined || typeof key !== 'string') return this.fetchStored(key, windowStartMs);
    this.checkOpen();
    return cache.fetch(key, windowStartMs);
  }

  fetchTimeRange(key: K, timeFromMs: number, timeToMs: number): KeyValueIterator<number, V> {
    return this.timeRange(key, timeFromMs, timeToMs, false);
  }

  backwardFetchTimeRange(key: K, timeFromMs: number, timeToMs: number): KeyValueIterator<number, V> {
    return this.timeRange(key, timeFromMs, timeToMs, true);
  }

  fetchKeyRange(keyFrom: K | null, keyTo: K | null, timeFromMs: number, timeToMs: number) {
    return this.keyRange(keyFrom, keyTo, timeFromMs, timeToMs, false);
  }

  backwardFetchKeyRange(keyFrom: K | null, keyTo: K | null, timeFromMs: number, timeToMs: number) {
    return this.keyRange(keyFrom, keyTo, timeFromMs, timeToMs, true);
  }

  fetchAll(timeFromMs: number, timeToMs: number): KeyValueIterator<Windowed<K>, V> {
    return this.keyRange(null, null, timeFromMs, timeToMs, false);
  }

  backwardFetchAll(timeFromMs: number, timeToMs: number): KeyValueIterator<Windowed<K>, V> {
    return this.keyRange(null, null, timeFromMs, timeToMs, true);
  }

  all(): KeyValueIterator<Windowed<K>, V> {
    return this.keyRange(null, null, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, false);
  }

  backwardAll(): KeyValueIterator<Windowed<K>, V> {
    return this.keyRange(null, null, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, true);
  }

  /** The value of a single window as stored (in the transaction buffer or the engine). */
  private fetchStored(key: K, windowStartMs: number): V | undefined {
    const bytes = this.segments.store.get(this.points.of(key, windowStartMs), this.points.id);
    return bytes === undefined ? undefined : this.valueSerde.deserialize(this.serdeTopic, bytes);
  }

  private timeRange(
    key: K,
    timeFromMs: number,
    timeToMs: number,
    reverse: boolean,
  ): KeyValueIterator<number, V> {
    // Scans read the transaction buffer: the cache's writes go there first.
    this.cache?.flush(false);
    const keyBytes = this.keyBytes(key);
    const bounds = this.liveBounds(timeFromMs, timeToMs);
    if (bounds === undefined) return emptyIterator();
    const [from, to] = bounds;
    const sources = this.segments.iterateSegments(
      this.segments.segmentsBetween(from, to),
      (prefix) => {
        const [lo, hi] = keyTimeBounds(prefix, keyBytes, from, to);
        return { from: lo, toExclusive: hi, reverse };
      },
      reverse,
    );
    // One key's windows lie in one segment each, in time order: the segments simply follow each other.
    return new MappedKeyValueIterator(new ConcatIterator(sources), (e) => ({
      key: parseWindowStoreKey(e.key).windowStartMs,
      value: this.valueSerde.deserialize(this.serdeTopic, e.value),
    }));
  }

  private keyRange(
    keyFrom: K | null,
    keyTo: K | null,
    timeFromMs: number,
    timeToMs: number,
    reverse: boolean,
  ): KeyValueIterator<Windowed<K>, V> {
    // Scans read the transaction buffer: the cache's writes go there first.
    this.cache?.flush(false);
    const fromBytes = keyFrom === null ? null : this.keyBytes(keyFrom);
    const toBytes = keyTo === null ? null : this.keyBytes(keyTo);
    const bounds = this.liveBounds(timeFromMs, timeToMs);
    if (bounds === undefined) return emptyIterator();
    if (fromBytes !== null && toBytes !== null && compareBytes(fromBytes, toBytes) > 0)
      return emptyIterator();
    const [from, to] = bounds;
    const sources = this.segments.iterateSegments(
      this.segments.segmentsBetween(from, to),
      (prefix, id) => {
        const [lo, hi] = keyRangeBounds(prefix, orderedInt64(id + 1), fromBytes, toBytes);
        return { from: lo, toExclusive: hi, reverse };
      },
      reverse,
    );
    const size = this.config.windowSizeMs;
    return new MappedKeyValueIterator(new MergedIterator(sources, bySuffix, reverse), (e) => {
      const { key, windowStartMs } = parseWindowStoreKey(e.key);
      if (windowStartMs < from || windowStartMs > to) return undefined;
      return {
        key: {
          key: this.keySerde.deserialize(this.serdeTopic, key),
          window: { startMs: windowStartMs, endMs: windowStartMs + size },
        },
        value: this.valueSerde.deserialize(this.serdeTopic, e.value),
      };
    });
  }
}
