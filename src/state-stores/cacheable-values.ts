/**
 * Which values a typed store cache may keep as objects instead of bytes. A cache that hands back
 * the object it was given, rather than deserializing stored bytes, is indistinguishable from the
 * store only when (1) serializing the object cannot fail (a failure must still surface at the put,
 * not at a later flush), (2) deserializing its bytes gives back an equal value, and (3) nobody can
 * change the object afterwards. Primitives satisfy (3); each serde says which of its values satisfy
 * (1) and (2). A value that fails its check is simply not cached (written through as bytes).
 */
import { int32Serde, int64Serde } from '../serdes/number-serdes.js';
import type { Serde } from '../serdes/serde.js';
import { stringSerde } from '../serdes/string-serde.js';

/**
 * True when the value round-trips exactly through its serde and cannot be changed in place.
 *
 * @example
 * ```ts
 * const check: RoundTripCheck = (v) => typeof v === 'number' && Number.isSafeInteger(v);
 * ```
 */
export type RoundTripCheck = (value: unknown) => boolean;

/** int64: a safe integer other than -0 (which comes back as 0). */
const safeInteger: RoundTripCheck = (v) => Number.isSafeInteger(v) && !Object.is(v, -0);
const int32: RoundTripCheck = (v) => (v as number) === ((v as number) | 0) && !Object.is(v, -0);
/** UTF-8 round-trips a string unless it holds a lone surrogate (which becomes U+FFFD). */
const wellFormed: RoundTripCheck = (v) =>
  typeof v === 'string' && (v as unknown as { isWellFormed(): boolean }).isWellFormed();

const CHECKS = new WeakMap<object, RoundTripCheck>([
  [int64Serde, safeInteger],
  [int32Serde, int32],
  [stringSerde, wellFormed],
]);
/** Serdes of ValueAndTimestamp pairs: a cache keeps their two fields rather than the pair. */
const PAIRS = new WeakSet<object>();

/**
 * The round-trip check of `serde`'s values, or undefined when its values are never cached.
 *
 * @example
 * ```ts
 * roundTripCheck(Serdes.int64())?.(3); // true
 * roundTripCheck(Serdes.json()); // undefined: objects can be changed by whoever holds them
 * ```
 */
export function roundTripCheck(serde: Serde<unknown>): RoundTripCheck | undefined {
  return CHECKS.get(serde);
}

/**
 * Registers the round-trip check of a serde built by this library (the timestamped serdes); returns
 * the serde.
 *
 * @example
 * ```ts
 * return withRoundTripCheck(serde, (v) => isSafe((v as ValueAndTimestamp<number>).value), true);
 * ```
 */
export function withRoundTripCheck<T>(serde: Serde<T>, check: RoundTripCheck, pairs = false): Serde<T> {
  CHECKS.set(serde, check);
  if (pairs) PAIRS.add(serde);
  return serde;
}

/**
 * Whether `serde` was registered as a serde of ValueAndTimestamp pairs (withRoundTripCheck's
 * `pairs`).
 *
 * @example
 * ```ts
 * timestampedPairs(valueAndTimestampSerde(Serdes.int64())); // true
 * ```
 */
export function timestampedPairs(serde: Serde<unknown>): boolean {
  return PAIRS.has(serde);
}
