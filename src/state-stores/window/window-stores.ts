/**
 * The builder of window stores: engine, transaction buffer, record cache, segments, serdes.
 */
import type { Serde } from '../../serdes/serde.js';
import type { FlushedEntry } from '../caching-bytes-store.js';
import type { StoreEngine } from '../engine.js';
import type { RecordContext } from '../record-cache.js';
import { SegmentedBytesStore } from '../segmented-bytes-store.js';
import { resolveStoreConfig, type StoreConfig } from '../store-config.js';
import { buildStoreStack } from '../store-stack.js';
import type { TypedFlushedEntry } from '../typed-key-value-store.js';
import type { Windowed } from '../windowed.js';
import { SegmentedWindowStore } from './segmented-window-store.js';
import { resolveWindowStoreConfig, type WindowStoreConfig } from './window-config.js';
import { parseWindowStoreKey } from './window-key-schema.js';
import type { WindowStore } from './window-store.js';

/**
 * Options of a window store.
 *
 * @example
 * ```ts
 * const options: WindowStoreOptions<string, number> = {
 *   engine, keySerde: Serdes.string(), valueSerde: Serdes.int64(), config: { windowSizeMs: 60_000 },
 * };
 * ```
 */
export interface WindowStoreOptions<K, V> {
  engine: StoreEngine;
  keySerde: Serde<K>;
  valueSerde: Serde<V>;
  config: Partial<WindowStoreConfig> & { windowSizeMs: number };
  storeConfig?: Partial<StoreConfig>;
  /** Receives each flush of the record cache (window updates, collapsed per key and window). */
  onFlush?: (entries: readonly TypedFlushedEntry<Windowed<K>, V>[]) => void;
  recordContext?: () => RecordContext | undefined;
  /** The topic name given to the serdes; the store name unless given. */
  serdeTopic?: string;
}

/**
 * Opens a window store over `engine` (synchronously: the engine is already open).
 *
 * @example
 * ```ts
 * const store = windowStore({
 *   engine: MemoryEngine.open('views-per-page'),
 *   keySerde: Serdes.string(),
 *   valueSerde: Serdes.int64(),
 *   config: { windowSizeMs: 60_000, retentionMs: 3_600_000 },
 * });
 * ```
 * @throws ConfigError for an invalid config; CorruptRecordError when the engine holds data that is
 * not a window store's.
 */
export function windowStore<K, V>(options: WindowStoreOptions<K, V>): WindowStore<K, V> {
  const config = resolveWindowStoreConfig(options.config);
  const topic = options.serdeTopic ?? options.engine.name;
  const onFlush = options.onFlush;
  const listener =
    onFlush === undefined
      ? undefined
      : (entries: readonly FlushedEntry[]) =>
          onFlush(
            entries.map((e) => {
              const { key, windowStartMs } = parseWindowStoreKey(e.key);
              return {
                key: {
                  key: options.keySerde.deserialize(topic, key),
                  window: { startMs: windowStartMs, endMs: windowStartMs + config.windowSizeMs },
                },
                value: e.value === null ? null : options.valueSerde.deserialize(topic, e.value),
                oldValue:
                  e.oldValue === undefined ? undefined : options.valueSerde.deserialize(topic, e.oldValue),
                context: e.context,
              };
            }),
          );
  const { top, base } = buildStoreStack(options.engine, resolveStoreConfig(options.storeConfig), {
    ...(listener === undefined ? {} : { listener }),
    ...(options.recordContext === undefined ? {} : { recordContext: options.recordContext }),
  });
  const segments = SegmentedBytesStore.open(top, base, config);
  return new SegmentedWindowStore(segments, options.keySerde, options.valueSerde, config, topic);
}
