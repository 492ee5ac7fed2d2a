/**
 * A B+tree map from byte-string keys (in byte order) to values: the ordered structure behind the
 * in-memory engine, the transaction buffer and the record cache. Leaves hold up to ORDER sorted
 * entries and are linked both ways for range scans; inner nodes hold separators. Inserts and
 * deletes are O(log n), with splits, borrowing and merging keeping every non-root node at least
 * half full. Each node keeps the first 6 bytes of its keys as numbers beside them, so a search
 * compares numbers and touches key memory only on a tie (a cache miss saved per step).
 *
 * Cursors see the tree as it was when they were created: before any change, the tree hands each
 * open cursor a copy of the entries it has not yet returned (copy on write, paid only by changes
 * made while cursors are open, and at most once per cursor).
 */
import { compareBytes } from '../byte-order.js';
import { checkBTree } from './btree-check.js';
import { BTreeCursor } from './btree-cursor.js';
import { type Inner, keyPrefix, type Leaf, type Node, newLeaf } from './btree-node.js';

/** Entries per leaf and children per inner node, at most. */
const ORDER = 64;
const MIN_FILL = ORDER >> 1;

/**
 * The first index of `node` whose key is >= `key` (`p` is keyPrefix(key)).
 *
 * @example
 * ```ts
 * const i = lowerBound(leaf, key, keyPrefix(key));
 * ```
 */
