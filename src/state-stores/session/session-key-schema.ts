/**
 * The store key of a session: segment id (of the session end), escaped record key, end, start.
 *
 *   [segment: 8, ordered][key: escaped, 0x00 0x00 terminated][end: 8, ordered][start: 8, ordered]
 *
 * Within a segment this sorts by key, then session end, then session start, as Kafka Streams'
 * session key schema does.
 */

import { prefixEnd } from '../byte-order.js';
import {
  concatBytes,
  escapedKey,
  escapedKeyLength,
  orderedInt64,
  readEscapedKey,
  readOrderedInt64,
  writeEscapedKey,
  writeOrderedInt64,
} from '../key-encoding.js';

/**
 * Encodes a session store key.
 *
 * @example
 * ```ts
 * const storeKey = sessionStoreKey(segmentId, keyBytes, 1000, 4000);
 * ```
 */
export function sessionStoreKey(
  segmentId: number,
  key: Uint8Array,
  startMs: number,
  endMs: number,
): Uint8Array {
  const out = new Uint8Array(8 + escapedKeyLength(key) + 16);
  writeOrderedInt64(out, 0, segmentId);
  writeOrderedInt64(out, writeOrderedInt64(out, writeEscapedKey(out, 8, key), endMs), startMs);
  return out;
}

/**
 * Decodes a session store key.
 *
 * @example
 * ```ts
 * const { key, startMs, endMs } = parseSessionStoreKey(entry.key);
 * ```
 * @throws CorruptRecordError when the bytes are not a session store key.
 */
export function parseSessionStoreKey(storeKey: Uint8Array): {
  key: Uint8Array;
  startMs: number;
  endMs: number;
} {
  const { key, end } = readEscapedKey(storeKey, 8);
  return { key, endMs: readOrderedInt64(storeKey, end), startMs: readOrderedInt64(storeKey, end + 8) };
}

/**
 * The store keys of `key`'s sessions in one segment that end at or after `earliestEndMs`: [lower, upper).
 *
 * @example
 * ```ts
 * const [from, toExclusive] = sessionKeyBounds(segmentPrefix, keyBytes, earliestEndMs);
 * ```
 */
export function sessionKeyBounds(
  segmentPrefix: Uint8Array,
  key: Uint8Array,
  earliestEndMs: number,
): [Uint8Array, Uint8Array] {
  const k = escapedKey(key);
  return [
    concatBytes(segmentPrefix, k, orderedInt64(earliestEndMs)),
    concatBytes(segmentPrefix, prefixEnd(k)!),
  ];
}
