/**
 * The ordered map under the in-memory engine: a BTree for order (range scans) with a hash index
 * beside it for point access. The tree maps each key to a mutable cell holding the value, and a Map
 * by the key's bytesId finds the same cell, so a point read and an update of a key already present
 * are one hash lookup each, never a descent that compares long shared key prefixes (window store
 * keys share their segment id and often a `user-` prefix, so each step compared whole keys). New
 * keys and deletes still go through the tree; its splits and merges move cells, never values.
 *
 * Order is paid for only when it is used. A new key goes into the hash index and an unsorted list,
 * and enters the tree (all of the list at once, sorted, so each descent lands next to the last) only
 * when a cursor needs order; a range delete drops listed keys by comparing them with its bounds. A
 * store that is only written and point-read, or whose keys expire before anyone scans them (a window
 * store's segments), so never builds their part of the tree.
 *
 * Snapshots: cursors see the map as of their creation. The tree keeps that promise for its own
 * structure (copy on write); a cell changed in place would break it, so an update changes the cell
 * in place only while no cursor of this map is open, and otherwise puts a fresh cell in the tree
 * (which makes open cursors take their copy first, holding the old cells, never changed again).
 */
import { bytesId } from '../byte-order.js';
import { sortByKey } from '../sort-writes.js';
import { BTree } from './btree.js';
import type { BTreeCursor } from './btree-cursor.js';

/**
 * The slot of one value: the tree and the hash index share it.
 *
 * @example
 * ```ts
 * const cell: Cell<Uint8Array> = { value: Buffer.from('1') };
 * ```
 */
export interface Cell<V> {
  value: V;
  /**
   * The value is the map owner's alone: its own copy, never handed to a reader. Only then may the
   * owner change the value's contents in place (see `writableCell`); every assignment of `value`
   * and every read through `get` or a cursor's reader clears it.
   */
  own?: boolean;
}

/** A cell with what the map needs to place it: its key, id, and whether the tree holds it yet. */
class IndexedCell<V> implements Cell<V> {
  /** In the tree; false while only listed in `unsorted` (no cursor can see it then). */
  inTree = false;
  /** No longer the key's cell in the index (deleted or replaced): listed ones are then skipped. */
  dead = false;
  own = false;

  constructor(
    public value: V,
    readonly key: Uint8Array,
    readonly id: string,
    /** The map holding it: a handle from another map is never used. */
    readonly owner: IndexedTree<V>,
  ) {}
}

/**
 * A handle on one key's cell (from `update` and `put`): `updateCell` changes the value through it
 * without a hash lookup while it is still the key's cell.
 *
 * @example
 * ```ts
 * const handle = map.update(id, value) ?? map.put(key, value, id);
 * map.updateCell(handle, next); // true while the key was neither deleted nor replaced
 * ```
 */
export type CellHandle = object;

/**
 * An ordered map from byte strings to values with O(1) point reads and updates.
 *
 * @example
 * ```ts
 * const map = new IndexedTree<string>();
 * map.set(Buffer.from('b'), 'two');
 * map.set(Buffer.from('a'), 'one');
 * map.get(Buffer.from('a')); // 'one'
 * const c = map.cursor(null, null, false);
 * while (c.next()) console.log(c.key, c.value.value); // a one, b two
 * ```
 */
export class IndexedTree<V> {
  private readonly tree = new BTree<IndexedCell<V>>();
  private readonly index = new Map<string, IndexedCell<V>>();
  /** Cells of keys not in the tree yet, in no order; some may be dead. */
  private unsorted: IndexedCell<V>[] = [];
  private deadListed = 0;
  /** Cursors handed out and not yet ended: while any is open, cells are replaced, not changed. */
  private openCursors = 0;
  private readonly released = (): void => {
    this.openCursors--;
  };

  /** The number of entries. */
  get size(): number {
    return this.index.size;
  }

  /** The value of `key`, or undefined. `id`, when given, must be bytesId(key). */
  get(key: Uint8Array, id: string = bytesId(key)): V | undefined {
    const cell = this.index.get(id);
    if (cell === undefined) return undefined;
    // Handed out: its contents must not change from now on.
    cell.own = false;
    return cell.value;
  }

