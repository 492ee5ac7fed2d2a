/**
 * Configuration of the process-wide memory budget of the state stores, defaults in one place.
 */
import { intInRange, rejectUnknownKeys } from '../common/config.js';
import { ConfigError } from '../common/errors.js';

/**
 * The memory of every store of a process: RocksDB block caches and write buffers, and the record
 * caches in front of the stores.
 *
 * @example
 * ```ts
 * const config: Partial<MemoryBudgetConfig> = { rocksDbMaxBytes: 512 << 20, expectedEngines: 16, cacheMaxBytes: 32 << 20 };
 * ```
 */
export interface MemoryBudgetConfig {
  /** Bytes of block caches and write buffers (memtables) of all RocksDB engines together. */
  rocksDbMaxBytes: number;
  /** The part of each engine's share given to its write buffers; the rest is its block cache. */
  writeBufferRatio: number;
  /**
   * Engines the RocksDB bytes are divided among at least: an engine opens with
   * rocksDbMaxBytes / max(expectedEngines, engines open) (less when less is free). Set it to the
   * number of stores a process will open, so the first engines do not take the whole budget.
   */
  expectedEngines: number;
  /**
   * Bytes an engine opens with when the budget has less left (RocksDB needs a memtable to run);
   * what goes beyond the budget is reported as `overcommittedBytes`.
   */
  minEngineBytes: number;
  /**
   * Bytes of all record caches together (Kafka Streams' `statestore.cache.max.bytes`). A cache
   * whose write takes the total over this evicts its own least recently used entries, flushing its
   * dirty ones first, as Kafka's ThreadCache does.
   */
  cacheMaxBytes: number;
}

/**
 * The defaults of every MemoryBudgetConfig key.
 *
 * @example
 * ```ts
 * DEFAULT_MEMORY_BUDGET_CONFIG.rocksDbMaxBytes; // 256 MiB
 * ```
 */
export const DEFAULT_MEMORY_BUDGET_CONFIG: Readonly<MemoryBudgetConfig> = Object.freeze({
  rocksDbMaxBytes: 256 * 1024 * 1024,
  writeBufferRatio: 0.25,
  expectedEngines: 8,
  minEngineBytes: 1024 * 1024,
  // Kafka Streams' default statestore.cache.max.bytes.
  cacheMaxBytes: 10 * 1024 * 1024,
});

/** RocksDB's block cache takes a uint32 capacity in this binding; keep each share below it. */
const MAX_ENGINE_BYTES = 2 ** 32 - 1;

/**
 * Fills in defaults and validates every key.
 *
 * @example
 * ```ts
 * const config = resolveMemoryBudgetConfig({ rocksDbMaxBytes: 64 * 1024 * 1024, expectedEngines: 4 });
 * ```
 * @throws ConfigError naming the first bad key (an unknown key, a negative size, a ratio outside
 * [0.05, 0.95], a minEngineBytes above rocksDbMaxBytes), its value and what is accepted.
 */
export function resolveMemoryBudgetConfig(input: Partial<MemoryBudgetConfig> = {}): MemoryBudgetConfig {
  rejectUnknownKeys('MemoryBudgetConfig', input, Object.keys(DEFAULT_MEMORY_BUDGET_CONFIG));
  const c = { ...DEFAULT_MEMORY_BUDGET_CONFIG, ...input };
  const rocksDbMaxBytes = intInRange(
    'rocksDbMaxBytes',
    c.rocksDbMaxBytes,
    1024 * 1024,
    Number.MAX_SAFE_INTEGER,
  );
  const ratio = c.writeBufferRatio;
  if (typeof ratio !== 'number' || !(ratio >= 0.05 && ratio <= 0.95)) {
    throw new ConfigError('writeBufferRatio', ratio, 'a number from 0.05 to 0.95');
  }
  return {
    rocksDbMaxBytes,
    writeBufferRatio: ratio,
    expectedEngines: intInRange('expectedEngines', c.expectedEngines, 1, 100_000),
    // 256 KiB: RocksDB clamps a write buffer to at least 64 KiB and the engine keeps several.
    minEngineBytes: intInRange(
      'minEngineBytes',
      c.minEngineBytes,
      256 * 1024,
      Math.min(rocksDbMaxBytes, MAX_ENGINE_BYTES),
    ),
    cacheMaxBytes: intInRange('cacheMaxBytes', c.cacheMaxBytes, 0, Number.MAX_SAFE_INTEGER),
  };
}
