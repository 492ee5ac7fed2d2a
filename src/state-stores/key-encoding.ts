/**
 * Order-preserving encodings for composite store keys (window, session and versioned stores),
 * so that the byte order of a composite key is the order of its parts.
 *
 * - A user key is escaped (each 0x00 byte becomes 0x00 0x01) and terminated by 0x00 0x00. Unlike a
 *   raw key followed by a timestamp, this keeps every key's entries contiguous and in key byte
 *   order, even when one key is a prefix of another.
 * - A timestamp (or segment id) is written as 8 bytes big-endian with the sign bit flipped, so that
 *   negative values sort before positive ones.
 */
import { CorruptRecordError } from '../common/errors.js';

const TWO_32 = 4294967296;

/**
 * The bytes `key` takes once escaped and terminated.
 *
 * @example
 * ```ts
 * escapedKeyLength(new Uint8Array([7, 0])); // 5: 07 00 01 00 00
 * ```
 */
export function escapedKeyLength(key: Uint8Array): number {
  let n = key.length + 2;
  for (let i = 0; i < key.length; i++) if (key[i] === 0) n++;
  return n;
}

/**
 * Writes `key` escaped and terminated at `pos`; returns the position after it.
 *
 * @example
 * ```ts
 * const buf = new Uint8Array(escapedKeyLength(key) + 8);
 * writeOrderedInt64(buf, writeEscapedKey(buf, 0, key), timestampMs);
 * ```
 */
export function writeEscapedKey(buf: Uint8Array, pos: number, key: Uint8Array): number {
  for (let i = 0; i < key.length; i++) {
    const b = key[i]!;
    buf[pos++] = b;
    if (b === 0) buf[pos++] = 1;
  }
  buf[pos++] = 0;
  buf[pos++] = 0;
  return pos;
}

/**
 * `key` escaped and terminated, on its own.
 *
 * @example
 * ```ts
 * const lower = concatBytes(segmentPrefix, escapedKey(keyFrom));
 * ```
 */
export function escapedKey(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(escapedKeyLength(key));
  writeEscapedKey(out, 0, key);
  return out;
}

/**
 * The concatenation of byte strings.
 *
 * @example
 * ```ts
 * concatBytes(orderedInt64(segmentId), escapedKey(key)); // a range bound
 * ```
 */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/**
 * Reads an escaped key at `pos`; returns it and the position after its terminator.
 *
 * @example
 * ```ts
 * const { key, end } = readEscapedKey(storeKey, 8);
 * const windowStartMs = readOrderedInt64(storeKey, end);
 * ```
 * @throws CorruptRecordError when the bytes hold no well-formed escaped key.
 */
export function readEscapedKey(buf: Uint8Array, pos: number): { key: Uint8Array; end: number } {
  let i = pos;
  let zeros = 0;
  for (;;) {
    if (i + 1 >= buf.length) throw new CorruptRecordError(`store key has an unterminated key at byte ${pos}`);
    if (buf[i] !== 0) {
      i++;
      continue;
    }
    const next = buf[i + 1];
    if (next === 0) break;
    if (next !== 1) throw new CorruptRecordError(`store key has a bad escape at byte ${i}`);
    zeros++;
    i += 2;
  }
  const key = new Uint8Array(i - pos - zeros);
  let o = 0;
  for (let j = pos; j < i; j++) {
    key[o++] = buf[j]!;
    if (buf[j] === 0) j++;
  }
  return { key, end: i + 2 };
}

/**
 * Writes a safe integer as 8 bytes big-endian with the sign bit flipped (byte order = numeric order).
 *
 * @example
 * ```ts
 * writeOrderedInt64(buf, 0, -5); // sorts before writeOrderedInt64(…, 3)
 * ```
 * @throws RangeError when `value` is not a safe integer.
 */
export function writeOrderedInt64(buf: Uint8Array, pos: number, value: number): number {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${value} is not a safe integer`);
  const hi = Math.floor(value / TWO_32);
  const lo = value - hi * TWO_32;
  const h = (hi ^ 0x80000000) >>> 0;
  buf[pos] = h >>> 24;
  buf[pos + 1] = h >>> 16;
  buf[pos + 2] = h >>> 8;
  buf[pos + 3] = h;
  buf[pos + 4] = lo >>> 24;
  buf[pos + 5] = lo >>> 16;
  buf[pos + 6] = lo >>> 8;
  buf[pos + 7] = lo;
  return pos + 8;
}

/**
 * Reads what writeOrderedInt64 wrote.
 *
 * @example
 * ```ts
 * const segmentId = readOrderedInt64(storeKey, 0);
 * ```
 */
export function readOrderedInt64(buf: Uint8Array, pos: number): number {
  const h = ((buf[pos]! << 24) | (buf[pos + 1]! << 16) | (buf[pos + 2]! << 8) | buf[pos + 3]!) ^ 0x80000000;
  const lo = ((buf[pos + 4]! << 24) | (buf[pos + 5]! << 16) | (buf[pos + 6]! << 8) | buf[pos + 7]!) >>> 0;
  return h * TWO_32 + lo;
}

/**
 * 8 bytes holding `value` in ordered form.
 *
 * @example
 * ```ts
 * const segmentPrefix = orderedInt64(segmentId);
 * ```
 */
export function orderedInt64(value: number): Uint8Array {
  const out = new Uint8Array(8);
  writeOrderedInt64(out, 0, value);
  return out;
}
