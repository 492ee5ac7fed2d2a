/**
 * The nodes of the BTree, shared by the tree and its cursors.
 */

/**
 * A leaf: sorted keys and their values, linked to its neighbours for range scans.
 *
 * @example
 * ```ts
 * const leaf: Leaf<number> = newLeaf();
 * ```
 */
export interface Leaf<V> {
  readonly leaf: true;
  keys: Uint8Array[];
  /** keyPrefix of each key: most comparisons end on these numbers without touching the keys. */
  prefixes: number[];
  values: V[];
  prev: Leaf<V> | null;
  next: Leaf<V> | null;
}

/**
 * An inner node: keys[i] separates children[i] (all keys below it) from children[i + 1] (all keys
 * at or above it).
 *
 * @example
 * ```ts
 * const root: Inner<number> = { leaf: false, keys: [separator], children: [left, right] };
 * ```
 */
export interface Inner<V> {
  readonly leaf: false;
  keys: Uint8Array[];
  /** keyPrefix of each separator. */
  prefixes: number[];
  children: Node<V>[];
}

/**
 * A node of the tree.
 *
 * @example
 * ```ts
 * while (!node.leaf) node = node.children[0]!;
 * ```
 */
export type Node<V> = Leaf<V> | Inner<V>;

/**
 * An empty, unlinked leaf.
 *
 * @example
 * ```ts
 * let root: Node<string> = newLeaf();
 * ```
 */
export function newLeaf<V>(): Leaf<V> {
  return { leaf: true, keys: [], prefixes: [], values: [], prev: null, next: null };
}

const TWO_40 = 2 ** 40;
const TWO_32 = 2 ** 32;

/**
 * The first 6 bytes of a key, big-endian and zero-padded, as a number (exact below 2^48). Keys with
 * different prefixes compare as their prefixes do (a zero pad stands for "shorter", which sorts
 * first); equal prefixes need the full comparison.
 *
 * @example
 * ```ts
 * keyPrefix(new Uint8Array([1])); // 2^40
 * ```
 */
export function keyPrefix(k: Uint8Array): number {
  const n = k.length;
  if (n >= 6) {
    return k[0]! * TWO_40 + k[1]! * TWO_32 + (((k[2]! << 24) | (k[3]! << 16) | (k[4]! << 8) | k[5]!) >>> 0);
  }
  let p = 0;
  for (let i = 0; i < 6; i++) p = p * 256 + (i < n ? k[i]! : 0);
  return p;
}
