/**
 * Repartitioning: after an operator that may change keys, a grouping or join must see each key's
 * records in one partition, so the DSL inserts a round trip through an internal topic, as Kafka
 * Streams does: a filter that drops null keys (they cannot be partitioned), a sink to
 * `<name>-repartition` and a source reading it back (a new sub-topology).
 */
import type { Serde } from '../serdes/serde.js';
import type { GraphBuilder } from './graph-builder.js';

/**
 * Adds the filter → sink → topic → source chain after `parent`; returns the new source's name.
 *
 * @example
 * ```ts
 * const source = addRepartition(graph, 'KSTREAM-KEY-SELECT-0000000001', 'by-page', keySerde, valueSerde);
 * ```
 * @throws TopologyError when the topic or a node name is already taken.
 */
export function addRepartition(
  graph: GraphBuilder,
  parent: string,
  baseName: string,
  keySerde: Serde<unknown>,
  valueSerde: Serde<unknown>,
  partitions?: number,
): string {
  const topic = `${baseName}-repartition`;
  graph.addInternalTopic({
    name: topic,
    purpose: 'repartition',
    ...(partitions === undefined ? {} : { partitions }),
  });
  const filter = `${topic}-filter`;
  graph.addProcessor(
    filter,
    { kind: 'filter', predicate: (k: unknown) => k !== null && k !== undefined, negate: false },
    [parent],
  );
  graph.addSink({ name: `${topic}-sink`, topic, keySerde, valueSerde, parents: [filter] });
  const source = `${topic}-source`;
  graph.addSource({
    name: source,
    topics: [topic],
    keySerde,
    valueSerde,
    timestampExtractor: { kind: 'record' },
    internal: true,
  });
  return source;
}
