/**
 * The mutable graph behind a StreamsBuilder: node registration, Kafka-style generated names
 * (`KSTREAM-MAP-0000000003`: prefix plus a counter shared by all generated names; an explicit name
 * does not consume the counter, as in Kafka) and name-clash detection.
 */
import { TopologyError } from '../common/errors.js';
import type { ProcessorOp, SinkNode, SourceNode, TopologyNode } from './topology-nodes.js';

/**
 * The graph under construction; KStreams append to it.
 *
 * @example
 * ```ts
 * const g = new GraphBuilder();
 * g.name('KSTREAM-FILTER-', undefined); // "KSTREAM-FILTER-0000000000"
 * ```
 * @throws TopologyError when a name is registered twice or a source topic is read twice.
 */
export class GraphBuilder {
  readonly nodes = new Map<string, TopologyNode>();
  private readonly topics = new Map<string, string>();
  private counter = 0;

  /** `explicit` when given, else the prefix with the next index, ten digits as Kafka pads it. */
  name(prefix: string, explicit: string | undefined): string {
    if (explicit !== undefined) {
      if (explicit.length === 0) throw new TopologyError('A name given with { as } must not be empty.');
      return explicit;
    }
    return `${prefix}${String(this.counter++).padStart(10, '0')}`;
  }

  private register(node: TopologyNode): void {
    if (this.nodes.has(node.name)) {
      throw new TopologyError(
        `The name '${node.name}' is used by two nodes; names must be unique in a topology. Choose another with { as }.`,
      );
    }
    this.nodes.set(node.name, node);
    for (const parent of node.parents) this.nodes.get(parent)!.children.push(node.name);
  }

  addSource(node: Omit<SourceNode, 'type' | 'parents' | 'children'>): void {
    for (const t of node.topics) {
      const other = this.topics.get(t);
      if (other !== undefined) {
        throw new TopologyError(
          `Topic '${t}' is already read by source '${other}'; a topic can feed only one source. Merge the streams instead.`,
        );
      }
    }
    if (node.topics.length === 0)
      throw new TopologyError(`Source '${node.name}' must read at least one topic.`);
    this.register({ ...node, type: 'source', parents: [], children: [] });
    for (const t of node.topics) this.topics.set(t, node.name);
  }

  addProcessor(name: string, op: ProcessorOp, parents: readonly string[], keyChanging = false): void {
    this.register({ type: 'processor', name, op, parents, children: [], stores: [], keyChanging });
  }

  addSink(node: Omit<SinkNode, 'type' | 'children'>): void {
    this.register({ ...node, type: 'sink', children: [] });
  }
}
