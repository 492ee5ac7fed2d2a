/**
 * The store key of a window entry: segment id, escaped record key, window start, sequence number.
 *
 *   [segment: 8, ordered][key: escaped, 0x00 0x00 terminated][window start: 8, ordered][seq: 4 BE]
 *
 * Within a segment this sorts by key, then window start, then insertion (the sequence number,
 * which is 0 unless duplicates are retained).
 */
import { prefixEnd } from '../byte-order.js';
import {
  concatBytes,
  escapedKey,
  escapedKeyLength,
  orderedInt64,
  readEscapedKey,
  readOrderedInt64,
  writeEscapedKey,
  writeOrderedInt64,
} from '../key-encoding.js';

/**
 * Encodes a window store key.
 *
 * @example
 * ```ts
 * const storeKey = windowStoreKey(segmentId, keyBytes, windowStartMs, 0);
 * ```
 */
export function windowStoreKey(
  segmentId: number,
  key: Uint8Array,
  windowStartMs: number,
  seq: number,
): Uint8Array {
  const out = new Uint8Array(8 + escapedKeyLength(key) + 12);
  writeOrderedInt64(out, 0, segmentId);
  const pos = writeOrderedInt64(out, writeEscapedKey(out, 8, key), windowStartMs);
  out[pos] = seq >>> 24;
  out[pos + 1] = seq >>> 16;
  out[pos + 2] = seq >>> 8;
  out[pos + 3] = seq;
  return out;
}

/**
 * windowStoreKey of a key that is an ASCII string under the UTF-8 string serde (whose bytes are its
 * char codes), written straight from the string without the serde's intermediate array; null when
 * a character is not ASCII (then serialize the key and use windowStoreKey).
 *
 * @example
 * ```ts
 * const storeKey = windowStoreKeyOfAscii(segmentId, 'user-7', windowStartMs, 0) ?? windowStoreKey(…);
 * ```
 */
export function windowStoreKeyOfAscii(
  segmentId: number,
  key: string,
  windowStartMs: number,
  seq: number,
): Uint8Array | null {
  const n = key.length;
  let escaped = n + 2;
  for (let i = 0; i < n; i++) {
    const c = key.charCodeAt(i);
    if (c > 0x7f) return null;
    if (c === 0) escaped++;
  }
  // A slice of Buffer's pool, not an array of its own: the stores keep these keys, and a young
  // ArrayBuffer per small array made each scavenge several times slower.
  const out = Buffer.allocUnsafe(8 + escaped + 12);
  writeOrderedInt64(out, 0, segmentId);
  let pos = 8;
  for (let i = 0; i < n; i++) {
    const c = key.charCodeAt(i);
    out[pos++] = c;
    if (c === 0) out[pos++] = 1;
  }
  out[pos++] = 0;
  out[pos++] = 0;
  pos = writeOrderedInt64(out, pos, windowStartMs);
  out[pos] = seq >>> 24;
  out[pos + 1] = seq >>> 16;
  out[pos + 2] = seq >>> 8;
  out[pos + 3] = seq;
  return out;
}

/**
 * Decodes a window store key into the record key and window start.
 *
 * @example
 * ```ts
 * const { key, windowStartMs } = parseWindowStoreKey(entry.key);
 * ```
 * @throws CorruptRecordError when the bytes are not a window store key.
 */
export function parseWindowStoreKey(storeKey: Uint8Array): { key: Uint8Array; windowStartMs: number } {
  const { key, end } = readEscapedKey(storeKey, 8);
  return { key, windowStartMs: readOrderedInt64(storeKey, end) };
}

/**
 * The store keys of `key` in one segment with window starts in [fromMs, toMs]: [lower, upper).
 *
 * @example
 * ```ts
 * const [from, toExclusive] = keyTimeBounds(segmentPrefix, keyBytes, 0, 59_999);
 * ```
 */
export function keyTimeBounds(
  segmentPrefix: Uint8Array,
  key: Uint8Array,
  fromMs: number,
  toMs: number,
): [Uint8Array, Uint8Array] {
  const k = escapedKey(key);
  return [
    concatBytes(segmentPrefix, k, orderedInt64(fromMs)),
    concatBytes(segmentPrefix, k, orderedInt64(toMs + 1)),
  ];
}

/**
 * The store keys of record keys in [keyFrom, keyTo] (null: open) in one segment: [lower, upper).
 *
 * @example
 * ```ts
 * const [from, toExclusive] = keyRangeBounds(orderedInt64(id), orderedInt64(id + 1), keyFrom, keyTo);
 * ```
 */
export function keyRangeBounds(
  segmentPrefix: Uint8Array,
  nextSegmentPrefix: Uint8Array,
  keyFrom: Uint8Array | null,
  keyTo: Uint8Array | null,
): [Uint8Array, Uint8Array] {
  const lower = keyFrom === null ? segmentPrefix : concatBytes(segmentPrefix, escapedKey(keyFrom));
  // Every store key of keyTo starts with its escaped form; the next prefix bounds them all.
  const upper =
    keyTo === null ? nextSegmentPrefix : concatBytes(segmentPrefix, prefixEnd(escapedKey(keyTo))!);
  return [lower, upper];
}
