/**
 * How the DSL's views construct each other. KStream, KTable and the grouped views return one
 * another, so importing each other's classes would make import cycles; StreamsBuilder gives the
 * graph one `Views` that holds every constructor, and the classes import each other's types only.
 */
import type { Serde } from '../serdes/serde.js';
import type { CogroupedKStream } from './cogrouped-kstream.js';
import type { GlobalKTable } from './global-ktable.js';
import type { KGroupedStream } from './kgrouped-stream.js';
import type { KGroupedTable } from './kgrouped-table.js';
import type { KStream } from './kstream.js';
import type { KTable } from './ktable.js';

/**
 * Where a grouped view reads from and how its records are (or must be) partitioned.
 *
 * @example
 * ```ts
 * const input: GroupedInput<string, number> = { node: 'KSTREAM-MAP-0000000001', keySerde, valueSerde, repartitionRequired: true };
 * ```
 */
export interface GroupedInput<K, V> {
  readonly node: string;
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  /** True when records must pass a repartition topic before aggregation. */
  readonly repartitionRequired: boolean;
  /** The name for the repartition topic (`Grouped.as`), else the store's. */
  readonly repartitionName: string | undefined;
}

/**
 * The constructors of the DSL's views.
 *
 * @example
 * ```ts
 * const stream = graph.views.stream<string, number>(name, keySerde, undefined, false);
 * ```
 */
export interface Views {
  stream<K, V>(
    node: string,
    keySerde: Serde<K> | undefined,
    valueSerde: Serde<V> | undefined,
    repartitionRequired: boolean,
  ): KStream<K, V>;
  table<K, V>(
    node: string,
    keySerde: Serde<K> | undefined,
    valueSerde: Serde<V> | undefined,
    store: string | null,
  ): KTable<K, V>;
  globalTable<K, V>(
    node: string,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
    store: string,
  ): GlobalKTable<K, V>;
  groupedStream<K, V>(input: GroupedInput<K, V>): KGroupedStream<K, V>;
  groupedTable<K, V>(input: GroupedInput<K, V>): KGroupedTable<K, V>;
  cogrouped<K, VAgg>(first: {
    grouped: KGroupedStream<K, unknown>;
    aggregator: (key: K, value: never, agg: VAgg) => VAgg;
  }): CogroupedKStream<K, VAgg>;
}
