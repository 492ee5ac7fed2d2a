/**
 * The record cache's data structure: entries by key, an LRU list (for eviction when over the byte
 * bound) and a dirty list in order of each key's latest write (the order flushes hand updates on
 * in), and the entries sorted by key for range scans merged with the store below.
 *
 * A hash index (the key's bytesId) answers point reads and finds the entry of an updated key
 * without a tree descent: with keys that share a prefix (`user-…`), each tree step compares whole
 * keys, a cache miss apiece. The sorted tree is built only when a range scan (or a range removal)
 * first needs it and is kept up to date from then on, so a cache that is never scanned never pays
 * for ordering. An update of a cached key changes its entry in place while no overlay (range scan)
 * is open; while one is open, the update replaces the entry object instead, so the overlay keeps
 * its snapshot.
 */
import { bytesId, compareBytes, copyBytes } from './byte-order.js';
import { CacheBytesPool } from './cache-bytes-pool.js';
import { BTree } from './memory/btree.js';
import type { BTreeCursor } from './memory/btree-cursor.js';
import type { OverlaySource } from './overlay-iterator.js';
import { ENTRY_OVERHEAD_BYTES } from './transactional-bytes-store.js';

/**
 * What the code that writes a record knows about it, kept with a dirty cache entry so that its
 * flush is forwarded with the record's own timestamp (and position), as Kafka Streams does.
 *
 * @example
 * ```ts
 * const context: RecordContext = { timestampMs: 1_700_000_000_000, topic: 'orders', partition: 0, offset: 41 };
 * ```
 */
export interface RecordContext {
  readonly timestampMs: number;
  readonly topic?: string;
  readonly partition?: number;
  readonly offset?: number;
}

/**
 * One cached key: its value (null for a pending delete), whether it still has to be flushed, and
 * the stamps of its latest records in the LRU and dirty logs.
 *
 * @example
 * ```ts
 * if (entry.dirty) pending.push(entry.key);
 * ```
 */
export class CacheEntry {
  /** The position of the entry's live record in the LRU log; -1 before its first and once removed. */
  lruStamp = -1;
  /** The position of the entry's live record in the dirty log (meaningful while dirty). */
  dirtyStamp = 0;
  dirty: boolean;
  /** Changed in place only while no overlay is open (see RecordCache). */
  value: Uint8Array | null;
  context: RecordContext | undefined;
  size: number;
  /** key.length, kept so that sizing an update need not read the key. */
  readonly keyLength: number;

  constructor(
    readonly key: Uint8Array,
    /** bytesId(key): the entry's hash index key, handed on so the buffer below need not read the key again. */
    readonly id: string,
    value: Uint8Array | null,
    dirty: boolean,
    context: RecordContext | undefined,
  ) {
    this.value = value;
    this.dirty = dirty;
    this.context = context;
    this.keyLength = key.length;
    this.size = entrySize(key.length, value);
  }
}

function entrySize(keyLength: number, value: Uint8Array | null): number {
  return keyLength + (value === null ? 0 : value.length) + ENTRY_OVERHEAD_BYTES;
}

/** Log records beyond twice the live ones (plus this slack) make a log compact itself. */
const LOG_SLACK = 1024;

/** An overlay over a cursor of cache entries: yields each entry's value. */
class CacheOverlay implements OverlaySource {
  key: Uint8Array = new Uint8Array(0);
  value: Uint8Array | null = null;
  private open = true;

  constructor(
    private readonly cursor: BTreeCursor<CacheEntry>,
    private readonly onEnd: () => void,
  ) {}

  next(): boolean {
    if (!this.cursor.next()) {
      this.end();
      return false;
    }
    this.key = this.cursor.key;
    this.value = this.cursor.value.value;
    return true;
  }

  close(): void {
    this.cursor.close();
    this.end();
  }

  private end(): void {
    if (!this.open) return;
    this.open = false;
    this.onEnd();
  }
}

/**
 * Cached entries by key, with LRU and dirty order.
 *
 * @example
 * ```ts
 * const cache = new RecordCache(sharedPool);
 * cache.write(key, value, true, context);
 * for (const e of cache.takeDirty()) flushDownstream(e);
 * ```
 */
