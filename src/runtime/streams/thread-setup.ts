/**
 * What a stream thread is built from and reads from its group: its consumer (the application's
 * group, the streams assignor) and producer (transactional under exactly-once), the log names of
 * its source topics, the standbys and probing time of an assignment, and the progress each task's
 * last commit recorded.
 */
import { MillraceError } from '../../common/errors.js';
import { Consumer } from '../../log/client/consumer/consumer.js';
import { tpKey } from '../../log/client/consumer/consumer-record.js';
import { Producer } from '../../log/client/producer/producer.js';
import { AssignorErrorCode, decodeAssignmentInfo } from './assignment/assignment-info.js';
import type { SubscriptionInfo } from './assignment/subscription-info.js';
import { committedWithRetry } from './commit-positions.js';
import type { StreamThreadOptions } from './stream-thread-types.js';
import { decodeTaskMetadata, mergeTaskMetadata, type TaskMetadata } from './task-metadata.js';
import { threadAssignor } from './thread-assignor.js';

/**
 * The sub-topology of each source topic, by the topic's name on the log (internal topics carry
 * the application's prefix); global sub-topologies have no tasks and are left out.
 *
 * @example
 * ```ts
 * sourceSubTopologies(options).get('wordcount-counts-repartition'); // 1
 * ```
 */
export function sourceSubTopologies(o: StreamThreadOptions): Map<string, number> {
  const out = new Map<string, number>();
  const internal = new Set(o.topology.internalTopics.map((t) => t.name));
  for (const sub of o.topology.subTopologies) {
    if (sub.global) continue;
    for (const t of sub.sourceTopics) out.set(internal.has(t) ? `${o.applicationId}-${t}` : t, sub.id);
  }
  return out;
}

/**
 * The thread's group consumer: read_committed under exactly-once, the streams assignor asking
 * `subscription` at every join.
 *
 * @example
 * ```ts
 * const consumer = threadConsumer(options, true, () => thread.subscriptionInfo());
 * ```
 * @throws ConfigError for an invalid assignor config.
 */
export function threadConsumer(
  o: StreamThreadOptions,
  eos: boolean,
  subscription: () => SubscriptionInfo,
): Consumer {
  return new Consumer(o.client, o.clock, {
    groupId: o.applicationId,
    clientId: o.threadId,
    ...(o.groupInstanceId === undefined ? {} : { groupInstanceId: o.groupInstanceId }),
    isolationLevel: eos ? 'read_committed' : 'read_uncommitted',
    autoOffsetReset: 'earliest',
    maxPollRecords: o.maxPollRecords ?? 1000,
    // Task (s, p) — partition p of every topic of sub-topology s — goes to one member; stateful
    // tasks stay where their state is, get standbys elsewhere, and move only once caught up.
    assignor: threadAssignor({
      topology: o.topology,
      applicationId: o.applicationId,
      client: o.client,
      clock: o.clock,
      ...(o.assignor === undefined ? {} : { config: o.assignor }),
      subscription,
    }),
    sessionTimeoutMs: 10_000,
    heartbeatIntervalMs: 1000,
    requestTimeoutMs: 5000,
  });
}

/**
 * The thread's producer: transactional (`<applicationId>-<threadId>`) under exactly-once.
 *
 * @example
 * ```ts
 * const producer = threadProducer(options, true);
 * ```
 */
export function threadProducer(o: StreamThreadOptions, eos: boolean): Producer {
  return new Producer(o.client, o.clock, o.random, {
    ...(eos ? { transactionalId: `${o.applicationId}-${o.threadId}`, transactionTimeoutMs: 10_000 } : {}),
    lingerMs: 5,
    batchSize: 256 * 1024,
    requestTimeoutMs: 5000,
    deliveryTimeoutMs: 60_000,
  });
}

/**
 * The standbys and the probing-rebalance time of the consumer's latest assignment. A group that
 * could not yet assign (a source topic without metadata) is asked again a second later.
 *
 * @example
 * ```ts
 * const { standby, nextProbeMs } = assignmentInfo(consumer, options);
 * ```
 * @throws MillraceError when the assignor could not assign the topology at all.
 */
export function assignmentInfo(
  consumer: Consumer,
  o: StreamThreadOptions,
): { standby: string[]; nextProbeMs: number } {
  const bytes = consumer.assignmentUserData();
  if (bytes === null) return { standby: [], nextProbeMs: -1 };
  const info = decodeAssignmentInfo(bytes);
  if (info.errorCode === AssignorErrorCode.INCOMPLETE_SOURCE_TOPIC_METADATA)
    return { standby: [], nextProbeMs: o.clock.nowMs() + 1000 };
  if (info.errorCode !== AssignorErrorCode.NONE) {
    throw new MillraceError(
      'STREAMS_ASSIGNMENT_FAILED',
      `the group leader could not assign application ${o.applicationId}'s tasks (error ${info.errorCode}): ` +
        'its source topics are not co-partitioned, or this thread runs a version the leader cannot read; check the topology and that every instance runs the same release',
      false,
    );
  }
  return { standby: [...info.standbyTasks.keys()], nextProbeMs: info.nextProbingRebalanceMs };
}

/**
 * What the last commit of each task recorded beside its offsets (stream time, processors'
 * times), from the group's committed offsets of its input partitions, by task id.
 *
 * @example
 * ```ts
 * const restored = await restoredTaskMetadata(consumer, subTopologyOf, [{ sub: 1, partition: 0 }], clock, () => stopping);
 * ```
 * @throws what fetching committed offsets throws after its retries.
 */
export async function restoredTaskMetadata(
  consumer: Consumer,
  subTopologyOf: ReadonlyMap<string, number>,
  tasks: readonly { sub: number; partition: number }[],
  clock: StreamThreadOptions['clock'],
  stopping: () => boolean,
): Promise<Map<string, TaskMetadata>> {
  const out = new Map<string, TaskMetadata>();
  if (tasks.length === 0) return out;
  const partitionsOf = (t: { sub: number; partition: number }) =>
    [...subTopologyOf].filter(([, s]) => s === t.sub).map(([topic]) => ({ topic, partition: t.partition }));
  const committed = await committedWithRetry(consumer, tasks.flatMap(partitionsOf), clock, stopping);
  for (const t of tasks) {
    const merged = mergeTaskMetadata(
      partitionsOf(t).map((tp) => decodeTaskMetadata(committed.get(tpKey(tp))?.metadata)),
    );
    if (merged !== undefined) out.set(`${t.sub}_${t.partition}`, merged);
  }
  return out;
}
