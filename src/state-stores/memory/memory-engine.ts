/**
 * The in-memory engine: an IndexedTree (a BTree in byte order with a hash index beside it) with the
 * same semantics as the RocksDB engine, for tests, benchmarks and the simulated cluster. Its data lives in a MemoryVolume that outlives the engine, so
 * a simulated process can crash and reopen its stores and find exactly what it had committed.
 */
import { StateStoreFailedError, StoreClosedError } from '../../common/errors.js';
import { bytesId } from '../byte-order.js';
import type { ByteRange, ChangelogOffsets, StoreEngine, WriteOp } from '../engine.js';
import { OpenIterators } from '../engine-iterators.js';
import { BaseKeyValueIterator, type KeyValue, type KeyValueIterator } from '../key-value-iterator.js';
import type { BTreeCursor } from './btree-cursor.js';
import { type Cell, type CellHandle, IndexedTree } from './indexed-tree.js';

/**
 * The data of an in-memory store, as a disk would hold it: what was written, and the changelog
 * offsets written with it. At most one engine uses a volume at a time.
 *
 * @example
 * ```ts
 * const volume = new MemoryVolume();
 * const engine = MemoryEngine.open('counts', volume);
 * engine.write([{ key, value }], new Map([['counts-changelog/0', 1]]));
 * volume.crash(); // the engine dies; the data stays
 * MemoryEngine.open('counts', volume).changelogOffsets(); // counts-changelog/0 → 1
 * ```
 */
export class MemoryVolume {
  /** @internal */ readonly tree = new IndexedTree<Uint8Array>();
  /** @internal */ readonly offsets = new Map<string, number>();
  /** @internal */ holder: MemoryEngine | undefined = undefined;

  /**
   * Simulates the process dying: the engine using the volume stops working (every later call throws
   * StoreClosedError) and the volume is free to reopen. Writes are atomic, so nothing half-written
   * remains.
   */
  crash(): void {
    this.holder?.kill();
    this.holder = undefined;
  }
}

class MemoryEngineIterator extends BaseKeyValueIterator<Uint8Array, Uint8Array> {
  constructor(
    private readonly cursor: BTreeCursor<Cell<Uint8Array>>,
    private readonly owner: OpenIterators,
  ) {
    super();
  }

  protected fetchNext(): KeyValue<Uint8Array, Uint8Array> | undefined {
    // The cell is read now: it is not changed while this cursor is open (see IndexedTree).
    if (!this.cursor.next()) return undefined;
    const cell = this.cursor.value;
    // Handed out: its contents must not change from now on (see rewrite).
    cell.own = false;
    return { key: this.cursor.key, value: cell.value };
  }

  protected override release(): void {
    this.cursor.close();
    this.owner.release(this);
  }
}

/**
 * Applies `ops`, all puts, to `tree` with no cursor open: puts of keys already present change their
 * cells in place, new keys are added without a lookup (the tree orders them when a scan needs it);
 * a key that comes twice is present by its second write.
 */
function putAll(tree: IndexedTree<Uint8Array>, ops: readonly WriteOp[]): void {
  // Indexed, not for-of: run once per commit, this loop often runs before it is optimized, and
  // an unoptimized for-of allocates a result object per element.
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    const slot = op.slot;
    const value = op.value!;
    // A writer that writes this key again and again keeps our handle: no lookup at all.
    const cell =
      slot?.engineHandle === undefined ? undefined : tree.writableCell(slot.engineHandle as CellHandle);
    if (cell !== undefined) {
      rewrite(cell, value);
      continue;
    }
    const id = op.id ?? bytesId(op.key);
    if (op.absent === true && slot !== undefined) {
      // A new key, as the writer believes (a window's first record): added with one lookup, not
      // two; and, since the writer writes it again, with an array of our own now (see rewrite),
      // so the writer's dies young rather than living until that next write, long enough to be
      // promoted.
      const added = tree.add(op.key, value, id);
      const cell = tree.writableCell(added);
      if (cell !== undefined) rewrite(cell, value);
      slot.engineHandle = added;
      continue;
    }
    const handle = tree.update(id, value) ?? tree.put(op.key, value, id);
    if (slot !== undefined) slot.engineHandle = handle;
  }
}

