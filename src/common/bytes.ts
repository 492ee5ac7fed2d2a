/**
 * Big-endian 64-bit integers as JS numbers. Offsets, timestamps and producer ids are int64 on the
 * wire but stay far below 2^53 in practice, and numbers are several times faster than bigints on
 * the hot path. Values outside the safe-integer range are refused, never silently rounded.
 */
import { CorruptRecordError } from './errors.js';

const TWO_32 = 4294967296;

/**
 * Reads a big-endian int64 at `pos` as a number.
 *
 * @example
 * ```ts
 * const baseOffset = readInt64(batch, 0);
 * ```
 * @throws CorruptRecordError when the value is outside ±(2^53 − 1).
 */
export function readInt64(buf: Uint8Array, pos: number): number {
  const hi = (buf[pos]! << 24) | (buf[pos + 1]! << 16) | (buf[pos + 2]! << 8) | buf[pos + 3]!;
  const lo = ((buf[pos + 4]! << 24) | (buf[pos + 5]! << 16) | (buf[pos + 6]! << 8) | buf[pos + 7]!) >>> 0;
  // hi is signed. Safe integers are -(2^53 - 1) .. 2^53 - 1: hi from -2^21 to 2^21 - 1, except
  // that hi = -2^21 with lo = 0 is -2^53, exact but not safe.
  if (hi > 0x1fffff || hi < -0x200000 || (hi === -0x200000 && lo === 0)) {
    throw new CorruptRecordError(`int64 at byte ${pos} is outside the safe integer range`);
  }
  return hi * TWO_32 + lo;
}

/**
 * Writes `value` as a big-endian int64 at `pos`.
 *
 * @example
 * ```ts
 * writeInt64(batch, 0, 1234); // rewrite a batch's base offset in place
 * ```
 * @throws RangeError when `value` is not a safe integer.
 */
export function writeInt64(buf: Uint8Array, pos: number, value: number): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`int64 value ${value} is not a safe integer`);
  const hi = Math.floor(value / TWO_32);
  const lo = value - hi * TWO_32;
  buf[pos] = hi >>> 24;
  buf[pos + 1] = hi >>> 16;
  buf[pos + 2] = hi >>> 8;
  buf[pos + 3] = hi;
  buf[pos + 4] = lo >>> 24;
  buf[pos + 5] = lo >>> 16;
  buf[pos + 6] = lo >>> 8;
  buf[pos + 7] = lo;
}

/**
 * Reads a big-endian int32 at `pos`.
 *
 * @example
 * ```ts
 * const batchLength = readInt32(batch, 8);
 * ```
 */
export function readInt32(buf: Uint8Array, pos: number): number {
  return (buf[pos]! << 24) | (buf[pos + 1]! << 16) | (buf[pos + 2]! << 8) | buf[pos + 3]!;
}

/**
 * Reads a big-endian uint32 at `pos`.
 *
 * @example
 * ```ts
 * const storedCrc = readUint32(batch, 17);
 * ```
 */
export function readUint32(buf: Uint8Array, pos: number): number {
  return readInt32(buf, pos) >>> 0;
}

/**
 * Writes a big-endian 32-bit integer (signed or unsigned) at `pos`.
 *
 * @example
 * ```ts
 * writeInt32(batch, 12, leaderEpoch);
 * ```
 */
export function writeInt32(buf: Uint8Array, pos: number, value: number): void {
  buf[pos] = value >>> 24;
  buf[pos + 1] = value >>> 16;
  buf[pos + 2] = value >>> 8;
  buf[pos + 3] = value;
}

/**
 * Reads a big-endian int16 at `pos`.
 *
 * @example
 * ```ts
 * const attributes = readInt16(batch, 21);
 * ```
 */
export function readInt16(buf: Uint8Array, pos: number): number {
  return (((buf[pos]! << 8) | buf[pos + 1]!) << 16) >> 16;
}

/**
 * Writes a big-endian 16-bit integer at `pos`.
 *
 * @example
 * ```ts
 * writeInt16(batch, 21, attributes);
 * ```
 */
export function writeInt16(buf: Uint8Array, pos: number, value: number): void {
  buf[pos] = value >>> 8;
  buf[pos + 1] = value;
}
