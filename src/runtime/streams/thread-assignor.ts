/**
 * The streams partition assignor as a stream thread runs it: the topology as the assignor sees it
 * (source topics as the consumer names them, the changelog topics that make a sub-topology
 * stateful), the end offsets of changelog partitions fetched by the leader before it assigns (the
 * lags that rank instances, KIP-441), and the thread's own subscription: its process, the tasks it
 * owns, and how far its local state has come.
 */
import type { Topology } from '../../dsl/topology.js';
import {
  type MemberSubscription,
  type PartitionAssignor,
  partitionKey,
} from '../../log/client/assignors/partition-assignor.js';
import type { EmbeddedLogClient } from '../../log/client/embedded-log-client.js';
import { changelogTopicName } from '../../state-stores/changelog/changelog-topic.js';
import { storesOfSubTopology } from './active-task.js';
import type { StreamsAssignorConfig } from './assignment/streams-assignor-config.js';
import { createStreamsPartitionAssignor } from './assignment/streams-partition-assignor.js';
import type { SubscriptionInfo } from './assignment/subscription-info.js';
import { type AssignorSubTopology, topologyTasks } from './assignment/topology-tasks.js';

/**
 * The sub-topologies of a topology as the streams assignor sees them: source topics under the
 * names the consumer subscribes to (internal ones prefixed with the application id) and the
 * changelog topics of their stores.
 *
 * @example
 * ```ts
 * assignorSubTopologies(topology, 'wordcount');
 * // [{ id: 0, sourceTopics: ['lines'] }, { id: 1, sourceTopics: ['wordcount-counts-repartition'], changelogTopics: ['wordcount-counts-changelog'] }]
 * ```
 */
export function assignorSubTopologies(topology: Topology, applicationId: string): AssignorSubTopology[] {
  const internal = new Set(topology.internalTopics.map((t) => t.name));
  return topology.subTopologies.map((sub) => {
    const changelogTopics = storesOfSubTopology(topology, sub.id)
      .map((name) => topology.stores.get(name)!)
      .filter((def) => def.changelog && def.global !== true)
      .map((def) => changelogTopicName(applicationId, def.name));
    return {
      id: sub.id,
      sourceTopics: sub.sourceTopics.map((t) => (internal.has(t) ? `${applicationId}-${t}` : t)),
      ...(sub.global ? { global: true } : {}),
      changelogTopics,
    };
  });
}

/**
 * What a thread's streams assignor is made from.
 *
 * @example
 * ```ts
 * const o: ThreadAssignorOptions = { topology, applicationId: 'app', client, clock, config: { numStandbyReplicas: 1 }, subscription: () => thread.subscriptionInfo() };
 * ```
 */
export interface ThreadAssignorOptions {
  readonly topology: Topology;
  readonly applicationId: string;
  readonly client: EmbeddedLogClient;
  readonly clock: { nowMs(): number };
  readonly config?: Partial<StreamsAssignorConfig>;
  /** The thread's subscription, asked anew at every join. */
  readonly subscription: () => SubscriptionInfo;
}

/**
 * Makes the streams assignor for a thread's consumer. As group leader it first fetches the end
 * (last stable) offset of every changelog partition; a partition whose end cannot be fetched
 * counts as unknown lag, which places its task as if no instance had its state.
 *
 * @example
 * ```ts
 * const consumer = new Consumer(client, clock, { groupId: 'app', assignor: threadAssignor(options) });
 * ```
 * @throws ConfigError for an invalid assignor config.
 */
export function threadAssignor(o: ThreadAssignorOptions): PartitionAssignor {
  const subTopologies = assignorSubTopologies(o.topology, o.applicationId);
  let endOffsets = new Map<string, number>();
  const assignor = createStreamsPartitionAssignor({
    topology: subTopologies,
    clock: o.clock,
    ...(o.config === undefined ? {} : { config: o.config }),
    lagSource: () => endOffsets,
    localSubscription: o.subscription,
  });
  const prepareAssignment = async (
    partitionsPerTopic: ReadonlyMap<string, number>,
    _members: readonly MemberSubscription[],
  ): Promise<void> => {
    const { tasks } = topologyTasks(subTopologies, partitionsPerTopic);
    const partitions = [...tasks.values()].flatMap((t) => t.changelogPartitions);
    const ends = await Promise.all(
      partitions.map((tp) =>
        o.client.listOffset(tp.topic, tp.partition, -1, 'read_committed').then(
          (r) => r.offset,
          () => -1,
        ),
      ),
    );
    endOffsets = new Map(partitions.map((tp, i) => [partitionKey(tp), ends[i]!]));
  };
  return { ...assignor, prepareAssignment };
}