/**
 * Gives `cell` the bytes of `value`. A key written again and again (through a slot) gets an array
 * of the engine's own once, whose bytes later writes of the same length overwrite: the writer's
 * array then dies young, where keeping it made every update leave an old array behind for a full
 * collection (most of a windowed count's garbage collection time). An array a reader got is never
 * changed: every read clears `own`.
 */
function rewrite(cell: Cell<Uint8Array>, value: Uint8Array): void {
  const current = cell.value;
  if (cell.own === true && current.length === value.length) {
    current.set(value);
    return;
  }
  // A slice of Buffer's pool, as the stores' keys are: a small array of its own costs far more.
  const copy = Buffer.allocUnsafe(value.length);
  copy.set(value);
  cell.value = copy;
  cell.own = true;
}

/**
 * The in-memory StoreEngine.
 *
 * @example
 * ```ts
 * const engine = MemoryEngine.open('counts');
 * engine.write([{ key: Buffer.from('a'), value: Buffer.from('1') }]);
 * engine.get(Buffer.from('a')); // <31>
 * ```
 * @throws StateStoreFailedError from `open` when another open engine uses the volume;
 * StoreClosedError from every method after `close` or a crash of the volume.
 */
export class MemoryEngine implements StoreEngine {
  readonly persistent = false;
  /** Hash-indexed: a batch costs the same in any order, so the buffer need not sort it. */
  readonly prefersSortedWrites = false;
  private closed = false;
  private readonly iterators = new OpenIterators();

  private constructor(
    readonly name: string,
    private readonly volume: MemoryVolume,
  ) {}

  /** Opens an engine on `volume` (a fresh one unless given). */
  static open(name: string, volume: MemoryVolume = new MemoryVolume()): MemoryEngine {
    if (volume.holder !== undefined) {
      throw new StateStoreFailedError(name, 'its memory volume is in use by another open engine');
    }
    const engine = new MemoryEngine(name, volume);
    volume.holder = engine;
    return engine;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  get(key: Uint8Array, id?: string): Uint8Array | undefined {
    this.checkOpen();
    return this.volume.tree.get(key, id);
  }

  iterator(range: ByteRange): KeyValueIterator<Uint8Array, Uint8Array> {
    this.checkOpen();
    const cursor = this.volume.tree.cursor(range.from, range.toExclusive, range.reverse);
    return this.iterators.track(new MemoryEngineIterator(cursor, this.iterators));
  }

  write(ops: readonly WriteOp[], offsets?: ChangelogOffsets): void {
    this.checkOpen();
    const tree = this.volume.tree;
    if (tree.hasOpenCursors || ops.some((op) => op.value === null)) {
      for (const op of ops) {
        if (op.value === null) tree.delete(op.key, op.id);
        else tree.set(op.key, op.value, op.id);
      }
    } else {
      putAll(tree, ops);
    }
    if (offsets !== undefined) for (const [id, offset] of offsets) this.volume.offsets.set(id, offset);
  }

  changelogOffsets(): ChangelogOffsets {
    this.checkOpen();
    return new Map(this.volume.offsets);
  }

  deleteRange(from: Uint8Array, toExclusive: Uint8Array): void {
    this.checkOpen();
    this.volume.tree.deleteRange(from, toExclusive);
  }

  approximateNumEntries(): number {
    this.checkOpen();
    return this.volume.tree.size;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.kill();
    this.volume.holder = undefined;
  }

  /** Stops the engine without releasing the volume (the volume does that on a crash). */
  kill(): void {
    this.closed = true;
    this.iterators.invalidateAll(this.name);
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreClosedError(this.name);
  }
}
