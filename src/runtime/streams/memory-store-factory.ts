/**
 * Builds a task's stores in memory: what TopologyTestDriver, benchmarks and simulations use. The
 * record cache is off (size 0), so every update is visible downstream at once, as Kafka's test
 * driver shows them; timestamped definitions store values with their timestamps.
 */
import type { StoreDefinition } from '../../dsl/store-definitions.js';
import type { Serde } from '../../serdes/serde.js';
import type { StoreEngine } from '../../state-stores/engine.js';
import { MemoryEngine } from '../../state-stores/memory/memory-engine.js';
import { sessionStore } from '../../state-stores/session/session-stores.js';
import type { StateStore } from '../../state-stores/state-store.js';
import { keyValueStore } from '../../state-stores/stores.js';
import { valueAndTimestampSerde } from '../../state-stores/timestamped-key-value-store.js';
import { versionedKeyValueStore } from '../../state-stores/versioned/versioned-stores.js';
import { windowStore } from '../../state-stores/window/window-stores.js';
import type { StoreFactory } from './task-context.js';

/**
 * The value serde a store is built with: timestamped definitions prefix each value with its time.
 *
 * @example
 * ```ts
 * const serde = storedValueSerde(def); // Serde<ValueAndTimestamp<V>> when def.timestamped
 * ```
 * @throws nothing.
 */
export function storedValueSerde(def: StoreDefinition): Serde<unknown> {
  return def.timestamped ? (valueAndTimestampSerde(def.valueSerde) as Serde<unknown>) : def.valueSerde;
}

/**
 * A StoreFactory of in-memory stores with no record cache.
 *
 * @example
 * ```ts
 * const task = new StreamTask(topology, { clock, sink, storeFactory: memoryStoreFactory });
 * ```
 * @throws ConfigError for a definition the store layer rejects.
 */
export const memoryStoreFactory: StoreFactory = (def): StateStore =>
  buildStore(def, MemoryEngine.open(def.name));

/**
 * The store a definition describes, over `engine` (fresh or restored), with no record cache: the
 * DSL's processors forward each update themselves.
 *
 * @example
 * ```ts
 * const store = buildStore(def, restoredEngine);
 * ```
 * @throws ConfigError for a definition the store layer rejects.
 */
export function buildStore(def: StoreDefinition, engine: StoreEngine): StateStore {
  const valueSerde = storedValueSerde(def);
  const storeConfig = { cacheMaxBytes: 0 };
  switch (def.kind) {
    case 'key-value':
      return keyValueStore({ engine, keySerde: def.keySerde, valueSerde, config: storeConfig });
    case 'versioned':
      // Versioned stores keep timestamps themselves: the plain value serde.
      return versionedKeyValueStore({
        engine,
        keySerde: def.keySerde,
        valueSerde: def.valueSerde,
        ...(def.retentionMs === undefined ? {} : { config: { historyRetentionMs: def.retentionMs } }),
      });
    case 'window':
      return windowStore({
        engine,
        keySerde: def.keySerde,
        valueSerde,
        storeConfig,
        config: {
          windowSizeMs: def.windowSizeMs ?? 1,
          ...(def.retentionMs === undefined ? {} : { retentionMs: def.retentionMs }),
          retainDuplicates: def.retainDuplicates ?? false,
        },
      });
    case 'session':
      return sessionStore({
        engine,
        keySerde: def.keySerde,
        valueSerde,
        storeConfig,
        ...(def.retentionMs === undefined ? {} : { config: { retentionMs: def.retentionMs } }),
      });
  }
}
