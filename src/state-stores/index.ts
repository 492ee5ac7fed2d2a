/**
 * The state-stores module: store contracts (key-value, timestamped, window, session, versioned),
 * their builders, the engines (RocksDB and in-memory) and the transactional commit. Re-exported by
 * the public index; import from here inside millrace.
 */

export { bytesEqual, compareBytes, prefixEnd } from './byte-order.js';
export { CacheBytesPool } from './cache-bytes-pool.js';
export {
  CachingBytesStore,
  type CachingOptions,
  type FlushedEntry,
  type FlushListener,
} from './caching-bytes-store.js';
export type { ChangelogProducer } from './changelog/changelog-producer.js';
export {
  CHANGELOG_ADDITIONAL_RETENTION_MS,
  type ChangelogStoreKind,
  type ChangelogTopicConfig,
  changelogPartitionId,
  changelogTopicConfig,
  changelogTopicName,
} from './changelog/changelog-topic.js';
export { StoreChangelogger, type StoreChangeloggerOptions } from './changelog/store-changelogger.js';
export type { ByteRange, ChangelogOffsets, StoreEngine, WriteOp } from './engine.js';
export {
  EngineMemoryPool,
  type EngineMemoryPoolOptions,
  type EngineMemoryShare,
} from './engine-memory-pool.js';
export type { KeyValueBytesStore } from './key-value-bytes-store.js';
export {
  ArrayKeyValueIterator,
  BaseKeyValueIterator,
  emptyIterator,
  type KeyValue,
  type KeyValueIterator,
} from './key-value-iterator.js';
export type { KeyValueStore, ReadOnlyKeyValueStore } from './key-value-store.js';
export { MemoryEngine, MemoryVolume } from './memory/memory-engine.js';
export { MemoryBudget } from './memory-budget.js';
export {
  DEFAULT_MEMORY_BUDGET_CONFIG,
  type MemoryBudgetConfig,
  resolveMemoryBudgetConfig,
} from './memory-budget-config.js';
export type { RecordContext } from './record-cache.js';
export type { ChangelogFetch, ChangelogReader } from './restore/changelog-reader.js';
export type { EngineSource } from './restore/engine-source.js';
export { MemoryEngineSource } from './restore/memory-engine-source.js';
export type { RestoreEvent, RestoreListener, WipeReason } from './restore/restore-events.js';
export { RocksDbEngineSource } from './restore/rocksdb-engine-source.js';
export {
  type ChangelogRecordCheck,
  type RestoreOptions,
  type RestoreResult,
  restoreStore,
} from './restore/store-restorer.js';
export { valueSerdeCheck } from './restore/value-serde-check.js';
export {
  DEFAULT_ROCKSDB_CONFIG,
  type RocksDbConfig,
  resolveRocksDbConfig,
} from './rocksdb/rocksdb-config.js';
export { RocksDbEngine, type RocksDbEngineOptions } from './rocksdb/rocksdb-engine.js';
export {
  DEFAULT_SESSION_STORE_CONFIG,
  resolveSessionStoreConfig,
  type SessionStoreConfig,
} from './session/session-config.js';
export type { ReadOnlySessionStore, SessionStore } from './session/session-store.js';
export { type SessionStoreOptions, sessionStore } from './session/session-stores.js';
export { claimStateDirectory, STATE_DIR_MARKER } from './state-directory.js';
export type { StateStore } from './state-store.js';
export { DEFAULT_STORE_CONFIG, resolveStoreConfig, type StoreConfig } from './store-config.js';
export { type BytesStoreHooks, buildStoreStack, type StoreStack } from './store-stack.js';
export {
  type KeyValueStoreOptions,
  keyValueBytesStore,
  keyValueStore,
  timestampedKeyValueStore,
} from './stores.js';
export {
  type TimestampedKeyValueStore,
  type ValueAndTimestamp,
  valueAndTimestampSerde,
} from './timestamped-key-value-store.js';
export { TransactionalBytesStore } from './transactional-bytes-store.js';
export { type TypedFlushedEntry, TypedKeyValueStore } from './typed-key-value-store.js';
export {
  DEFAULT_VERSIONED_STORE_CONFIG,
  resolveVersionedStoreConfig,
  type VersionedStoreConfig,
} from './versioned/versioned-config.js';
export {
  PUT_RETURN_CODE_NOT_PUT,
  PUT_RETURN_CODE_VALID_TO_UNDEFINED,
  type VersionedKeyValueStore,
  type VersionedRecord,
} from './versioned/versioned-store.js';
export { type VersionedStoreOptions, versionedKeyValueStore } from './versioned/versioned-stores.js';
export {
  DEFAULT_WINDOW_STORE_CONFIG,
  resolveWindowStoreConfig,
  type WindowStoreConfig,
} from './window/window-config.js';
export type { ReadOnlyWindowStore, WindowStore } from './window/window-store.js';
export { type WindowStoreOptions, windowStore } from './window/window-stores.js';
export type { TimeWindow, Windowed } from './windowed.js';
