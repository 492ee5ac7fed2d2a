/**
 * Fixed-width big-endian numbers, byte-compatible with Kafka's IntegerSerde, LongSerde and
 * DoubleSerde.
 *
 * Byte order against numeric order (what a state store's range scan follows):
 * - int32 and int64 are two's complement: non-negative values sort in numeric order, and every
 *   negative value sorts after every non-negative one (negatives keep their order among
 *   themselves). Kafka's serdes do the same.
 * - double is IEEE 754: non-negative values (+0 up to +Infinity) sort in numeric order; NaN sorts
 *   above +Infinity; negative values (and -0) sort after all of those, in reverse numeric order.
 */
import { SerializationError } from '../common/errors.js';
import type { Serde } from './serde.js';

const TWO_32 = 4294967296;

function expectLength(serde: string, topic: string, bytes: Uint8Array, length: number): void {
  if (bytes.length !== length) {
    throw new SerializationError(serde, topic, `expected ${length} bytes, got ${bytes.length}`);
  }
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * 32-bit signed integers, 4 bytes big-endian.
 *
 * @example
 * ```ts
 * int32Serde.serialize('t', 258); // 00 00 01 02
 * ```
 * @throws SerializationError for a value that is not an integer in [-2^31, 2^31 - 1], or bytes
 * that are not exactly 4 long.
 */
export const int32Serde: Serde<number> = Object.freeze({
  name: 'int32',
  serialize(topic: string, value: number): Uint8Array {
    if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) {
      throw new SerializationError('int32', topic, `${String(value)} is not a 32-bit integer`);
    }
    const out = Buffer.allocUnsafe(4);
    out.writeInt32BE(value, 0);
    return out;
  },
  deserialize(topic: string, bytes: Uint8Array): number {
    expectLength('int32', topic, bytes, 4);
    return (bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!;
  },
});

/**
 * 64-bit signed integers as JS numbers, 8 bytes big-endian. Numbers are exact only up to 2^53 − 1,
 * so values beyond that are refused rather than rounded; use {@link int64BigIntSerde} for them.
 *
 * @example
 * ```ts
 * int64Serde.deserialize('t', int64Serde.serialize('t', 1_700_000_000_000)!); // 1700000000000
 * ```
 * @throws SerializationError for a value that is not a safe integer, stored bytes whose int64 is
 * outside the safe range, or bytes that are not exactly 8 long.
 */
export const int64Serde: Serde<number> = Object.freeze({
  name: 'int64',
  serialize(topic: string, value: number): Uint8Array {
    if (!Number.isSafeInteger(value)) {
      throw new SerializationError(
        'int64',
        topic,
        `${String(value)} is not a safe integer; use the int64 bigint serde for values beyond 2^53 - 1`,
      );
    }
    const out = Buffer.allocUnsafe(8);
    const hi = Math.floor(value / TWO_32);
    out.writeInt32BE(hi, 0);
    out.writeUInt32BE(value - hi * TWO_32, 4);
    return out;
  },
  deserialize(topic: string, bytes: Uint8Array): number {
    expectLength('int64', topic, bytes, 8);
    const hi = (bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!;
    const lo = ((bytes[4]! << 24) | (bytes[5]! << 16) | (bytes[6]! << 8) | bytes[7]!) >>> 0;
    const value = hi * TWO_32 + lo;
    if (!Number.isSafeInteger(value)) {
      throw new SerializationError(
        'int64',
        topic,
        `the stored int64 ${view(bytes).getBigInt64(0)} is outside the safe integer range; read it with the int64 bigint serde`,
      );
    }
    return value;
  },
});

/**
 * 64-bit signed integers as bigints, 8 bytes big-endian: the whole int64 range.
 *
 * @example
 * ```ts
 * int64BigIntSerde.serialize('t', -1n); // ff ff ff ff ff ff ff ff
 * ```
 * @throws SerializationError for a value that is not a bigint in [-2^63, 2^63 - 1], or bytes that
 * are not exactly 8 long.
 */
export const int64BigIntSerde: Serde<bigint> = Object.freeze({
  name: 'int64-bigint',
  serialize(topic: string, value: bigint): Uint8Array {
    if (typeof value !== 'bigint' || BigInt.asIntN(64, value) !== value) {
      throw new SerializationError('int64-bigint', topic, `${String(value)} is not a 64-bit signed bigint`);
    }
    const out = Buffer.allocUnsafe(8);
    out.writeBigInt64BE(value, 0);
    return out;
  },
  deserialize(topic: string, bytes: Uint8Array): bigint {
    expectLength('int64-bigint', topic, bytes, 8);
    return view(bytes).getBigInt64(0);
  },
});

/**
 * 64-bit IEEE 754 doubles, 8 bytes big-endian. Every number round-trips, including -0, the
 * infinities and NaN.
 *
 * @example
 * ```ts
 * doubleSerde.serialize('t', 1.5); // 3f f8 00 00 00 00 00 00
 * ```
 * @throws SerializationError for a value that is not a number, or bytes that are not exactly 8 long.
 */
export const doubleSerde: Serde<number> = Object.freeze({
  name: 'double',
  serialize(topic: string, value: number): Uint8Array {
    if (typeof value !== 'number') {
      throw new SerializationError('double', topic, `cannot serialize a ${typeof value} as a double`);
    }
    const out = Buffer.allocUnsafe(8);
    out.writeDoubleBE(value, 0);
    return out;
  },
  deserialize(topic: string, bytes: Uint8Array): number {
    expectLength('double', topic, bytes, 8);
    return view(bytes).getFloat64(0);
  },
});
