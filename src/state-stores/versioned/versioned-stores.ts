/**
 * The builder of versioned key-value stores. As in Kafka Streams, versioned stores have no record
 * cache: every put is a version of its own.
 */
import type { Serde } from '../../serdes/serde.js';
import type { StoreEngine } from '../engine.js';
import { resolveStoreConfig, type StoreConfig } from '../store-config.js';
import { buildStoreStack } from '../store-stack.js';
import { VersionHistoryStore } from './version-history-store.js';
import { resolveVersionedStoreConfig, type VersionedStoreConfig } from './versioned-config.js';
import type { VersionedKeyValueStore } from './versioned-store.js';

/**
 * Options of a versioned store.
 *
 * @example
 * ```ts
 * const options: VersionedStoreOptions<string, number> = { engine, keySerde: Serdes.string(), valueSerde: Serdes.double() };
 * ```
 */
export interface VersionedStoreOptions<K, V> {
  engine: StoreEngine;
  keySerde: Serde<K>;
  valueSerde: Serde<V>;
  config?: Partial<VersionedStoreConfig>;
  /** Only maxUncommittedBytes applies: versioned stores have no cache. */
  storeConfig?: Partial<Pick<StoreConfig, 'maxUncommittedBytes'>>;
  /** The topic name given to the serdes; the store name unless given. */
  serdeTopic?: string;
}

/**
 * Opens a versioned key-value store over `engine` (synchronously: the engine is already open).
 *
 * @example
 * ```ts
 * const store = versionedKeyValueStore({
 *   engine: MemoryEngine.open('prices'),
 *   keySerde: Serdes.string(),
 *   valueSerde: Serdes.double(),
 *   config: { historyRetentionMs: 3_600_000 },
 * });
 * ```
 * @throws ConfigError for an invalid config.
 */
export function versionedKeyValueStore<K, V>(
  options: VersionedStoreOptions<K, V>,
): VersionedKeyValueStore<K, V> {
  const config = resolveVersionedStoreConfig(options.config);
  const storeConfig = resolveStoreConfig({ ...options.storeConfig, cacheMaxBytes: 0 });
  const { base } = buildStoreStack(options.engine, storeConfig);
  return new VersionHistoryStore(
    base,
    options.keySerde,
    options.valueSerde,
    config,
    options.serdeTopic ?? options.engine.name,
  );
}
