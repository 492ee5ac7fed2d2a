/**
 * The RocksDB engine, over `@nxtedition/rocksdb` (only this folder imports the binding).
 * Reads and batch writes are synchronous native calls; only open and close are asynchronous.
 * Store data lives in the default column family; the changelog offsets live in a column family of
 * their own, written in the same atomic WriteBatch as the data they describe.
 *
 * A write-ahead log file is deleted only once every column family with writes in it has flushed
 * them. The offsets column takes a few bytes per commit, so its memtable would stay unflushed for
 * thousands of commits and pin every log file meanwhile (RocksDB's max_total_wal_size would force
 * the flush, but the binding drops that option): a kill -9 then left all of them to replay at the
 * next open (25 files, ~0.28 s for 2 M writes). Each offsets write carries padding in proportion to
 * the data of its batch, so the offsets memtable fills, and flushes, about as often as the data's.
 */
import { type RocksColumn, type RocksColumnOptions, RocksLevel } from '@nxtedition/rocksdb';
import { readInt64, writeInt64 } from '../../common/bytes.js';
import { StateStoreFailedError, StoreClosedError } from '../../common/errors.js';
import { EMPTY_BYTES } from '../byte-order.js';
import type { ByteRange, ChangelogOffsets, StoreEngine, WriteOp } from '../engine.js';
import { OpenIterators, TrackedIterator } from '../engine-iterators.js';
import type { EngineMemoryShare } from '../engine-memory-pool.js';
import type { KeyValueIterator } from '../key-value-iterator.js';
import type { MemoryBudget } from '../memory-budget.js';
import { NativeBatch } from './native-batch.js';
import { type RocksDbConfig, resolveRocksDbConfig } from './rocksdb-config.js';
import { RocksDbIterator } from './rocksdb-iterator.js';
import { RocksDbWriter } from './rocksdb-writer.js';
import { type MetaPut, WriteBehind } from './write-behind.js';

/** The column family of the changelog offsets. */
const META_COLUMN = 'millrace-offsets';

/**
 * Options of RocksDbEngine.open.
 *
 * @example
 * ```ts
 * const options: RocksDbEngineOptions = { name: 'counts', dir: '/data/app/0_1/counts', config: { compression: false } };
 * ```
 */
export interface RocksDbEngineOptions {
  /** The store name, for errors. */
  name: string;
  /** The store's directory (created if missing). */
  dir: string;
  config?: Partial<RocksDbConfig>;
  /**
   * The process's memory budget: the engine opens with a share of its RocksDB bytes (block cache
   * and write buffers, in place of `config.blockCacheBytes` and RocksDB's 64 MiB memtables) and
   * returns it at close.
   */
  memoryBudget?: MemoryBudget;
}

/** Memtable budget of the offsets column: RocksDB's least write buffer (64 KiB) per memtable. */
const META_MEMTABLE_BUDGET_BYTES = 256 * 1024;
/** RocksDB's write buffer of a column family without a memtable budget (RocksDB's default). */
const ROCKSDB_DEFAULT_WRITE_BUFFER_BYTES = 64 * 1024 * 1024;
/**
 * The key of the offsets column's padding (see the module comment): changelog ids are topic names
 * (letters, digits, `._-`) with a partition, so a key that starts with a zero byte is never one.
 */
const WAL_PAD_KEY = Buffer.from('\u0000wal-flush-pad', 'utf8');
/** The largest padding one write adds. */
const MAX_WAL_PAD_BYTES = 64 * 1024;
const ZERO_PAD = Buffer.alloc(MAX_WAL_PAD_BYTES);
/**
 * With `compaction: 'level'` the binding sets write_buffer_size to a quarter of
 * `memtableMemoryBudget` and allows 6 memtables: up to 1.5 × the budget in memtables.
 */
const MEMTABLE_WORST_CASE_FACTOR = 1.5;

/**
 * The offsets column: no cache, no compression, and small write buffers (with RocksDB's 64 MiB
 * ones, the padding of each write would have to be 1000 times larger to make it flush).
 */
