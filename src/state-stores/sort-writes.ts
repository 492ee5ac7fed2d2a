/**
 * The sort of a transaction's writes into key order at commit, for engines that apply a batch in
 * key order faster (RocksDB's memtable) and for the changelog, which sends them in that order.
 */
import { compareBytes } from './byte-order.js';

/** Writes per sort that fit the packed sort below: the index takes the low 21 bits of a double. */
const PACKED_SORT_MAX = 2 ** 21;
const PACKED_SORT_INVERSE = 2 ** -21;

/** Bytes [at, at + 4) of `k`, big-endian and zero-padded, as an unsigned 32-bit number. */
function word32At(k: Uint8Array, at: number): number {
  if (k.length >= at + 4) return ((k[at]! << 24) | (k[at + 1]! << 16) | (k[at + 2]! << 8) | k[at + 3]!) >>> 0;
  let w = 0;
  for (let i = at; i < at + 4; i++) w = w * 256 + (i < k.length ? k[i]! : 0);
  return w;
}

function byKey(a: { readonly key: Uint8Array }, b: { readonly key: Uint8Array }): number {
  return compareBytes(a.key, b.key);
}

/** Runs this short or shorter are insertion-sorted by full comparison. */
const SHORT_RUN = 12;

/**
 * Sorts `ops` (distinct keys) in place in byte order of their keys, and returns them. A
 * most-significant-first radix on 4-byte words: each write of a range becomes one number, the 4 key
 * bytes right past the prefix every key of the range shares (`user-…`, a segment id), above its
 * index; a Float64Array of those sorts natively, without a comparison call per step. Writes whose
 * words tie are sorted the same way on their next bytes, so keys alike in long stretches (two
 * window segments in one commit: every key of a segment ties on the segment's bytes) cost a few
 * passes, not a quadratic run of comparisons. Short ranges are insertion-sorted.
 *
 * @example
 * ```ts
 * engine.write(sortByKey(Array.from(pending.values())), offsets); // WriteOps, or anything with a key
 * ```
 */
export function sortByKey<T extends { readonly key: Uint8Array }>(ops: T[]): T[] {
  const n = ops.length;
  if (n < 2) return ops;
  if (n > PACKED_SORT_MAX) return ops.sort(byKey);
  sortRange(ops, 0, n, -1, new Float64Array(n), new Array<T>(n));
  return ops;
}

/** The length of the prefix the keys of ops[lo, hi) share. */
function sharedPrefix(ops: readonly { readonly key: Uint8Array }[], lo: number, hi: number): number {
  const first = ops[lo]!.key;
  let shared = first.length;
  for (let i = lo + 1; i < hi && shared > 0; i++) {
    const k = ops[i]!.key;
    const m = shared < k.length ? shared : k.length;
    let j = 0;
    while (j < m && k[j] === first[j]) j++;
    shared = j;
  }
  return shared;
}

function insertionSort<T extends { readonly key: Uint8Array }>(ops: T[], lo: number, hi: number): void {
  for (let a = lo + 1; a < hi; a++) {
    const op = ops[a]!;
    let b = a - 1;
    while (b >= lo && compareBytes(ops[b]!.key, op.key) > 0) {
      ops[b + 1] = ops[b]!;
      b--;
    }
    ops[b + 1] = op;
  }
}

/**
 * Sorts ops[lo, hi), whose keys share more than `sharedBefore` bytes (the caller's shared prefix),
 * using `packed` and `out` (as long as ops) as scratch for the range.
 */
function sortRange<T extends { readonly key: Uint8Array }>(
  ops: T[],
  lo: number,
  hi: number,
  sharedBefore: number,
  packed: Float64Array,
  out: T[],
): void {
  const n = hi - lo;
  if (n <= SHORT_RUN) {
    insertionSort(ops, lo, hi);
    return;
  }
  const shared = sharedPrefix(ops, lo, hi);
  if (shared <= sharedBefore) {
    // No progress: the tie came from keys ending inside the word (its zero pad), not from equal
    // bytes. Rare; a comparison sort settles it.
    const sorted = ops.slice(lo, hi).sort(byKey);
    for (let i = 0; i < n; i++) ops[lo + i] = sorted[i]!;
    return;
  }
  for (let i = 0; i < n; i++) packed[lo + i] = word32At(ops[lo + i]!.key, shared) * PACKED_SORT_MAX + i;
  packed.subarray(lo, hi).sort();
  for (let i = lo; i < hi; i++) {
    const v = packed[i]!;
    // Exact: dividing by a power of two only changes the exponent (and % on doubles is slow).
    const word = Math.floor(v * PACKED_SORT_INVERSE);
    packed[i] = word;
    out[i] = ops[lo + v - word * PACKED_SORT_MAX]!;
  }
  for (let i = lo; i < hi; i++) ops[i] = out[i]!;
  // Ranges of equal words share at least `shared` + 1 bytes (or end inside the word): sort each.
  let runStart = lo;
  for (let i = lo + 1; i <= hi; i++) {
    if (i < hi && packed[i] === packed[runStart]) continue;
    if (i - runStart > 1) sortRange(ops, runStart, i, shared, packed, out);
    runStart = i;
  }
}
