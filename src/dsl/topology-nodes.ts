/**
 * The Topology's plain-data nodes (DESIGN.md §6): sources, processors of a closed set of kinds
 * carrying the user's functions, and sinks. The runtime interprets these; the DSL never runs them.
 */
import type { Serde } from '../serdes/serde.js';
import type { JoinOp } from './join-ops.js';
import type { StatefulOp } from './stateful-ops.js';
import type { Header, KeyValue, TopicExtractorContext } from './stream-record.js';
import type { WindowOp } from './window-ops.js';

/** Erased function types: the fluent API is typed, the stored graph is not. */
type AnyFn<R> = (key: never, value: never) => R;

/**
 * How a source picks each record's timestamp.
 *
 * @example
 * ```ts
 * const byField: TimestampExtractorDef = { kind: 'function', extract: (r) => (r.value as { at: number }).at };
 * ```
 */
export type TimestampExtractorDef =
  | { readonly kind: 'record' }
  | { readonly kind: 'wall-clock' }
  | {
      readonly kind: 'function';
      readonly extract: (
        record: { key: unknown; value: unknown; timestamp: number },
        partitionTimeMs: number,
      ) => number;
    };

/**
 * A source: reads topics and deserializes them.
 *
 * @example
 * ```ts
 * const source = topology.sourceForTopic('orders'); // a SourceNode
 * ```
 */
export interface SourceNode {
  readonly type: 'source';
  readonly name: string;
  readonly topics: readonly string[];
  readonly keySerde: Serde<unknown>;
  readonly valueSerde: Serde<unknown>;
  readonly timestampExtractor: TimestampExtractorDef;
  /** True for a source the runtime writes itself (a repartition topic). */
  readonly internal?: boolean;
  readonly parents: readonly string[];
  readonly children: string[];
}

/** One branch of a split: a predicate (null for the default branch) and the child it feeds. */
export interface BranchDef {
  readonly predicate: AnyFn<boolean> | null;
  readonly child: string;
}

/**
 * The closed set of processor kinds this slice knows, each with the user's function.
 *
 * @example
 * ```ts
 * if (node.type === 'processor' && node.op.kind === 'filter') node.op.negate;
 * ```
 */
export type ProcessorOp = StatelessOp | StatefulOp | WindowOp | JoinOp;

/**
 * The stateless processor kinds.
 *
 * @example
 * ```ts
 * const op: StatelessOp = { kind: 'passThrough' };
 * ```
 */
export type StatelessOp =
  | { readonly kind: 'filter'; readonly predicate: AnyFn<boolean>; readonly negate: boolean }
  | { readonly kind: 'map'; readonly mapper: AnyFn<KeyValue<unknown, unknown>> }
  | { readonly kind: 'mapValues'; readonly mapper: (value: never, key: never) => unknown }
  | { readonly kind: 'flatMap'; readonly mapper: AnyFn<Iterable<KeyValue<unknown, unknown>>> }
  | { readonly kind: 'flatMapValues'; readonly mapper: (value: never, key: never) => Iterable<unknown> }
  | { readonly kind: 'selectKey'; readonly mapper: AnyFn<unknown> }
  | { readonly kind: 'peek'; readonly action: AnyFn<void> }
  | { readonly kind: 'foreach'; readonly action: AnyFn<void> }
  | { readonly kind: 'merge' }
  | { readonly kind: 'branch'; readonly branches: BranchDef[] }
  | { readonly kind: 'passThrough' }
  | { readonly kind: 'pipe'; readonly operators: readonly ((source: never) => unknown)[] };

/**
 * A processor: one operator of the closed set.
 *
 * @example
 * ```ts
 * for (const n of topology.nodes.values()) if (n.type === 'processor') console.log(n.op.kind);
 * ```
 */
export interface ProcessorNode {
  readonly type: 'processor';
  readonly name: string;
  readonly op: ProcessorOp;
  readonly parents: readonly string[];
  readonly children: string[];
  /** Names of the stores this processor uses. */
  readonly stores: string[];
  /** True when the operator may change the key (a later grouping or join repartitions). */
  readonly keyChanging: boolean;
}

/**
 * Picks a sink's topic per record.
 *
 * @example
 * ```ts
 * const byRegion: TopicExtractor<string, Order> = (_k, v) => `orders-${v.region}`;
 * ```
 */
export type TopicExtractor<K, V> = (key: K, value: V, context: TopicExtractorContext) => string;

/**
 * A sink: serializes and writes to a fixed topic or one chosen per record.
 *
 * @example
 * ```ts
 * if (node.type === 'sink' && typeof node.topic === 'string') console.log(node.topic);
 * ```
 */
export interface SinkNode {
  readonly type: 'sink';
  readonly name: string;
  readonly topic: string | TopicExtractor<never, never>;
  readonly keySerde: Serde<unknown>;
  readonly valueSerde: Serde<unknown>;
  readonly parents: readonly string[];
  readonly children: string[];
}

/** Any node of a topology. */
export type TopologyNode = SourceNode | ProcessorNode | SinkNode;

/** A topic the application creates for itself (repartition or changelog). */
export interface InternalTopicDefinition {
  /** The name without the application id; the runtime creates `<applicationId>-<name>`. */
  readonly name: string;
  readonly purpose: 'repartition' | 'changelog';
  /** A fixed partition count (`repartition({ partitions })`); else the runtime derives it. */
  readonly partitions?: number;
}

/**
 * A connected part of the graph: run together by one task per partition.
 *
 * @example
 * ```ts
 * topology.subTopologies[0]?.sourceTopics; // ['orders']
 * ```
 */
export interface SubTopology {
  readonly id: number;
  readonly nodes: readonly string[];
  readonly sourceTopics: readonly string[];
  /** A global sub-topology: fills global stores from every partition of its topics. */
  readonly global: boolean;
}

/** Headers as the runtime passes them. */
export type Headers = readonly Header[];
