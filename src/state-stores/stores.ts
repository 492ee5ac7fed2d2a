/**
 * Builders of key-value stores: an engine, the transaction buffer over it, the record cache in
 * front (unless its size is 0 and nobody listens), and the typed layer with its serdes.
 */
import type { Serde } from '../serdes/serde.js';
import type { StoreEngine } from './engine.js';
import type { KeyValueBytesStore } from './key-value-bytes-store.js';
import type { KeyValueStore } from './key-value-store.js';
import type { MemoryBudget } from './memory-budget.js';
import type { RecordContext } from './record-cache.js';
import { resolveStoreConfig, type StoreConfig } from './store-config.js';
import { type BytesStoreHooks, buildStoreStack } from './store-stack.js';
import {
  type TimestampedKeyValueStore,
  type ValueAndTimestamp,
  valueAndTimestampSerde,
} from './timestamped-key-value-store.js';
import { type TypedFlushedEntry, TypedKeyValueStore, typedFlushListener } from './typed-key-value-store.js';

/**
 * The bytes store stack over `engine`: transaction buffer, then the record cache when
 * `cacheMaxBytes` > 0 or a listener is given (a pass-through cache that forwards every write).
 *
 * @example
 * ```ts
 * const bytes = keyValueBytesStore(MemoryEngine.open('counts'), { cacheMaxBytes: 0 });
 * ```
 * @throws ConfigError for an invalid config, such as a negative cacheMaxBytes.
 */
export function keyValueBytesStore(
  engine: StoreEngine,
  config: Partial<StoreConfig> = {},
  hooks: BytesStoreHooks = {},
): KeyValueBytesStore {
  return buildStoreStack(engine, resolveStoreConfig(config), hooks).top;
}

/**
 * Options of a typed key-value store.
 *
 * @example
 * ```ts
 * const options: KeyValueStoreOptions<string, number> = { engine, keySerde: Serdes.string(), valueSerde: Serdes.int64() };
 * ```
 */
export interface KeyValueStoreOptions<K, V> {
  engine: StoreEngine;
  keySerde: Serde<K>;
  valueSerde: Serde<V>;
  config?: Partial<StoreConfig>;
  /** Receives each flush of the record cache, typed. */
  onFlush?: (entries: readonly TypedFlushedEntry<K, V>[]) => void;
  recordContext?: () => RecordContext | undefined;
  /** The topic name given to the serdes; the store name unless given (the runtime passes the changelog). */
  serdeTopic?: string;
  /** The process's memory budget: the record cache then draws from its shared cache bytes. */
  memoryBudget?: MemoryBudget;
}

/**
 * A typed key-value store over `engine`.
 *
 * @example
 * ```ts
 * const counts = keyValueStore({
 *   engine: await RocksDbEngine.open({ name: 'counts', dir }),
 *   keySerde: Serdes.string(),
 *   valueSerde: Serdes.int64(),
 *   onFlush: (entries) => entries.forEach((e) => forward(e.key, e.value)),
 * });
 * ```
 * @throws ConfigError for an invalid config.
 */
export function keyValueStore<K, V>(options: KeyValueStoreOptions<K, V>): KeyValueStore<K, V> {
  const topic = options.serdeTopic ?? options.engine.name;
  const hooks: BytesStoreHooks = {};
  if (options.onFlush !== undefined) {
    hooks.listener = typedFlushListener(options.keySerde, options.valueSerde, topic, options.onFlush);
  }
  if (options.recordContext !== undefined) hooks.recordContext = options.recordContext;
  if (options.memoryBudget !== undefined) hooks.cachePool = options.memoryBudget.caches;
  const bytes = keyValueBytesStore(options.engine, options.config, hooks);
  return new TypedKeyValueStore(bytes, options.keySerde, options.valueSerde, topic);
}

/**
 * A typed key-value store whose values carry their record timestamps.
 *
 * @example
 * ```ts
 * const table = timestampedKeyValueStore({ engine, keySerde: Serdes.string(), valueSerde: Serdes.int64() });
 * table.put('alice', { value: 3, timestampMs: 1000 });
 * ```
 * @throws ConfigError for an invalid config.
 */
export function timestampedKeyValueStore<K, V>(
  options: Omit<KeyValueStoreOptions<K, V>, 'onFlush'> & {
    onFlush?: (entries: readonly TypedFlushedEntry<K, ValueAndTimestamp<V>>[]) => void;
  },
): TimestampedKeyValueStore<K, V> {
  return keyValueStore<K, ValueAndTimestamp<V>>({
    ...options,
    valueSerde: valueAndTimestampSerde(options.valueSerde),
  });
}
