/**
 * The builder of window stores: engine, transaction buffer, record cache, segments, serdes.
 */

import type { Serde } from '../../serdes/serde.js';
import type { StoreEngine } from '../engine.js';
import type { MemoryBudget } from '../memory-budget.js';
import type { RecordContext } from '../record-cache.js';
import type { StoreConfig } from '../store-config.js';
import type { TypedFlushedEntry } from '../typed-key-value-store.js';
import type { Windowed } from '../windowed.js';
import { openWindowedStack } from '../windowed-store-stack.js';
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
  /** The process's memory budget: the record cache draws on its shared cache bytes. */
  memoryBudget?: MemoryBudget;
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
  const { segments, topic } = openWindowedStack(options, config, (stored) => {
    const { key, windowStartMs } = parseWindowStoreKey(stored);
    return { key, window: { startMs: windowStartMs, endMs: windowStartMs + config.windowSizeMs } };
  });
  return new SegmentedWindowStore(segments, options.keySerde, options.valueSerde, config, topic);
}
