/**
 * Time segments under window and session stores. Every store key starts with the 8-byte id of its
 * segment (time / segmentIntervalMs), so all data of a time span is one contiguous key range, and
 * dropping a whole expired segment is a single range delete. Retention follows stream time, the
 * largest record time seen (never the wall clock): data older than streamTime − retentionMs + 1 is
 * expired; reads ignore it at once, and its segments are removed after the next commit.
 *
 * Stream time (and a store's own extra state, such as a sequence number) is kept under the empty
 * key, written in the same transaction as the data, so a reopened store resumes where its
 * committed state left off.
 */
import { CorruptRecordError } from '../common/errors.js';
import { bytesId, EMPTY_BYTES, keySuccessor } from './byte-order.js';
import type { ByteRange, ChangelogOffsets } from './engine.js';
import { orderedInt64, readOrderedInt64, writeOrderedInt64 } from './key-encoding.js';
import type { KeyValueBytesStore } from './key-value-bytes-store.js';
import type { KeyValueIterator } from './key-value-iterator.js';
import type { OwnedWrite } from './transactional-bytes-store.js';

/**
 * Stream time before any record: nothing is expired.
 *
 * @example
 * ```ts
 * if (store.streamTimeMs === NO_STREAM_TIME) return; // nothing put yet
 * ```
 */
export const NO_STREAM_TIME = Number.MIN_SAFE_INTEGER;

/** The store key of the metadata (stream time, extra state). */
const META_KEY = EMPTY_BYTES;
const META_ID = bytesId(META_KEY);

/**
 * Retention of a segmented store.
 *
 * @example
 * ```ts
 * const config: SegmentedConfig = { retentionMs: 86_400_000, segmentIntervalMs: 43_200_000 };
 * ```
 */
export interface SegmentedConfig {
  retentionMs: number;
  segmentIntervalMs: number;
}

/**
 * The segment bookkeeping and stream time of one window or session store.
 *
 * @example
 * ```ts
 * const segments = SegmentedBytesStore.open(top, base, { retentionMs: 86_400_000, segmentIntervalMs: 43_200_000 });
 * segments.observe(windowStartMs);
 * if (!segments.isExpired(windowStartMs)) top.put(storeKey, value);
 * ```
 */
export class SegmentedBytesStore {
  private observed = NO_STREAM_TIME;
  private committedObserved = NO_STREAM_TIME;
  private extraState = 0;
  private committedExtra = 0;
  /** Ids of the segments that may hold data, ascending. */
  private readonly ids: number[] = [];
  /** Hears of each segment `segmentFor` records for the first time (empty until written). */
  onNewSegment: ((id: number) => void) | undefined = undefined;
  /** The stream time and extra state the open transaction holds already (NaN: none written). */
  private bufferedObserved = Number.NaN;
  private bufferedExtra = Number.NaN;

  private constructor(
    /** The store reads and data writes go to (the record cache, or the transaction buffer). */
    readonly store: KeyValueBytesStore,
    /** The transaction buffer under any cache: metadata is written here, never flushed downstream. */
    private readonly base: KeyValueBytesStore,
    private readonly config: SegmentedConfig,
  ) {}

  /** Loads the committed stream time and finds the existing segments. */
  static open(
    store: KeyValueBytesStore,
    base: KeyValueBytesStore,
    config: SegmentedConfig,
  ): SegmentedBytesStore {
    const s = new SegmentedBytesStore(store, base, config);
    const meta = base.get(META_KEY);
    if (meta !== undefined) {
      if (meta.length !== 16)
        throw new CorruptRecordError(`store ${store.name} has ${meta.length} bytes of metadata, not 16`);
      s.observed = s.committedObserved = readOrderedInt64(meta, 0);
      s.extraState = s.committedExtra = readOrderedInt64(meta, 8);
    }
    let from = keySuccessor(META_KEY);
    for (;;) {
      const it = base.iterate({ from, toExclusive: null, reverse: false });
      const first = it.peek();
      it.close();
      if (first === undefined) break;
      const id = readOrderedInt64(first.key, 0);
      s.ids.push(id);
      from = orderedInt64(id + 1);
    }
    // A crash between a commit and its purge leaves expired segments behind.
    s.purgeExpired();
    return s;
  }

  /** The largest record time seen (NO_STREAM_TIME before any). */
  get streamTime(): number {
    return this.observed;
  }

  /** A store-specific number kept with the stream time (the window store's sequence number). */
  get extra(): number {
    return this.extraState;
  }

  set extra(value: number) {
    this.extraState = value;
  }

  /** The oldest live time: anything older is expired. */
  get minLiveTime(): number {
    return this.observed === NO_STREAM_TIME ? NO_STREAM_TIME : this.observed - this.config.retentionMs + 1;
  }

