/**
 * The RocksDB engine as an EngineSource: wiping removes the store's directory.
 */
import { rm } from 'node:fs/promises';
import { StateStoreFailedError } from '../../common/errors.js';
import type { StoreEngine } from '../engine.js';
import { RocksDbEngine, type RocksDbEngineOptions } from '../rocksdb/rocksdb-engine.js';
import type { EngineSource } from './engine-source.js';

/** What RocksDB says about data it cannot read (as opposed to a held lock or a full disk). */
const CORRUPT = /corrupt|unreadable|did not open|checksum|bad magic|no such file.*(CURRENT|MANIFEST)/i;

/**
 * An EngineSource over a RocksDB directory.
 *
 * @example
 * ```ts
 * const source = new RocksDbEngineSource({ name: 'counts', dir: '/data/state/0_3/counts' });
 * const { engine, result } = await restoreStore({ source, reader: client, topic, partition: 3, clock });
 * ```
 * @throws StateStoreFailedError from `open` (see RocksDbEngine.open).
 */
export class RocksDbEngineSource implements EngineSource {
  constructor(private readonly options: RocksDbEngineOptions) {}

  get name(): string {
    return this.options.name;
  }

  /** The store's directory. */
  get dir(): string {
    return this.options.dir;
  }

  open(): Promise<StoreEngine> {
    return RocksDbEngine.open(this.options);
  }

  async wipe(): Promise<void> {
    await rm(this.options.dir, { recursive: true, force: true });
  }

  /** A failed open counts as corrupt unless it is about the lock (another process has the store). */
  isCorrupt(error: unknown): boolean {
    if (!(error instanceof StateStoreFailedError)) return false;
    const text = `${error.message} ${String((error.cause as { message?: string } | undefined)?.message ?? '')}`;
    return CORRUPT.test(text) && !/lock/i.test(text);
  }
}
