/**
 * The typed write-back cache of a window store: values by window start, then by key, as the
 * values the store was given (or deserialized once); a value with a timestamp is kept as its two
 * fields, so the cache holds no object per update and each read gets a pair of its own. A window
 * aggregation reads a window and then writes it back, once per record; served from here, a hit
 * costs a hash lookup on the key string itself (its hash is kept in the string), where the store
 * would build the store key, look it up in the transaction buffer and in the engine, and
 * deserialize and serialize the value. Writes stay here, dirty, until the store flushes them to
 * its transaction buffer (at flush and commit, before a range scan, or on eviction), so the
 * transaction, the changelog and the engine see exactly the writes they saw before, only later.
 * Entries stay after a flush, clean, so the next transaction's reads hit too; each keeps its store
 * key and the engine's handle on it, so its later flushes build no key and look nothing up.
 *
 * This cache never changes what a store returns or forwards: it holds only values that round-trip
 * through the serde unchanged (see cacheable-values.ts), it is emptied on abort, and it is bounded:
 * past `maxEntries` it drops whole windows, oldest first (a window store's older windows are the
 * ones that stop being updated), writing their dirty entries back first. */

import type { EngineSlot } from '../engine.js';

/**
 * One cached window of one key. `value` null is a cached delete.
 *
 * @example
 * ```ts
 * const entry = cache.get('user-7', 60_000);
 * if (entry !== undefined) use(entry.value);
 * ```
 */
export class CachedWindow<K, V> implements EngineSlot {
  /** The engine's handle on this window's key (see WriteOp.slot). */
  engineHandle: unknown = undefined;
  /**
   * The store key and its bytesId, once built: kept, so each later flush of this window hands the
   * buffer and the engine the same string, whose hash V8 keeps in it (and a hash-indexed engine
   * that stored that very string compares it by identity).
   */
  storeKey: Uint8Array | null = null;
  id = '';
  /**
   * The store had no value for this window when it was read, and this entry has not been flushed
   * since: its first flush tells the engine the key is new (WriteOp.absent, a hint: should the
   * engine hold it after all, that costs time only).
   */
  absent = false;

  constructor(
    readonly key: K,
    readonly startMs: number,
    public value: V | null,
    /** The value's timestamp, for stores of values with timestamps (else 0). */
    public timestampMs: number,
    /** Written since the last flush: the transaction buffer does not have this value yet. */
    public dirty: boolean,
  ) {}
}

/**
 * Moves the entries of `listed` still dirty to its front, now clean, in order; returns how many.
 * Its own function, with nothing after the loop: run once per commit, the loop is optimized while
 * it runs, and code after it that the optimized version had never seen run made it deoptimize at
 * nearly every commit. Indexed, not for-of: unoptimized, a for-of allocates per element.
 */
function keepDirty<K, V>(listed: CachedWindow<K, V>[]): number {
  let n = 0;
  for (let i = 0; i < listed.length; i++) {
    const e = listed[i]!;
    if (!e.dirty) continue;
    e.dirty = false;
    listed[n++] = e;
  }
  return n;
}

/**
 * A bounded map of (window start, key) to value with dirty tracking.
 *
 * @example
 * ```ts
 * const cache = new WindowValueCache<string, number>(1 << 16, writeToBuffer, (k) => k.length + 100);
 * cache.put('user-7', 60_000, 3, 0);
 * cache.get('user-7', 60_000)?.value; // 3
 * const writes = cache.takeDirty(); // [user-7@60000 = 3], now clean
 * ```
 */
export class WindowValueCache<K, V> {
  /** By window start (few at a time: a time window store's live windows), then by key. */
  private readonly windows = new Map<number, Map<K, CachedWindow<K, V>>>();
  private dirty: CachedWindow<K, V>[] = [];
  private count = 0;
  /** The window looked up last: records come in time order, so most hit the same window. */
  private lastStart = Number.NaN;
  private lastWindow: Map<K, CachedWindow<K, V>> | undefined = undefined;

  /** An estimate of the bytes the dirty entries will take in the transaction buffer. */
  private dirtyBytesEstimate = 0;

  constructor(
    private readonly maxEntries: number,
    /** Receives dirty entries of windows about to be evicted; they must reach the store. */
    private readonly writeBack: (dirty: readonly CachedWindow<K, V>[]) => void,
    /** Estimates what one entry will take in the transaction buffer (for uncommittedBytes). */
    private readonly bytesOf: (key: K, value: V | null) => number,
    /** Hears of each window dropped (evicted or expired), after its dirty entries were written back. */
    private readonly dropped: (startMs: number) => void = () => undefined,
  ) {}

  /** The number of cached entries. */
  get size(): number {
    return this.count;
  }

  /**
   * About the bytes the dirty entries will add to the transaction: the store counts them as
   * uncommitted already, so a task still commits early on the same bound.
   */
  get dirtyBytes(): number {
    return this.dirtyBytesEstimate;
  }

