/**
 * The streams partition assignor as the consumer runs it (Kafka Streams' StreamsPartitionAssignor
 * with KIP-441's high-availability task assignor): on the member side it puts the thread's
 * SubscriptionInfo in each join; on the leader it computes the assignment
 * (streams-assignment.ts) and hands each member its partitions and AssignmentInfo.
 */
import type {
  MemberAssignment,
  PartitionAssignor,
} from '../../../log/client/assignors/partition-assignor.js';
import { encodeAssignmentInfo } from './assignment-info.js';
import { computeStreamsAssignment } from './streams-assignment.js';
import { resolveStreamsAssignorConfig, type StreamsAssignorConfig } from './streams-assignor-config.js';
import { encodeSubscriptionInfo, type SubscriptionInfo } from './subscription-info.js';
import type { EndOffsetSource } from './task-lags.js';
import type { AssignorSubTopology } from './topology-tasks.js';

/**
 * The protocol name of the streams assignor (Kafka Streams' is `stream` too).
 *
 * @example
 * ```ts
 * joined.protocolName === STREAMS_ASSIGNOR_NAME;
 * ```
 */
export const STREAMS_ASSIGNOR_NAME = 'stream';

/**
 * What a streams assignor is made from.
 *
 * @example
 * ```ts
 * const options: StreamsPartitionAssignorOptions = { topology: description.subtopologies, clock,
 *   lagSource: (tps) => endOffsets(tps), localSubscription: () => thread.subscriptionInfo() };
 * ```
 */
export interface StreamsPartitionAssignorOptions {
  readonly topology: readonly AssignorSubTopology[];
  readonly config?: Partial<StreamsAssignorConfig>;
  /** End offsets of changelog partitions, for lags; without it every lag is unknown. */
  readonly lagSource?: EndOffsetSource;
  readonly clock: { nowMs(): number };
  /** Member side: this thread's subscription, asked anew at every join. */
  readonly localSubscription?: () => SubscriptionInfo;
}

/**
 * Makes a streams partition assignor, to pass as a consumer's `assignor`.
 *
 * @example
 * ```ts
 * const assignor = createStreamsPartitionAssignor({ topology, clock, lagSource, localSubscription });
 * const consumer = new Consumer(client, clock, { groupId: applicationId, assignor });
 * consumer.subscribe(sourceTopics, { onAssignment: (a) => taskManager.handle(decodeAssignmentInfo(a.userData)) });
 * ```
 * @throws ConfigError for a bad config key or value.
 */
export function createStreamsPartitionAssignor(options: StreamsPartitionAssignorOptions): PartitionAssignor {
  const config = resolveStreamsAssignorConfig(options.config);
  const lagSource: EndOffsetSource = options.lagSource ?? (() => new Map());
  const assignWithUserData: NonNullable<PartitionAssignor['assignWithUserData']> = (
    partitionsPerTopic,
    members,
  ) => {
    const result = computeStreamsAssignment({
      topology: options.topology,
      partitionsPerTopic,
      members,
      lagSource,
      config,
      nowMs: options.clock.nowMs(),
    });
    const out = new Map<string, MemberAssignment>();
    for (const [memberId, m] of result.members)
      out.set(memberId, { partitions: m.partitions, userData: encodeAssignmentInfo(m.info) });
    return out;
  };
  return {
    name: STREAMS_ASSIGNOR_NAME,
    supportedProtocols: config.rebalanceProtocol === 'COOPERATIVE' ? ['COOPERATIVE', 'EAGER'] : ['EAGER'],
    assign: (partitionsPerTopic, members) =>
      new Map([...assignWithUserData(partitionsPerTopic, members)].map(([id, a]) => [id, [...a.partitions]])),
    assignWithUserData,
    subscriptionUserData: () =>
      options.localSubscription === undefined ? null : encodeSubscriptionInfo(options.localSubscription()),
  };
}
