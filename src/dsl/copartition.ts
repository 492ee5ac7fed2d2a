/**
 * Co-partitioning: a join reads both sides' records of a key in one task, so the topics feeding the
 * two sides must have equal partition counts. The builder records one group per join (the source
 * and repartition topics upstream of each side); overlapping groups merge, as in Kafka Streams,
 * because a topic in two joins ties all of their topics together.
 */
import type { GraphBuilder } from './graph-builder.js';

const groupsByGraph = new WeakMap<GraphBuilder, string[][]>();

/**
 * The topics read by the sources upstream of `node` (repartition sources give their topic).
 *
 * @example
 * ```ts
 * sourceTopicsOf(graph, 'KSTREAM-MAP-0000000002'); // ['orders']
 * ```
 */
export function sourceTopicsOf(graph: GraphBuilder, node: string): string[] {
  const topics = new Set<string>();
  const seen = new Set<string>();
  const stack = [node];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const n = graph.nodes.get(name);
    if (n === undefined) continue;
    if (n.type === 'source') for (const t of n.topics) topics.add(t);
    stack.push(...n.parents);
  }
  return [...topics];
}

/**
 * Records that the topics upstream of `nodes` must be co-partitioned.
 *
 * @example
 * ```ts
 * addCopartitionGroup(graph, [leftParent, rightParent]);
 * ```
 */
export function addCopartitionGroup(graph: GraphBuilder, nodes: readonly string[]): void {
  const topics = [...new Set(nodes.flatMap((n) => sourceTopicsOf(graph, n)))];
  let groups = groupsByGraph.get(graph);
  if (groups === undefined) {
    groups = [];
    groupsByGraph.set(graph, groups);
  }
  groups.push(topics);
}

/**
 * The graph's co-partition groups, overlapping ones merged, each sorted.
 *
 * @example
 * ```ts
 * new Topology(nodes, stores, topics, copartitionGroupsOf(graph));
 * ```
 */
export function copartitionGroupsOf(graph: GraphBuilder): string[][] {
  const merged: Set<string>[] = [];
  for (const group of groupsByGraph.get(graph) ?? []) {
    const into = new Set(group);
    for (let i = merged.length - 1; i >= 0; i--) {
      if ([...merged[i]!].some((t) => into.has(t))) {
        for (const t of merged[i]!) into.add(t);
        merged.splice(i, 1);
      }
    }
    merged.push(into);
  }
  return merged.filter((g) => g.size > 1).map((g) => [...g].sort());
}
