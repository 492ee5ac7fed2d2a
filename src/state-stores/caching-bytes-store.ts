/**
 * The record cache in front of a store, as Kafka Streams' caching layer: writes collect in a cache
 * bounded in bytes, so repeated updates of a key collapse into one before they go downstream and to
 * the changelog. A flush (at commit, or when evicting a dirty entry to stay within the bound) writes
 * every dirty entry to the store below in the order of each key's latest write and hands them, in
 * that order, to the flush listener. Reads are cached too. With a size of 0 the cache is off: every
 * write goes through and reaches the listener at once.
 */
import { StoreClosedError } from '../common/errors.js';
import { copyBytes } from './byte-order.js';
import type { CacheBytesPool } from './cache-bytes-pool.js';
import type { ByteRange, ChangelogOffsets } from './engine.js';
import { type KeyValueBytesStore, KeyValueBytesStoreBase } from './key-value-bytes-store.js';
import type { KeyValueIterator } from './key-value-iterator.js';
import { OverlayIterator } from './overlay-iterator.js';
import { type CacheEntry, RecordCache, type RecordContext } from './record-cache.js';
import { TransactionalBytesStore } from './transactional-bytes-store.js';

/**
 * One collapsed update handed to the flush listener: the key's latest value (null for a delete),
 * the value the store held before (with `sendOldValues`), and the context of the write.
 *
 * @example
 * ```ts
 * const listener: FlushListener = (entries) => {
 *   for (const e of entries) forward(e.key, e.value, e.oldValue, e.context?.timestampMs);
 * };
 * ```
 */
export interface FlushedEntry {
  readonly key: Uint8Array;
  readonly value: Uint8Array | null;
  /** The previous value (undefined when absent or when `sendOldValues` is off). */
  readonly oldValue?: Uint8Array | undefined;
  readonly context: RecordContext | undefined;
}

/**
 * Receives each flush's entries, in the order of each key's latest write.
 *
 * @example
 * ```ts
 * const listener: FlushListener = (entries) => console.log(`${entries.length} updates`);
 * ```
 */
export type FlushListener = (entries: readonly FlushedEntry[]) => void;

/**
 * Options of a CachingBytesStore.
 *
 * @example
 * ```ts
 * const options: CachingOptions = { maxBytes: 1 << 20, sendOldValues: true, listener };
 * ```
 */
export interface CachingOptions {
  /** The cache's byte bound; 0 turns caching off. */
  maxBytes: number;
  sendOldValues?: boolean;
  listener?: FlushListener;
  /** The context of the record being processed, kept with each write. */
  recordContext?: () => RecordContext | undefined;
  /**
   * The byte bound shared with the other caches of the process (MemoryBudget.caches). The cache
   * then stays within both `maxBytes` and the pool.
   */
  pool?: CacheBytesPool;
}

/**
 * A caching layer over a KeyValueBytesStore.
 *
 * @example
 * ```ts
 * const store = new CachingBytesStore(new TransactionalBytesStore(engine, config), {
 *   maxBytes: 1 << 20,
 *   listener: (entries) => entries.forEach(forwardDownstream),
 * });
 * store.put(k, v1);
 * store.put(k, v2);
 * store.flush(); // the listener sees one entry: k → v2
 * ```
 * @throws StoreClosedError once closed.
 */
export class CachingBytesStore extends KeyValueBytesStoreBase implements KeyValueBytesStore {
  private readonly cache: RecordCache;
  private readonly pool: CacheBytesPool;
  private readonly maxBytes: number;
  private readonly sendOldValues: boolean;
  private readonly listener: FlushListener | undefined;
  private readonly recordContext: () => RecordContext | undefined;
  /**
   * `inner` when it is the transaction buffer: flushes hand it the cache's own copies (and their
   * hash ids) through putOwned rather than have it copy them again.
   */
  private readonly owned: TransactionalBytesStore | undefined;
  private closed = false;

  constructor(
    readonly inner: KeyValueBytesStore,
    options: CachingOptions,
  ) {
    super();
    this.cache = new RecordCache(options.pool);
    this.pool = this.cache.pool;
    this.pool.register();
    this.maxBytes = options.maxBytes;
    this.sendOldValues = options.sendOldValues ?? false;
    this.listener = options.listener;
    this.recordContext = options.recordContext ?? (() => undefined);
    this.owned = inner instanceof TransactionalBytesStore ? inner : undefined;
  }

  get name(): string {
    return this.inner.name;
  }

  get persistent(): boolean {
    return this.inner.persistent;
  }

  get isOpen(): boolean {
    return !this.closed && this.inner.isOpen;
  }

  get uncommittedBytes(): number {
    return this.inner.uncommittedBytes;
  }

  get commitNeeded(): boolean {
    return this.inner.commitNeeded;
  }

  /** Bytes held by the cache (clean and dirty entries). */
  get cachedBytes(): number {
    return this.cache.bytes;
  }

  get(key: Uint8Array, id?: string): Uint8Array | undefined {
    this.checkOpen();
    const cached = this.cache.get(key, id);
    if (cached !== undefined) return cached.value ?? undefined;
    const value = this.inner.get(key, id);
    if (value !== undefined && this.maxBytes > 0) {
      // The cache copies the key if it keeps it; the value belongs to the store below and never changes.
      this.cache.write(key, value, false, undefined, id);
      this.evictWhileOver();
    }
    return value;
  }

