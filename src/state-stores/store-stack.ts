/**
 * Assembles the layers under a store: the transaction buffer over the engine, and the record cache
 * in front of it unless the cache is off and nobody listens.
 */
import type { CacheBytesPool } from './cache-bytes-pool.js';
import { CachingBytesStore, type FlushListener } from './caching-bytes-store.js';
import type { StoreEngine } from './engine.js';
import type { KeyValueBytesStore } from './key-value-bytes-store.js';
import type { RecordContext } from './record-cache.js';
import type { StoreConfig } from './store-config.js';
import { TransactionalBytesStore } from './transactional-bytes-store.js';

/**
 * Hooks of the record cache of a store.
 *
 * @example
 * ```ts
 * const hooks: BytesStoreHooks = { listener, recordContext: () => task.currentRecordContext };
 * ```
 */
export interface BytesStoreHooks {
  /** Receives each flush's collapsed updates, in order. */
  listener?: FlushListener;
  /** The context of the record being processed, kept with each cached write. */
  recordContext?: () => RecordContext | undefined;
  /** The byte bound the record cache shares with the other stores' caches (MemoryBudget.caches). */
  cachePool?: CacheBytesPool;
}

/**
 * The layers of one store: `top` takes reads and writes; `base` is the transaction buffer.
 *
 * @example
 * ```ts
 * const { top, base } = buildStoreStack(engine, config);
 * ```
 */
export interface StoreStack {
  readonly top: KeyValueBytesStore;
  readonly base: TransactionalBytesStore;
}

/**
 * Builds the layers over `engine` with a resolved config.
 *
 * @example
 * ```ts
 * const { top, base } = buildStoreStack(engine, resolveStoreConfig({ cacheMaxBytes: 0 }));
 * ```
 */
export function buildStoreStack(
  engine: StoreEngine,
  config: StoreConfig,
  hooks: BytesStoreHooks = {},
): StoreStack {
  const base = new TransactionalBytesStore(engine, config);
  if (config.cacheMaxBytes === 0 && hooks.listener === undefined) return { top: base, base };
  const top = new CachingBytesStore(base, {
    maxBytes: config.cacheMaxBytes,
    sendOldValues: config.sendOldValues,
    ...(hooks.listener === undefined ? {} : { listener: hooks.listener }),
    ...(hooks.recordContext === undefined ? {} : { recordContext: hooks.recordContext }),
    ...(hooks.cachePool === undefined ? {} : { pool: hooks.cachePool }),
  });
  return { top, base };
}
