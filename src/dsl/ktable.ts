/**
 * KTable: a changelog stream viewed as a table — the latest value per key, null deleting it. Table
 * operators forward changes (new and old value); `toStream()` turns them back into records.
 * Filtered-out keys forward as deletes, so downstream tables forget them, as in Kafka Streams.
 */
import type { Serde } from '../serdes/serde.js';
import type { GraphBuilder } from './graph-builder.js';
import type { Grouped } from './kgrouped-stream.js';
import type { KGroupedTable } from './kgrouped-table.js';
import type { KStream } from './kstream.js';
import { addMaterializedStore } from './materialize.js';
import type { Named } from './named.js';
import type { Materialized } from './store-definitions.js';
import type { ValueJoiner } from './stream-joins.js';
import type { KeyValue } from './stream-record.js';
import { addSuppress } from './suppress.js';
import { tableJoin } from './table-joins.js';
import type { Suppressed } from './windows/suppressed.js';

/**
 * A table. Build one with `StreamsBuilder.table`, `KStream.toTable` or an aggregation.
 *
 * @example
 * ```ts
 * const users = builder.table('users', { key: Serdes.string(), value: Serdes.json<User>() });
 * users.filter((_, u) => u.active).toStream().to('active-users');
 * ```
 * @throws TopologyError from an operator whose name is taken or whose store lacks a serde.
 */
export class KTable<K, V> {
  /** @internal */
  constructor(
    /** @internal */ readonly graph: GraphBuilder,
    /** The name of the node that forwards this table's changes. */
    readonly nodeName: string,
    /** @internal */ readonly keySerde: Serde<K> | undefined,
    /** @internal */ readonly valueSerde: Serde<V> | undefined,
    /** The store holding this table, or null when it is computed from an upstream table's. */
    readonly queryableStoreName: string | null,
  ) {}

  private materialize<V2>(
    materialized: Materialized<K, V2> | undefined,
    valueSerde: Serde<V2> | undefined,
  ): string | null {
    if (materialized === undefined) return null;
    const name = this.graph.name('KTABLE-STATE-STORE-', materialized.as);
    addMaterializedStore(this.graph, name, 'key-value', materialized, this.keySerde, valueSerde);
    return name;
  }

  private tableFilter(
    predicate: (key: K, value: V) => boolean,
    negate: boolean,
    named: Named | undefined,
    materialized: Materialized<K, V> | undefined,
  ): KTable<K, V> {
    const name = this.graph.name('KTABLE-FILTER-', named?.as);
    const store = this.materialize(materialized, this.valueSerde);
    const op = { kind: 'tableFilter', predicate, negate, store } as const;
    this.graph.addProcessor(name, op, [this.nodeName], false, store === null ? [] : [store]);
    return this.graph.views.table(name, this.keySerde, materialized?.value ?? this.valueSerde, store);
  }

  /** Keeps the keys whose value satisfies `predicate`; others read as deleted. */
  filter(
    predicate: (key: K, value: V) => boolean,
    named?: Named,
    materialized?: Materialized<K, V>,
  ): KTable<K, V> {
    return this.tableFilter(predicate, false, named, materialized);
  }

  /** Drops the keys whose value satisfies `predicate`. */
  filterNot(
    predicate: (key: K, value: V) => boolean,
    named?: Named,
    materialized?: Materialized<K, V>,
  ): KTable<K, V> {
    return this.tableFilter(predicate, true, named, materialized);
  }

  /** A new value per key (deletes stay deletes); the mapper also sees the key. */
  mapValues<V2>(
    mapper: (value: V, readOnlyKey: K) => V2,
    named?: Named,
    materialized?: Materialized<K, V2>,
  ): KTable<K, V2> {
    const name = this.graph.name('KTABLE-MAPVALUES-', named?.as);
    const store = this.materialize(materialized, materialized?.value);
    this.graph.addProcessor(
      name,
      { kind: 'tableMapValues', mapper, store },
      [this.nodeName],
      false,
      store === null ? [] : [store],
    );
    return this.graph.views.table<K, V2>(name, this.keySerde, materialized?.value, store);
  }

  /** The table's updates as a stream: each new value (null for a delete) with its key. */
  toStream(named?: Named): KStream<K, V>;
  /** As toStream, with a new key per update. */
  toStream<K2>(keyMapper: (key: K, value: V) => K2, named?: Named): KStream<K2, V>;
  toStream<K2>(first?: ((key: K, value: V) => K2) | Named, named?: Named): KStream<K | K2, V> {
    const keyMapper = typeof first === 'function' ? first : null;
    const as = typeof first === 'function' ? named?.as : first?.as;
    const name = this.graph.name('KTABLE-TOSTREAM-', as);
    this.graph.addProcessor(name, { kind: 'tableToStream', keyMapper }, [this.nodeName], keyMapper !== null);
    const keySerde = keyMapper === null ? this.keySerde : undefined;
    return this.graph.views.stream<K | K2, V>(name, keySerde, this.valueSerde, keyMapper !== null);
  }