  put(key: Uint8Array, value: Uint8Array | null, id?: string): void {
    this.putOwnedValue(key, value === null ? null : copyBytes(value), id);
  }

  /**
   * `put` that keeps `value` as it is: the caller hands it over and nobody changes it afterwards
   * (a typed store does so with the new array of a built-in serde). The key is copied as by `put`.
   * `id`, when given, is bytesId(key) (a typed store has it for ASCII string keys).
   *
   * @example
   * ```ts
   * store.putOwnedValue(key, Buffer.from('fresh'));
   * ```
   * @throws StoreClosedError once closed.
   */
  putOwnedValue(key: Uint8Array, v: Uint8Array | null, id?: string): void {
    this.checkOpen();
    if (this.maxBytes === 0) {
      const k = copyBytes(key);
      const oldValue = this.sendOldValues ? this.inner.get(k, id) : undefined;
      if (this.owned !== undefined) this.owned.putOwned(k, v, id);
      else this.inner.put(k, v, id);
      this.listener?.([{ key: k, value: v, oldValue, context: this.recordContext() }]);
      return;
    }
    // The key is copied only for a key new to the cache: an update of a cached key keeps its entry.
    this.cache.write(key, v, true, this.recordContext(), id);
    this.evictWhileOver();
  }

  /**
   * `putOwnedValue` of a key already cached, found by its bytesId alone (a typed store has that
   * for ASCII string keys without serializing them). False, with nothing done, when the key is not
   * cached (or the cache is off or being scanned): then put it with its bytes.
   *
   * @example
   * ```ts
   * if (!store.putCachedOwnedValue('user-7', value)) store.putOwnedValue(Buffer.from('user-7'), value, 'user-7');
   * ```
   * @throws StoreClosedError once closed.
   */
  putCachedOwnedValue(id: string, v: Uint8Array | null): boolean {
    this.checkOpen();
    if (this.maxBytes === 0 || !this.cache.writeCached(id, v, this.recordContext())) return false;
    this.evictWhileOver();
    return true;
  }

  iterate(range: ByteRange): KeyValueIterator<Uint8Array, Uint8Array> {
    this.checkOpen();
    const base = this.inner.iterate(range);
    if (this.cache.size === 0) return base;
    return new OverlayIterator(
      this.cache.overlay(range.from, range.toExclusive, range.reverse),
      base,
      range.reverse,
    );
  }

  approximateNumEntries(): number {
    this.checkOpen();
    return this.inner.approximateNumEntries();
  }

  flush(): void {
    this.checkOpen();
    this.flushDirty();
    this.inner.flush();
  }

  commit(changelogOffsets?: ChangelogOffsets): void {
    this.checkOpen();
    this.flushDirty();
    this.inner.commit(changelogOffsets);
  }

  abort(): void {
    this.checkOpen();
    // Clean entries may hold values read from the aborted transaction: drop everything.
    this.cache.clear();
    this.inner.abort();
  }

  committedOffsets(): ChangelogOffsets {
    this.checkOpen();
    return this.inner.committedOffsets();
  }

  purgeCommitted(from: Uint8Array, toExclusive: Uint8Array): void {
    this.checkOpen();
    this.cache.removeRange(from, toExclusive);
    this.inner.purgeCommitted(from, toExclusive);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cache.clear();
    this.pool.unregister();
    await this.inner.close();
  }

  /**
   * Evicts least recently used entries until the cache fits its bound and the shared pool fits its
   * own (or this cache is empty: the other caches' bytes are theirs to evict). Evicting a dirty
   * entry first flushes every dirty entry, so downstream sees updates in the order they were written.
   */
  private evictWhileOver(): void {
    const pool = this.pool;
    while (this.cache.bytes > this.maxBytes || pool.usedBytes > pool.maxBytes) {
      const eldest = this.cache.eldest;
      if (eldest === null) return;
      if (eldest.dirty) this.flushDirty();
      this.cache.remove(eldest.key);
    }
  }

  private flushDirty(): void {
    if (this.cache.dirtySize === 0) return;
    const dirty = this.cache.takeDirty();
    const listener = this.listener;
    const flushed: FlushedEntry[] = listener === undefined ? [] : new Array(dirty.length);
    // The cache's keys and values are its own copies and never change: the transaction buffer may
    // keep them as they are rather than copy them again.
    const inner = this.inner;
    const owned = this.owned;
    const sendOldValues = this.sendOldValues;
    if (sendOldValues || listener !== undefined || owned === undefined) {
      for (let i = 0; i < dirty.length; i++) {
        const e: CacheEntry = dirty[i]!;
        // The keys are distinct: reading them all before the writes reads what each write replaces.
        const oldValue = sendOldValues ? inner.get(e.key) : undefined;
        if (owned === undefined) inner.put(e.key, e.value);
        if (listener !== undefined) flushed[i] = { key: e.key, value: e.value, oldValue, context: e.context };
      }
    }
    owned?.putOwnedAll(dirty);
    for (let i = 0; i < dirty.length; i++) {
      const e: CacheEntry = dirty[i]!;
      // A flushed delete has done its work; the store below now answers for the key.
      if (e.value === null) this.cache.remove(e.key);
    }
    listener?.(flushed);
  }

  protected checkOpen(): void {
    if (this.closed) throw new StoreClosedError(this.name);
  }
}
