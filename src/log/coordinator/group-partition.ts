/**
 * Which partition of `__consumer_offsets` holds a group, and so which broker coordinates it.
 * Kafka computes `Utils.abs(groupId.hashCode()) % offsets.topic.num.partitions` with Java's
 * String.hashCode; millrace must compute the same so that a Kafka client, an embedded client and
 * the coordinator agree on where a group lives, and so a data directory moved between the two
 * keeps its groups on the same partitions.
 */

/**
 * Java's `String.hashCode()`: `s[0]*31^(n-1) + … + s[n-1]` over UTF-16 code units, in 32-bit
 * two's-complement arithmetic. JavaScript strings are UTF-16 too, so `charCodeAt` yields exactly
 * the code units Java sees (a character outside the BMP counts as its two surrogates).
 *
 * @example
 * ```ts
 * javaStringHashCode('abc'); // 96354
 * javaStringHashCode('polygenelubricants'); // -2147483648
 * ```
 */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/**
 * Kafka's `Utils.abs`: the absolute value, except that the one int with no positive counterpart,
 * -2^31, maps to 0 (Java's Math.abs would leave it negative).
 *
 * @example
 * ```ts
 * kafkaAbs(-5); // 5
 * kafkaAbs(-2147483648); // 0
 * ```
 */
export function kafkaAbs(n: number): number {
  return n === -2147483648 ? 0 : Math.abs(n);
}

/**
 * The `__consumer_offsets` partition of a group.
 *
 * @example
 * ```ts
 * partitionForGroup('orders-app', 50); // the partition whose leader coordinates 'orders-app'
 * ```
 * @throws RangeError when `partitions` is not a positive integer.
 */
export function partitionForGroup(groupId: string, partitions: number): number {
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new RangeError(`the offsets topic needs a positive partition count, not ${partitions}`);
  }
  return kafkaAbs(javaStringHashCode(groupId)) % partitions;
}
