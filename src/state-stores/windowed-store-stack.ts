/**
 * What window and session stores share when they are opened: the store stack (transaction buffer,
 * optional record cache) over the engine, wrapped in time segments, with cache flushes turned back
 * into typed, windowed entries for the listener.
 */
import type { Serde } from '../serdes/serde.js';
import type { FlushedEntry } from './caching-bytes-store.js';
import type { StoreEngine } from './engine.js';
import type { MemoryBudget } from './memory-budget.js';
import type { RecordContext } from './record-cache.js';
import { SegmentedBytesStore, type SegmentedConfig } from './segmented-bytes-store.js';
import { resolveStoreConfig, type StoreConfig } from './store-config.js';
import { buildStoreStack } from './store-stack.js';
import type { TypedFlushedEntry } from './typed-key-value-store.js';
import type { TimeWindow, Windowed } from './windowed.js';

/** The options both windowed store kinds take. */
export interface WindowedStackOptions<K, V> {
  engine: StoreEngine;
  keySerde: Serde<K>;
  valueSerde: Serde<V>;
  storeConfig?: Partial<StoreConfig>;
  onFlush?: (entries: readonly TypedFlushedEntry<Windowed<K>, V>[]) => void;
  recordContext?: () => RecordContext | undefined;
  serdeTopic?: string;
  /** The process's memory budget: the record cache draws on its shared cache bytes. */
  memoryBudget?: MemoryBudget;
}

/**
 * Opens the segmented byte store of a window or session store. `parseKey` splits a stored key
 * into the user's key bytes and the window it belongs to.
 *
 * @example
 * ```ts
 * const { segments, topic } = openWindowedStack(options, config, (bytes) => {
 *   const { key, windowStartMs } = parseWindowStoreKey(bytes);
 *   return { key, window: { startMs: windowStartMs, endMs: windowStartMs + size } };
 * });
 * ```
 */
export function openWindowedStack<K, V>(
  options: WindowedStackOptions<K, V>,
  segmentConfig: SegmentedConfig,
  parseKey: (stored: Uint8Array) => { key: Uint8Array; window: TimeWindow },
): { segments: SegmentedBytesStore; topic: string } {
  const topic = options.serdeTopic ?? options.engine.name;
  const { onFlush, keySerde, valueSerde } = options;
  const listener =
    onFlush === undefined
      ? undefined
      : (entries: readonly FlushedEntry[]) =>
          onFlush(
            entries.map((e) => {
              const { key, window } = parseKey(e.key);
              return {
                key: { key: keySerde.deserialize(topic, key), window },
                value: e.value === null ? null : valueSerde.deserialize(topic, e.value),
                oldValue: e.oldValue === undefined ? undefined : valueSerde.deserialize(topic, e.oldValue),
                context: e.context,
              };
            }),
          );
  const { top, base } = buildStoreStack(options.engine, resolveStoreConfig(options.storeConfig), {
    ...(listener === undefined ? {} : { listener }),
    ...(options.recordContext === undefined ? {} : { recordContext: options.recordContext }),
    ...(options.memoryBudget === undefined ? {} : { cachePool: options.memoryBudget.caches }),
  });
  return { segments: SegmentedBytesStore.open(top, base, segmentConfig), topic };
}
