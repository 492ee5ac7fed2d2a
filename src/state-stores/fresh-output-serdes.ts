/**
 * Serdes whose `serialize` returns a new array on every call that nobody else holds: a store may
 * keep those values without copying them (a copy and an allocation fewer per put).
 */
import { doubleSerde, int32Serde, int64BigIntSerde, int64Serde } from '../serdes/number-serdes.js';
import type { Serde } from '../serdes/serde.js';
import { stringSerde } from '../serdes/string-serde.js';

/** The built-in ones, and those marked by markFreshOutput (the timestamped serdes). */
const FRESH: WeakSet<object> = new WeakSet<object>([
  stringSerde,
  int32Serde,
  int64Serde,
  int64BigIntSerde,
  doubleSerde,
]);

/**
 * Whether `serde` returns a fresh array nobody else holds from every `serialize`.
 *
 * @example
 * ```ts
 * const v = valueSerde.serialize(topic, value);
 * if (hasFreshOutput(valueSerde)) store.putOwned(key, v); else store.put(key, v);
 * ```
 */
export function hasFreshOutput(serde: Serde<unknown>): boolean {
  return FRESH.has(serde);
}

/**
 * Records that `serde` (built by this library) returns fresh arrays; returns it.
 *
 * @example
 * ```ts
 * return markFreshOutput(Object.freeze({ name, serialize, deserialize }));
 * ```
 */
export function markFreshOutput<T>(serde: Serde<T>): Serde<T> {
  FRESH.add(serde);
  return serde;
}
