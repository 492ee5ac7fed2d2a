/**
 * The ordered map under the in-memory engine: a BTree for order (range scans) with a hash index
 * beside it for point access. The tree maps each key to a mutable cell holding the value, and a Map
 * by the key's bytesId finds the same cell, so a point read and an update of a key already present
 * are one hash lookup each, never a descent that compares long shared key prefixes (window store
 * keys share their segment id and often a `user-` prefix, so each step compared whole keys). New
 * keys and deletes still go through the tree; its splits and merges move cells, never values.
 *
 * Snapshots: cursors see the map as of their creation. The tree keeps that promise for its own
 * structure (copy on write); a cell changed in place would break it, so an update changes the cell
 * in place only while no cursor of this map is open, and otherwise puts a fresh cell in the tree
 * (which makes open cursors take their copy first, holding the old cells, never changed again).
 */
import { bytesId } from '../byte-order.js';
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
}

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
  private readonly tree = new BTree<Cell<V>>();
  private readonly index = new Map<string, Cell<V>>();
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
    return this.index.get(id)?.value;
  }

  /** Sets `key` to `value`. `id`, when given, must be bytesId(key). */
  set(key: Uint8Array, value: V, id: string = bytesId(key)): void {
    const cell = this.index.get(id);
    if (cell !== undefined && this.openCursors === 0) {
      cell.value = value;
      return;
    }
    this.put(key, value, id);
  }

  /**
   * `set` without looking the key up first: for a key known to be absent (then it saves a hash
   * lookup). Correct for a present key too, which gets a fresh cell (as `set` does under cursors).
   */
  put(key: Uint8Array, value: V, id: string = bytesId(key)): void {
    const fresh: Cell<V> = { value };
    this.tree.set(key, fresh);
    this.index.set(id, fresh);
  }

  /** Whether a cursor is open: then updates cannot change cells in place. */
  get hasOpenCursors(): boolean {
    return this.openCursors !== 0;
  }

  /**
   * Changes the value of the key whose bytesId is `id` in place: one hash lookup, no key bytes.
   * False, with nothing done, when the key is absent or a cursor is open (then use `set`).
   */
  update(id: string, value: V): boolean {
    if (this.openCursors !== 0) return false;
    const cell = this.index.get(id);
    if (cell === undefined) return false;
    cell.value = value;
    return true;
  }

  /** Removes `key`; true if it was present. `id`, when given, must be bytesId(key). */
  delete(key: Uint8Array, id: string = bytesId(key)): boolean {
    if (!this.index.delete(id)) return false;
    this.tree.delete(key);
    return true;
  }

  /** Removes every key in [from, toExclusive); returns how many were removed. */
  deleteRange(from: Uint8Array | null, toExclusive: Uint8Array | null): number {
    const doomed: Uint8Array[] = [];
    const c = this.tree.cursor(from, toExclusive, false);
    while (c.next()) doomed.push(c.key);
    for (const key of doomed) this.delete(key);
    return doomed.length;
  }

  /**
   * A cursor over [from, toExclusive) (null: unbounded), ascending or, with `reverse`, descending;
   * each entry's value is `cursor.value.value`, read when the cursor reaches it. Close it when
   * abandoning it before the end: until then every update of this map takes the slower path.
   */
  cursor(from: Uint8Array | null, toExclusive: Uint8Array | null, reverse: boolean): BTreeCursor<Cell<V>> {
    this.openCursors++;
    return this.tree.cursor(from, toExclusive, reverse, this.released);
  }

  /**
   * Checks the tree's invariants and that the index holds exactly the tree's cells; for tests.
   *
   * @throws Error describing the first violation.
   */
  checkInvariants(): void {
    this.tree.checkInvariants();
    if (this.tree.size !== this.index.size) {
      throw new Error(`tree has ${this.tree.size} entries, index ${this.index.size}`);
    }
    const c = this.tree.cursor(null, null, false);
    while (c.next()) {
      if (this.index.get(bytesId(c.key)) !== c.value) throw new Error('index and tree disagree on a cell');
    }
  }
}
