/**
 * Byte order, the order every state store sorts keys in: unsigned lexicographic comparison of the
 * serialized key, a shorter key before any longer key it is a prefix of. RocksDB's default
 * comparator and the in-memory engine both use it, so range scans agree between engines.
 */

/** Above this length the native comparison beats the JS loop despite its call overhead. */
const NATIVE_COMPARE_FROM = 48;

/**
 * An empty key whose memory is real, for bindings that refuse a null data pointer.
 *
 * @example
 * ```ts
 * const key = bytes.length === 0 ? EMPTY_BYTES : bytes;
 * ```
 */
export const EMPTY_BYTES: Uint8Array = new Uint8Array(8).subarray(0, 0);

/**
 * Compares two byte strings: negative when `a` sorts first, 0 when equal, positive otherwise.
 *
 * @example
 * ```ts
 * compareBytes(Buffer.from('ab'), Buffer.from('b')) < 0; // true
 * compareBytes(new Uint8Array([1]), new Uint8Array([1, 0])) < 0; // true: a prefix sorts first
 * ```
 */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = a.length < b.length ? a.length : b.length;
  if (n >= NATIVE_COMPARE_FROM) return Buffer.compare(a, b);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/**
 * Whether two byte strings are equal.
 *
 * @example
 * ```ts
 * bytesEqual(new Uint8Array([1, 2]), Buffer.from([1, 2])); // true
 * ```
 */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && compareBytes(a, b) === 0;
}

/**
 * The least key greater than `key`: `key` followed by a 0x00 byte. Turns an inclusive upper bound
 * into an exclusive one, since no key lies strictly between the two.
 *
 * @example
 * ```ts
 * keySuccessor(new Uint8Array([7])); // Uint8Array [7, 0]
 * ```
 */
export function keySuccessor(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length + 1);
  out.set(key);
  return out;
}

/**
 * The exclusive upper bound of the keys that start with `prefix`: the prefix with its last byte
 * below 0xff incremented and the rest dropped. Null when there is none (an empty prefix, or one of
 * only 0xff bytes), meaning "to the end".
 *
 * @example
 * ```ts
 * prefixEnd(new Uint8Array([1, 0xff])); // Uint8Array [2]
 * prefixEnd(new Uint8Array([0xff])); // null
 * ```
 */
export function prefixEnd(prefix: Uint8Array): Uint8Array | null {
  for (let i = prefix.length - 1; i >= 0; i--) {
    if (prefix[i] !== 0xff) {
      // A copy: Buffer's slice would share memory with the caller's prefix.
      const out = new Uint8Array(prefix.subarray(0, i + 1));
      out[i]!++;
      return out;
    }
  }
  return null;
}

/**
 * A copy of `bytes` that the caller may keep: stores copy keys and values they hold, so the writer
 * may reuse its buffers.
 *
 * @example
 * ```ts
 * const kept = copyBytes(reusedBuffer.subarray(0, n));
 * ```
 */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  // Not bytes.slice(): on a Buffer that is a view of the same memory. Not new Uint8Array(bytes):
  // an ArrayBuffer of its own per small copy costs several times more than a slice of Buffer's pool.
  const out = Buffer.allocUnsafe(bytes.length);
  out.set(bytes);
  return out;
}

/**
 * A string that identifies a byte string exactly (its bytes as latin1, one char per byte), for
 * hash maps by key: the buffers and caches look keys up by it, where a sorted structure would
 * compare whole keys at each step when keys share a long prefix.
 *
 * @example
 * ```ts
 * const byKey = new Map<string, number>();
 * byKey.set(bytesId(Buffer.from('user-1')), 1);
 * byKey.get(bytesId(new Uint8Array([0x75, 0x73, 0x65, 0x72, 0x2d, 0x31]))); // 1
 * ```
 */
export function bytesId(bytes: Uint8Array): string {
  // latin1Slice is what toString('latin1') calls, without its argument checks and encoding lookup.
  // It reads any Uint8Array, so a plain one needs no Buffer view: making one (which also moves a
  // small array's bytes off the V8 heap to give it an ArrayBuffer) cost five times the slice.
  return latin1Slice.call(bytes, 0, bytes.length);
}

const latin1Slice = (Buffer.prototype as unknown as { latin1Slice(start: number, end: number): string })
  .latin1Slice;
