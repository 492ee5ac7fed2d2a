/**
 * A cursor over a range of a BTree. It walks the linked leaves while the tree is unchanged; when
 * the tree is about to change, it copies the entries it has not yet returned (detach), so it always
 * reflects the tree as of its creation.
 */
import { compareBytes } from '../byte-order.js';
import type { Leaf } from './btree-node.js';

/**
 * A position in a BTree range. Call `next()`; while it returns true, `key` and `value` hold the
 * current entry.
 *
 * @example
 * ```ts
 * const c = tree.cursor(from, null, false);
 * while (c.next()) use(c.key, c.value);
 * ```
 */
export class BTreeCursor<V> {
  /** The current entry's key, valid after `next()` returned true. */
  key: Uint8Array = new Uint8Array(0);
  /** The current entry's value, valid after `next()` returned true. */
  value: V = undefined as V;
  private leaf: Leaf<V> | null;
  private index: number;
  private copiedKeys: Uint8Array[] | null = null;
  private copiedValues: V[] = [];
  private copyPos = 0;
  private done = false;

  constructor(
    leaf: Leaf<V>,
    index: number,
    private readonly from: Uint8Array | null,
    private readonly toExclusive: Uint8Array | null,
    private readonly reverse: boolean,
    private readonly onRelease: (cursor: BTreeCursor<V>) => void,
  ) {
    this.leaf = leaf;
    this.index = index;
  }

  /** Moves to the next entry; false at the end of the range (the cursor is then closed). */
  next(): boolean {
    if (this.done) return false;
    if (this.copiedKeys !== null) {
      if (this.copyPos >= this.copiedKeys.length) return this.finish();
      this.key = this.copiedKeys[this.copyPos]!;
      this.value = this.copiedValues[this.copyPos]!;
      this.copyPos++;
      return true;
    }
    return this.liveNext() || this.finish();
  }

  /** Stops the cursor early, so the tree no longer copies for it. Idempotent. */
  close(): void {
    if (this.done) return;
    this.finish();
  }

  /** Takes a copy of the entries not yet returned; the tree is about to change. */
  detach(): void {
    if (this.done || this.copiedKeys !== null) return;
    const key = this.key;
    const value = this.value;
    const keys: Uint8Array[] = [];
    const values: V[] = [];
    while (this.liveNext()) {
      keys.push(this.key);
      values.push(this.value);
    }
    this.copiedKeys = keys;
    this.copiedValues = values;
    this.leaf = null;
    this.key = key;
    this.value = value;
  }

  private liveNext(): boolean {
    let leaf = this.leaf;
    if (leaf === null) return false;
    let i = this.index;
    if (!this.reverse) {
      while (i >= leaf.keys.length) {
        leaf = leaf.next;
        if (leaf === null) {
          this.leaf = null;
          return false;
        }
        i = 0;
      }
      const key = leaf.keys[i]!;
      if (this.toExclusive !== null && compareBytes(key, this.toExclusive) >= 0) {
        this.leaf = null;
        return false;
      }
      this.key = key;
      this.value = leaf.values[i]!;
      this.leaf = leaf;
      this.index = i + 1;
      return true;
    }
    while (i < 0) {
      leaf = leaf.prev;
      if (leaf === null) {
        this.leaf = null;
        return false;
      }
      i = leaf.keys.length - 1;
    }
    const key = leaf.keys[i]!;
    if (this.from !== null && compareBytes(key, this.from) < 0) {
      this.leaf = null;
      return false;
    }
    this.key = key;
    this.value = leaf.values[i]!;
    this.leaf = leaf;
    this.index = i - 1;
    return true;
  }

  private finish(): false {
    this.done = true;
    this.leaf = null;
    this.copiedKeys = null;
    this.copiedValues = [];
    this.onRelease(this);
    return false;
  }
}
