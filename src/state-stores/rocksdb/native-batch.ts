/**
 * A RocksDB write batch driven through the package's native module rather than its chained-batch
 * wrapper. The wrapper hands the native put an options object (`{}` when there is none), in which
 * the native side looks up a `column` property by name on every call: with the wrapper's own
 * checks that was about half of a put's cost (0.61 against 0.31 µs per put of a 30-byte key,
 * measured on this machine). Passing `undefined` for the default column skips the lookup.
 */
import type { RocksColumn, RocksLevel } from '@nxtedition/rocksdb';
import binding, { type NativeBatch as Batch, type NativeDb } from '@nxtedition/rocksdb/binding.js';

/**
 * One reusable write batch over an open database.
 *
 * @example
 * ```ts
 * const batch = new NativeBatch(db); // db: an open RocksLevel
 * batch.put(key, value);
 * batch.put(offsetKey, offsetValue, { column: db.columns.offsets! });
 * batch.write(false); // atomically, then batch.clear() to reuse it
 * ```
 * @throws from write: what RocksDB reports (an Error with a LEVEL_* code).
 */
export class NativeBatch {
  private readonly db: NativeDb;
  private readonly batch: Batch = binding.batch_init();
  private readonly writeOptions = { sync: false };

  /** `db` must be open; the batch must not be written after the database closed. */
  constructor(db: RocksLevel) {
    this.db = binding.db_init(db.handle);
  }

  /** Both arrays must have backing memory (a zero-length one may not: pass a 1-byte view's subarray). */
  put(key: Uint8Array, value: Uint8Array, column?: { column: RocksColumn }): void {
    binding.batch_put(this.batch, key, value, column);
  }

  del(key: Uint8Array): void {
    binding.batch_del(this.batch, key, undefined);
  }

  /** Writes the batch atomically (with `sync`, fsyncing the write-ahead log first). */
  write(sync: boolean): void {
    this.writeOptions.sync = sync;
    binding.batch_write(this.db, this.batch, this.writeOptions);
  }

  /** Empties the batch for the next write. */
  clear(): void {
    binding.batch_clear(this.batch);
  }
}
