/**
 * The mutable graph behind a StreamsBuilder: node registration, Kafka-style generated names
 * (`KSTREAM-MAP-0000000003`: prefix plus a counter shared by all generated names; an explicit name
 * does not consume the counter, as in Kafka) and name-clash detection.
 */
import { TopologyError } from '../common/errors.js';
import type { Serde } from '../serdes/serde.js';
import type { StoreDefinition } from './store-definitions.js';
import type {
  InternalTopicDefinition,
  ProcessorOp,
  SinkNode,
  SourceNode,
  TopologyNode,
} from './topology-nodes.js';
import type { Views } from './views.js';

/**
 * Serdes used where an operator needs one and none was given or inherited (Kafka's
 * `default.key.serde` / `default.value.serde`).
 *
 * @example
 * ```ts
 * new StreamsBuilder({ defaultSerdes: { key: Serdes.string(), value: Serdes.json() } });
 * ```
 */
export interface DefaultSerdes {
  readonly key?: Serde<unknown>;
  readonly value?: Serde<unknown>;
}

/**
 * The graph under construction; KStreams append to it.
 *
 * @example
 * ```ts
 * const g = new GraphBuilder(views);
 * g.name('KSTREAM-FILTER-', undefined); // "KSTREAM-FILTER-0000000000"
 * ```
 * @throws TopologyError when a name is registered twice or a source topic is read twice.
 */
export class GraphBuilder {
  readonly nodes = new Map<string, TopologyNode>();
  readonly stores = new Map<string, StoreDefinition>();
  readonly internalTopics = new Map<string, InternalTopicDefinition>();
  private readonly topics = new Map<string, string>();
  private counter = 0;

  constructor(
    /** The views' constructors (see views.ts for why they are injected). */
    readonly views: Views,
    readonly defaults: DefaultSerdes = {},
  ) {}

  /**
   * The serde to use: the given one, else the inherited one, else the default.
   *
   * @throws TopologyError naming `where` when there is none.
   */
  serde<T>(what: 'key' | 'value', given: Serde<T> | undefined, where: string): Serde<T> {
    const serde = given ?? (this.defaults[what] as Serde<T> | undefined);
    if (serde === undefined) {
      throw new TopologyError(
        `${where} has no ${what} serde: none was given, none could be inherited (an operator upstream changed the ${what} type) and the builder has no default. Pass { ${what}: Serdes… } or new StreamsBuilder({ defaultSerdes }).`,
      );
    }
    return serde;
  }

  /** Registers a store; names are unique across stores. */
  addStore(def: StoreDefinition): void {
    if (this.stores.has(def.name)) {
      throw new TopologyError(
        `A store named '${def.name}' already exists; store names must be unique in a topology. Choose another with { as }.`,
      );
    }
    this.stores.set(def.name, def);
  }

  /** Connects `store` to `processor`, which may then read and write it. */
  connectStore(processor: string, store: string): void {
    const node = this.nodes.get(processor);
    if (!this.stores.has(store)) {
      throw new TopologyError(
        `Processor '${processor}' uses store '${store}', which the topology does not have. Add it with builder.addStateStore(Stores…) first.`,
      );
    }
    if (node?.type !== 'processor')
      throw new TopologyError(`'${processor}' is not a processor; only processors use stores.`);
    if (!node.stores.includes(store)) node.stores.push(store);
  }

  /** Registers a repartition topic (its name without the application id). */
  addInternalTopic(def: InternalTopicDefinition): void {
    if (this.internalTopics.has(def.name) || this.topics.has(def.name)) {
      throw new TopologyError(
        `The internal topic '${def.name}' already exists; name the repartitioning operators apart with { as }.`,
      );
    }
    this.internalTopics.set(def.name, def);
  }

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

  addProcessor(
    name: string,
    op: ProcessorOp,
    parents: readonly string[],
    keyChanging = false,
    stores: readonly string[] = [],
  ): void {
    this.register({ type: 'processor', name, op, parents, children: [], stores: [], keyChanging });
    for (const store of stores) this.connectStore(name, store);
  }

  addSink(node: Omit<SinkNode, 'type' | 'children'>): void {
    this.register({ ...node, type: 'sink', children: [] });
  }
}
