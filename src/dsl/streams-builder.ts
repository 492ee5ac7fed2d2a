/**
 * StreamsBuilder: the DSL's entry point. `stream(...)` adds sources; `build()` freezes the graph
 * into a Topology (plain data).
 */
import type { Serde } from '../serdes/serde.js';
import { GraphBuilder } from './graph-builder.js';
import { KStream } from './kstream.js';
import type { Named } from './named.js';
import { Topology } from './topology.js';
import type { TimestampExtractorDef, TopologyNode } from './topology-nodes.js';

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
  private readonly graph = new GraphBuilder();

  /** A stream of the records of one or more topics. */
  stream<K, V>(topics: string | readonly string[], consumed: Consumed<K, V>): KStream<K, V> {
    const name = this.graph.name('KSTREAM-SOURCE-', consumed.as);
    this.graph.addSource({
      name,
      topics: typeof topics === 'string' ? [topics] : [...topics],
      keySerde: consumed.key as Serde<unknown>,
      valueSerde: consumed.value as Serde<unknown>,
      timestampExtractor: consumed.timestampExtractor ?? { kind: 'record' },
    });
    return new KStream<K, V>(this.graph, name, consumed.key, consumed.value);
  }

  /** The topology built so far. Later calls on this builder do not change it. */
  build(): Topology {
    // Copy what the builder may still mutate: children lists and split branches.
    const copy = new Map<string, TopologyNode>();
    for (const [name, node] of this.graph.nodes) {
      const children = [...node.children];
      if (node.type === 'processor' && node.op.kind === 'branch') {
        copy.set(name, { ...node, children, op: { kind: 'branch', branches: [...node.op.branches] } });
      } else {
        copy.set(name, { ...node, children });
      }
    }
    return new Topology(copy);
  }
}
