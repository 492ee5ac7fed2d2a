/**
 * The transactional layer over an engine (DESIGN.md §7): writes of the open transaction are held
 * in a buffer that reads and range scans see (merged with the engine in byte order, deletes hiding
 * engine entries); `commit` applies the buffer in one atomic engine write together with the
 * changelog offsets it reflects; `abort` drops it. The engine therefore only ever holds committed
 * state, and after a crash it reports the offsets of exactly that state.
 *
 * The buffer is a hash map by key bytes; its sorted form (a B+tree) is built only when a range scan
 * needs it, and then kept up to date until the transaction ends. A store that is only written and
 * point-read (the common case) so never pays for ordering on each write: with keys sharing a long
 * prefix (`user-…`), each B+tree step compared whole keys, and that was most of a write's cost.
 * The engine write at commit needs no order for correctness (one write per key, applied
 * atomically); it is sorted only for an engine that applies sorted batches faster (RocksDB). Each
 * buffered write keeps its key's bytesId, so a hash-indexed engine applies it without rehashing.
 *
 * With `deferEngineWrites` (a stream thread's stores), a commit keeps its writes as committed but
 * not yet applied: reads see them between the buffer and the engine, and `applyDeferred` (at the
 * latest the next commit) writes them, with their offsets, while the thread waits on the next
 * transaction's round trips. A crash in between leaves the engine one commit behind, with the
 * offsets of what it holds: restoration replays the changelog tail, as after any crash.
 *
 * Through `sealThrough`, a commit *seals* its writes instead (a stream thread pipelining its
 * commits: the log transaction ends while the next one is processed): reads see them between the
 * new buffer and the deferred writes; `confirmSealed` (the log transaction committed) makes them
 * deferred, `abort` (it did not) drops them with the open buffer. Ranges purged meanwhile are
 * emptied only once confirmed.
 */
import { IllegalStateError, StoreClosedError } from '../common/errors.js';
import { bytesId, copyBytes } from './byte-order.js';
import type { ByteRange, ChangelogOffsets, EngineSlot, StoreEngine, WriteOp } from './engine.js';
import { type KeyValueBytesStore, KeyValueBytesStoreBase } from './key-value-bytes-store.js';
import type { KeyValueIterator } from './key-value-iterator.js';
import { BTree } from './memory/btree.js';
import { OverlayIterator } from './overlay-iterator.js';
import { sortByKey } from './sort-writes.js';
import { WriteLayer } from './write-layer.js';

/**
 * Bytes charged per buffered (or cached) entry beyond its key and value: the tree slot and array
 * headers.
 *
 * @example
 * ```ts
 * const charged = key.length + value.length + ENTRY_OVERHEAD_BYTES;
 * ```
 */
export const ENTRY_OVERHEAD_BYTES = 64;

/** The transaction buffer over each engine, so a changelogger given the engine finds the buffer. */
const bufferOverEngine = new WeakMap<StoreEngine, TransactionalBytesStore>();

function entryBytes(key: Uint8Array, value: Uint8Array | null): number {
  return key.length + (value === null ? 0 : value.length) + ENTRY_OVERHEAD_BYTES;
}

/**
 * A write whose key and value the transaction buffer may keep as they are, with the key's bytesId.
 *
 * @example
 * ```ts
 * const w: OwnedWrite = { key, value, id: bytesId(key) };
 * ```
 */
export interface OwnedWrite {
  readonly key: Uint8Array;
  readonly value: Uint8Array | null;
  readonly id: string;
  /** Passed on to the engine (see WriteOp.slot). */
  readonly slot?: EngineSlot;
  /** Passed on to the engine (see WriteOp.absent). */
  readonly absent?: boolean;
}

/**
 * A key-value bytes store whose writes stay in a transaction buffer until `commit`.
 *
 * @example
 * ```ts
 * const store = new TransactionalBytesStore(MemoryEngine.open('counts'), { maxUncommittedBytes: 1 << 20 });
 * store.put(key, value); // visible to store.get, not yet in the engine
 * store.commit(new Map([['counts-changelog/0', 7]])); // one atomic engine write
 * ```
 * @throws StoreClosedError once closed; StateStoreFailedError when the engine fails.
 */
