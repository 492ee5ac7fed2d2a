/**
 * The session store contract of Kafka Streams: aggregates per key and session (a window with
 * inclusive start and end), with the fetches that session merging needs — the sessions of a key
 * that end at or after one time and start at or before another. Results for one key come in order
 * of session end, then start; results over several keys in key byte order first.
 */
import type { KeyValueIterator } from '../key-value-iterator.js';
import type { StateStore } from '../state-store.js';
import type { Windowed } from '../windowed.js';

/**
 * The read side of a session store.
 *
 * @example
 * ```ts
 * // Sessions of alice that a record at t with inactivity gap g would merge with:
 * const overlapping = store.findSessions('alice', t - g, t + g);
 * ```
 * @throws StoreClosedError once closed; SerializationError on bytes the serdes reject.
 */
export interface ReadOnlySessionStore<K, AGG> {
  /** Sessions of `key` with end >= earliestSessionEndMs and start <= latestSessionStartMs. */
  findSessions(
    key: K,
    earliestSessionEndMs: number,
    latestSessionStartMs: number,
  ): KeyValueIterator<Windowed<K>, AGG>;
  /** As findSessions, in reverse order. */
  backwardFindSessions(
    key: K,
    earliestSessionEndMs: number,
    latestSessionStartMs: number,
  ): KeyValueIterator<Windowed<K>, AGG>;
  /** As findSessions, for keys in [keyFrom, keyTo] (null: open). */
  findSessionsInKeyRange(
    keyFrom: K | null,
    keyTo: K | null,
    earliestSessionEndMs: number,
    latestSessionStartMs: number,
  ): KeyValueIterator<Windowed<K>, AGG>;
  /** As findSessionsInKeyRange, in reverse order. */
  backwardFindSessionsInKeyRange(
    keyFrom: K | null,
    keyTo: K | null,
    earliestSessionEndMs: number,
    latestSessionStartMs: number,
  ): KeyValueIterator<Windowed<K>, AGG>;
  /** Sessions of every key whose end lies in [earliestSessionEndMs, latestSessionEndMs] (emit-final). */
  findSessionsByEndTime(
    earliestSessionEndMs: number,
    latestSessionEndMs: number,
  ): KeyValueIterator<Windowed<K>, AGG>;
  /** The aggregate of exactly this session, or undefined. */
  fetchSession(key: K, sessionStartMs: number, sessionEndMs: number): AGG | undefined;
  /** Every live session of `key`. */
  fetch(key: K): KeyValueIterator<Windowed<K>, AGG>;
  /** Every live session of `key`, in reverse order. */
  backwardFetch(key: K): KeyValueIterator<Windowed<K>, AGG>;
  /** Every live session of keys in [keyFrom, keyTo]. */
  fetchKeyRange(keyFrom: K | null, keyTo: K | null): KeyValueIterator<Windowed<K>, AGG>;
  /** As fetchKeyRange, in reverse order. */
  backwardFetchKeyRange(keyFrom: K | null, keyTo: K | null): KeyValueIterator<Windowed<K>, AGG>;
}

/**
 * A session store.
 *
 * @example
 * ```ts
 * store.put({ key: 'alice', window: { startMs: 1000, endMs: 4000 } }, 3);
 * store.remove({ key: 'alice', window: { startMs: 1000, endMs: 4000 } }); // merged into a larger session
 * ```
 * @throws StoreClosedError once closed; SerializationError on values the serdes reject; RangeError
 * for times that are not safe integers or a session that ends before it starts.
 */
export interface SessionStore<K, AGG> extends ReadOnlySessionStore<K, AGG>, StateStore {
  /**
   * Puts the aggregate of a session (null removes it). The session end advances stream time; a
   * session already expired by stream time is dropped silently, as in Kafka Streams.
   */
  put(sessionKey: Windowed<K>, aggregate: AGG | null): void;
  /** Removes a session. */
  remove(sessionKey: Windowed<K>): void;
  /** Stream time: the latest session end put (Number.MIN_SAFE_INTEGER before any). */
  readonly streamTimeMs: number;
}
