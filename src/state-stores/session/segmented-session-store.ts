/**
 * The session store over time segments by session end (see SegmentedBytesStore for retention), on
 * either engine.
 */
import type { Serde } from '../../serdes/serde.js';
import { compareBytes } from '../byte-order.js';
import { orderedInt64 } from '../key-encoding.js';
import { emptyIterator, type KeyValueIterator, MappedKeyValueIterator } from '../key-value-iterator.js';
import { ConcatIterator, MergedIterator } from '../merged-iterator.js';
import type { SegmentedBytesStore } from '../segmented-bytes-store.js';
import { checkTime, SegmentedStoreBase } from '../segmented-store-base.js';
import { keyRangeBounds } from '../window/window-key-schema.js';
import type { Windowed } from '../windowed.js';
import { parseSessionStoreKey, sessionKeyBounds, sessionStoreKey } from './session-key-schema.js';
import type { SessionStore } from './session-store.js';

const MIN = Number.MIN_SAFE_INTEGER;
const MAX = Number.MAX_SAFE_INTEGER;

/** Orders store keys of different segments by what follows the segment id: key, end, start. */
const bySuffix = (a: Uint8Array, b: Uint8Array) => compareBytes(a.subarray(8), b.subarray(8));

/**
 * A SessionStore<K, AGG> on a segmented bytes store.
 *
 * @example
 * ```ts
 * const store = sessionStore({ engine, keySerde: Serdes.string(), valueSerde: Serdes.int64(),
 *   config: { retentionMs: 600_000 } });
 * store.put({ key: 'alice', window: { startMs: 0, endMs: 500 } }, 2);
 * ```
 * @throws StoreClosedError once closed; SerializationError on keys or values the serdes reject.
 */
export class SegmentedSessionStore<K, AGG> extends SegmentedStoreBase<K> implements SessionStore<K, AGG> {
  constructor(
    segments: SegmentedBytesStore,
    keySerde: Serde<K>,
    private readonly valueSerde: Serde<AGG>,
    serdeTopic: string,
  ) {
    super(segments, keySerde, serdeTopic);
  }

  put(sessionKey: Windowed<K>, aggregate: AGG | null): void {
    const { startMs, endMs } = sessionKey.window;
    checkTime('session startMs', startMs);
    checkTime('session endMs', endMs);
    if (endMs < startMs) throw new RangeError(`session ends (${endMs}) before it starts (${startMs})`);
    const keyBytes = this.keyBytes(sessionKey.key);
    const value = aggregate === null ? null : this.valueSerde.serialize(this.serdeTopic, aggregate);
    this.checkOpen();
    this.segments.observe(endMs);
    if (this.segments.isExpired(endMs)) return;
    const segmentId = this.segments.segmentFor(endMs);
    this.segments.store.put(sessionStoreKey(segmentId, keyBytes, startMs, endMs), value);
  }

  remove(sessionKey: Windowed<K>): void {
    this.put(sessionKey, null);
  }

  fetchSession(key: K, sessionStartMs: number, sessionEndMs: number): AGG | undefined {
    checkTime('sessionStartMs', sessionStartMs);
    checkTime('sessionEndMs', sessionEndMs);
    const keyBytes = this.keyBytes(key);
    this.checkOpen();
    if (this.segments.isExpired(sessionEndMs)) return undefined;
    const segmentId = this.segments.segmentId(sessionEndMs);
    const bytes = this.segments.store.get(sessionStoreKey(segmentId, keyBytes, sessionStartMs, sessionEndMs));
    return bytes === undefined ? undefined : this.valueSerde.deserialize(this.serdeTopic, bytes);
  }

  findSessions(key: K, earliestSessionEndMs: number, latestSessionStartMs: number) {
    return this.forKey(key, earliestSessionEndMs, latestSessionStartMs, false);
  }

  backwardFindSessions(key: K, earliestSessionEndMs: number, latestSessionStartMs: number) {
    return this.forKey(key, earliestSessionEndMs, latestSessionStartMs, true);
  }

  findSessionsInKeyRange(keyFrom: K | null, keyTo: K | null, earliestEndMs: number, latestStartMs: number) {
    return this.forKeyRange(keyFrom, keyTo, earliestEndMs, MAX, latestStartMs, false);
  }