  /** Advances stream time to `timeMs` if it is later. */
  observe(timeMs: number): void {
    if (timeMs > this.observed) this.observed = timeMs;
  }

  isExpired(timeMs: number): boolean {
    return timeMs < this.minLiveTime;
  }

  segmentId(timeMs: number): number {
    return Math.floor(timeMs / this.config.segmentIntervalMs);
  }

  /**
   * Records that the segment of `timeMs` may hold data; returns its id. A segment recorded for
   * the first time holds nothing yet, in the store or the engine (the ids start as the engine's
   * segments, and only a write through this store adds data): `onNewSegment` hears of it.
   */
  segmentFor(timeMs: number): number {
    const id = this.segmentId(timeMs);
    const n = this.ids.length;
    if (n === 0 || this.ids[n - 1]! < id) {
      this.ids.push(id);
      this.onNewSegment?.(id);
    } else if (!this.ids.includes(id)) {
      this.ids.push(id);
      this.ids.sort((a, b) => a - b);
      this.onNewSegment?.(id);
    }
    return id;
  }

  /** Ids of the live segments that may hold data for times in [fromMs, toMs], ascending. */
  segmentsBetween(fromMs: number, toMs: number): number[] {
    const lo = this.segmentId(Math.max(fromMs, this.minLiveTime));
    const hi = this.segmentId(toMs);
    return this.ids.filter((id) => id >= lo && id <= hi);
  }

  /**
   * Iterators over the given ranges of the given segments (each range built by `rangeOf`; null to
   * skip a segment), in segment order (reversed with `reverse`).
   */
  iterateSegments(
    ids: readonly number[],
    rangeOf: (segmentPrefix: Uint8Array, id: number) => ByteRange | null,
    reverse: boolean,
  ): KeyValueIterator<Uint8Array, Uint8Array>[] {
    const out: KeyValueIterator<Uint8Array, Uint8Array>[] = [];
    const ordered = reverse ? [...ids].reverse() : ids;
    for (const id of ordered) {
      const range = rangeOf(orderedInt64(id), id);
      if (range !== null) out.push(this.store.iterate(range));
    }
    return out;
  }

  /**
   * Flushes the cache and writes the stream time into the transaction, so that everything the
   * commit will apply is in the transaction buffer now (the changelog sends it before the commit).
   */
  flush(): void {
    this.store.flush();
    this.writeMeta();
  }

  /** Commits the data with the stream time, then removes segments that have expired. */
  commit(offsets?: ChangelogOffsets): void {
    this.store.flush();
    this.writeMeta();
    this.store.commit(offsets);
    this.committedObserved = this.observed;
    this.committedExtra = this.extraState;
    this.bufferedObserved = this.bufferedExtra = Number.NaN;
    this.purgeExpired();
  }

  /** Drops the open transaction and returns to the committed stream time. */
  abort(): void {
    this.store.abort();
    this.observed = this.committedObserved;
    this.extraState = this.committedExtra;
    this.bufferedObserved = this.bufferedExtra = Number.NaN;
  }

  /**
   * The metadata write the open transaction still lacks, counted as written from now on; null when
   * it has it. A store handing the transaction buffer a batch of writes adds it to the batch: a
   * separate put after the batch would make the buffer hash every key of the batch.
   *
   * @example
   * ```ts
   * const meta = segments.takeMetaWrite();
   * if (meta !== null) writes.push(meta);
   * buffer.putOwnedAll(writes);
   * ```
   */
  takeMetaWrite(): OwnedWrite | null {
    const { observed, extraState } = this;
    if (observed === this.committedObserved && extraState === this.committedExtra) return null;
    if (observed === this.bufferedObserved && extraState === this.bufferedExtra) return null;
    const meta = new Uint8Array(16);
    writeOrderedInt64(meta, 0, observed);
    writeOrderedInt64(meta, 8, extraState);
    this.bufferedObserved = observed;
    this.bufferedExtra = extraState;
    return { key: META_KEY, value: meta, id: META_ID };
  }

  private writeMeta(): void {
    const meta = this.takeMetaWrite();
    if (meta !== null) this.base.put(meta.key, meta.value);
  }

  private purgeExpired(): void {
    if (this.ids.length === 0 || this.committedObserved === NO_STREAM_TIME) return;
    const minLive = this.segmentId(this.committedObserved - this.config.retentionMs + 1);
    if (this.ids[0]! >= minLive) return;
    this.store.purgeCommitted(orderedInt64(this.ids[0]!), orderedInt64(minLive));
    while (this.ids.length > 0 && this.ids[0]! < minLive) this.ids.shift();
  }
}
