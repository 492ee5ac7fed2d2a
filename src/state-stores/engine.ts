/**
 * The storage engine contract under every state store. An engine holds bytes in byte order and
 * changes only through atomic write batches, each of which may carry the changelog offsets it
 * reflects; the offsets are stored in the same atomic write, so on reopen the engine reports
 * exactly what it has applied and restoration replays only the changelog tail past it (DESIGN.md
 * §7). Reads are synchronous: the processing loop cannot afford an await per record.
 */
import type { KeyValueIterator } from './key-value-iterator.js';

/**
 * One write of a batch: `value` null deletes the key. `id`, when present, is bytesId(key): the
 * transaction buffer has it already, and a hash-indexed engine then need not read the key again.
 *
 * @example
 * ```ts
 * const ops: WriteOp[] = [{ key: k1, value: v1 }, { key: k2, value: null, id: bytesId(k2) }];
 * ```
 */
export interface WriteOp {
  readonly key: Uint8Array;
  readonly value: Uint8Array | null;
  readonly id?: string;
  /**
   * Where an engine may remember where it keeps this key, for the next write of it from the same
   * writer (a typed cache's entry, which writes its key again at each commit): the hash-indexed
   * memory engine then changes the value without looking the key up. Engines that have no use for
   * it ignore it.
   */
  readonly slot?: EngineSlot;
  /**
   * The writer believes the engine does not hold this key (it read it as absent and has not written
   * it since): a hint that lets a hash-indexed engine add it with the insert's one lookup rather
   * than a lookup first. An engine stays correct when the hint is wrong, and may ignore it.
   */
  readonly absent?: boolean;
}

/**
 * A writer's place for an engine's handle on one key (see WriteOp.slot). Only the engine reads or
 * writes `engineHandle`, and it checks a handle is still its own and live before using it.
 *
 * @example
 * ```ts
 * class Entry implements EngineSlot { engineHandle: unknown = undefined; }
 * ```
 */
export interface EngineSlot {
  engineHandle: unknown;
}

/**
 * Changelog offsets a store's contents reflect, by changelog partition (an opaque id the caller
 * chooses, such as `app-counts-changelog/3`). The offset is the next changelog offset to replay:
 * every changelog record below it is already applied.
 *
 * @example
 * ```ts
 * engine.write(ops, new Map([['app-counts-changelog/3', 1042]]));
 * ```
 */
export type ChangelogOffsets = ReadonlyMap<string, number>;

/**
 * A range of keys in byte order: `from` inclusive, `toExclusive` exclusive, null meaning unbounded
 * on that side; `reverse` iterates from the top down.
 *
 * @example
 * ```ts
 * const range: ByteRange = { from: prefix, toExclusive: prefixEnd(prefix), reverse: false };
 * ```
 */
export interface ByteRange {
  readonly from: Uint8Array | null;
  readonly toExclusive: Uint8Array | null;
  readonly reverse: boolean;
}

/**
 * A storage engine: RocksDB on disk or the in-memory engine, with identical semantics.
 *
 * Iterators see the engine as it was when they were created (a snapshot), even across later writes.
 * Keys and values handed to `write` are kept as they are (the caller gives up ownership); arrays
 * that reads return must not be modified.
 *
 * @example
 * ```ts
 * engine.write([{ key, value }], new Map([['counts-changelog/0', 18]]));
 * engine.get(key); // value
 * engine.changelogOffsets().get('counts-changelog/0'); // 18, also after a crash and reopen
 * ```
 * @throws StoreClosedError from every method once the engine is closed; StateStoreFailedError when
 * the underlying storage fails.
 */
export interface StoreEngine {
  /** The store name, for errors. */
  readonly name: string;
  /** True when data outlives the process (RocksDB), false for the in-memory engine. */
  readonly persistent: boolean;
  /**
   * False when a batch in key order is no faster to apply than in any order (the hash-indexed
   * in-memory engine), so the transaction buffer skips sorting it; unset means true (RocksDB's
   * memtable inserts sorted keys markedly faster).
   */
  readonly prefersSortedWrites?: boolean;
  readonly isOpen: boolean;
  /**
   * The value of `key`, or undefined. `id`, when given, is bytesId(key) (the caller computed it for
   * its own hash lookups); engines that do not index by it ignore it.
   */
  get(key: Uint8Array, id?: string): Uint8Array | undefined;
  /** Entries in `range`, in byte order (or reverse). */
  iterator(range: ByteRange): KeyValueIterator<Uint8Array, Uint8Array>;
  /** Applies `ops` in order and records `offsets` (merged into the stored ones), all atomically. */
  write(ops: readonly WriteOp[], offsets?: ChangelogOffsets): void;
  /** The changelog offsets the stored data reflects: as of open, then as written. */
  changelogOffsets(): ChangelogOffsets;
  /**
   * Removes every key in [from, toExclusive) at once. Not atomic with `write`: for data that readers
   * already ignore, such as expired segments of a window store.
   */
  deleteRange(from: Uint8Array, toExclusive: Uint8Array): void;
  /** An estimate of the number of keys (exact for the in-memory engine). */
  approximateNumEntries(): number;
  /** Closes the engine; open iterators end with StoreClosedError. Idempotent. */
  close(): Promise<void>;
}
