/**
 * The record cache's data structure: entries sorted by key (for range scans merged with the store
 * below), an LRU list (for eviction when over the byte bound) and a dirty list in order of each
 * key's latest write (the order flushes hand updates on in).
 *
 * A hash index (the key's bytes as a latin1 string) answers point reads and finds the entry of an
 * updated key without a tree descent: with keys that share a prefix (`user-…`), each tree step
 * compares whole keys, a cache miss apiece, and that made tree lookups the cost of a cached write.
 * An update of a cached key changes its entry in place while no overlay (range scan) is open, so
 * the tree is touched only for new keys; while one is open, the update replaces the entry object
 * instead, so the overlay keeps its snapshot.
 */
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
 * its places in the LRU and dirty lists.
 *
 * @example
 * ```ts
 * if (entry.dirty) pending.push(entry.key);
 * ```
 */
export class CacheEntry {
  lruPrev: CacheEntry | null = null;
  lruNext: CacheEntry | null = null;
  dirtyPrev: CacheEntry | null = null;
  dirtyNext: CacheEntry | null = null;
  dirty: boolean;
  /** Changed in place only while no overlay is open (see RecordCache). */
  value: Uint8Array | null;
  context: RecordContext | undefined;
  size: number;

  constructor(
    readonly key: Uint8Array,
    value: Uint8Array | null,
    dirty: boolean,
    context: RecordContext | undefined,
  ) {
    this.value = value;
    this.dirty = dirty;
    this.context = context;
    this.size = entrySize(key, value);
  }
}

function entrySize(key: Uint8Array, value: Uint8Array | null): number {
  return key.length + (value === null ? 0 : value.length) + ENTRY_OVERHEAD_BYTES;
}

