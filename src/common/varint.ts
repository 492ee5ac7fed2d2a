/**
 * Zig-zag variable-length integers as Kafka (and protobuf) define them: 7 bits a byte, low bits
 * first, high bit set on every byte but the last. `varint` is 32-bit (at most 5 bytes), `varlong`
 * is 64-bit (at most 10 bytes). The number forms cover every safe integer; the bigint forms cover
 * the full int64 range.
 */
import { CorruptRecordError } from './errors.js';

/**
 * A cursor over bytes: each read advances `pos`. Reads past `end` throw CorruptRecordError, so a
 * truncated record can never be read as a shorter valid one.
 *
 * @example
 * ```ts
 * const r = new ByteReader(bytes);
 * const length = r.readVarint();
 * const key = r.readBytes(length);
 * ```
 */
export class ByteReader {
  buf: Uint8Array;
  pos: number;
  end: number;

  constructor(buf: Uint8Array, pos = 0, end = buf.length) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  /** Reads a zig-zag varint (32-bit). */
  readVarint(): number {
    const buf = this.buf;
    let pos = this.pos;
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      if (pos >= this.end) throw this.overrun();
      const b = buf[pos++]!;
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) {
        this.pos = pos;
        return (result >>> 1) ^ -(result & 1);
      }
      shift += 7;
    }
    throw new CorruptRecordError(`varint at byte ${this.pos} is longer than 5 bytes`);
  }

  /**
   * Reads a zig-zag varlong (64-bit) as a number.
   *
   * @throws CorruptRecordError when it is truncated, longer than 10 bytes, or not a safe integer.
   */
  readVarlong(): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos >= this.end) throw this.overrun();
    // The zig-zag form of a safe integer can reach 2^54 - 2, beyond exact doubles, so it is never
    // formed. n is the zig-zag form halved (value, or -value - 1 when negative): the first byte
    // gives the sign bit and n's low 6 bits, each later byte 7 more bits.
    let b = buf[pos++]!;
    const negative = (b & 1) === 1;
    let n = (b & 0x7f) >>> 1;
    let scale = 64;
    for (let i = 1; (b & 0x80) !== 0; i++) {
      if (i === 10) throw new CorruptRecordError(`varlong at byte ${this.pos} is longer than 10 bytes`);
      if (pos >= this.end) throw this.overrun();
      b = buf[pos++]!;
      n += (b & 0x7f) * scale;
      scale *= 128;
    }
    // Partial sums are exact below 2^53, so anything inexact is also caught here.
    if (n > (negative ? Number.MAX_SAFE_INTEGER - 1 : Number.MAX_SAFE_INTEGER)) {
      throw new CorruptRecordError(`varlong at byte ${this.pos} is outside the safe integer range`);
    }
    this.pos = pos;
    return negative ? -n - 1 : n;
  }

  /** Reads a zig-zag varlong as a bigint, covering the full int64 range. */
  readVarlongBig(): bigint {
    let pos = this.pos;
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (pos >= this.end) throw this.overrun();
      const b = this.buf[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) {
        this.pos = pos;
        return BigInt.asIntN(64, (result >> 1n) ^ -(result & 1n));
      }
      shift += 7n;
    }
    throw new CorruptRecordError(`varlong at byte ${this.pos} is longer than 10 bytes`);
  }

  /** Reads one signed byte. */
  readInt8(): number {
    if (this.pos >= this.end) throw this.overrun();
    return (this.buf[this.pos++]! << 24) >> 24;
  }

  /** Returns a view (no copy) of the next `length` bytes. */
  readBytes(length: number): Uint8Array {
    if (length < 0 || this.pos + length > this.end) throw this.overrun();
    const view = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return view;
  }

  private overrun(): CorruptRecordError {
    return new CorruptRecordError(`read past the end of the data at byte ${this.pos} (end ${this.end})`);
  }
}

/**
 * Writes `value` as a zig-zag varint at `pos`; returns the position after it.
 *
 * @example
 * ```ts
 * pos = writeVarint(buf, pos, key.length);
 * ```
 */
export function writeVarint(buf: Uint8Array, pos: number, value: number): number {
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  while (v > 0x7f) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}

/**
 * Writes a safe integer as a zig-zag varlong at `pos`; returns the position after it.
 *
 * @example
 * ```ts
 * pos = writeVarlong(buf, pos, timestampMs - baseTimestampMs);
 * ```
 * @throws RangeError when `value` is outside [-2^30, 2^30) and not a safe integer (values inside
 * that range take the unchecked 32-bit path, like `writeVarint`).
 */
export function writeVarlong(buf: Uint8Array, pos: number, value: number): number {
  if (value >= -0x40000000 && value < 0x40000000) return writeVarint(buf, pos, value);
  if (!Number.isSafeInteger(value)) throw new RangeError(`varlong value ${value} is not a safe integer`);
  // The zig-zag form n * 2 + sign can exceed 2^53, so it is emitted without being formed.
  const sign = value < 0 ? 1 : 0;
  let n = sign === 1 ? -value - 1 : value;
  buf[pos++] = ((n % 64) << 1) | sign | 0x80; // |value| >= 2^30 always needs more than one byte
  n = Math.floor(n / 64);
  while (n > 0x7f) {
    buf[pos++] = (n % 128) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[pos++] = n;
  return pos;
}

/**
 * Writes a bigint as a zig-zag varlong at `pos` (full int64 range); returns the position after it.
 *
 * @example
 * ```ts
 * pos = writeVarlongBig(buf, pos, -(2n ** 63n));
 * ```
 * @throws RangeError when `value` is outside the int64 range.
 */
export function writeVarlongBig(buf: Uint8Array, pos: number, value: bigint): number {
  if (BigInt.asIntN(64, value) !== value) throw new RangeError(`varlong value ${value} is outside int64`);
  let v = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
  while (v > 0x7fn) {
    buf[pos++] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  buf[pos++] = Number(v);
  return pos;
}

/**
 * The number of bytes `writeVarint` uses for `value`.
 *
 * @example
 * ```ts
 * const size = sizeOfVarint(300); // 2
 * ```
 */
export function sizeOfVarint(value: number): number {
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  let size = 1;
  while (v > 0x7f) {
    size++;
    v >>>= 7;
  }
  return size;
}

/**
 * The number of bytes `writeVarlong` uses for `value`.
 *
 * @example
 * ```ts
 * const size = sizeOfVarlong(-1); // 1
 * ```
 * @throws RangeError when `writeVarlong` would.
 */
export function sizeOfVarlong(value: number): number {
  if (value >= -0x40000000 && value < 0x40000000) return sizeOfVarint(value);
  if (!Number.isSafeInteger(value)) throw new RangeError(`varlong value ${value} is not a safe integer`);
  // Counts 7-bit groups of n * 2 + sign without forming it (see writeVarlong).
  let n = Math.floor((value < 0 ? -value - 1 : value) / 64);
  let size = 2;
  while (n > 0x7f) {
    size++;
    n = Math.floor(n / 128);
  }
  return size;
}