  /** Sets `key` to `value`. `id`, when given, must be bytesId(key). */
  set(key: Uint8Array, value: V, id: string = bytesId(key)): void {
    const cell = this.index.get(id);
    if (cell === undefined) {
      this.put(key, value, id);
    } else if (this.openCursors === 0 || !cell.inTree) {
      // No cursor can see this cell: changing it in place keeps every snapshot.
      cell.value = value;
      cell.own = false;
    } else {
      const fresh = new IndexedCell(value, key, id, this);
      fresh.inTree = true;
      this.tree.set(key, fresh);
      this.index.set(id, fresh);
      cell.dead = true;
    }
  }

  /**
   * `set` of a key known to be absent, without looking it up (a hash lookup fewer). The key must
   * not be present: it would then be held twice.
   */
  put(key: Uint8Array, value: V, id: string = bytesId(key)): CellHandle {
    const fresh = new IndexedCell(value, key, id, this);
    this.unsorted.push(fresh);
    this.index.set(id, fresh);
    return fresh;
  }

  /**
   * `set` of a key the caller believes absent (it read the key as absent and has not written it
   * since), with one hash lookup, the insert's own, where `update` then `put` take two. Returns the
   * key's cell, as `put` does. If the key was present after all, it is set as `set` would (a slower
   * path, never taken when the caller is right): a wrong belief costs time, never correctness.
   */
  add(key: Uint8Array, value: V, id: string = bytesId(key)): CellHandle {
    const index = this.index;
    const size = index.size;
    const fresh = new IndexedCell(value, key, id, this);
    index.set(id, fresh);
    if (index.size !== size) {
      // A key is added: the tree orders it when a cursor needs it (see `put`).
      this.unsorted.push(fresh);
      return fresh;
    }
    // Present: the index held its cell, which `fresh` just displaced; find it, put it back, and
    // set the key as if `set` had been called.
    index.set(id, this.presentCell(key, id));
    this.set(key, value, id);
    return index.get(id)!;
  }

  /** Whether a cursor is open: then updates cannot change cells in place. */
  get hasOpenCursors(): boolean {
    return this.openCursors !== 0;
  }

  /**
   * Changes the value of the key whose bytesId is `id` in place: one hash lookup, no key bytes.
   * False, with nothing done, when the key is absent or an open cursor may see its cell (then use
   * `set`).
   */
  update(id: string, value: V): CellHandle | undefined {
    const cell = this.index.get(id);
    if (cell === undefined || (this.openCursors !== 0 && cell.inTree)) return undefined;
    cell.value = value;
    cell.own = false;
    return cell;
  }

  /**
   * `update` through a handle from `update` or `put`: no lookup at all. False, with nothing done,
   * when the handle is not this map's or no longer its key's cell, or an open cursor may see it.
   */
  updateCell(handle: CellHandle, value: V): boolean {
    const cell = this.writableCell(handle);
    if (cell === undefined) return false;
    cell.value = value;
    cell.own = false;
    return true;
  }

  /**
   * The cell behind `handle` while an update may change it in place: the handle is this map's, its
   * key's current cell, and no open cursor can see it. The caller may then set `value`, or change
   * the value's contents when `own` is set (and must clear `own` unless the new value is its own).
   */
  writableCell(handle: CellHandle): Cell<V> | undefined {
    const cell = handle as IndexedCell<V>;
    if (cell.owner !== this || cell.dead || (this.openCursors !== 0 && cell.inTree)) return undefined;
    return cell;
  }

  /** Removes `key`; true if it was present. `id`, when given, must be bytesId(key). */
  delete(key: Uint8Array, id: string = bytesId(key)): boolean {
    const cell = this.index.get(id);
    if (cell === undefined) return false;
    this.index.delete(id);
    cell.dead = true;
    if (cell.inTree) {
      this.tree.delete(key);
    } else {
      // Dead cells are dropped from the list once they are half of it: it stays O(live keys).
      if (++this.deadListed * 2 > this.unsorted.length) this.compactUnsorted(null);
    }
    return true;
  }

