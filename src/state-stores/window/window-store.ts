/**
 * The window store contract of Kafka Streams: values per key and window start, fetched by key and
 * time range (oldest first, or newest first with the backward variants), by key range, or for all
 * keys; retention by stream time. Time ranges are inclusive at both ends and select by window
 * start. Results for a single key come in window-start order; results over several keys come in
 * key byte order, then window start (then insertion order for retained duplicates).
 */
import type { KeyValueIterator } from '../key-value-iterator.js';
import type { StateStore } from '../state-store.js';
import type { Windowed } from '../windowed.js';

/**
 * The read side of a window store.
 *
 * @example
 * ```ts
 * for (const { key: windowStartMs, value } of store.fetchTimeRange('alice', 0, 60_000)) console.log(windowStartMs, value);
 * ```
 * @throws StoreClosedError once closed; SerializationError on bytes the serdes reject.
 */
export interface ReadOnlyWindowStore<K, V> {
  /** The value of `key` in the window starting at `windowStartMs`, or undefined (also when expired). */
  fetch(key: K, windowStartMs: number): V | undefined;
  /** Windows of `key` starting in [timeFromMs, timeToMs], oldest first; keys of the entries are window starts. */
  fetchTimeRange(key: K, timeFromMs: number, timeToMs: number): KeyValueIterator<number, V>;
  /** As fetchTimeRange, newest first. */
  backwardFetchTimeRange(key: K, timeFromMs: number, timeToMs: number): KeyValueIterator<number, V>;
  /** Windows of keys in [keyFrom, keyTo] (null: open) starting in [timeFromMs, timeToMs]. */
  fetchKeyRange(
    keyFrom: K | null,
    keyTo: K | null,
    timeFromMs: number,
    timeToMs: number,
  ): KeyValueIterator<Windowed<K>, V>;
  /** As fetchKeyRange, in reverse order. */
  backwardFetchKeyRange(
    keyFrom: K | null,
    keyTo: K | null,
    timeFromMs: number,
    timeToMs: number,
  ): KeyValueIterator<Windowed<K>, V>;
  /** Windows of every key starting in [timeFromMs, timeToMs]. */
  fetchAll(timeFromMs: number, timeToMs: number): KeyValueIterator<Windowed<K>, V>;
  /** As fetchAll, in reverse order. */
  backwardFetchAll(timeFromMs: number, timeToMs: number): KeyValueIterator<Windowed<K>, V>;
  /** Every live window. */
  all(): KeyValueIterator<Windowed<K>, V>;
  /** Every live window, in reverse order. */
  backwardAll(): KeyValueIterator<Windowed<K>, V>;
}

/**
 * A window store.
 *
 * @example
 * ```ts
 * store.put('alice', 3, 60_000); // alice's count in the window starting at 60 000
 * store.fetch('alice', 60_000); // 3
 * ```
 * @throws StoreClosedError once closed; SerializationError on values the serdes reject; RangeError
 * for a window start that is not a safe integer.
 */
export interface WindowStore<K, V> extends ReadOnlyWindowStore<K, V>, StateStore {
  /**
   * Puts `value` for `key` in the window starting at `windowStartMs` (null deletes it). The window
   * start advances stream time; a window already expired by stream time is dropped silently, as in
   * Kafka Streams.
   */
  put(key: K, value: V | null, windowStartMs: number): void;
  /** Stream time: the latest window start put (Number.MIN_SAFE_INTEGER before any). */
  readonly streamTimeMs: number;
}