const META_COLUMN_OPTIONS: RocksColumnOptions = Object.freeze({
  cacheSize: 0,
  compression: false,
  compaction: 'level',
  memtableMemoryBudget: META_MEMTABLE_BUDGET_BYTES,
});

/**
 * The column options that keep an engine within `share`: its block cache, and memtable budgets
 * whose worst case (1.5 × each budget) fits the share's write-buffer bytes.
 *
 * @example
 * ```ts
 * const columns = budgetedColumns(budget.rocksDb.reserve('counts'), false);
 * ```
 */
export function budgetedColumns(
  share: EngineMemoryShare,
  compression: boolean,
): Record<'default' | typeof META_COLUMN, RocksColumnOptions> {
  const meta = META_MEMTABLE_BUDGET_BYTES * MEMTABLE_WORST_CASE_FACTOR;
  const data = Math.max(
    META_MEMTABLE_BUDGET_BYTES,
    Math.floor((share.writeBufferBytes - meta) / MEMTABLE_WORST_CASE_FACTOR),
  );
  return {
    default: {
      cacheSize: share.blockCacheBytes,
      compression,
      compaction: 'level',
      memtableMemoryBudget: data,
    },
    [META_COLUMN]: META_COLUMN_OPTIONS,
  };
}

/** A write without changelog offsets puts nothing in the offsets column. */
const NO_META: readonly MetaPut[] = [];

/** The binding asserts on a zero-length array without memory; give it one with memory. */
function real(bytes: Uint8Array): Uint8Array {
  return bytes.length === 0 ? EMPTY_BYTES : bytes;
}

function describe(err: unknown): string {
  const e = err as { message?: string; cause?: { message?: string } };
  return [e.message, e.cause?.message].filter((m) => m !== undefined).join(': ') || String(err);
}

/**
 * The RocksDB StoreEngine.
 *
 * @example
 * ```ts
 * const engine = await RocksDbEngine.open({ name: 'counts', dir: '/data/app/0_1/counts' });
 * engine.write([{ key, value }], new Map([['counts-changelog/1', 5000]]));
 * await engine.close();
 * ```
 * @throws StateStoreFailedError from `open` when the directory is locked by another open engine or
 * RocksDB cannot open it, and from any call whose native operation fails (after which the engine
 * refuses further calls); StoreClosedError after `close`.
 */
export class RocksDbEngine implements StoreEngine {
  readonly persistent = true;
  private closed = false;
  private failure: StateStoreFailedError | undefined = undefined;
  private readonly iterators = new OpenIterators();
  private readonly batch: NativeBatch;
  private readonly metaOptions: { column: RocksColumn };
  private readonly syncWrites: boolean;
  /** Outstanding batches on the write-behind thread (see RocksDbConfig.writeBehind). */
  private readonly behind: WriteBehind | undefined;
  private readonly oneKey: Uint8Array[] = [EMPTY_BYTES];
  private readonly offsets: Map<string, number>;
  /** Data bytes per byte of padding: the data column's write buffer over the offsets column's. */
  private readonly dataBytesPerPadByte: number;

  private constructor(
    readonly name: string,
    private readonly db: RocksLevel,
    config: RocksDbConfig,
    dataMemtableBudgetBytes: number,
    /** This engine's part of the process memory budget, if it has one. */
    readonly memoryShare: EngineMemoryShare | undefined = undefined,
  ) {
    const meta = db.columns[META_COLUMN];
    if (meta === undefined)
      throw new StateStoreFailedError(name, `column family ${META_COLUMN} did not open`);
    this.metaOptions = { column: meta };
    this.syncWrites = config.syncWrites;
    this.batch = new NativeBatch(db);
    this.behind =
      config.writeBehind && !config.syncWrites
        ? new WriteBehind(RocksDbWriter.ofThisThread(), db.handle, META_COLUMN)
        : undefined;
    this.offsets = this.readOffsets();
    // With level compaction the binding makes each write buffer a quarter of the column's budget.
    const dataWriteBuffer =
      dataMemtableBudgetBytes === 0 ? ROCKSDB_DEFAULT_WRITE_BUFFER_BYTES : dataMemtableBudgetBytes / 4;
    this.dataBytesPerPadByte = Math.max(1, dataWriteBuffer / (META_MEMTABLE_BUDGET_BYTES / 4));
  }