export class RecordCache {
  /** The entries in key order: null until a range scan or range removal first needs it. */
  private entries: BTree<CacheEntry> | null = null;
  private readonly index = new Map<string, CacheEntry>();
  /** Overlays not yet ended: while any is, entries are replaced, never changed in place. */
  private openOverlays = 0;
  private readonly overlayEnded = (): void => {
    this.openOverlays--;
  };
  /*
   * LRU and dirty order as append-only logs of entries rather than linked lists: a use (or a
   * write) appends the entry and sets its stamp to the record's position (counted from the log's
   * creation, never reused), so older records of the entry go stale and are skipped. Exact LRU and
   * latest-write order, as the lists gave, but an update appends to the end of an array instead of
   * unlinking the entry from its neighbours, which are scattered over memory (two cache misses per
   * list per update).
   */
  private lruLog: CacheEntry[] = [];
  /** The position of lruLog[0]. */
  private lruBase = 0;
  /** Records before this index of the LRU log are all stale. */
  private lruStart = 0;
  private dirtyLog: CacheEntry[] = [];
  /** The position of dirtyLog[0]. */
  private dirtyBase = 0;
  private dirtyCount = 0;
  /** Bytes of every cached entry, charged as key + value + ENTRY_OVERHEAD_BYTES. */
  bytes = 0;

  /** `pool`: the shared bound this cache's bytes count against too (none: a private, unbounded one). */
  constructor(readonly pool: CacheBytesPool = new CacheBytesPool(Number.MAX_SAFE_INTEGER)) {}

  get size(): number {
    return this.index.size;
  }

  get dirtySize(): number {
    return this.dirtyCount;
  }

  /** The least recently used entry, the next to evict. */
  get eldest(): CacheEntry | null {
    const log = this.lruLog;
    const base = this.lruBase;
    let i = this.lruStart;
    while (i < log.length && log[i]!.lruStamp !== base + i) i++;
    // Stale records stay stale: later calls need not skip them again.
    this.lruStart = i;
    return i < log.length ? log[i]! : null;
  }

  /** The entry of `key`, marked as just used; undefined if not cached. `id`: bytesId(key), if known. */
  get(key: Uint8Array, id: string = bytesId(key)): CacheEntry | undefined {
    const entry = this.index.get(id);
    if (entry !== undefined) this.touch(entry);
    return entry;
  }

  /**
   * Caches `value` for `key` (a write when dirty, a read-through when clean), replacing any entry.
   * The cache keeps `value` as it is (the caller hands it over) and a copy of `key` when it needs
   * one, so the caller may reuse its key buffer. `id` is bytesId(key), when the caller has it.
   */
  write(
    key: Uint8Array,
    value: Uint8Array | null,
    dirty: boolean,
    context?: RecordContext,
    id: string = bytesId(key),
  ): CacheEntry {
    const previous = this.index.get(id);
    if (previous !== undefined && this.openOverlays === 0) {
      this.update(previous, value, dirty, context);
      return previous;
    }
    const entry = new CacheEntry(previous?.key ?? copyBytes(key), id, value, dirty, context);
    this.entries?.set(entry.key, entry);
    this.index.set(id, entry);
    if (previous !== undefined) this.unlink(previous);
    this.link(entry);
    return entry;
  }

  /**
   * A dirty write of the cached key whose bytesId is `id`, in place; false (and nothing done) when
   * the key is not cached or an overlay is open, so the caller writes it with its bytes instead.
   */
  writeCached(id: string, value: Uint8Array | null, context?: RecordContext): boolean {
    const previous = this.index.get(id);
    if (previous === undefined || this.openOverlays !== 0) return false;
    this.update(previous, value, true, context);
    return true;
  }

  /** Changes `previous` in place: the tree maps its key to it, and no overlay holds a snapshot. */
  private update(
    previous: CacheEntry,
    value: Uint8Array | null,
    dirty: boolean,
    context: RecordContext | undefined,
  ): void {
    const size = entrySize(previous.keyLength, value);
    const delta = size - previous.size;
    this.bytes += delta;
    this.pool.usedBytes += delta;
    previous.size = size;
    previous.value = value;
    previous.context = context;
    this.touch(previous);
    if (dirty) {
      if (!previous.dirty) this.dirtyCount++;
      previous.dirty = true;
      this.appendDirty(previous);
    } else if (previous.dirty) {
      previous.dirty = false;
      this.dirtyCount--;
    }
  }

  /** Removes the entry of `key`, if cached. */
  remove(key: Uint8Array): CacheEntry | undefined {
    const id = bytesId(key);
    const entry = this.index.get(id);
    if (entry === undefined) return undefined;
    this.index.delete(id);
    this.entries?.delete(key);
    this.unlink(entry);
    return entry;
  }