/** The hash index key of `key`: its bytes as a latin1 string (one char per byte, exact). */
function indexKey(key: Uint8Array): string {
  const b = key instanceof Buffer ? key : Buffer.from(key.buffer, key.byteOffset, key.byteLength);
  // latin1Slice is what toString('latin1') calls, without its argument checks and encoding lookup.
  return (b as unknown as { latin1Slice(start: number, end: number): string }).latin1Slice(0, b.length);
}

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
  private readonly entries = new BTree<CacheEntry>();
  private readonly index = new Map<string, CacheEntry>();
  /** Overlays not yet ended: while any is, entries are replaced, never changed in place. */
  private openOverlays = 0;
  private readonly overlayEnded = (): void => {
    this.openOverlays--;
  };
  private lruHead: CacheEntry | null = null;
  private lruTail: CacheEntry | null = null;
  private dirtyHead: CacheEntry | null = null;
  private dirtyTail: CacheEntry | null = null;
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
    return this.lruHead;
  }

  /** The entry of `key`, marked as just used; undefined if not cached. */
  get(key: Uint8Array): CacheEntry | undefined {
    const entry = this.index.get(indexKey(key));
    if (entry !== undefined) this.touch(entry);
    return entry;
  }

  /** Caches `value` for `key` (a write when dirty, a read-through when clean), replacing any entry. */
  write(key: Uint8Array, value: Uint8Array | null, dirty: boolean, context?: RecordContext): CacheEntry {
    const id = indexKey(key);
    const previous = this.index.get(id);
    if (previous !== undefined && this.openOverlays === 0) {
      // In place: the tree already maps the key to this entry, and no overlay holds a snapshot of it.
      this.unlink(previous);
      previous.value = value;
      previous.context = context;
      previous.size = entrySize(previous.key, value);
      previous.dirty = dirty;
      this.link(previous);
      return previous;
    }
    const entry = new CacheEntry(key, value, dirty, context);
    this.entries.set(key, entry);
    this.index.set(id, entry);
    if (previous !== undefined) this.unlink(previous);
    this.link(entry);
    return entry;
  }

  /** Removes the entry of `key`, if cached. */
  remove(key: Uint8Array): CacheEntry | undefined {
    const id = indexKey(key);
    const entry = this.index.get(id);
    if (entry === undefined) return undefined;
    this.index.delete(id);
    this.entries.delete(key);
    this.unlink(entry);
    return entry;
  }

  /** Removes the cached entries in [from, toExclusive). */
  removeRange(from: Uint8Array, toExclusive: Uint8Array): void {
    const doomed: Uint8Array[] = [];
    const c = this.entries.cursor(from, toExclusive, false);
    while (c.next()) doomed.push(c.key);
    for (const key of doomed) this.remove(key);
  }

  /** The dirty entries in order of their latest write, now marked clean. */
  takeDirty(): CacheEntry[] {
    const out: CacheEntry[] = new Array(this.dirtyCount);
    let i = 0;
    for (let e = this.dirtyHead; e !== null; ) {
      const next = e.dirtyNext;
      e.dirty = false;
      e.dirtyPrev = null;
      e.dirtyNext = null;
      out[i++] = e;
      e = next;
    }
    this.dirtyHead = null;
    this.dirtyTail = null;
    this.dirtyCount = 0;
    return out;
  }

  /** The cached entries in [from, toExclusive) as an overlay (values; null for pending deletes). */
  overlay(from: Uint8Array | null, toExclusive: Uint8Array | null, reverse: boolean): OverlaySource {
    this.openOverlays++;
    return new CacheOverlay(this.entries.cursor(from, toExclusive, reverse), this.overlayEnded);
  }

  /** Removes every entry. */
  clear(): void {
    this.pool.usedBytes -= this.bytes;
    this.entries.clear();
    this.index.clear();
    this.lruHead = this.lruTail = null;
    this.dirtyHead = this.dirtyTail = null;
    this.dirtyCount = 0;
    this.bytes = 0;
  }

  private link(entry: CacheEntry): void {
    this.bytes += entry.size;
    this.pool.usedBytes += entry.size;
    this.linkLru(entry);
    if (entry.dirty) this.linkDirty(entry);
  }

  private touch(entry: CacheEntry): void {
    if (this.lruTail === entry) return;
    this.unlinkLru(entry);
    this.linkLru(entry);
  }

  private linkLru(entry: CacheEntry): void {
    entry.lruPrev = this.lruTail;
    entry.lruNext = null;
    if (this.lruTail !== null) this.lruTail.lruNext = entry;
    else this.lruHead = entry;
    this.lruTail = entry;
  }

  private unlinkLru(entry: CacheEntry): void {
    if (entry.lruPrev !== null) entry.lruPrev.lruNext = entry.lruNext;
    else this.lruHead = entry.lruNext;
    if (entry.lruNext !== null) entry.lruNext.lruPrev = entry.lruPrev;
    else this.lruTail = entry.lruPrev;
    entry.lruPrev = entry.lruNext = null;
  }

  private linkDirty(entry: CacheEntry): void {
    entry.dirtyPrev = this.dirtyTail;
    entry.dirtyNext = null;
    if (this.dirtyTail !== null) this.dirtyTail.dirtyNext = entry;
    else this.dirtyHead = entry;
    this.dirtyTail = entry;
    this.dirtyCount++;
  }

  private unlink(entry: CacheEntry): void {
    this.bytes -= entry.size;
    this.pool.usedBytes -= entry.size;
    this.unlinkLru(entry);
    if (!entry.dirty) return;
    if (entry.dirtyPrev !== null) entry.dirtyPrev.dirtyNext = entry.dirtyNext;
    else this.dirtyHead = entry.dirtyNext;
    if (entry.dirtyNext !== null) entry.dirtyNext.dirtyPrev = entry.dirtyPrev;
    else this.dirtyTail = entry.dirtyPrev;
    entry.dirtyPrev = entry.dirtyNext = null;
    entry.dirty = false;
    this.dirtyCount--;
  }
}