export function lowerBound<V>(node: Node<V>, key: Uint8Array, p: number): number {
  const keys = node.keys;
  const prefixes = node.prefixes;
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const q = prefixes[mid]!;
    if (q < p || (q === p && compareBytes(keys[mid]!, key) < 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index of `node` whose key is > `key`. */
function upperBound<V>(node: Node<V>, key: Uint8Array, p: number): number {
  const keys = node.keys;
  const prefixes = node.prefixes;
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const q = prefixes[mid]!;
    if (q < p || (q === p && compareBytes(keys[mid]!, key) <= 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function isAt<V>(leaf: Leaf<V>, i: number, key: Uint8Array, p: number): boolean {
  return i < leaf.keys.length && leaf.prefixes[i] === p && compareBytes(leaf.keys[i]!, key) === 0;
}

/**
 * An ordered map from byte strings to values.
 *
 * @example
 * ```ts
 * const tree = new BTree<string>();
 * tree.set(Buffer.from('b'), 'two');
 * tree.set(Buffer.from('a'), 'one');
 * const c = tree.cursor(null, null, false);
 * c.next(); // true; c.key is 'a'
 * ```
 */
export class BTree<V> {
  private root: Node<V> = newLeaf<V>();
  private count = 0;
  private readonly openCursors = new Set<BTreeCursor<V>>();
  // The descent path of the current insert or delete, reused to avoid allocating per operation.
  private readonly pathNodes: Inner<V>[] = [];
  private readonly pathIndexes: number[] = [];
  /** How many entries of pathNodes and pathIndexes the current descent filled. */
  private pathDepth = 0;

  /** The number of entries. */
  get size(): number {
    return this.count;
  }

  /** The value of `key`, or undefined. */
  get(key: Uint8Array): V | undefined {
    const p = keyPrefix(key);
    const leaf = this.leafFor(key, p);
    const i = lowerBound(leaf, key, p);
    return isAt(leaf, i, key, p) ? leaf.values[i] : undefined;
  }

  /** Whether `key` is present. */
  has(key: Uint8Array): boolean {
    const p = keyPrefix(key);
    const leaf = this.leafFor(key, p);
    return isAt(leaf, lowerBound(leaf, key, p), key, p);
  }

  /** Sets `key` to `value`; returns the previous value, or undefined if the key was new. */
  set(key: Uint8Array, value: V): V | undefined {
    const p = keyPrefix(key);
    const leaf = this.descend(key, p);
    const i = lowerBound(leaf, key, p);
    // Cursors only read, so the recorded path stays valid while they take their copies.
    this.beforeChange();
    if (isAt(leaf, i, key, p)) {
      const previous = leaf.values[i];
      leaf.values[i] = value;
      return previous;
    }
    leaf.keys.splice(i, 0, key);
    leaf.prefixes.splice(i, 0, p);
    leaf.values.splice(i, 0, value);
    this.count++;
    if (leaf.keys.length > ORDER) this.splitLeaf(leaf);
    return undefined;
  }

  /** Removes `key`; returns its value, or undefined if it was absent. */
  delete(key: Uint8Array): V | undefined {
    const p = keyPrefix(key);
    const leaf = this.descend(key, p);
    const found = lowerBound(leaf, key, p);
    if (!isAt(leaf, found, key, p)) return undefined;
    this.beforeChange();
    const previous = leaf.values[found];
    leaf.keys.splice(found, 1);
    leaf.prefixes.splice(found, 1);
    leaf.values.splice(found, 1);
    this.count--;
    if (leaf.keys.length < MIN_FILL && this.pathDepth > 0) this.rebalanceLeaf(leaf);
    return previous;
  }

  /** Removes every key in [from, toExclusive); returns how many were removed. */
  deleteRange(from: Uint8Array | null, toExclusive: Uint8Array | null): number {
    const doomed: Uint8Array[] = [];
    const c = this.cursor(from, toExclusive, false);
    while (c.next()) doomed.push(c.key);
    for (const key of doomed) this.delete(key);
    return doomed.length;
  }

  /** Removes every entry. */
  clear(): void {
    this.beforeChange();
    this.root = newLeaf<V>();
    this.count = 0;
  }

  /**
   * A cursor over [from, toExclusive) (null: unbounded), ascending or, with `reverse`, descending.
   * Close it when abandoning it before the end, so later changes need not copy for it.
   * `onRelease` runs once when the cursor ends or is closed (an owner counting its open cursors).
   */
  cursor(
    from: Uint8Array | null,
    toExclusive: Uint8Array | null,
    reverse: boolean,
    onRelease?: () => void,
  ): BTreeCursor<V> {
    let leaf: Leaf<V>;
    let index: number;
    if (!reverse) {
      if (from === null) {
        leaf = this.edgeLeaf(false);
        index = 0;
      } else {
        const p = keyPrefix(from);
        leaf = this.leafFor(from, p);
        index = lowerBound(leaf, from, p);
      }
    } else if (toExclusive === null) {
      leaf = this.edgeLeaf(true);
      index = leaf.keys.length - 1;
    } else {
      const p = keyPrefix(toExclusive);
      leaf = this.leafFor(toExclusive, p);
      index = lowerBound(leaf, toExclusive, p) - 1;
    }
    const cursor = new BTreeCursor<V>(leaf, index, from, toExclusive, reverse, (c) => {
      this.openCursors.delete(c);
      onRelease?.();
    });
    this.openCursors.add(cursor);
    return cursor;
  }

  /** Called before every change: open cursors take their copy of what they have not yet returned. */
  private beforeChange(): void {
    if (this.openCursors.size === 0) return;
    for (const c of this.openCursors) c.detach();
    this.openCursors.clear();
  }

  private leafFor(key: Uint8Array, p: number): Leaf<V> {
    let node = this.root;
    while (!node.leaf) node = node.children[upperBound(node, key, p)]!;
    return node;
  }

  private edgeLeaf(last: boolean): Leaf<V> {
    let node = this.root;
    while (!node.leaf) node = node.children[last ? node.children.length - 1 : 0]!;
    return node;
  }

  /** Finds the leaf for `key`, recording the inner nodes and child indexes on the way down. */
  private descend(key: Uint8Array, p: number): Leaf<V> {
    let depth = 0;
    let node = this.root;
    while (!node.leaf) {
      const i = upperBound(node, key, p);
      this.pathNodes[depth] = node;
      this.pathIndexes[depth] = i;
      depth++;
      node = node.children[i]!;
    }
    this.pathDepth = depth;
    return node;
  }

  private splitLeaf(left: Leaf<V>): void {
    const mid = left.keys.length >> 1;
    const right: Leaf<V> = {
      leaf: true,
      keys: left.keys.splice(mid),
      prefixes: left.prefixes.splice(mid),
      values: left.values.splice(mid),
      prev: left,
      next: left.next,
    };
    if (right.next !== null) right.next.prev = right;
    left.next = right;
    this.insertSeparator(this.pathDepth, left, right.keys[0]!, right.prefixes[0]!, right);
  }

  /** Inserts `separator` and `right` after `left`, whose parent is at path depth `depth` − 1. */
  private insertSeparator(
    depth: number,
    left: Node<V>,
    separator: Uint8Array,
    p: number,
    right: Node<V>,
  ): void {
    if (depth === 0) {
      this.root = { leaf: false, keys: [separator], prefixes: [p], children: [left, right] };
      return;
    }
    const parent = this.pathNodes[depth - 1]!;
    const i = this.pathIndexes[depth - 1]!;
    parent.keys.splice(i, 0, separator);
    parent.prefixes.splice(i, 0, p);
    parent.children.splice(i + 1, 0, right);
    if (parent.children.length <= ORDER) return;
    const mid = parent.keys.length >> 1;
    const up = parent.keys[mid]!;
    const upPrefix = parent.prefixes[mid]!;
    const sibling: Inner<V> = {
      leaf: false,
      keys: parent.keys.slice(mid + 1),
      prefixes: parent.prefixes.slice(mid + 1),
      children: parent.children.slice(mid + 1),
    };
    parent.keys.length = mid;
    parent.prefixes.length = mid;
    parent.children.length = mid + 1;
    this.insertSeparator(depth - 1, parent, up, upPrefix, sibling);
  }

  private rebalanceLeaf(leaf: Leaf<V>): void {
    const depth = this.pathDepth;
    const parent = this.pathNodes[depth - 1]!;
    const i = this.pathIndexes[depth - 1]!;
    const left = i > 0 ? (parent.children[i - 1] as Leaf<V>) : null;
    const right = i < parent.children.length - 1 ? (parent.children[i + 1] as Leaf<V>) : null;
    if (left !== null && left.keys.length > MIN_FILL) {
      leaf.keys.unshift(left.keys.pop()!);
      leaf.prefixes.unshift(left.prefixes.pop()!);
      leaf.values.unshift(left.values.pop()!);
      parent.keys[i - 1] = leaf.keys[0]!;
      parent.prefixes[i - 1] = leaf.prefixes[0]!;
      return;
    }
    if (right !== null && right.keys.length > MIN_FILL) {
      leaf.keys.push(right.keys.shift()!);
      leaf.prefixes.push(right.prefixes.shift()!);
      leaf.values.push(right.values.shift()!);
      parent.keys[i] = right.keys[0]!;
      parent.prefixes[i] = right.prefixes[0]!;
      return;
    }
    if (left !== null) {
      this.mergeLeaves(left, leaf);
      this.removeChild(parent, i - 1);
    } else if (right !== null) {
      this.mergeLeaves(leaf, right);
      this.removeChild(parent, i);
    }
    this.rebalanceInner(depth - 1);
  }

  /** Removes separator `s` of `parent` and the child after it. */
  private removeChild(parent: Inner<V>, s: number): void {
    parent.keys.splice(s, 1);
    parent.prefixes.splice(s, 1);
    parent.children.splice(s + 1, 1);
  }

  private mergeLeaves(left: Leaf<V>, right: Leaf<V>): void {
    for (let k = 0; k < right.keys.length; k++) {
      left.keys.push(right.keys[k]!);
      left.prefixes.push(right.prefixes[k]!);
      left.values.push(right.values[k]!);
    }
    left.next = right.next;
    if (right.next !== null) right.next.prev = left;
  }

  /** Restores the fill of the inner node at path depth `depth` after one of its children merged. */
  private rebalanceInner(depth: number): void {
    const node = this.pathNodes[depth]!;
    if (depth === 0) {
      if (node.children.length === 1) this.root = node.children[0]!;
      return;
    }
    if (node.children.length >= MIN_FILL) return;
    const parent = this.pathNodes[depth - 1]!;
    const i = this.pathIndexes[depth - 1]!;
    const left = i > 0 ? (parent.children[i - 1] as Inner<V>) : null;
    const right = i < parent.children.length - 1 ? (parent.children[i + 1] as Inner<V>) : null;
    if (left !== null && left.children.length > MIN_FILL) {
      node.keys.unshift(parent.keys[i - 1]!);
      node.prefixes.unshift(parent.prefixes[i - 1]!);
      node.children.unshift(left.children.pop()!);
      parent.keys[i - 1] = left.keys.pop()!;
      parent.prefixes[i - 1] = left.prefixes.pop()!;
      return;
    }
    if (right !== null && right.children.length > MIN_FILL) {
      node.keys.push(parent.keys[i]!);
      node.prefixes.push(parent.prefixes[i]!);
      node.children.push(right.children.shift()!);
      parent.keys[i] = right.keys.shift()!;
      parent.prefixes[i] = right.prefixes.shift()!;
      return;
    }
    if (left !== null) {
      left.keys.push(parent.keys[i - 1]!, ...node.keys);
      left.prefixes.push(parent.prefixes[i - 1]!, ...node.prefixes);
      left.children.push(...node.children);
      this.removeChild(parent, i - 1);
    } else if (right !== null) {
      node.keys.push(parent.keys[i]!, ...right.keys);
      node.prefixes.push(parent.prefixes[i]!, ...right.prefixes);
      node.children.push(...right.children);
      this.removeChild(parent, i);
    }
    this.rebalanceInner(depth - 1);
  }

  /**
   * Checks the tree's invariants (order, separators, prefixes, fill, links, count); for tests.
   *
   * @throws Error describing the first violation.
   */
  checkInvariants(): void {
    checkBTree(this.root, this.count, ORDER, MIN_FILL);
  }
}