  /** Removes the cached entries in [from, toExclusive). */
  removeRange(from: Uint8Array, toExclusive: Uint8Array): void {
    const doomed: Uint8Array[] = [];
    if (this.entries !== null) {
      const c = this.entries.cursor(from, toExclusive, false);
      while (c.next()) doomed.push(c.key);
    } else {
      // One pass over the index costs less than building the tree for it.
      for (const e of this.index.values()) {
        if (compareBytes(e.key, from) >= 0 && compareBytes(e.key, toExclusive) < 0) doomed.push(e.key);
      }
    }
    for (const key of doomed) this.remove(key);
  }

  /** The dirty entries in order of their latest write, now marked clean. */
  takeDirty(): CacheEntry[] {
    const out: CacheEntry[] = new Array(this.dirtyCount);
    const log = this.dirtyLog;
    const base = this.dirtyBase;
    let n = 0;
    for (let i = 0; i < log.length; i++) {
      const e = log[i]!;
      if (e.dirty && e.dirtyStamp === base + i) {
        e.dirty = false;
        out[n++] = e;
      }
    }
    this.dirtyBase = base + log.length;
    log.length = 0;
    this.dirtyCount = 0;
    return out;
  }

  /** The cached entries in [from, toExclusive) as an overlay (values; null for pending deletes). */
  overlay(from: Uint8Array | null, toExclusive: Uint8Array | null, reverse: boolean): OverlaySource {
    let entries = this.entries;
    if (entries === null) {
      entries = new BTree<CacheEntry>();
      for (const e of this.index.values()) entries.set(e.key, e);
      this.entries = entries;
    }
    this.openOverlays++;
    return new CacheOverlay(entries.cursor(from, toExclusive, reverse), this.overlayEnded);
  }

  /** Removes every entry. */
  clear(): void {
    this.pool.usedBytes -= this.bytes;
    // Clearing the tree first makes open overlays take their copies: they keep their snapshot.
    this.entries?.clear();
    this.entries = null;
    for (const e of this.index.values()) {
      e.lruStamp = -1;
      e.dirty = false;
    }
    this.index.clear();
    // Positions go on from where they were: a stale stamp must never match a new record.
    this.lruBase += this.lruLog.length;
    this.lruLog = [];
    this.lruStart = 0;
    this.dirtyBase += this.dirtyLog.length;
    this.dirtyLog = [];
    this.dirtyCount = 0;
    this.bytes = 0;
  }

  private link(entry: CacheEntry): void {
    this.bytes += entry.size;
    this.pool.usedBytes += entry.size;
    this.touch(entry);
    if (entry.dirty) {
      this.dirtyCount++;
      this.appendDirty(entry);
    }
  }

  /** Makes `entry` the most recently used. */
  private touch(entry: CacheEntry): void {
    const log = this.lruLog;
    const position = this.lruBase + log.length;
    if (log.length > 0 && entry.lruStamp === position - 1) return; // the latest record already
    entry.lruStamp = position;
    log.push(entry);
    if (log.length - this.lruStart > 2 * this.index.size + LOG_SLACK) this.compactLru();
  }

  /** Moves `entry` (dirty, counted) to the end of the dirty order. */
  private appendDirty(entry: CacheEntry): void {
    const log = this.dirtyLog;
    entry.dirtyStamp = this.dirtyBase + log.length;
    log.push(entry);
    if (log.length > 2 * this.dirtyCount + LOG_SLACK) this.compactDirty();
  }

  /**
   * Drops the stale records of the LRU log, in place; the live ones get positions past every
   * position so far, so no stale stamp can match them.
   */
  private compactLru(): void {
    const log = this.lruLog;
    const base = this.lruBase;
    const next = base + log.length;
    let n = 0;
    for (let i = this.lruStart; i < log.length; i++) {
      const e = log[i]!;
      if (e.lruStamp === base + i) {
        e.lruStamp = next + n;
        log[n++] = e;
      }
    }
    log.length = n;
    this.lruBase = next;
    this.lruStart = 0;
  }

  /** Drops the stale records of the dirty log, in place (as compactLru). */
  private compactDirty(): void {
    const log = this.dirtyLog;
    const base = this.dirtyBase;
    const next = base + log.length;
    let n = 0;
    for (let i = 0; i < log.length; i++) {
      const e = log[i]!;
      if (e.dirty && e.dirtyStamp === base + i) {
        e.dirtyStamp = next + n;
        log[n++] = e;
      }
    }
    log.length = n;
    this.dirtyBase = next;
  }

  /** Takes `entry` out of the byte count and both orders: its log records go stale. */
  private unlink(entry: CacheEntry): void {
    this.bytes -= entry.size;
    this.pool.usedBytes -= entry.size;
    entry.lruStamp = -1;
    if (!entry.dirty) return;
    entry.dirty = false;
    this.dirtyCount--;
  }
}
