/**
 * Topology: the plain-data graph a StreamsBuilder produces and the runtime executes (DESIGN.md §6).
 * Immutable once built; sub-topologies are the connected components of the graph.
 */
import { TopologyError } from '../common/errors.js';
import type { StoreDefinition } from './store-definitions.js';
import { describeMermaid, describeText } from './topology-describe.js';
import type { InternalTopicDefinition, SourceNode, SubTopology, TopologyNode } from './topology-nodes.js';

/**
 * A built topology: nodes by name (in creation order), stores, internal topics and sub-topologies.
 *
 * @example
 * ```ts
 * const topology = builder.build();
 * console.log(topology.describe());
 * ```
 * @throws TopologyError from the constructor when there is no source.
 */
export class Topology {
  readonly nodes: ReadonlyMap<string, TopologyNode>;
  readonly stores: ReadonlyMap<string, StoreDefinition>;
  readonly internalTopics: readonly InternalTopicDefinition[];
  readonly subTopologies: readonly SubTopology[];
  /** Topics that must have equal partition counts: those feeding the two sides of each join. */
  readonly copartitionGroups: readonly (readonly string[])[];
  private readonly sourcesByTopic: ReadonlyMap<string, SourceNode>;

  constructor(
    nodes: ReadonlyMap<string, TopologyNode>,
    stores: ReadonlyMap<string, StoreDefinition> = new Map(),
    internalTopics: readonly InternalTopicDefinition[] = [],
    copartitionGroups: readonly (readonly string[])[] = [],
  ) {
    this.nodes = nodes;
    this.stores = stores;
    this.internalTopics = internalTopics;
    this.copartitionGroups = copartitionGroups;
    const byTopic = new Map<string, SourceNode>();
    for (const node of nodes.values()) {
      if (node.type === 'source') for (const t of node.topics) byTopic.set(t, node);
    }
    if (byTopic.size === 0) {
      throw new TopologyError(
        'A topology needs at least one source: call builder.stream(topic, serdes) first.',
      );
    }
    this.sourcesByTopic = byTopic;
    this.subTopologies = computeSubTopologies(nodes, stores);
    // Fixed counts (repartition({ partitions })) are known now: a mismatch among them fails the build.
    this.checkCopartitioning(new Map());
  }

  /**
   * Checks that every co-partition group's topics have one partition count. Counts come from
   * `partitionCounts`, else from a repartition topic's fixed count; unknown counts are skipped (the
   * runtime gives an internal topic the count of its group).
   *
   * @example
   * ```ts
   * topology.checkCopartitioning(new Map([['orders', 4], ['customers', 4]]));
   * ```
   * @throws TopologyError naming the group, its topics and their counts on a mismatch.
   */
  checkCopartitioning(partitionCounts: ReadonlyMap<string, number>): void {
    const fixed = new Map(this.internalTopics.map((t) => [t.name, t.partitions]));
    for (const group of this.copartitionGroups) {
      const counts = group.flatMap((t) => {
        const n = partitionCounts.get(t) ?? fixed.get(t);
        return n === undefined ? [] : [[t, n] as const];
      });
      if (new Set(counts.map(([, n]) => n)).size > 1) {
        const listed = counts.map(([t, n]) => `'${t}' has ${n}`).join(', ');
        throw new TopologyError(
          `Topics [${group.join(', ')}] must be co-partitioned (they feed the two sides of a join, so each key's records must meet in one task), but their partition counts differ: ${listed}. Give them equal partition counts, or repartition one side with repartition({ partitions }).`,
        );
      }
    }
  }

  /** The source that reads `topic`, or undefined when no source does. */
  sourceForTopic(topic: string): SourceNode | undefined {
    return this.sourcesByTopic.get(topic);
  }

  /** Every topic some source reads. */
  sourceTopics(): string[] {
    return [...this.sourcesByTopic.keys()];
  }

  /** The graph in Kafka Streams' `TopologyDescription` text style. */
  describe(): string {
    return describeText(this);
  }

  /** The graph as a Mermaid flowchart, one subgraph per sub-topology. */
  describeMermaid(): string {
    return describeMermaid(this);
  }
}

/**
 * Connected components over parent/child edges and shared non-global stores (a join reading a
 * table's store runs in the table's task, as Kafka groups nodes), numbered by their first node.
 */
function computeSubTopologies(
  nodes: ReadonlyMap<string, TopologyNode>,
  stores: ReadonlyMap<string, StoreDefinition>,
): SubTopology[] {
  const users = new Map<string, string[]>();
  for (const node of nodes.values()) {
    if (node.type !== 'processor') continue;
    for (const store of node.stores) {
      if (stores.get(store)?.global === true) continue;
      users.set(store, [...(users.get(store) ?? []), node.name]);
    }
  }
  const component = new Map<string, number>();
  const result: SubTopology[] = [];
  for (const start of nodes.keys()) {
    if (component.has(start)) continue;
    const id = result.length;
    const members = new Set<string>();
    const stack = [start];
    while (stack.length > 0) {
      const name = stack.pop()!;
      if (component.has(name)) continue;
      component.set(name, id);
      members.add(name);
      const node = nodes.get(name)!;
      const sharing = node.type === 'processor' ? node.stores.flatMap((st) => users.get(st) ?? []) : [];
      for (const next of [...node.parents, ...node.children, ...sharing])
        if (!component.has(next)) stack.push(next);
    }
    // Keep creation order inside a sub-topology, as describe() prints it.
    const ordered = [...nodes.keys()].filter((n) => members.has(n));
    const sourceTopics = ordered.flatMap((n) => {
      const node = nodes.get(n)!;
      return node.type === 'source' ? node.topics : [];
    });
    const global = ordered.some((n) => {
      const node = nodes.get(n)!;
      return node.type === 'processor' && node.op.kind === 'globalTableSource';
    });
    result.push({ id, nodes: ordered, sourceTopics, global });
  }
  return result;
}
