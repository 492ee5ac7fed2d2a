/**
 * StreamsBuilder: the DSL's entry point. `stream(...)` adds sources; `build()` freezes the graph
 * into a Topology (plain data).
 */
import type { Serde } from '../serdes/serde.js';
import { CogroupedKStream } from './cogrouped-kstream.js';
import { copartitionGroupsOf } from './copartition.js';
import { GlobalKTable } from './global-ktable.js';
import { type DefaultSerdes, GraphBuilder } from './graph-builder.js';
import { KGroupedStream } from './kgrouped-stream.js';
import { KGroupedTable } from './kgrouped-table.js';
import { KStream } from './kstream.js';
import { KTable } from './ktable.js';
import { addMaterializedStore } from './materialize.js';
import type { Named } from './named.js';
import type { Materialized, StoreDefinition } from './store-definitions.js';
import { Topology } from './topology.js';
import type { TimestampExtractorDef, TopologyNode } from './topology-nodes.js';
import type { Views } from './views.js';

/**
 * How a source reads: serdes and timestamp extraction.
 *
 * @example
 * ```ts
 * builder.stream('in', { key: Serdes.string(), value: Serdes.json<Order>(), timestampExtractor: { kind: 'wall-clock' } });
 * ```
 */
export interface Consumed<K, V> extends Named {
  readonly key: Serde<K>;
  readonly value: Serde<V>;
  /** Defaults to the record's own timestamp. */
  readonly timestampExtractor?: TimestampExtractorDef;
}

/**
 * Builds a topology with the DSL.
 *
 * @example
 * ```ts
 * const builder = new StreamsBuilder();
 * builder.stream('in', { key: Serdes.string(), value: Serdes.string() }).mapValues((v) => v.toUpperCase()).to('out');
 * const topology = builder.build();
 * ```
 * @throws TopologyError from `stream` when a topic is already read, from `build` when there is no source.
 */
export class StreamsBuilder {
  private readonly graph: GraphBuilder;

  constructor(options: { readonly defaultSerdes?: DefaultSerdes } = {}) {
    const views: Views = {
      stream: (node, k, v, repartition) => new KStream(this.graph, node, k, v, repartition),
      table: (node, k, v, store) => new KTable(this.graph, node, k, v, store),
      globalTable: (node, k, v, store) => new GlobalKTable(node, k, v, store),
      groupedStream: (input) => new KGroupedStream(this.graph, input),
      groupedTable: (input) => new KGroupedTable(this.graph, input),
      cogrouped: (first) => new CogroupedKStream(this.graph, first),
    };
    this.graph = new GraphBuilder(views, options.defaultSerdes);
  }

  private source<K, V>(topics: string | readonly string[], consumed: Consumed<K, V>): string {
    const name = this.graph.name('KSTREAM-SOURCE-', consumed.as);
    this.graph.addSource({
      name,
      topics: typeof topics === 'string' ? [topics] : [...topics],
      keySerde: consumed.key as Serde<unknown>,
      valueSerde: consumed.value as Serde<unknown>,
      timestampExtractor: consumed.timestampExtractor ?? { kind: 'record' },
    });
    return name;
  }

  /** A stream of the records of one or more topics. */
  stream<K, V>(topics: string | readonly string[], consumed: Consumed<K, V>): KStream<K, V> {
    return new KStream<K, V>(this.graph, this.source(topics, consumed), consumed.key, consumed.value);
  }

  /**
   * A topic as a table: the latest value per key, null values deleting. The table is kept in a store
   * named by `materialized.as` or `<topic>-STATE-STORE-<n>`.
   *
   * @throws TopologyError when the topic is already read or a name is taken.
   */
  table<K, V>(topic: string, consumed: Consumed<K, V>, materialized?: Materialized<K, V>): KTable<K, V> {
    const source = this.source(topic, consumed);
    const name = this.graph.name('KTABLE-SOURCE-', undefined);
    const store = this.graph.name(`${topic}-STATE-STORE-`, materialized?.as);
    const def = addMaterializedStore(
      this.graph,
      store,
      'key-value',
      materialized,
      consumed.key,
      consumed.value,
    );
    this.graph.addProcessor(name, { kind: 'tableSource', store }, [source], false, [store]);
    return new KTable<K, V>(this.graph, name, def.keySerde as Serde<K>, def.valueSerde as Serde<V>, store);
  }

  /**
   * A topic as a global table: every instance reads all of its partitions into one store that every
   * task can read (joins need no co-partitioning).
   *
   * @throws TopologyError when the topic is already read or a name is taken.
   */
  globalTable<K, V>(
    topic: string,
    consumed: Consumed<K, V>,
    materialized?: Materialized<K, V>,
  ): GlobalKTable<K, V> {
    const source = this.source(topic, consumed);
    const name = this.graph.name('KTABLE-SOURCE-', undefined);
    const store = this.graph.name(`${topic}-STATE-STORE-`, materialized?.as);
    // A global store is restored from its source topic itself, so it needs no changelog.
    const def = addMaterializedStore(
      this.graph,
      store,
      'key-value',
      { ...materialized, logging: false },
      consumed.key,
      consumed.value,
    );
    this.graph.stores.set(store, { ...def, global: true });
    this.graph.addProcessor(name, { kind: 'globalTableSource', store }, [source], false, [store]);
    return new GlobalKTable<K, V>(name, def.keySerde as Serde<K>, def.valueSerde as Serde<V>, store);
  }

  /**
   * Adds a store for Processor API processors to use (`process(…, { stores: [name] })`).
   *
   * @throws TopologyError when the name is taken.
   */
  addStateStore(store: StoreDefinition): this {
    this.graph.addStore(store);
    return this;
  }

  /** The topology built so far. Later calls on this builder do not change it. */
  build(): Topology {
    // Copy what the builder may still mutate: children lists and split branches.
    const copy = new Map<string, TopologyNode>();
    for (const [name, node] of this.graph.nodes) {
      const children = [...node.children];
      if (node.type !== 'processor') copy.set(name, { ...node, children });
      else if (node.op.kind === 'branch') {
        const op = { kind: 'branch' as const, branches: [...node.op.branches] };
        copy.set(name, { ...node, children, stores: [...node.stores], op });
      } else copy.set(name, { ...node, children, stores: [...node.stores] });
    }
    return new Topology(
      copy,
      new Map(this.graph.stores),
      [...this.graph.internalTopics.values()],
      copartitionGroupsOf(this.graph),
    );
  }
}