  /** Removes every key in [from, toExclusive); returns how many were removed. */
  deleteRange(from: Uint8Array | null, toExclusive: Uint8Array | null): number {
    let removed = this.compactUnsorted({ from, toExclusive });
    const doomed: Uint8Array[] = [];
    const c = this.tree.cursor(from, toExclusive, false);
    while (c.next()) doomed.push(c.key);
    for (const key of doomed) this.delete(key);
    removed += doomed.length;
    return removed;
  }

  /**
   * A cursor over [from, toExclusive) (null: unbounded), ascending or, with `reverse`, descending;
   * each entry's value is `cursor.value.value`, read when the cursor reaches it. Close it when
   * abandoning it before the end: until then every update of this map takes the slower path.
   */
  cursor(from: Uint8Array | null, toExclusive: Uint8Array | null, reverse: boolean): BTreeCursor<Cell<V>> {
    this.sortIn();
    this.openCursors++;
    // Readers see only each cell's value: the placement fields stay this map's own.
    return this.tree.cursor(from, toExclusive, reverse, this.released) as unknown as BTreeCursor<Cell<V>>;
  }

  /**
   * Checks the tree's invariants and that the index holds exactly the tree's and the list's live
   * cells; for tests.
   *
   * @throws Error describing the first violation.
   */
  checkInvariants(): void {
    this.tree.checkInvariants();
    const listed = this.unsorted.filter((cell) => !cell.dead);
    if (this.tree.size + listed.length !== this.index.size) {
      throw new Error(
        `tree has ${this.tree.size} entries and ${listed.length} listed, index ${this.index.size}`,
      );
    }
    if (this.unsorted.length - listed.length !== this.deadListed) throw new Error('dead cells miscounted');
    for (const cell of this.index.values()) if (cell.dead) throw new Error('an indexed cell is marked dead');
    for (const cell of listed) {
      if (cell.inTree || this.index.get(bytesId(cell.key)) !== cell) throw new Error('a listed cell is lost');
    }
    const c = this.tree.cursor(null, null, false);
    while (c.next()) {
      if (!c.value.inTree || this.index.get(bytesId(c.key)) !== c.value)
        throw new Error('index and tree disagree on a cell');
    }
  }

  /**
   * The live cell of a present key, found without the index (see `add`): in the tree, or else
   * listed in `unsorted`.
   */
  private presentCell(key: Uint8Array, id: string): IndexedCell<V> {
    const inTree = this.tree.get(key);
    if (inTree !== undefined) return inTree;
    const listed = this.unsorted.find((cell) => !cell.dead && cell.id === id);
    if (listed === undefined)
      throw new Error('IndexedTree: an indexed key is neither in the tree nor listed');
    return listed;
  }

  /** Moves the listed keys into the tree, in key order. */
  private sortIn(): void {
    if (this.unsorted.length === 0) return;
    const cells = this.deadListed === 0 ? this.unsorted : this.unsorted.filter((cell) => !cell.dead);
    this.unsorted = [];
    this.deadListed = 0;
    sortByKey(cells);
    for (const cell of cells) {
      cell.inTree = true;
      this.tree.set(cell.key, cell);
    }
  }

  /**
   * Drops dead cells from the list, and with `range` the live ones whose keys are in it (null
   * bounds: open); returns how many live ones it removed.
   */
  private compactUnsorted(range: { from: Uint8Array | null; toExclusive: Uint8Array | null } | null): number {
    const kept: IndexedCell<V>[] = [];
    let removed = 0;
    // The bounds as ids: ids compare as their bytes do (one char per byte), and a cell's id is at
    // hand where its key's bytes are two objects away (most of a purge of a large list was that).
    const fromId = range === null || range.from === null ? null : bytesId(range.from);
    const toId = range === null || range.toExclusive === null ? null : bytesId(range.toExclusive);
    const cells = this.unsorted;
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[i]!;
      if (cell.dead) continue;
      const id = cell.id;
      if (range !== null && (fromId === null || id >= fromId) && (toId === null || id < toId)) {
        this.index.delete(cell.id);
        cell.dead = true;
        removed++;
        continue;
      }
      kept.push(cell);
    }
    this.unsorted = kept;
    this.deadListed = 0;
    return removed;
  }
}
