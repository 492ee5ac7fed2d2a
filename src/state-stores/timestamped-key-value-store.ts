/**
 * Timestamped key-value stores, as Kafka Streams' TimestampedKeyValueStore: each value carries the
 * timestamp of the record that last wrote it (the KTable's record timestamp), stored as 8 bytes
 * big-endian before the value bytes, Kafka's layout.
 */
import { writeInt64 } from '../common/bytes.js';
import { SerializationError } from '../common/errors.js';
import { int64Serde } from '../serdes/number-serdes.js';
import type { Serde } from '../serdes/serde.js';
import { roundTripCheck, withRoundTripCheck } from './cacheable-values.js';
import { markFreshOutput } from './fresh-output-serdes.js';
import type { KeyValueStore } from './key-value-store.js';

const TWO_32 = 4294967296;

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

/** The big-endian int64 at `pos` when it is a safe integer, else undefined. */
function readSafeInt64(bytes: Uint8Array, pos: number): number | undefined {
  const hi = (bytes[pos]! << 24) | (bytes[pos + 1]! << 16) | (bytes[pos + 2]! << 8) | bytes[pos + 3]!;
  const lo =
    ((bytes[pos + 4]! << 24) | (bytes[pos + 5]! << 16) | (bytes[pos + 6]! << 8) | bytes[pos + 7]!) >>> 0;
  const value = hi * TWO_32 + lo;
  return Number.isSafeInteger(value) ? value : undefined;
}

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
  // int64 values (counts) are written and read in place: one array per serialize, none per
  // deserialize, rather than the inner serde's array and a view of the stored bytes.
  const int64 = (valueSerde as Serde<unknown>) === int64Serde;
  const badTimestamp = (topic: string, v: ValueAndTimestamp<V>) =>
    new SerializationError(name, topic, `timestamp ${String(v.timestampMs)} is not a safe integer`);
  const serde = markFreshOutput(
    Object.freeze({
      name,
      serialize(topic: string, v: ValueAndTimestamp<V>): Uint8Array | null {
        if (int64 && typeof v.value === 'number' && Number.isSafeInteger(v.value)) {
          if (!Number.isSafeInteger(v.timestampMs)) throw badTimestamp(topic, v);
          const out = Buffer.allocUnsafe(16);
          writeInt64(out, 0, v.timestampMs);
          writeInt64(out, 8, v.value);
          return out;
        }
        const inner = valueSerde.serialize(topic, v.value);
        if (inner === null) return null;
        if (!Number.isSafeInteger(v.timestampMs)) throw badTimestamp(topic, v);
        const out = Buffer.allocUnsafe(8 + inner.length);
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
        const timestampMs = readSafeInt64(bytes, 0) ?? int64Serde.deserialize(topic, bytes.subarray(0, 8));
        if (int64 && bytes.length === 16) {
          const value = readSafeInt64(bytes, 8);
          if (value !== undefined) return { timestampMs, value: value as V };
        }
        // Everything else, and bytes the fast path refused (the inner serde throws its own error).
        return { timestampMs, value: valueSerde.deserialize(topic, bytes.subarray(8)) };
      },
    }),
  );
  // A typed cache may keep a pair whose value round-trips (as its two fields, never the object).
  const inner = roundTripCheck(valueSerde as Serde<unknown>);
  if (inner === undefined) return serde;
  return withRoundTripCheck(
    serde,
    (v) => {
      if (v === null || typeof v !== 'object') return false;
      const t = (v as ValueAndTimestamp<unknown>).timestampMs;
      return Number.isSafeInteger(t) && !Object.is(t, -0) && inner((v as ValueAndTimestamp<unknown>).value);
    },
    true,
  );
}
