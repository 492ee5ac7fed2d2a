/**
 * The store behind a DSL aggregation or table: named by `Materialized.as` or generated with Kafka's
 * prefix, serdes from the options, else inherited, else the builder's defaults. An aggregation whose
 * input may have changed keys first passes a repartition topic named after `Grouped.as` or the store.
 */
import type { Serde } from '../serdes/serde.js';
import type { GraphBuilder } from './graph-builder.js';
import type { KTable } from './ktable.js';
import type { Named } from './named.js';
import { addRepartition } from './repartition.js';
import type { Materialized, StoreDefinition } from './store-definitions.js';
import type { ProcessorOp } from './topology-nodes.js';
import type { GroupedInput } from './views.js';

/**
 * What an aggregation needs to add its processor.
 *
 * @example
 * ```ts
 * const { store, parent } = materializeAggregation(graph, input, materialized, Serdes.int64(), 'KSTREAM-AGGREGATE-STATE-STORE-');
 * ```
 */
export interface MaterializedAggregation<K> {
  /** The store's name. */
  readonly store: string;
  /** The node the aggregation processor reads from (the repartition source when one was added). */
  readonly parent: string;
  readonly keySerde: Serde<K>;
}

/**
 * Adds the store of a table or aggregation and returns its definition fields' essentials.
 *
 * @example
 * ```ts
 * const def = addMaterializedStore(graph, 'counts', 'key-value', materialized, keySerde, Serdes.int64());
 * ```
 * @throws TopologyError when a serde is missing or the name is taken.
 */
export function addMaterializedStore<K, V>(
  graph: GraphBuilder,
  name: string,
  kind: StoreDefinition['kind'],
  materialized: Materialized<K, V> | undefined,
  keySerde: Serde<K> | undefined,
  valueSerde: Serde<V> | undefined,
  shape: Pick<StoreDefinition, 'windowSizeMs' | 'retentionMs' | 'retainDuplicates'> = {},
): StoreDefinition {
  const where = `Store '${name}'`;
  const def: StoreDefinition = Object.freeze({
    name,
    kind,
    keySerde: graph.serde('key', materialized?.key ?? keySerde, where) as Serde<unknown>,
    valueSerde: graph.serde('value', materialized?.value ?? valueSerde, where) as Serde<unknown>,
    timestamped: true,
    persistent: materialized?.persistent ?? true,
    changelog: materialized?.logging ?? true,
    caching: materialized?.caching ?? true,
    ...shape,
  });
  graph.addStore(def);
  return def;
}

/**
 * Names the store, inserts a repartition when the input needs one, and adds the store.
 *
 * @example
 * ```ts
 * const { store, parent } = materializeAggregation(graph, input, undefined, Serdes.int64(), 'KSTREAM-AGGREGATE-STATE-STORE-');
 * graph.addProcessor(name, op, [parent], false, [store]);
 * ```
 * @throws TopologyError when a serde is missing or a name is taken.
 */
export function materializeAggregation<K, V, VAgg>(
  graph: GraphBuilder,
  input: GroupedInput<K, V>,
  materialized: Materialized<K, VAgg> | undefined,
  aggSerde: Serde<VAgg> | undefined,
  storePrefix: string,
  kind: StoreDefinition['kind'] = 'key-value',
  shape: Pick<StoreDefinition, 'windowSizeMs' | 'retentionMs' | 'retainDuplicates'> = {},
): MaterializedAggregation<K> {
  const store = graph.name(storePrefix, materialized?.as);
  const parent = repartitionIfRequired(graph, input, store);
  const def = addMaterializedStore(graph, store, kind, materialized, input.keySerde, aggSerde, shape);
  return { store, parent, keySerde: def.keySerde as Serde<K> };
}

/**
 * The node an aggregation over `input` reads from: `input.node`, or the source of a repartition
 * topic (named after `Grouped.as`, else the store) when an upstream operator changed keys.
 *
 * @example
 * ```ts
 * const parent = repartitionIfRequired(graph, input, 'counts');
 * ```
 * @throws TopologyError when a serde for the repartition topic is missing or its name is taken.
 */
export function repartitionIfRequired<K, V>(
  graph: GraphBuilder,
  input: GroupedInput<K, V>,
  store: string,
): string {
  if (!input.repartitionRequired) return input.node;
  const where = `The repartition topic before store '${store}'`;
  return addRepartition(
    graph,
    input.node,
    input.repartitionName ?? store,
    graph.serde('key', input.keySerde, where) as Serde<unknown>,
    graph.serde('value', input.valueSerde, where) as Serde<unknown>,
  );
}

/**
 * Adds an aggregation over `input`: its store (and repartition when needed), then the processor
 * `op` builds for that store, named with `processorPrefix` or `named.as`; returns the result table.
 *
 * @example
 * ```ts
 * addAggregation(graph, input, materialized, Serdes.int64(), 'KSTREAM-AGGREGATE-STATE-STORE-', 'KSTREAM-AGGREGATE-', (store) => op, undefined);
 * ```
 * @throws TopologyError when a serde is missing or a name is taken.
 */
export function addAggregation<K, V, VAgg>(
  graph: GraphBuilder,
  input: GroupedInput<K, V>,
  materialized: Materialized<K, VAgg> | undefined,
  aggSerde: Serde<VAgg> | undefined,
  storePrefix: string,
  processorPrefix: string,
  op: (store: string) => ProcessorOp,
  named: Named | undefined,
): KTable<K, VAgg> {
  const { store, parent, keySerde } = materializeAggregation(
    graph,
    input,
    materialized,
    aggSerde,
    storePrefix,
  );
  const name = graph.name(processorPrefix, named?.as);
  graph.addProcessor(name, op(store), [parent], false, [store]);
  const valueSerde = graph.stores.get(store)!.valueSerde as Serde<VAgg>;
  return graph.views.table<K, VAgg>(name, keySerde, valueSerde, store);
}
