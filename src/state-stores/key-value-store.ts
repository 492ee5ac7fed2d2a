/**
 * The key-value store contract of Kafka Streams: point reads and writes, range scans in the byte
 * order of the serialized keys (inclusive bounds, null for unbounded, an empty result when from
 * sorts after to), prefix scans, and an entry estimate.
 */
import type { Serde } from '../serdes/serde.js';
import type { KeyValue, KeyValueIterator } from './key-value-iterator.js';
import type { StateStore } from './state-store.js';

/**
 * The read side of a key-value store.
 *
 * @example
 * ```ts
 * const it = store.range('a', 'c'); // keys from 'a' to 'c', both included
 * for (const { key, value } of it) console.log(key, value);
 * ```
 * @throws StoreClosedError once the store is closed; SerializationError on bytes the serdes reject.
 */
export interface ReadOnlyKeyValueStore<K, V> {
  /** The value of `key`, or undefined. */
  get(key: K): V | undefined;
  /** Entries with from <= key <= to in byte order of the serialized keys; null bounds are open. */
  range(from: K | null, to: K | null): KeyValueIterator<K, V>;
  /** As `range`, from the top down. */
  reverseRange(from: K | null, to: K | null): KeyValueIterator<K, V>;
  /** Every entry, in key byte order. */
  all(): KeyValueIterator<K, V>;
  /** Every entry, from the top down. */
  reverseAll(): KeyValueIterator<K, V>;
  /** Entries whose serialized key starts with the serialized `prefix`, in key byte order. */
  prefixScan<P>(prefix: P, prefixSerde: Serde<P>): KeyValueIterator<K, V>;
  /** An estimate of the number of entries (exact in memory). */
  approximateNumEntries(): number;
}

/**
 * A key-value state store.
 *
 * @example
 * ```ts
 * store.put('alice', 3);
 * store.putIfAbsent('bob', 1); // undefined: bob was absent, now 1
 * store.delete('alice'); // 3
 * ```
 * @throws StoreClosedError once the store is closed; SerializationError on values the serdes reject.
 */
export interface KeyValueStore<K, V> extends ReadOnlyKeyValueStore<K, V>, StateStore {
  /** Sets `key` to `value`; null deletes it. */
  put(key: K, value: V | null): void;
  /** Sets `key` only if absent; returns the value it already had, or undefined. */
  putIfAbsent(key: K, value: V): V | undefined;
  /** `put` of every entry, in order. */
  putAll(entries: Iterable<KeyValue<K, V | null>>): void;
  /** Deletes `key`; returns the value it had, or undefined. */
  delete(key: K): V | undefined;
}