  /** Opens (creating if needed) the store in `dir`. */
  static async open(options: RocksDbEngineOptions): Promise<RocksDbEngine> {
    const config = resolveRocksDbConfig(options.config);
    const share = options.memoryBudget?.rocksDb.reserve(options.name);
    const db = new RocksLevel(options.dir);
    const columns = share === undefined ? undefined : budgetedColumns(share, config.compression);
    try {
      await db.open({
        createIfMissing: true,
        parallelism: config.backgroundThreads,
        // The log is read back only after a crash, and bounded (see the module comment): ZSTD on
        // every batch cost a third of the write's time (0.41 against 0.28 µs per put).
        walCompression: false,
        columns:
          columns === undefined
            ? {
                default: {
                  cacheSize: config.blockCacheBytes,
                  compression: config.compression,
                  ...(config.memtableBudgetBytes === 0
                    ? {}
                    : { compaction: 'level', memtableMemoryBudget: config.memtableBudgetBytes }),
                },
                [META_COLUMN]: META_COLUMN_OPTIONS,
              }
            : columns,
      });
    } catch (cause) {
      share?.release();
      throw new StateStoreFailedError(
        options.name,
        `RocksDB could not open ${options.dir}: ${describe(cause)}`,
        {
          cause,
        },
      );
    }
    try {
      const dataBudget = columns?.default.memtableMemoryBudget ?? config.memtableBudgetBytes;
      return new RocksDbEngine(options.name, db, config, dataBudget, share);
    } catch (cause) {
      share?.release();
      await db.close();
      throw cause instanceof StateStoreFailedError
        ? cause
        : new StateStoreFailedError(
            options.name,
            `RocksDB store ${options.dir} is unreadable: ${describe(cause)}`,
            {
              cause,
            },
          );
    }
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  get(key: Uint8Array, id?: string): Uint8Array | undefined {
    this.checkUsable();
    if (this.behind !== undefined) {
      const outstanding = this.behind.find(key, id);
      if (outstanding !== undefined) return outstanding ?? undefined;
    }
    this.oneKey[0] = real(key);
    try {
      return this.db._getManySync(this.oneKey)[0] ?? undefined;
    } catch (cause) {
      throw this.fail('get', cause);
    }
  }

  iterator(range: ByteRange): KeyValueIterator<Uint8Array, Uint8Array> {
    this.checkUsable();
    // Batches RocksDB holds leave the overlay before RocksDB's iterator opens (see write-behind.ts).
    this.behind?.reap();
    try {
      const native = this.db._iterator({
        keyEncoding: 'buffer',
        valueEncoding: 'buffer',
        fillCache: true,
        reverse: range.reverse,
        ...(range.from !== null && range.from.length > 0 ? { gte: range.from } : {}),
        ...(range.toExclusive !== null ? { lt: real(range.toExclusive) } : {}),
      });
      const it = this.iterators.track(new RocksDbIterator(native, this.iterators));
      if (this.behind === undefined) return it;
      const overlaid = this.behind.overlay(range, it);
      return overlaid === it ? it : new TrackedIterator(overlaid, this.iterators);
    } catch (cause) {
      throw this.fail('iterator', cause);
    }
  }

  write(ops: readonly WriteOp[], offsets?: ChangelogOffsets): void {
    this.checkUsable();
    const meta = offsets === undefined ? NO_META : this.metaPuts(ops, offsets);
    if (this.behind !== undefined) {
      this.behind.write(ops, meta);
    } else {
      const batch = this.batch;
      try {
        for (let i = 0; i < ops.length; i++) {
          const op = ops[i]!;
          if (op.value === null) batch.del(real(op.key));
          else batch.put(real(op.key), real(op.value));
        }
        for (const [key, value] of meta) batch.put(key, value, this.metaOptions);
        batch.write(this.syncWrites);
      } catch (cause) {
        throw this.fail('write', cause);
      } finally {
        batch.clear();
      }
    }
    if (offsets !== undefined) for (const [id, offset] of offsets) this.offsets.set(id, offset);
  }

  /** The offsets column's puts of a write: each offset, then padding in proportion to the data. */
  private metaPuts(ops: readonly WriteOp[], offsets: ChangelogOffsets): MetaPut[] {
    const meta: MetaPut[] = [];
    for (const [id, offset] of offsets) {
      const value = Buffer.allocUnsafe(8);
      writeInt64(value, 0, offset);
      meta.push([Buffer.from(id, 'utf8'), value]);
    }
    let dataBytes = 0;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      dataBytes += op.key.length + (op.value === null ? 0 : op.value.length);
    }
    const pad = Math.min(MAX_WAL_PAD_BYTES, Math.ceil(dataBytes / this.dataBytesPerPadByte));
    if (pad > 0) meta.push([WAL_PAD_KEY, ZERO_PAD.subarray(0, pad)]);
    return meta;
  }

