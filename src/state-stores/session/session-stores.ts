/**
 * The builder of session stores: engine, transaction buffer, record cache, segments, serdes.
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
  const topic = options.serdeTopic ?? options.engine.name;
  const onFlush = options.onFlush;
  const listener =
    onFlush === undefined
      ? undefined
      : (entries: readonly FlushedEntry[]) =>
          onFlush(
            entries.map((e) => {
              const { key, startMs, endMs } = parseSessionStoreKey(e.key);
              return {
                key: { key: options.keySerde.deserialize(topic, key), window: { startMs, endMs } },
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
  return new SegmentedSessionStore(segments, options.keySerde, options.valueSerde, topic);
}