  /** Whether some entries are dirty (possibly: an invalidated entry may still be listed). */
  get hasDirty(): boolean {
    return this.dirty.length > 0;
  }

  /** The entry of `key` in the window starting at `startMs`, or undefined when not cached. */
  get(key: K, startMs: number): CachedWindow<K, V> | undefined {
    return this.window(startMs)?.get(key);
  }

  /**
   * Caches a value just read from the store (clean), with the store key it was read by; `absent`
   * when the store did not hold the key.
   */
  cacheRead(
    key: K,
    startMs: number,
    value: V | null,
    timestampMs: number,
    /** Null when the store was not read (it cannot hold the key): built at the first flush. */
    storeKey: Uint8Array | null,
    id: string,
    absent: boolean,
  ): void {
    const entry = this.insert(key, startMs, value, timestampMs, false);
    entry.storeKey = storeKey;
    entry.id = id;
    entry.absent = absent;
  }

  /** Writes `value` (null: delete) for `key` in the window at `startMs`: dirty until flushed. */
  put(key: K, startMs: number, value: V | null, timestampMs: number): void {
    const entry = this.window(startMs)?.get(key);
    if (entry === undefined) {
      this.insert(key, startMs, value, timestampMs, true);
      return;
    }
    entry.value = value;
    entry.timestampMs = timestampMs;
    if (!entry.dirty) {
      entry.dirty = true;
      this.dirty.push(entry);
      this.dirtyBytesEstimate += this.bytesOf(key, value);
    }
  }

  /** Forgets `key`'s window at `startMs` (the store is written directly instead). */
  invalidate(key: K, startMs: number): void {
    const window = this.window(startMs);
    const entry = window?.get(key);
    if (entry === undefined) return;
    if (entry.dirty) {
      entry.dirty = false;
      this.dirtyBytesEstimate = Math.max(0, this.dirtyBytesEstimate - this.bytesOf(key, entry.value));
    }
    window!.delete(key);
    this.count--;
  }

  /**
   * The dirty entries in the order they became dirty, now clean: the caller writes them to the
   * store.
   */
  takeDirty(): CachedWindow<K, V>[] {
    const listed = this.dirty;
    if (listed.length === 0) return listed;
    this.dirty = [];
    this.dirtyBytesEstimate = 0;
    listed.length = keepDirty(listed);
    return listed;
  }

  /** Drops the windows starting before `startMs` (expired: the store no longer reads them). */
  dropBefore(startMs: number): void {
    for (const [start, window] of this.windows) {
      if (start < startMs) this.evictWindow(start, window);
    }
  }

  /** Drops everything, dirty entries included (an aborted transaction's writes). */
  clear(): void {
    for (const e of this.dirty) e.dirty = false;
    this.dirty = [];
    this.dirtyBytesEstimate = 0;
    this.windows.clear();
    this.count = 0;
    this.lastStart = Number.NaN;
    this.lastWindow = undefined;
  }

  private window(startMs: number): Map<K, CachedWindow<K, V>> | undefined {
    if (startMs === this.lastStart) return this.lastWindow;
    const window = this.windows.get(startMs);
    if (window !== undefined) {
      this.lastStart = startMs;
      this.lastWindow = window;
    }
    return window;
  }

  private insert(
    key: K,
    startMs: number,
    value: V | null,
    timestampMs: number,
    dirty: boolean,
  ): CachedWindow<K, V> {
    if (this.count >= this.maxEntries) this.evict();
    let window = this.window(startMs);
    if (window === undefined) {
      window = new Map();
      this.windows.set(startMs, window);
      this.lastStart = startMs;
      this.lastWindow = window;
    }
    const entry = new CachedWindow(key, startMs, value, timestampMs, dirty);
    window.set(key, entry);
    this.count++;
    if (dirty) {
      this.dirty.push(entry);
      this.dirtyBytesEstimate += this.bytesOf(key, value);
    }
    return entry;
  }

  /** Makes room: drops the oldest window, its dirty entries written back first. */
  private evict(): void {
    let oldest = Number.POSITIVE_INFINITY;
    for (const start of this.windows.keys()) if (start < oldest) oldest = start;
    const window = this.windows.get(oldest);
    if (window !== undefined) this.evictWindow(oldest, window);
  }

  /** Drops one window, its dirty entries written back first (they stay listed, but clean). */
  private evictWindow(start: number, window: Map<K, CachedWindow<K, V>>): void {
    const dirty: CachedWindow<K, V>[] = [];
    for (const e of window.values()) {
      if (!e.dirty) continue;
      e.dirty = false;
      dirty.push(e);
      this.dirtyBytesEstimate = Math.max(0, this.dirtyBytesEstimate - this.bytesOf(e.key, e.value));
    }
    if (dirty.length > 0) this.writeBack(dirty);
    this.windows.delete(start);
    this.count -= window.size;
    if (this.lastWindow === window) {
      this.lastStart = Number.NaN;
      this.lastWindow = undefined;
    }
    this.dropped(start);
  }
}