  /**
   * Blocks until RocksDB holds every write made so far (at once without write-behind, see
   * RocksDbConfig.writeBehind): a process crash after it cannot lose them.
   *
   * @example
   * ```ts
   * engine.write(ops, offsets);
   * engine.awaitWrites(); // now acknowledge the commit
   * ```
   */
  awaitWrites(): void {
    this.checkUsable();
    this.behind?.settle();
    this.checkUsable();
  }

  changelogOffsets(): ChangelogOffsets {
    this.checkUsable();
    return new Map(this.offsets);
  }

  deleteRange(from: Uint8Array, toExclusive: Uint8Array): void {
    this.checkUsable();
    if (this.behind !== undefined) {
      this.behind.deleteRange(real(from), real(toExclusive));
      return;
    }
    // The DeleteRange runs inside this call; only an error is reported later, through the callback.
    this.db._clear({ gte: real(from), lt: real(toExclusive) }, (err) => {
      if (err) this.failure ??= this.fail('deleteRange', err);
    });
  }

  approximateNumEntries(): number {
    this.checkUsable();
    return Number(this.db.getProperty('rocksdb.estimate-num-keys')) || 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // The helper thread must be done with the database before it closes (see rocksdb-writer.ts).
    this.behind?.drain();
    // Native iterators and the batch must go before the database: afterwards they point at freed memory.
    this.iterators.invalidateAll(this.name);
    this.batch.clear();
    try {
      await this.db.close();
    } finally {
      this.memoryShare?.release();
    }
  }

  /**
   * A RocksDB property of the data column family, such as `rocksdb.block-cache-capacity` or
   * `rocksdb.cur-size-all-mem-tables`: for metrics and tests.
   *
   * @example
   * ```ts
   * Number(engine.property('rocksdb.block-cache-capacity')); // the engine's block cache bytes
   * ```
   * @throws StoreClosedError after close.
   */
  property(name: string): string {
    this.checkUsable();
    return this.db.getProperty(name);
  }

  private readOffsets(): Map<string, number> {
    const out = new Map<string, number>();
    const { rows } = this.db.querySync({
      column: this.metaOptions.column,
      keyEncoding: 'buffer',
      valueEncoding: 'buffer',
    });
    for (let i = 0; i < rows.length; i += 2) {
      if (WAL_PAD_KEY.equals(rows[i]!)) continue;
      const id = rows[i]!.toString('utf8');
      const value = rows[i + 1]!;
      if (value.length !== 8) {
        throw new StateStoreFailedError(
          this.name,
          `stored changelog offset of ${id} has ${value.length} bytes, not 8`,
        );
      }
      out.set(id, readInt64(value, 0));
    }
    return out;
  }

  private checkUsable(): void {
    if (this.closed) throw new StoreClosedError(this.name);
    if (this.failure === undefined && this.behind !== undefined) {
      const failed = this.behind.failure();
      if (failed !== undefined) throw this.fail('write (on the write-behind thread)', new Error(failed));
    }
    if (this.failure !== undefined) throw this.failure;
  }

  private fail(operation: string, cause: unknown): StateStoreFailedError {
    this.failure ??= new StateStoreFailedError(this.name, `RocksDB ${operation} failed: ${describe(cause)}`, {
      cause,
    });
    return this.failure;
  }
}
