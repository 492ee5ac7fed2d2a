/**
 * The key spaces of a versioned store, each under a one-byte tag:
 *
 *   0x00                                   metadata: stream time
 *   0x01 [key escaped][timestamp]          an older version: [flag][value]
 *   0x02 [expiry][key escaped][timestamp]  expiry index: the version may go once expiry <= stream
 *                                          time − history retention
 *   0x03 [key]                             the latest version: [timestamp][flag][value]
 *
 * Flag 1 marks a value, 0 a delete (a tombstone version: "no value from then on").
 */
import { prefixEnd } from '../byte-order.js';
import {
  concatBytes,
  orderedInt64,
  readEscapedKey,
  readOrderedInt64,
  writeOrderedInt64,
} from '../key-encoding.js';

/**
 * The key of the metadata (stream time).
 *
 * @example
 * ```ts
 * const meta = store.get(META_KEY);
 * ```
 */
export const META_KEY = new Uint8Array([0x00]);
const HISTORY = new Uint8Array([0x01]);
const INDEX = new Uint8Array([0x02]);
const LATEST = new Uint8Array([0x03]);

/**
 * A stored version.
 *
 * @example
 * ```ts
 * const v: StoredVersion = { timestampMs: 1000, value: null }; // a delete from 1000 on
 * ```
 */
export interface StoredVersion {
  readonly timestampMs: number;
  /** Null for a tombstone. */
  readonly value: Uint8Array | null;
}

/**
 * The key of the latest version of `key`.
 *
 * @example
 * ```ts
 * const latest = store.get(latestKey(keyBytes));
 * ```
 */
export function latestKey(key: Uint8Array): Uint8Array {
  return concatBytes(LATEST, key);
}

/**
 * The key of an older version of a key (given escaped).
 *
 * @example
 * ```ts
 * store.put(historyKey(escapedKey(keyBytes), 1000), historyValue(value));
 * ```
 */
export function historyKey(escaped: Uint8Array, timestampMs: number): Uint8Array {
  return concatBytes(HISTORY, escaped, orderedInt64(timestampMs));
}

/**
 * The bounds of a key's older versions with timestamps in [fromMs, toExclusiveMs) (null: open).
 *
 * @example
 * ```ts
 * const range = { ...historyBounds(esc, null, asOf + 1), reverse: true };
 * ```
 */
export function historyBounds(
  escaped: Uint8Array,
  fromMs: number | null,
  toExclusiveMs: number | null,
): { from: Uint8Array; toExclusive: Uint8Array } {
  return {
    from: fromMs === null ? concatBytes(HISTORY, escaped) : historyKey(escaped, fromMs),
    toExclusive:
      toExclusiveMs === null ? concatBytes(HISTORY, prefixEnd(escaped)!) : historyKey(escaped, toExclusiveMs),
  };
}

/**
 * The timestamp in a history key.
 *
 * @example
 * ```ts
 * const ts = historyKeyTimestamp(entry.key);
 * ```
 */
export function historyKeyTimestamp(storeKey: Uint8Array): number {
  return readOrderedInt64(storeKey, storeKey.length - 8);
}

/**
 * The expiry-index key of a version.
 *
 * @example
 * ```ts
 * store.put(indexKey(validToMs, escaped, timestampMs), EMPTY);
 * ```
 */
export function indexKey(expiryMs: number, escaped: Uint8Array, timestampMs: number): Uint8Array {
  return concatBytes(INDEX, orderedInt64(expiryMs), escaped, orderedInt64(timestampMs));
}

/**
 * The index keys of versions with expiry <= `maxExpiryMs`.
 *
 * @example
 * ```ts
 * const range = { ...expiredIndexBounds(minTime), reverse: false };
 * ```
 */
export function expiredIndexBounds(maxExpiryMs: number): { from: Uint8Array; toExclusive: Uint8Array } {
  return { from: INDEX, toExclusive: concatBytes(INDEX, orderedInt64(maxExpiryMs + 1)) };
}

/**
 * Decodes an index key.
 *
 * @example
 * ```ts
 * const { key, timestampMs } = parseIndexKey(entry.key);
 * ```
 * @throws CorruptRecordError when the bytes are not an index key.
 */
export function parseIndexKey(storeKey: Uint8Array): {
  key: Uint8Array;
  escaped: Uint8Array;
  timestampMs: number;
} {
  const { key, end } = readEscapedKey(storeKey, 9);
  return { key, escaped: storeKey.subarray(9, end), timestampMs: readOrderedInt64(storeKey, end) };
}

/**
 * Encodes the latest version.
 *
 * @example
 * ```ts
 * store.put(latestKey(k), latestValue({ timestampMs: 1000, value }));
 * ```
 */
export function latestValue(v: StoredVersion): Uint8Array {
  const out = new Uint8Array(9 + (v.value?.length ?? 0));
  writeOrderedInt64(out, 0, v.timestampMs);
  if (v.value !== null) {
    out[8] = 1;
    out.set(v.value, 9);
  }
  return out;
}

/**
 * Decodes the latest version.
 *
 * @example
 * ```ts
 * const latest = bytes === undefined ? undefined : parseLatestValue(bytes);
 * ```
 */
export function parseLatestValue(bytes: Uint8Array): StoredVersion {
  return { timestampMs: readOrderedInt64(bytes, 0), value: bytes[8] === 1 ? bytes.subarray(9) : null };
}

/**
 * Encodes an older version's value.
 *
 * @example
 * ```ts
 * store.put(historyKey(esc, ts), historyValue(null)); // a tombstone version
 * ```
 */
export function historyValue(value: Uint8Array | null): Uint8Array {
  const out = new Uint8Array(1 + (value?.length ?? 0));
  if (value !== null) {
    out[0] = 1;
    out.set(value, 1);
  }
  return out;
}

/**
 * Decodes an older version's value: null for a tombstone.
 *
 * @example
 * ```ts
 * const value = parseHistoryValue(entry.value);
 * ```
 */
export function parseHistoryValue(bytes: Uint8Array): Uint8Array | null {
  return bytes[0] === 1 ? bytes.subarray(1) : null;
}
