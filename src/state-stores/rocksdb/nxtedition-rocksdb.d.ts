/**
 * The part of `@nxtedition/rocksdb` (12.x, RocksDB 9) that the RocksDB engine uses; the package
 * ships no types. Everything here was checked against the package's index.js, iterator.js,
 * chained-batch.js and binding.cc:
 * - open and close are asynchronous; `_getManySync`, `querySync`, `_iterator` + `_nextvSync`,
 *   `_chainedBatch` + `_writeSync` and `_clear` (a DeleteRange) run synchronously on the calling
 *   thread;
 * - calling any of them after close dereferences freed memory (a crash, not an exception), and a
 *   zero-length Uint8Array without backing memory trips an assertion: callers must guard both.
 */
declare module '@nxtedition/rocksdb' {
  /** A column family handle (an opaque native pointer). */
  export interface RocksColumn {
    readonly __column: unique symbol;
  }

  /** Options of a column family (and of the default one). */
  export interface RocksColumnOptions {
    /** Block cache bytes; 0 turns the block cache off. */
    cacheSize?: number;
    /** ZSTD compression of SST files (default true). */
    compression?: boolean;
    /**
     * Level (or universal) compaction tuned for `memtableMemoryBudget`: write_buffer_size =
     * budget / 4, max_write_buffer_number = 6, min_write_buffer_number_to_merge = 2. Without it
     * RocksDB's defaults apply (64 MiB memtables, 2 of them) and the budget is ignored.
     */
    compaction?: 'level' | 'universal';
    /** Bytes (default 256 MiB); read only together with `compaction`. */
    memtableMemoryBudget?: number;
  }

  export interface RocksOpenOptions {
    createIfMissing?: boolean;
    errorIfExists?: boolean;
    /** Column families to open (created when missing); must include `default`. */
    columns?: Record<string, RocksColumnOptions>;
    /** Background threads. */
    parallelism?: number;
    walCompression?: boolean;
  }

  export interface RocksReadOptions {
    column?: RocksColumn;
    fillCache?: boolean;
  }

  export interface RocksIteratorOptions {
    column?: RocksColumn;
    gte?: Uint8Array;
    gt?: Uint8Array;
    lt?: Uint8Array;
    lte?: Uint8Array;
    reverse?: boolean;
    limit?: number;
    fillCache?: boolean;
    /** Must be 'buffer' (or 'utf8'): the binding has no default. */
    keyEncoding: 'buffer';
    valueEncoding: 'buffer';
  }

  /** Keys and values alternate: rows[2i] is a key, rows[2i + 1] its value. */
  export interface RocksRows {
    rows: Buffer[];
    finished: boolean;
  }

  export interface RocksIterator {
    _nextvSync(size: number): RocksRows;
    _closeSync(): void;
  }

  export interface RocksWriteOptions {
    /** fsync the WAL before returning. */
    sync?: boolean;
  }

  export interface RocksChainedBatch {
    _put(key: Uint8Array, value: Uint8Array, options?: { column?: RocksColumn }): void;
    _del(key: Uint8Array, options?: { column?: RocksColumn }): void;
    /** Empties the batch for reuse. */
    _clear(): void;
    _writeSync(options?: RocksWriteOptions): void;
    _closeSync(): void;
    readonly length: number;
  }

  export class RocksLevel {
    constructor(location: string, options?: Record<string, unknown>);
    readonly status: 'opening' | 'open' | 'closing' | 'closed';
    readonly location: string;
    readonly columns: Record<string, RocksColumn>;
    /** The native database as a pointer (only while open), for binding.db_init in this process. */
    readonly handle: bigint;
    open(options?: RocksOpenOptions): Promise<void>;
    close(): Promise<void>;
    /** Values by key: undefined when absent. */
    _getManySync(keys: readonly Uint8Array[], options?: RocksReadOptions): (Buffer | undefined | null)[];
    querySync(options: RocksIteratorOptions): RocksRows;
    _iterator(options: RocksIteratorOptions): RocksIterator;
    _chainedBatch(): RocksChainedBatch;
    /** DeleteRange [gte, lt), done before returning; errors arrive through the callback. */
    _clear(
      options: { gte: Uint8Array; lt: Uint8Array; column?: RocksColumn },
      callback: (err?: Error) => void,
    ): void;
    getProperty(property: string): string;
  }
}

/**
 * The package's native module, as its index.js and chained-batch.js call it (checked against
 * binding.cc): a database handle (`RocksLevel.handle`) turns into a native database context that
 * does not own the database; a batch is a native WriteBatch freed by the garbage collector.
 * `options` of batch_put/batch_del may be undefined (no column: the default one).
 */
declare module '@nxtedition/rocksdb/binding.js' {
  import type { RocksColumn } from '@nxtedition/rocksdb';

  /** A native database context (an opaque pointer). */
  export interface NativeDb {
    readonly __nativeDb: unique symbol;
  }

  /** A native WriteBatch (an opaque pointer). */
  export interface NativeBatch {
    readonly __nativeBatch: unique symbol;
  }

  const binding: {
    db_init(handle: bigint): NativeDb;
    batch_init(): NativeBatch;
    batch_put(
      batch: NativeBatch,
      key: Uint8Array,
      value: Uint8Array,
      options: { column: RocksColumn } | undefined,
    ): void;
    batch_del(batch: NativeBatch, key: Uint8Array, options: { column: RocksColumn } | undefined): void;
    batch_clear(batch: NativeBatch): void;
    /** Writes the batch before returning; throws what RocksDB reports. */
    batch_write(db: NativeDb, batch: NativeBatch, options: { sync: boolean }): void;
  };
  export default binding;
}
