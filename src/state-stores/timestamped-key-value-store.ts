/**
 * Timestamped key-value stores, as Kafka Streams' TimestampedKeyValueStore: each value carries the
 * timestamp of the record that last wrote it (the KTable's record timestamp), stored as 8 bytes
 * big-endian before the value bytes, Kafka's layout.
 */
import { writeInt64 } from '../common/bytes.js';
import { SerializationError } from '../common/errors.js';
import { int64Serde } from '../serdes/number-serdes.js';
import type { Serde } from '../serdes/serde.js';
import type { KeyValueStore } from './key-value-store.js';

/**
 * A value with its record timestamp.
 *
 * @example
 * ```ts
 * const v: ValueAndTimestamp<number> = { value: 3, timestampMs: 1_700_000_000_000 };
 * ```
 */
export interface ValueAndTimestamp<V> {
  readonly value: V;
  readonly timestampMs: number;
}

/**
 * A key-value store of values with timestamps.
 *
 * @example
 * ```ts
 * store.put('alice', { value: 3, timestampMs: record.timestampMs });
 * ```
 */
export type TimestampedKeyValueStore<K, V> = KeyValueStore<K, ValueAndTimestamp<V>>;

/**
 * The serde of ValueAndTimestamp<V>: the timestamp as int64 big-endian, then `valueSerde`'s bytes.
 *
 * @example
 * ```ts
 * const serde = valueAndTimestampSerde(Serdes.int64());
 * serde.serialize('counts', { value: 3, timestampMs: 1000 });
 * ```
 * @throws SerializationError for fewer than 8 bytes, a timestamp outside the safe integer range, or
 * what `valueSerde` throws. A value whose serde returns null serializes to null (a delete).
 */
export function valueAndTimestampSerde<V>(valueSerde: Serde<V>): Serde<ValueAndTimestamp<V>> {
  const name = `timestamped(${valueSerde.name})`;
  return Object.freeze({
    name,
    serialize(topic: string, v: ValueAndTimestamp<V>): Uint8Array | null {
      const inner = valueSerde.serialize(topic, v.value);
      if (inner === null) return null;
      if (!Number.isSafeInteger(v.timestampMs)) {
        throw new SerializationError(name, topic, `timestamp ${String(v.timestampMs)} is not a safe integer`);
      }
      const out = new Uint8Array(8 + inner.length);
      writeInt64(out, 0, v.timestampMs);
      out.set(inner, 8);
      return out;
    },
    deserialize(topic: string, bytes: Uint8Array): ValueAndTimestamp<V> {
      if (bytes.length < 8) {
        throw new SerializationError(
          name,
          topic,
          `expected at least 8 bytes (a timestamp), got ${bytes.length}`,
        );
      }
      return {
        timestampMs: int64Serde.deserialize(topic, bytes.subarray(0, 8)),
        value: valueSerde.deserialize(topic, bytes.subarray(8)),
      };
    },
  });
}