export class TransactionalBytesStore extends KeyValueBytesStoreBase implements KeyValueBytesStore {
  /** The open transaction's writes by bytesId(key); values null for deletes. */
  private pending = new Map<string, WriteOp>();
  /** The last commit's writes, while deferred (see deferEngineWrites). */
  private deferred: WriteLayer | null = null;
  private deferWrites = false;
  /** A commit's writes whose log transaction is ending (see sealThrough). */
  private sealed: WriteLayer | null = null;
  private sealNext = false;
  /**
   * The same writes in byte order, for range scans: built by the first scan of the transaction,
   * then kept up to date by each write until commit or abort (its cursors give scans their snapshot).
   */
  private sorted: BTree<Uint8Array | null> | null = null;
  /** pendingWrites' answer, until the next write (the changelogger asks twice per commit). */
  private sortedOps: WriteOp[] | null = null;
  /**
   * Writes handed over by putOwnedAll into an empty buffer, not yet in `pending`: a cache flush
   * followed by commit (the usual sequence) then never hashes its keys a second time. Whatever
   * else reads or writes the buffer first moves them into `pending` (see `indexed`).
   */
  private handed: WriteOp[] | null = null;
  private bufferedBytes = 0;
  private bufferedDeletes = 0;
  /**
   * The id a `get` last looked up in `pending` and missed, until `pending` changes: the put that
   * follows a read of the same key (a window aggregation's fetch, then put) skips a hash lookup.
   */
  private lastMiss: string | null = null;
  private closed = false;

  constructor(
    readonly engine: StoreEngine,
    private readonly config: { maxUncommittedBytes: number },
  ) {
    super();
    bufferOverEngine.set(engine, this);
  }

  /**
   * The transaction buffer built over `engine` (the latest one), whatever store kind wraps it: the
   * changelogger finds the writes of the open transaction through it.
   *
   * @example
   * ```ts
   * const store = keyValueStore({ engine, keySerde, valueSerde });
   * TransactionalBytesStore.over(engine)!.pendingWrites();
   * ```
   */
  static over(engine: StoreEngine): TransactionalBytesStore | undefined {
    return bufferOverEngine.get(engine);
  }

  /**
   * From now on a commit defers its engine write until `applyDeferred` or the next commit (see
   * the module comment). For an owner that calls applyDeferred when it has time to spare.
   *
   * @example
   * ```ts
   * TransactionalBytesStore.over(engine)?.deferEngineWrites();
   * ```
   */
  deferEngineWrites(): void {
    this.deferWrites = true;
  }

  /**
   * Writes the deferred commit, if any, to the engine with its changelog offsets.
   *
   * @throws StateStoreFailedError when the engine fails (the writes stay committed in the
   *   changelog; the store is behind until restored).
   */
  applyDeferred(): void {
    const d = this.deferred;
    if (d === null) return;
    this.deferred = null;
    d.applyTo(this.engine);
  }

  /**
   * Runs `commit` — the commit of the store built over this buffer, through every layer above —
   * with this buffer sealing its writes rather than committing them: they stay readable, under the
   * writes that follow, until `confirmSealed` commits them or `abort` drops them. For a stream
   * thread that processes on while its log transaction ends.
   *
   * @example
   * ```ts
   * buffer.sealThrough(() => store.commit()); // every layer above commits; the buffer seals
   * // … the next transaction's writes …
   * buffer.confirmSealed(new Map([['app-counts-changelog/0', 42]])); // the log transaction committed
   * ```
   * @throws IllegalStateError when a sealed commit is still ending, or when `commit` did not reach
   *   this buffer; what `commit` throws.
   */
  sealThrough(commit: () => void): void {
    this.sealNext = true;
    try {
      commit();
    } catch (error) {
      this.sealNext = false;
      throw error;
    }
    if (this.sealNext) {
      this.sealNext = false;
      throw new IllegalStateError(
        `store ${JSON.stringify(this.name)}: its commit did not reach its transaction buffer, so nothing was sealed`,
      );
    }
  }

  /** True while a sealed commit waits for confirmSealed or abort. */
  get hasSealed(): boolean {
    return this.sealed !== null;
  }

