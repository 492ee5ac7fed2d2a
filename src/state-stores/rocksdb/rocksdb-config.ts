/**
 * Configuration of the RocksDB engine, defaults in one place.
 */
import { bool, intInRange, rejectUnknownKeys } from '../../common/config.js';

/**
 * Configuration of a RocksDbEngine.
 *
 * @example
 * ```ts
 * const config: Partial<RocksDbConfig> = { blockCacheBytes: 64 << 20, syncWrites: true };
 * ```
 */
export interface RocksDbConfig {
  /** Block cache of the store's data, in bytes (0 turns it off). */
  blockCacheBytes: number;
  /** ZSTD-compress SST files: less disk, more CPU in background flushes and compactions. */
  compression: boolean;
  /**
   * fsync the write-ahead log on every write batch. Off by default: a batch and the changelog
   * offsets it reflects are written atomically, so a machine crash that loses the last batches
   * leaves a consistent older state whose stored offset tells restoration where to resume.
   */
  syncWrites: boolean;
  /** Background threads for flushes and compactions. */
  backgroundThreads: number;
  /**
   * Memory for the store's memtables (RocksDB's memtable_memory_budget with level compaction
   * tuned for it: write buffers of a quarter of it, flushed two at a time, levels 0 and 1 left
   * uncompressed), when the engine has no share of a MemoryBudget. It bounds what
   * a crash leaves to replay from the write-ahead log when the store opens again: with RocksDB's
   * own default (64 MiB write buffers) a kill -9 left a million recent writes in the log, whose
   * replay and flush took ~2 s of the store's next open; 16 MiB took ~0.4 s, and restoring into
   * the store was no slower (benchmarks/app-recovery). 0: RocksDB's default.
   */
  memtableBudgetBytes: number;
  /**
   * Write batches on a helper thread (rocksdb-writer.ts) while the caller goes on, their writes
   * readable from memory until RocksDB holds them: a batch's puts and memtable inserts were about
   * a quarter of a stream thread's time per record in a windowed count. A process crash may then
   * lose the last batches handed over (up to 4 per store) besides those RocksDB had not synced:
   * the stored offsets still match the data, and restoration replays the changelog from there.
   * Ignored with `syncWrites` (a synced write returns only once it is on disk).
   */
  writeBehind: boolean;
}

/**
 * The defaults of every RocksDbConfig key.
 *
 * @example
 * ```ts
 * DEFAULT_ROCKSDB_CONFIG.blockCacheBytes; // 8 MiB
 * ```
 */
export const DEFAULT_ROCKSDB_CONFIG: Readonly<RocksDbConfig> = Object.freeze({
  blockCacheBytes: 8 * 1024 * 1024,
  compression: true,
  syncWrites: false,
  backgroundThreads: 1,
  memtableBudgetBytes: 16 * 1024 * 1024,
  writeBehind: true,
});

/**
 * Fills in defaults and validates every key.
 *
 * @example
 * ```ts
 * const config = resolveRocksDbConfig({ blockCacheBytes: 64 * 1024 * 1024 });
 * ```
 * @throws ConfigError naming the first bad key, its value and what is accepted.
 */
export function resolveRocksDbConfig(input: Partial<RocksDbConfig> = {}): RocksDbConfig {
  rejectUnknownKeys('RocksDbConfig', input, Object.keys(DEFAULT_ROCKSDB_CONFIG));
  const c = { ...DEFAULT_ROCKSDB_CONFIG, ...input };
  return {
    // The binding reads the cache size as a uint32.
    blockCacheBytes: intInRange('blockCacheBytes', c.blockCacheBytes, 0, 2 ** 32 - 1),
    compression: bool('compression', c.compression),
    syncWrites: bool('syncWrites', c.syncWrites),
    backgroundThreads: intInRange('backgroundThreads', c.backgroundThreads, 1, 64),
    memtableBudgetBytes: intInRange('memtableBudgetBytes', c.memtableBudgetBytes, 0, Number.MAX_SAFE_INTEGER),
    writeBehind: bool('writeBehind', c.writeBehind),
  };
}
