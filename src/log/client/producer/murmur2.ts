/**
 * Kafka's key hash: the 32-bit MurmurHash2 variant of the Java client's `Utils.murmur2` (seed
 * 0x9747b28c, four bytes at a time little-endian, tail bytes folded in last), and the mapping
 * `toPositive(murmur2(key)) % numPartitions` of its default partitioner. Matching it bit for bit
 * is what makes a keyed record land in the same partition whichever client wrote it, so a topic
 * shared with Java, librdkafka ("murmur2_random") or kafkajs producers keeps each key in one
 * partition.
 */
import { InvalidRecordError } from '../../../common/errors.js';

/** The seed Kafka's Java client uses. */
const SEED = 0x9747b28c;
/** MurmurHash2's multiplier. */
const M = 0x5bd1e995;

/**
 * Kafka's murmur2 hash of `data`, as a signed 32-bit integer (the value the Java client computes).
 *
 * @example
 * ```ts
 * murmur2(Buffer.from('foobar')); // -790332482, as Kafka's own tests assert
 * ```
 */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  // All arithmetic is on int32: Math.imul multiplies modulo 2^32 as Java's int does, and the
  // bitwise operators truncate, so no intermediate ever leaves the 32-bit range.
  let h = SEED ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const tail = length & 3;
  if (tail !== 0) {
    if (tail === 3) h ^= data[whole + 2]! << 16;
    if (tail >= 2) h ^= data[whole + 1]! << 8;
    h ^= data[whole]!;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h;
}

/**
 * Clears the sign bit, as Kafka's `Utils.toPositive` does. Not `Math.abs`: abs(-2^31) is not a
 * 32-bit integer, and Kafka maps it (like every negative hash) by masking, so must we.
 *
 * @example
 * ```ts
 * toPositive(-790332482); // 1357151166
 * ```
 */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

/**
 * The partition Kafka's default partitioner gives a record with this key.
 *
 * @example
 * ```ts
 * const partition = partitionForKey(Buffer.from('user-42'), 12);
 * ```
 * @throws InvalidRecordError when `numPartitions` is not a positive integer.
 */
export function partitionForKey(key: Uint8Array, numPartitions: number): number {
  if (!Number.isInteger(numPartitions) || numPartitions < 1) {
    throw new InvalidRecordError(`cannot partition a key over ${numPartitions} partitions; need at least 1`);
  }
  return toPositive(murmur2(key)) % numPartitions;
}
