/**
 * The record-cache part of the process memory budget: one byte bound that every record cache of
 * the process draws from, as Kafka Streams' ThreadCache bounds the named caches of its stores.
 */

/**
 * A shared byte counter with a bound. Each RecordCache adds and subtracts its entries' bytes here;
 * a cache whose write takes `usedBytes` over `maxBytes` evicts its own least recently used entries
 * (flushing its dirty ones first) until the pool fits or the cache is empty. Caches never evict
 * each other's entries: a flush forwards records downstream, which must happen in the task that
 * owns the store. That keeps `usedBytes <= maxBytes` after every cache operation: a cache evicts
 * until the total fits or it holds nothing, and what the others hold fitted before.
 *
 * @example
 * ```ts
 * const pool = new CacheBytesPool(10 * 1024 * 1024);
 * const store = new CachingBytesStore(inner, { maxBytes: 1 << 20, pool });
 * pool.usedBytes <= pool.maxBytes; // always
 * ```
 * @throws Nothing.
 */
export class CacheBytesPool {
  /** Bytes held by every cache drawing from the pool. Changed only by the caches. */
  usedBytes = 0;
  private caches = 0;

  constructor(readonly maxBytes: number) {}

  /** How many caches draw from the pool. */
  get cacheCount(): number {
    return this.caches;
  }

  /** Each cache's part if all were equally busy: for metrics and sizing, not enforced per cache. */
  get fairShareBytes(): number {
    return Math.floor(this.maxBytes / Math.max(1, this.caches));
  }

  /** Over the bound? */
  get over(): boolean {
    return this.usedBytes > this.maxBytes;
  }

  /** A cache starts drawing from the pool. */
  register(): void {
    this.caches++;
  }

  /** A cache stops (after returning its bytes). */
  unregister(): void {
    this.caches--;
  }
}
