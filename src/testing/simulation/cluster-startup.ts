/**
 * How a SimulatedCluster comes up: brokers under a seeded simulation, then every topic of the
 * application — the user topics it reads and writes, and its internal ones (repartition topics,
 * changelogs), as StreamsApp would create them — and the idempotent producer that writes its input.
 */
import { TopicAlreadyExistsError } from '../../common/kafka-errors.js';
import type { CreateTopicRequest } from '../../log/broker/controller-state.js';
import type { EmbeddedCluster } from '../../log/broker/embedded-cluster.js';
import type { EmbeddedLogClient } from '../../log/client/embedded-log-client.js';
import { Producer } from '../../log/client/producer/producer.js';
import type { MemoryStorageFs } from '../../log/storage/fs/memory-storage-fs.js';
import type { Simulation } from '../../runtime/actor/index.js';
import { planInternalTopics } from '../../runtime/streams/internal-topics.js';
import { changelogTopicName } from '../../state-stores/changelog/changelog-topic.js';
import type { SimulatedClusterOptions } from './cluster-types.js';
import { retrying } from './read-partition.js';
import { settle, simulatedBrokers } from './simulated-brokers.js';

const DEFAULT_PARTITIONS = 3;

/**
 * The running brokers and the application's topics, before any instance starts.
 *
 * @example
 * ```ts
 * const parts = await startBrokersAndTopics({ seed: 7, topology: wordCount() });
 * parts.topics.get('lines'); // 3
 * ```
 */
export interface ClusterParts {
  readonly sim: Simulation;
  readonly cluster: EmbeddedCluster;
  readonly client: EmbeddedLogClient;
  readonly disks: Map<number, MemoryStorageFs>;
  /** User topics the application reads, and those it writes. */
  readonly inputTopics: readonly string[];
  readonly outputTopics: readonly string[];
  /** Every topic of the application with its partition count. */
  readonly topics: ReadonlyMap<string, number>;
  /** The topics its tasks consume (user sources and repartition topics), log names. */
  readonly sourceTopics: readonly string[];
  /** Changelog topic of each logged store. */
  readonly changelogs: ReadonlyMap<string, string>;
  /** The idempotent producer (acks=all) that writes the input. */
  readonly loader: Producer;
}

/**
 * Starts the brokers and creates the application's topics (user topics and internal ones, as
 * StreamsApp would), retrying through lost answers.
 *
 * @example
 * ```ts
 * const { sim, client, topics } = await startBrokersAndTopics({ seed: 7, topology: wordCount(), brokers: 3 });
 * ```
 * @throws ConfigError for bad broker or network settings; what creating a topic throws after retries.
 */
export async function startBrokersAndTopics(options: SimulatedClusterOptions): Promise<ClusterParts> {
  const brokers = options.brokers ?? 1;
  const { sim, cluster, client, disks } = simulatedBrokers(
    options.seed,
    brokers,
    options.network ?? {},
    options.brokerSettings ?? {},
  );
  const applicationId = options.applicationId ?? 'app';
  const topology = options.topology;
  const rf = options.replicationFactor ?? Math.min(brokers, 3);
  const config = rf >= 3 ? { minInsyncReplicas: 2 } : {};
  const internal = new Set(topology.internalTopics.map((t) => t.name));
  const inputTopics = [...new Set(topology.subTopologies.flatMap((s) => s.sourceTopics))].filter(
    (t) => !internal.has(t),
  );
  const outputTopics = [
    ...new Set(
      [...topology.nodes.values()].flatMap((n) =>
        n.type === 'sink' && typeof n.topic === 'string' && !internal.has(n.topic) ? [n.topic] : [],
      ),
    ),
  ].filter((t) => !inputTopics.includes(t));
  const partitionsOf = (topic: string) => {
    const p = options.partitions ?? DEFAULT_PARTITIONS;
    return typeof p === 'number' ? p : (p[topic] ?? DEFAULT_PARTITIONS);
  };
  const topics = new Map<string, number>();
  const requests: CreateTopicRequest[] = [];
  for (const name of [...inputTopics, ...outputTopics]) {
    topics.set(name, partitionsOf(name));
    requests.push({ name, partitions: partitionsOf(name), replicationFactor: rf, config });
  }
  const plan = planInternalTopics(
    topology,
    applicationId,
    new Map(inputTopics.map((t) => [t, partitionsOf(t)])),
    rf,
  );
  for (const t of plan.topics) {
    topics.set(t.name, t.partitions);
    requests.push({ ...t, config: { ...t.config, ...config } });
  }
  await sim.runFor(500);
  await settle(sim, cluster.whenReady());
  for (const r of requests)
    await settle(
      sim,
      // A retry after a lost answer finds the topic made: that is success.
      retrying(sim, () =>
        client.createTopic(r).catch((error: unknown) => {
          if (!(error instanceof TopicAlreadyExistsError)) throw error;
        }),
      ),
    );
  await sim.runFor(500);
  const repartition = topology.internalTopics
    .filter((t) => t.purpose === 'repartition')
    .map((t) => `${applicationId}-${t.name}`);
  const changelogs = new Map<string, string>();
  for (const def of topology.stores.values()) {
    if (def.changelog && def.global !== true)
      changelogs.set(def.name, changelogTopicName(applicationId, def.name));
  }
  const loader = new Producer(client, sim.clock, sim.random.fork(), { lingerMs: 2, acks: 'all' });
  return {
    sim,
    cluster,
    client,
    disks,
    inputTopics,
    outputTopics,
    topics,
    sourceTopics: [...inputTopics, ...repartition],
    changelogs,
    loader,
  };
}