  /** How many writes the sealed commit holds (0 when none is sealed). */
  get sealedCount(): number {
    return this.sealed?.ops.length ?? 0;
  }

  /**
   * Commits the sealed writes (their log transaction committed), with the changelog offsets they
   * reach when given: deferred, or written to the engine at once without deferEngineWrites.
   *
   * @throws StateStoreFailedError when the engine fails.
   */
  confirmSealed(changelogOffsets?: ChangelogOffsets): void {
    this.checkOpen();
    const layer = this.sealed;
    if (layer === null) return;
    this.sealed = null;
    if (changelogOffsets !== undefined) layer.offsets = changelogOffsets;
    this.applyDeferred();
    if (this.deferWrites) this.deferred = layer;
    else layer.applyTo(this.engine);
  }

  get name(): string {
    return this.engine.name;
  }

  get persistent(): boolean {
    return this.engine.persistent;
  }

  get isOpen(): boolean {
    return !this.closed && this.engine.isOpen;
  }

  get uncommittedBytes(): number {
    return this.bufferedBytes;
  }

  get commitNeeded(): boolean {
    return this.bufferedBytes >= this.config.maxUncommittedBytes;
  }

  /**
   * `commitNeeded` with `extraBytes` more buffered: for a cache above that holds writes not yet
   * handed down.
   *
   * @example
   * ```ts
   * if (buffer.commitNeededWith(cache.dirtyBytes)) requestCommit();
   * ```
   */
  commitNeededWith(extraBytes: number): boolean {
    return this.bufferedBytes + extraBytes >= this.config.maxUncommittedBytes;
  }

  /** `id`, when given, is bytesId(key): one hash id serves the buffer and a hash-indexed engine. */
  get(key: Uint8Array, id?: string): Uint8Array | undefined {
    this.checkOpen();
    if (this.handed !== null) this.indexed();
    if (this.pending.size > 0) {
      if (id === undefined) id = bytesId(key);
      const buffered = this.pending.get(id);
      if (buffered !== undefined) return buffered.value ?? undefined;
    }
    if (this.sealed !== null || this.deferred !== null) {
      if (id === undefined) id = bytesId(key);
      const earlier = this.sealed?.get(id) ?? this.deferred?.get(id);
      if (earlier !== undefined) {
        this.lastMiss = id;
        return earlier.value ?? undefined;
      }
    }
    if (id !== undefined) this.lastMiss = id;
    return this.engine.get(key, id);
  }

  /** `id`, when given, is bytesId(key). */
  put(key: Uint8Array, value: Uint8Array | null, id?: string): void {
    this.checkOpen();
    this.putOwned(copyBytes(key), value === null ? null : copyBytes(value), id);
  }

  /**
   * `put` without copying: the caller hands over `k` and `v` and nobody changes them afterwards.
   * The record cache's flush uses it for the copies it already made (two copies fewer per update),
   * passing the key's `bytesId` it already holds as `id`, so the key is not read again.
   *
   * @example
   * ```ts
   * store.putOwned(copyBytes(key), copyBytes(value));
   * ```
   * @throws StoreClosedError once closed.
   */
  putOwned(k: Uint8Array, v: Uint8Array | null, id: string = bytesId(k)): void {
    this.checkOpen();
    const pending = this.handed === null ? this.pending : this.indexed();
    const previous = id === this.lastMiss ? undefined : pending.get(id);
    // A new op rather than a changed one: pendingWrites handed out the old one, and it stays as it was.
    // It carries the id, so a hash-indexed engine applies it at commit without reading the key.
    pending.set(id, { key: k, value: v, id });
    this.lastMiss = null;
    if (previous === undefined) {
      this.bufferedBytes += entryBytes(k, v);
    } else {
      const old = previous.value;
      this.bufferedBytes += (v === null ? 0 : v.length) - (old === null ? 0 : old.length);
      if (old === null) this.bufferedDeletes--;
    }
    if (v === null) this.bufferedDeletes++;
    this.sorted?.set(k, v);
    this.sortedOps = null;
  }

