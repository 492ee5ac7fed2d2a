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

/**
 * Sorts `ops` (distinct keys) in place in byte order of their keys, and returns them. Each write
 * becomes one number: 4 key bytes right past the prefix every key shares (`user-…`), where keys
 * differ, above its index; a Float64Array of those sorts natively, without a comparison call per step. Keys whose 4 bytes tie
 * (or end within them: the zero pad) are then ordered by full comparison, in short runs.
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
  const first = ops[0]!.key;
  let shared = first.length;
  for (let i = 1; i < n && shared > 0; i++) {
    const k = ops[i]!.key;
    const m = shared < k.length ? shared : k.length;
    let j = 0;
    while (j < m && k[j] === first[j]) j++;
    shared = j;
  }
  const packed = new Float64Array(n);
  for (let i = 0; i < n; i++) packed[i] = word32At(ops[i]!.key, shared) * PACKED_SORT_MAX + i;
  packed.sort();
  const out: T[] = new Array(n);
  const words = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = packed[i]!;
    // Exact: dividing by a power of two only changes the exponent (and % on doubles is slow).
    const word = Math.floor(v * PACKED_SORT_INVERSE);
    words[i] = word;
    out[i] = ops[v - word * PACKED_SORT_MAX]!;
  }
  let runStart = 0;
  let runWord = words[0]!;
  for (let i = 1; i <= n; i++) {
    const word = i < n ? words[i]! : -1;
    if (word === runWord) continue;
    // Insertion sort of the run [runStart, i): runs are a few keys at most for varied keys.
    for (let a = runStart + 1; a < i; a++) {
      const op = out[a]!;
      let b = a - 1;
      while (b >= runStart && compareBytes(out[b]!.key, op.key) > 0) {
        out[b + 1] = out[b]!;
        b--;
      }
      out[b + 1] = op;
    }
    runStart = i;
    runWord = word;
  }
  for (let i = 0; i < n; i++) ops[i] = out[i]!;
  return ops;
}