  backwardFindSessionsInKeyRange(
    keyFrom: K | null,
    keyTo: K | null,
    earliestEndMs: number,
    latestStartMs: number,
  ) {
    return this.forKeyRange(keyFrom, keyTo, earliestEndMs, MAX, latestStartMs, true);
  }

  findSessionsByEndTime(earliestSessionEndMs: number, latestSessionEndMs: number) {
    return this.forKeyRange(null, null, earliestSessionEndMs, latestSessionEndMs, MAX, false);
  }

  fetch(key: K): KeyValueIterator<Windowed<K>, AGG> {
    return this.forKey(key, MIN, MAX, false);
  }

  backwardFetch(key: K): KeyValueIterator<Windowed<K>, AGG> {
    return this.forKey(key, MIN, MAX, true);
  }

  fetchKeyRange(keyFrom: K | null, keyTo: K | null): KeyValueIterator<Windowed<K>, AGG> {
    return this.forKeyRange(keyFrom, keyTo, MIN, MAX, MAX, false);
  }

  backwardFetchKeyRange(keyFrom: K | null, keyTo: K | null): KeyValueIterator<Windowed<K>, AGG> {
    return this.forKeyRange(keyFrom, keyTo, MIN, MAX, MAX, true);
  }

  private forKey(
    key: K,
    earliestEndMs: number,
    latestStartMs: number,
    reverse: boolean,
  ): KeyValueIterator<Windowed<K>, AGG> {
    checkTime('latestSessionStartMs', latestStartMs);
    const keyBytes = this.keyBytes(key);
    const bounds = this.liveBounds(earliestEndMs, MAX);
    if (bounds === undefined) return emptyIterator();
    const [fromEnd, toEnd] = bounds;
    const sources = this.segments.iterateSegments(
      this.segments.segmentsBetween(fromEnd, toEnd),
      (prefix) => {
        const [lo, hi] = sessionKeyBounds(prefix, keyBytes, fromEnd);
        return { from: lo, toExclusive: hi, reverse };
      },
      reverse,
    );
    // Segments go by session end, so one key's sessions simply follow from segment to segment.
    return this.typed(new ConcatIterator(sources), fromEnd, toEnd, latestStartMs);
  }

  private forKeyRange(
    keyFrom: K | null,
    keyTo: K | null,
    earliestEndMs: number,
    latestEndMs: number,
    latestStartMs: number,
    reverse: boolean,
  ): KeyValueIterator<Windowed<K>, AGG> {
    checkTime('latestSessionStartMs', latestStartMs);
    const fromBytes = keyFrom === null ? null : this.keyBytes(keyFrom);
    const toBytes = keyTo === null ? null : this.keyBytes(keyTo);
    const bounds = this.liveBounds(earliestEndMs, latestEndMs);
    if (bounds === undefined) return emptyIterator();
    if (fromBytes !== null && toBytes !== null && compareBytes(fromBytes, toBytes) > 0)
      return emptyIterator();
    const [fromEnd, toEnd] = bounds;
    const sources = this.segments.iterateSegments(
      this.segments.segmentsBetween(fromEnd, toEnd),
      (prefix, id) => {
        const [lo, hi] = keyRangeBounds(prefix, orderedInt64(id + 1), fromBytes, toBytes);
        return { from: lo, toExclusive: hi, reverse };
      },
      reverse,
    );
    return this.typed(new MergedIterator(sources, bySuffix, reverse), fromEnd, toEnd, latestStartMs);
  }

  private typed(
    source: KeyValueIterator<Uint8Array, Uint8Array>,
    fromEnd: number,
    toEnd: number,
    latestStartMs: number,
  ): KeyValueIterator<Windowed<K>, AGG> {
    return new MappedKeyValueIterator(source, (e) => {
      const { key, startMs, endMs } = parseSessionStoreKey(e.key);
      if (endMs < fromEnd || endMs > toEnd || startMs > latestStartMs) return undefined;
      return {
        key: { key: this.keySerde.deserialize(this.serdeTopic, key), window: { startMs, endMs } },
        value: this.valueSerde.deserialize(this.serdeTopic, e.value),
      };
    });
  }
}