  /**
   * `putOwned` of many writes with distinct keys (a record cache's flush), in one step. Into an
   * empty buffer the writes are kept as a list, hashed only if the buffer is read or written before
   * commit.
   *
   * @example
   * ```ts
   * store.putOwnedAll([{ key: k1, value: v1, id: bytesId(k1) }, { key: k2, value: null, id: bytesId(k2) }]);
   * ```
   * With `fresh`, the caller hands over the array and its objects too (made for this call, never
   * changed afterwards): they are kept as they are rather than copied.
   * @throws StoreClosedError once closed.
   */
  putOwnedAll(writes: readonly OwnedWrite[], fresh = false): void {
    this.checkOpen();
    if (this.pending.size > 0 || this.handed !== null || this.sorted !== null) {
      for (const w of writes) this.putOwned(w.key, w.value, w.id);
      return;
    }
    if (writes.length === 0) return;
    const ops: WriteOp[] = fresh ? (writes as WriteOp[]) : new Array(writes.length);
    let bytes = 0;
    let deletes = 0;
    for (let i = 0; i < writes.length; i++) {
      const w = writes[i]!;
      // Snapshots of the pairs: the writer (the record cache) changes its entries later.
      if (!fresh) ops[i] = { key: w.key, value: w.value, id: w.id, slot: w.slot, absent: w.absent };
      bytes += entryBytes(w.key, w.value);
      if (w.value === null) deletes++;
    }
    this.handed = ops;
    this.bufferedBytes += bytes;
    this.bufferedDeletes += deletes;
    this.sortedOps = null;
  }

  iterate(range: ByteRange): KeyValueIterator<Uint8Array, Uint8Array> {
    this.checkOpen();
    let base = this.engine.iterator(range);
    for (const layer of [this.deferred, this.sealed]) {
      if (layer !== null && layer.ops.length > 0)
        base = new OverlayIterator(layer.cursor(range), base, range.reverse);
    }
    if (this.pendingCount === 0) return base;
    return new OverlayIterator(
      this.sortedBuffer().cursor(range.from, range.toExclusive, range.reverse),
      base,
      range.reverse,
    );
  }

  approximateNumEntries(): number {
    this.checkOpen();
    // Buffered puts may overwrite engine keys and deletes may hit absent ones: an estimate.
    const puts =
      this.pendingCount -
      this.bufferedDeletes +
      (this.deferred?.ops.length ?? 0) +
      (this.sealed?.ops.length ?? 0);
    return Math.max(0, this.engine.approximateNumEntries() + puts - this.bufferedDeletes);
  }

  /** Nothing to flush: this layer has no cache. */
  flush(): void {
    this.checkOpen();
  }

  /**
   * The writes of the open transaction in key order, one per key (null deletes): exactly what
   * `commit` applies to the engine, and so what goes to the changelog.
   */
  pendingWrites(): WriteOp[] {
    this.checkOpen();
    if (this.sortedOps === null) {
      const ops: WriteOp[] = this.handed !== null ? this.handed.slice() : Array.from(this.pending.values());
      if (this.sorted === null) {
        sortByKey(ops);
      } else {
        // The tree is in order already: walk it rather than sort.
        const cursor = this.sorted.cursor(null, null, false);
        for (let i = 0; cursor.next(); i++) ops[i] = { key: cursor.key, value: cursor.value };
      }
      this.sortedOps = ops;
    }
    // A copy: the caller may keep or change its array; the ops themselves are never changed.
    return this.sortedOps.slice();
  }

  commit(changelogOffsets?: ChangelogOffsets): void {
    this.checkOpen();
    if (this.sealNext) {
      this.sealNext = false;
      if (this.sealed !== null) throw this.stillSealed();
      this.sealed = this.takeBuffer(changelogOffsets);
      return;
    }
    if (this.sealed !== null) throw this.stillSealed();
    if (this.pendingCount === 0 && changelogOffsets === undefined) return;
    if (!this.deferWrites) {
      this.engine.write(this.orderedOps(), changelogOffsets);
      this.clearBuffer();
      return;
    }
    this.applyDeferred();
    this.deferred = this.takeBuffer(changelogOffsets);
  }

