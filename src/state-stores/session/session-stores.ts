/**
 * The builder of session stores: engine, transaction buffer, record cache, segments, serdes.
 */

import type { Serde } from '../../serdes/serde.js';
import type { StoreEngine } from '../engine.js';
import type { MemoryBudget } from '../memory-budget.js';
import type { RecordContext } from '../record-cache.js';
import type { StoreConfig } from '../store-config.js';
import type { TypedFlushedEntry } from '../typed-key-value-store.js';
import type { Windowed } from '../windowed.js';
import { openWindowedStack } from '../windowed-store-stack.js';
import { SegmentedSessionStore } from './segmented-session-store.js';
import { resolveSessionStoreConfig, type SessionStoreConfig } from './session-config.js';
import { parseSessionStoreKey } from './session-key-schema.js';
import type { SessionStore } from './session-store.js';

/**
 * Options of a session store.
 *
 * @example
 * ```ts
 * const options: SessionStoreOptions<string, number> = { engine, keySerde: Serdes.string(), valueSerde: Serdes.int64() };
 * ```
 */
export interface SessionStoreOptions<K, AGG> {
  engine: StoreEngine;
  keySerde: Serde<K>;
  valueSerde: Serde<AGG>;
  config?: Partial<SessionStoreConfig>;
  storeConfig?: Partial<StoreConfig>;
  /** Receives each flush of the record cache (session updates, collapsed per session). */
  onFlush?: (entries: readonly TypedFlushedEntry<Windowed<K>, AGG>[]) => void;
  recordContext?: () => RecordContext | undefined;
  /** The topic name given to the serdes; the store name unless given. */
  serdeTopic?: string;
  /** The process's memory budget: the record cache draws on its shared cache bytes. */
  memoryBudget?: MemoryBudget;
}

/**
 * Opens a session store over `engine` (synchronously: the engine is already open).
 *
 * @example
 * ```ts
 * const store = sessionStore({
 *   engine: MemoryEngine.open('sessions'),
 *   keySerde: Serdes.string(),
 *   valueSerde: Serdes.int64(),
 *   config: { retentionMs: 600_000 },
 * });
 * ```
 * @throws ConfigError for an invalid config; CorruptRecordError when the engine holds data that is
 * not a session store's.
 */
export function sessionStore<K, AGG>(options: SessionStoreOptions<K, AGG>): SessionStore<K, AGG> {
  const config = resolveSessionStoreConfig(options.config);
  const { segments, topic } = openWindowedStack(options, config, (stored) => {
    const { key, startMs, endMs } = parseSessionStoreKey(stored);
    return { key, window: { startMs, endMs } };
  });
  return new SegmentedSessionStore(segments, options.keySerde, options.valueSerde, topic);
}
