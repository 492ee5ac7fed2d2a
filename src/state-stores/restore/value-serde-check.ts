/**
 * The typed check of changelog records during restoration: each value must deserialize with the
 * store's value serde, so a changelog written with another serde (or by something else) is refused
 * at the record that does not fit, not later at a read.
 */
import type { Serde } from '../../serdes/serde.js';
import type { ChangelogRecordCheck } from './store-restorer.js';

/**
 * A record check that deserializes every non-null value with `serde` (key-value stores, whose
 * changelog values are the serialized values themselves).
 *
 * @example
 * ```ts
 * await restoreStore({ ...options, checkRecord: valueSerdeCheck(Serdes.int64(), topic) });
 * ```
 * @throws (from the check) SerializationError for a value the serde refuses; restoration turns it
 * into ChangelogCorruptError naming the store, partition and offset.
 */
export function valueSerdeCheck<V>(serde: Serde<V>, topic: string): ChangelogRecordCheck {
  return (_key, value) => {
    if (value !== null) serde.deserialize(topic, value);
  };
}
