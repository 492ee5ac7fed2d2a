/**
 * The versioned key-value store contract of Kafka Streams (KIP-889): each put carries a timestamp
 * and adds a version; reads ask for the latest value or the value as of a time. Versions stay
 * readable for `historyRetentionMs` of stream time; the latest value of a key is kept however old.
 */
import type { StateStore } from '../state-store.js';

/**
 * `put` returns this when the record was older than the history retention and was not stored.
 *
 * @example
 * ```ts
 * if (store.put(key, value, ts) === PUT_RETURN_CODE_NOT_PUT) dropped++;
 * ```
 */
export const PUT_RETURN_CODE_NOT_PUT = Number.MIN_SAFE_INTEGER;
/**
 * `put` returns this when the record became the latest version (valid until further notice).
 *
 * @example
 * ```ts
 * const latest = store.put(key, value, ts) === PUT_RETURN_CODE_VALID_TO_UNDEFINED;
 * ```
 */
export const PUT_RETURN_CODE_VALID_TO_UNDEFINED = -1;

/**
 * One version of a value: valid from `timestampMs` until `validToMs` (exclusive), or until further
 * notice when `validToMs` is undefined (the latest version).
 *
 * @example
 * ```ts
 * const r: VersionedRecord<number> = { value: 3, timestampMs: 1000, validToMs: 2000 };
 * ```
 */
export interface VersionedRecord<V> {
  readonly value: V;
  readonly timestampMs: number;
  readonly validToMs: number | undefined;
}

/**
 * A versioned key-value store.
 *
 * @example
 * ```ts
 * store.put('alice', 1, 1000);
 * store.put('alice', 2, 2000);
 * store.get('alice', 1500); // { value: 1, timestampMs: 1000, validToMs: 2000 }
 * store.get('alice'); // { value: 2, timestampMs: 2000, validToMs: undefined }
 * ```
 * @throws StoreClosedError once closed; SerializationError on values the serdes reject; RangeError
 * for a timestamp that is negative or not a safe integer.
 */
export interface VersionedKeyValueStore<K, V> extends StateStore {
  /**
   * Adds the version of `key` valid from `timestampMs` (null: a delete from then on), replacing a
   * version with the same timestamp. Returns the new version's validTo (the timestamp of the next
   * newer version), PUT_RETURN_CODE_VALID_TO_UNDEFINED when it became the latest, or
   * PUT_RETURN_CODE_NOT_PUT when it was older than stream time − historyRetentionMs.
   */
  put(key: K, value: V | null, timestampMs: number): number;
  /** The version of `key` valid at `timestampMs` (then puts a delete there); undefined if none. */
  delete(key: K, timestampMs: number): VersionedRecord<V> | undefined;
  /**
   * The latest version of `key`, or with `asOfTimestampMs` the version valid at that time; undefined
   * when none is (or when asOfTimestampMs is older than stream time − historyRetentionMs).
   */
  get(key: K, asOfTimestampMs?: number): VersionedRecord<V> | undefined;
  /** Stream time: the latest timestamp put (Number.MIN_SAFE_INTEGER before any). */
  readonly streamTimeMs: number;
}
