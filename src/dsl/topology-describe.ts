/**
 * The text renderings of a Topology: Kafka Streams' TopologyDescription style (so descriptions read
 * as Kafka users expect) and a Mermaid flowchart.
 */
import type { SubTopology, TopologyNode } from './topology-nodes.js';

/**
 * What describing needs of a Topology (an interface, so topology.ts and this file do not import each other).
 *
 * @example
 * ```ts
 * describeText(topology); // a Topology is a DescribableTopology
 * ```
 */
export interface DescribableTopology {
  readonly nodes: ReadonlyMap<string, TopologyNode>;
  readonly subTopologies: readonly SubTopology[];
}

function arrows(names: readonly string[]): string {
  return names.length === 0 ? 'none' : names.join(', ');
}

function header(node: TopologyNode): string {
  switch (node.type) {
    case 'source':
      return `Source: ${node.name} (topics: [${node.topics.join(', ')}])`;
    case 'sink':
      return typeof node.topic === 'string'
        ? `Sink: ${node.name} (topic: ${node.topic})`
        : `Sink: ${node.name} (extractor: topic extractor)`;
    default:
      return `Processor: ${node.name} (stores: [${node.stores.join(', ')}])`;
  }
}

/**
 * The topology as Kafka prints `Topology#describe()`.
 *
 * @example
 * ```ts
 * describeText(topology); // "Topologies:\n   Sub-topology: 0\n    Source: …"
 * ```
 * @throws nothing.
 */
export function describeText(topology: DescribableTopology): string {
  let out = 'Topologies:\n';
  for (const sub of topology.subTopologies) {
    out += sub.global
      ? `   Sub-topology: ${sub.id} for global store (will not generate tasks)\n`
      : `   Sub-topology: ${sub.id}\n`;
    for (const name of sub.nodes) {
      const node = topology.nodes.get(name)!;
      out += `    ${header(node)}\n`;
      if (node.type !== 'sink') out += `      --> ${arrows(node.children)}\n`;
      if (node.type !== 'source') out += `      <-- ${arrows(node.parents)}\n`;
    }
    out += '\n';
  }
  return out;
}

/** Mermaid node ids must be plain identifiers. */
function mermaidId(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_');
}

/**
 * The topology as a Mermaid flowchart: topics as stadium shapes, sources and sinks linked to them.
 *
 * @example
 * ```ts
 * describeMermaid(topology); // "flowchart TD\n  subgraph sub0 [Sub-topology 0] …"
 * ```
 * @throws nothing.
 */
export function describeMermaid(topology: DescribableTopology): string {
  const lines = ['flowchart TD'];
  const topics = new Set<string>();
  for (const sub of topology.subTopologies) {
    lines.push(`  subgraph sub${sub.id} [Sub-topology ${sub.id}]`);
    for (const name of sub.nodes) lines.push(`    ${mermaidId(name)}["${name}"]`);
    lines.push('  end');
  }
  for (const node of topology.nodes.values()) {
    for (const child of node.children) lines.push(`  ${mermaidId(node.name)} --> ${mermaidId(child)}`);
    if (node.type === 'source') {
      for (const t of node.topics) {
        topics.add(t);
        lines.push(`  topic_${mermaidId(t)} --> ${mermaidId(node.name)}`);
      }
    } else if (node.type === 'sink' && typeof node.topic === 'string') {
      topics.add(node.topic);
      lines.push(`  ${mermaidId(node.name)} --> topic_${mermaidId(node.topic)}`);
    }
  }
  for (const t of topics) lines.push(`  topic_${mermaidId(t)}(["${t}"])`);
  return `${lines.join('\n')}\n`;
}