  /** Drops the open transaction's writes, and the sealed ones (their log transaction failed). */
  abort(): void {
    this.checkOpen();
    this.clearBuffer();
    this.sealed = null;
    this.sealNext = false;
  }

  committedOffsets(): ChangelogOffsets {
    this.checkOpen();
    const offsets = this.engine.changelogOffsets();
    if (this.deferred?.offsets === undefined) return offsets;
    return new Map([...offsets, ...this.deferred.offsets]);
  }

  purgeCommitted(from: Uint8Array, toExclusive: Uint8Array): void {
    this.checkOpen();
    // Emptied after the sealed writes, once they are committed (until then its keys stay readable:
    // a caller purges what it no longer reads).
    if (this.sealed !== null) {
      this.sealed.purges.push({ from, toExclusive });
      return;
    }
    // Deferred writes in the range must not come back after it is emptied.
    this.applyDeferred();
    this.engine.deleteRange(from, toExclusive);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.clearBuffer();
    // Not committed (close follows abort when the log transaction failed).
    this.sealed = null;
    try {
      // Committed writes reach the engine, so a restart restores less; if the engine failed, they
      // are in the changelog, and the store restores them as after a crash.
      this.applyDeferred();
    } catch {
      this.deferred = null;
    }
    await this.engine.close();
  }

  /** How many keys the buffer holds. */
  private get pendingCount(): number {
    return this.handed === null ? this.pending.size : this.handed.length;
  }

  /** `pending`, after moving the writes putOwnedAll handed over into it. */
  private indexed(): Map<string, WriteOp> {
    const pending = this.pending;
    const handed = this.handed;
    if (handed !== null) {
      this.handed = null;
      for (const op of handed) pending.set(op.id ?? bytesId(op.key), op);
      this.lastMiss = null;
    }
    return pending;
  }

  /**
   * The buffer's writes, one per key, in the order the engine wants them: in key order, RocksDB
   * inserts a batch of sorted keys into its memtable markedly faster (a third less time for 10 k
   * short keys) than the sort costs, and the changelog saw that order. An engine that gains
   * nothing from order (hash-indexed memory) takes them as they are: one per key, applied
   * atomically, so their order changes nothing it stores.
   */
  private orderedOps(): WriteOp[] {
    let ops = this.sortedOps;
    if (ops === null && this.sorted !== null) ops = this.pendingWrites();
    if (ops === null) {
      ops = this.handed ?? Array.from(this.pending.values());
      if (this.engine.prefersSortedWrites !== false) sortByKey(ops);
    }
    return ops;
  }

  /** The buffer's writes as a layer of their own, the buffer left empty. */
  private takeBuffer(offsets: ChangelogOffsets | undefined): WriteLayer {
    const ops = this.orderedOps();
    // The buffer's map and tree move over as they are (nothing changes them any more), so reads
    // and scans of the layer cost nothing to set up.
    const byId = this.handed === null ? this.pending : null;
    const layer = new WriteLayer(ops, offsets, byId, this.sorted);
    if (byId !== null) this.pending = new Map();
    this.sorted = null;
    this.clearBuffer();
    return layer;
  }

  private stillSealed(): IllegalStateError {
    return new IllegalStateError(
      `store ${JSON.stringify(this.name)} has a sealed commit whose log transaction is still ending; confirmSealed or abort it before the next commit`,
    );
  }

  /** The buffer in byte order, built now if no scan of this transaction built it yet. */
  private sortedBuffer(): BTree<Uint8Array | null> {
    let sorted = this.sorted;
    if (sorted === null) {
      sorted = new BTree<Uint8Array | null>();
      for (const op of this.indexed().values()) sorted.set(op.key, op.value);
      this.sorted = sorted;
    }
    return sorted;
  }

  private clearBuffer(): void {
    // Clearing the tree first makes its open cursors take their copies: scans keep their snapshot.
    this.sorted?.clear();
    this.sorted = null;
    this.sortedOps = null;
    this.handed = null;
    this.pending.clear();
    this.lastMiss = null;
    this.bufferedBytes = 0;
    this.bufferedDeletes = 0;
  }

  protected checkOpen(): void {
    if (this.closed) throw new StoreClosedError(this.name);
  }
}
