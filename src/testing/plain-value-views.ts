/**
 * Read-only views that hide the timestamps of timestamped stores, as Kafka's test driver's
 * `getKeyValueStore` and `getWindowStore` show a timestamped store's plain values.
 */
import type { Serde } from '../serdes/serde.js';
import {
  type KeyValue,
  type KeyValueIterator,
  MappedKeyValueIterator,
} from '../state-stores/key-value-iterator.js';
import type { ReadOnlyKeyValueStore } from '../state-stores/key-value-store.js';
import type { ValueAndTimestamp } from '../state-stores/timestamped-key-value-store.js';
import type { ReadOnlyWindowStore } from '../state-stores/window/window-store.js';
import type { Windowed } from '../state-stores/windowed.js';

function values<K, V>(it: KeyValueIterator<K, ValueAndTimestamp<V>>): KeyValueIterator<K, V> {
  return new MappedKeyValueIterator(it, (e: KeyValue<K, ValueAndTimestamp<V>>) => ({
    key: e.key,
    value: e.value.value,
  }));
}

/**
 * The plain values of a timestamped key-value store.
 *
 * @example
 * ```ts
 * plainKeyValueView(driver.getTimestampedKeyValueStore('counts')).get('a'); // 3
 * ```
 * @throws nothing itself; reads throw what the store throws.
 */
export function plainKeyValueView<K, V>(
  store: ReadOnlyKeyValueStore<K, ValueAndTimestamp<V>>,
): ReadOnlyKeyValueStore<K, V> {
  return {
    get: (key) => store.get(key)?.value,
    range: (from, to) => values(store.range(from, to)),
    reverseRange: (from, to) => values(store.reverseRange(from, to)),
    all: () => values(store.all()),
    reverseAll: () => values(store.reverseAll()),
    prefixScan: <P>(prefix: P, serde: Serde<P>) => values(store.prefixScan(prefix, serde)),
    approximateNumEntries: () => store.approximateNumEntries(),
  };
}

/**
 * The plain values of a timestamped window store.
 *
 * @example
 * ```ts
 * plainWindowView(driver.getTimestampedWindowStore('counts')).fetch('a', 0); // 3
 * ```
 * @throws nothing itself; reads throw what the store throws.
 */
export function plainWindowView<K, V>(
  store: ReadOnlyWindowStore<K, ValueAndTimestamp<V>>,
): ReadOnlyWindowStore<K, V> {
  const windowed = (it: KeyValueIterator<Windowed<K>, ValueAndTimestamp<V>>) => values(it);
  return {
    fetch: (key, start) => store.fetch(key, start)?.value,
    fetchTimeRange: (key, from, to) => values(store.fetchTimeRange(key, from, to)),
    backwardFetchTimeRange: (key, from, to) => values(store.backwardFetchTimeRange(key, from, to)),
    fetchKeyRange: (kf, kt, from, to) => windowed(store.fetchKeyRange(kf, kt, from, to)),
    backwardFetchKeyRange: (kf, kt, from, to) => windowed(store.backwardFetchKeyRange(kf, kt, from, to)),
    fetchAll: (from, to) => windowed(store.fetchAll(from, to)),
    backwardFetchAll: (from, to) => windowed(store.backwardFetchAll(from, to)),
    all: () => windowed(store.all()),
    backwardAll: () => windowed(store.backwardAll()),
  };
}
