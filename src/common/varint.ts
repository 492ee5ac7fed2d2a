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

  /** Reads a zig-zag varlong (64-bit) as a number; throws if it is not a safe integer. */
  readVarlong(): number {
    const buf = this.buf;
    let pos = this.pos;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= this.end) throw this.overrun();
      const b = buf[pos++]!;
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (result > Number.MAX_SAFE_INTEGER) {
          throw new CorruptRecordError(`varlong at byte ${this.pos} is outside the safe integer range`);
        }
        this.pos = pos;
        // Zig-zag decode without 32-bit bitwise operators, which would truncate.
        return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
      }
      scale *= 128;
    }
    throw new CorruptRecordError(`varlong at byte ${this.pos} is longer than 10 bytes`);
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
 */
export function writeVarlong(buf: Uint8Array, pos: number, value: number): number {
  if (value >= -0x40000000 && value < 0x40000000) return writeVarint(buf, pos, value);
  let v = value >= 0 ? value * 2 : -value * 2 - 1;
  while (v > 0x7f) {
    buf[pos++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[pos++] = v;
  return pos;
}

/**
 * Writes a bigint as a zig-zag varlong at `pos` (full int64 range); returns the position after it.
 *
 * @example
 * ```ts
 * pos = writeVarlongBig(buf, pos, -(2n ** 63n));
 * ```
 */
export function writeVarlongBig(buf: Uint8Array, pos: number, value: bigint): number {
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
 */
export function sizeOfVarlong(value: number): number {
  if (value >= -0x40000000 && value < 0x40000000) return sizeOfVarint(value);
  let v = value >= 0 ? value * 2 : -value * 2 - 1;
  let size = 1;
  while (v > 0x7f) {
    size++;
    v = Math.floor(v / 128);
  }
  return size;
}
