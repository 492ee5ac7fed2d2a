/**
 * The RocksDB part of the process memory budget. The binding (@nxtedition/rocksdb 12) builds a
 * block cache per column family at open and exposes neither a shared Cache nor a
 * WriteBufferManager, nor a way to resize either after open. So the closest honest alternative is
 * used: the budget is divided among engines as they open, each opening with its share as its own
 * block cache and write-buffer size, and a closing engine's share returns to the pool for the next
 * ones. Shares of engines already open do not shrink when more open (they cannot be resized); the
 * pool never hands out more than is free, except the minimum an engine needs, and reports that.
 */

/**
 * The memory one engine opens with: `bytes` split into its block cache and its write buffers.
 *
 * @example
 * ```ts
 * const share = pool.reserve('counts');
 * open({ cacheSize: share.blockCacheBytes });
 * share.release(); // at close
 * ```
 */
export interface EngineMemoryShare {
  readonly name: string;
  readonly bytes: number;
  readonly blockCacheBytes: number;
  /** Bound of the engine's memtables together (all write buffers of all its column families). */
  readonly writeBufferBytes: number;
  /** Returns the share to the pool. Idempotent. */
  release(): void;
}

/**
 * Options of an EngineMemoryPool (from a resolved MemoryBudgetConfig).
 *
 * @example
 * ```ts
 * const options: EngineMemoryPoolOptions = { totalBytes: 256 << 20, expectedEngines: 8, minEngineBytes: 1 << 20, writeBufferRatio: 0.25 };
 * ```
 */
export interface EngineMemoryPoolOptions {
  totalBytes: number;
  expectedEngines: number;
  minEngineBytes: number;
  writeBufferRatio: number;
}

/**
 * Divides one byte budget among the RocksDB engines of a process.
 *
 * @example
 * ```ts
 * const pool = new EngineMemoryPool({ totalBytes: 64 << 20, expectedEngines: 4, minEngineBytes: 1 << 20, writeBufferRatio: 0.25 });
 * const a = pool.reserve('a'); // 16 MiB: 12 MiB block cache, 4 MiB write buffers
 * a.release();
 * ```
 * @throws Nothing: a pool that is spent still gives `minEngineBytes` and counts the overrun.
 */
export class EngineMemoryPool {
  private readonly open = new Set<EngineMemoryShare>();
  private reserved = 0;

  constructor(readonly options: EngineMemoryPoolOptions) {}

  /** Bytes held by open engines. */
  get reservedBytes(): number {
    return this.reserved;
  }

  /** Bytes held beyond the budget (engines opened with the minimum when nothing was free). */
  get overcommittedBytes(): number {
    return Math.max(0, this.reserved - this.options.totalBytes);
  }

  /** The shares of the engines open now. */
  shares(): readonly EngineMemoryShare[] {
    return [...this.open];
  }

  /**
   * The share of an engine about to open: an equal part of the budget among
   * max(expectedEngines, engines open + 1), no more than is free, no less than minEngineBytes.
   */
  reserve(name: string): EngineMemoryShare {
    const { totalBytes, expectedEngines, minEngineBytes, writeBufferRatio } = this.options;
    const equal = Math.floor(totalBytes / Math.max(expectedEngines, this.open.size + 1));
    const free = Math.max(0, totalBytes - this.reserved);
    const bytes = Math.max(minEngineBytes, Math.min(equal, free));
    const writeBufferBytes = Math.floor(bytes * writeBufferRatio);
    let released = false;
    const share: EngineMemoryShare = {
      name,
      bytes,
      blockCacheBytes: bytes - writeBufferBytes,
      writeBufferBytes,
      release: () => {
        if (released) return;
        released = true;
        this.open.delete(share);
        this.reserved -= bytes;
      },
    };
    this.open.add(share);
    this.reserved += bytes;
    return share;
  }
}
