/**
 * One memory budget for all state stores of a process (DESIGN.md issue 5): the RocksDB engines'
 * block caches and write buffers divided from one byte total, and the record caches bounded
 * together. Create one per process and hand it to every engine and store it opens.
 */
import { CacheBytesPool } from './cache-bytes-pool.js';
import { EngineMemoryPool } from './engine-memory-pool.js';
import { type MemoryBudgetConfig, resolveMemoryBudgetConfig } from './memory-budget-config.js';

/**
 * The process's store memory: `rocksDb` divides RocksDB memory among engines as they open (see
 * EngineMemoryPool for why shares are fixed at open), `caches` bounds the record caches together.
 *
 * @example
 * ```ts
 * const budget = new MemoryBudget({ rocksDbMaxBytes: 512 << 20, expectedEngines: 16, cacheMaxBytes: 32 << 20 });
 * const engine = await RocksDbEngine.open({ name: 'counts', dir, memoryBudget: budget });
 * const counts = keyValueStore({ engine, keySerde: Serdes.string(), valueSerde: Serdes.int64(), memoryBudget: budget });
 * budget.rocksDb.reservedBytes; // 32 MiB: this engine's share
 * budget.caches.usedBytes <= budget.caches.maxBytes; // always
 * ```
 * @throws ConfigError for an invalid config (see resolveMemoryBudgetConfig).
 */
export class MemoryBudget {
  readonly config: Readonly<MemoryBudgetConfig>;
  readonly rocksDb: EngineMemoryPool;
  readonly caches: CacheBytesPool;

  constructor(config: Partial<MemoryBudgetConfig> = {}) {
    this.config = Object.freeze(resolveMemoryBudgetConfig(config));
    this.rocksDb = new EngineMemoryPool({
      totalBytes: this.config.rocksDbMaxBytes,
      expectedEngines: this.config.expectedEngines,
      minEngineBytes: this.config.minEngineBytes,
      writeBufferRatio: this.config.writeBufferRatio,
    });
    this.caches = new CacheBytesPool(this.config.cacheMaxBytes);
  }
}