  /**
   * Holds updates back: `untilWindowCloses` forwards only each window's final result, once stream
   * time reaches the window's end plus grace (windowed tables only); `untilTimeLimit` forwards a
   * key's latest value once it has waited the time limit since its first held update. The buffer
   * lives in the store `<name>-store`; a full bounded buffer emits its oldest keys early or stops
   * the application, as its BufferConfig says.
   *
   * @example
   * ```ts
   * counts.suppress(untilWindowCloses()).toStream().to('final-counts');
   * table.suppress(untilTimeLimit('30s', BufferConfig.maxRecords(1000)));
   * ```
   * @throws TopologyError for untilWindowCloses on a table that is not windowed, or a missing serde.
   */
  suppress(suppressed: Suppressed): KTable<K, V> {
    const name = this.graph.name('KTABLE-SUPPRESS-', suppressed.name ?? undefined);
    addSuppress(
      this.graph,
      name,
      this.nodeName,
      this.keySerde as Serde<unknown> | undefined,
      this.valueSerde as Serde<unknown> | undefined,
      suppressed,
    );
    return this.graph.views.table<K, V>(name, this.keySerde, this.valueSerde, null);
  }

  /**
   * Joins on the primary key (an update on either side looks up the other; output time: the later
   * side's), or, given a foreign-key extractor, joins each row with the other table's row at
   * `extractor(value)` across partitions (KIP-213).
   *
   * @example
   * ```ts
   * users.join(scores, (u, s) => ({ ...u, s }));
   * orders.join(customers, (o) => o.customerId, (o, c) => ({ ...o, c }), { value: Serdes.json() });
   * ```
   * @throws TopologyError when a table cannot be looked up, a serde is missing or a name is taken.
   */
  join<VO, VR>(
    other: KTable<K, VO>,
    joiner: ValueJoiner<V, VO, VR, K>,
    materialized?: Materialized<K, VR>,
    named?: Named,
  ): KTable<K, VR>;
  join<KO, VO, VR>(
    other: KTable<KO, VO>,
    foreignKeyExtractor: (value: V) => KO | null,
    joiner: ValueJoiner<V, VO, VR, K>,
    materialized?: Materialized<K, VR>,
    named?: Named,
  ): KTable<K, VR>;
  join(...args: unknown[]): KTable<K, unknown> {
    return tableJoin(this, 'inner', args);
  }

  /** As join, keeping every row of this table (null for a missing other side). */
  leftJoin<VO, VR>(
    other: KTable<K, VO>,
    joiner: ValueJoiner<V, VO | null, VR, K>,
    materialized?: Materialized<K, VR>,
    named?: Named,
  ): KTable<K, VR>;
  leftJoin<KO, VO, VR>(
    other: KTable<KO, VO>,
    foreignKeyExtractor: (value: V) => KO | null,
    joiner: ValueJoiner<V, VO | null, VR, K>,
    materialized?: Materialized<K, VR>,
    named?: Named,
  ): KTable<K, VR>;
  leftJoin(...args: unknown[]): KTable<K, unknown> {
    return tableJoin(this, 'left', args);
  }

  /** A primary-key join keeping every row of either table (null for the missing side). */
  outerJoin<VO, VR>(
    other: KTable<K, VO>,
    joiner: ValueJoiner<V | null, VO | null, VR, K>,
    materialized?: Materialized<K, VR>,
    named?: Named,
  ): KTable<K, VR> {
    return tableJoin(this, 'outer', [other, joiner, materialized, named]) as KTable<K, VR>;
  }

  /** Regroups the table by a new key (and value) for a re-aggregation; always repartitions. */
  groupBy<K2, V2>(
    selector: (key: K, value: V) => KeyValue<K2, V2>,
    grouped?: Grouped<K2, V2>,
  ): KGroupedTable<K2, V2> {
    const name = this.graph.name('KTABLE-SELECT-', undefined);
    this.graph.addProcessor(name, { kind: 'tableGroupBy', selector }, [this.nodeName], true);
    return this.graph.views.groupedTable<K2, V2>({
      node: name,
      keySerde: grouped?.key,
      valueSerde: grouped?.value,
      repartitionRequired: true,
      repartitionName: grouped?.as,
    });
  }
}
