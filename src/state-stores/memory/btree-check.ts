/**
 * The BTree's structural invariants, checked by tests after random operations.
 */
import { compareBytes } from '../byte-order.js';
import { keyPrefix, type Leaf, type Node } from './btree-node.js';

/**
 * Checks order, separators, prefixes, fill, leaf links and the entry count of a tree.
 *
 * @example
 * ```ts
 * checkBTree(root, count, 64, 32);
 * ```
 * @throws Error describing the first violation.
 */
export function checkBTree<V>(root: Node<V>, count: number, order: number, minFill: number): void {
  let leaves = 0;
  const walk = (node: Node<V>, lo: Uint8Array | null, hi: Uint8Array | null, isRoot: boolean): number => {
    const keys = node.keys;
    if (node.prefixes.length !== keys.length) throw new Error('prefix count');
    keys.forEach((key, k) => {
      if (node.prefixes[k] !== keyPrefix(key)) throw new Error('stale prefix');
      if (k > 0 && compareBytes(keys[k - 1]!, key) >= 0) throw new Error('keys out of order');
      if (lo !== null && compareBytes(key, lo) < 0) throw new Error('key below its separator');
      if (hi !== null && compareBytes(key, hi) >= 0) throw new Error('key at or above its separator');
    });
    if (node.leaf) {
      leaves++;
      if (!isRoot && keys.length < minFill) throw new Error(`leaf underfull: ${keys.length}`);
      if (keys.length > order || node.values.length !== keys.length) throw new Error('leaf overfull');
      return keys.length;
    }
    if (node.children.length !== keys.length + 1) throw new Error('separator count');
    if (!isRoot && node.children.length < minFill) throw new Error('inner node underfull');
    if (isRoot && node.children.length < 2) throw new Error('inner root with one child');
    let total = 0;
    node.children.forEach((child, k) => {
      total += walk(child, k === 0 ? lo : keys[k - 1]!, k === keys.length ? hi : keys[k]!, false);
    });
    return total;
  };
  if (walk(root, null, null, true) !== count) throw new Error('count mismatch');
  let first = root;
  while (!first.leaf) first = first.children[0]!;
  let linked = 0;
  let prev: Leaf<V> | null = null;
  for (let leaf: Leaf<V> | null = first; leaf !== null; leaf = leaf.next) {
    if (leaf.prev !== prev) throw new Error('broken prev link');
    prev = leaf;
    linked++;
  }
  if (linked !== leaves) throw new Error('leaf chain misses leaves');
}
