/**
 * How a coordinator host routes a request that names a group: to the group's actor if the group
 * exists; otherwise it answers as Kafka answers for a group it does not know (creating the group
 * only for a first join or a commit outside group management), or tells the caller that this
 * broker is not, or not yet, the group's coordinator.
 */
import {
  CoordinatorLoadInProgressError,
  CoordinatorNotAvailableError,
  GroupIdNotFoundError,
  IllegalGenerationError,
  InvalidGroupIdError,
  NotCoordinatorError,
  toWireError,
  UnknownMemberIdError,
} from '../../common/kafka-errors.js';
import { type ActorContext, type ActorId, reply, replyError } from '../../runtime/actor/index.js';
import type { GroupCoordinatorConfig } from './coordinator-config.js';
import { partitionForGroup } from './group-partition.js';
import type { GroupDescription, GroupRequest, GroupStateName } from './group-requests.js';
import type { HostedChild, HostedPartitionState } from './hosted-partitions.js';
import { fitsKafkaString } from './kafka-binary.js';
import type { LeaveGroupResult } from './membership-requests.js';
import type { OffsetFetchResult } from './offset-requests.js';

/**
 * A `__consumer_offsets` partition this broker leads.
 *
 * @example
 * ```ts
 * if (context.partitions.get(partition)?.status === 'loading') answerLoadInProgress();
 * ```
 */
export interface HostedPartition extends HostedPartitionState {
  /** Distinguishes this load from an earlier one whose result may still arrive. */
  readonly epoch: number;
}

/**
 * A group's actor and what the host knows of it for ListGroups.
 *
 * @example
 * ```ts
 * const actorId = context.groups.get('orders-app')?.actorId;
 * ```
 */
export interface HostedGroup extends HostedChild {
  state: GroupStateName;
  protocolType: string;
}

/**
 * What routing needs from the host.
 *
 * @example
 * ```ts
 * routeGroupRequest(context satisfies RoutingContext, event);
 * ```
 */
export interface RoutingContext {
  readonly actor: ActorContext;
  readonly config: GroupCoordinatorConfig;
  readonly partitions: Map<number, HostedPartition>;
  readonly groups: Map<string, HostedGroup>;
}

/**
 * Spawns the actor of a new, empty group and returns its id.
 *
 * @example
 * ```ts
 * const spawn: SpawnGroup = (groupId, partition) => spawnGroup(context, groupId, partition);
 * ```
 */
export type SpawnGroup = (groupId: string, partition: number) => ActorId;

const MEMBERSHIP_REQUESTS = new Set(['group.join', 'group.sync', 'group.heartbeat', 'group.leave']);

/**
 * Routes a request to its group's actor, or answers it.
 *
 * @example
 * ```ts
 * on: { 'group.join': { actions: ({ context, event }) => routeGroupRequest(context, event, spawn) } }
 * ```
 */
export function routeGroupRequest(context: RoutingContext, req: GroupRequest, spawnGroup: SpawnGroup): void {
  const { actor, config } = context;
  if (req.groupId === '' && MEMBERSHIP_REQUESTS.has(req.type)) {
    replyError(actor, req, new InvalidGroupIdError('the group id is empty'));
    return;
  }
  if (!fitsKafkaString(req.groupId)) {
    replyError(actor, req, new InvalidGroupIdError('the group id is longer than 32767 UTF-8 bytes'));
    return;
  }
  const partition = partitionForGroup(req.groupId, config.offsetsTopicPartitions);
  const hosted = context.partitions.get(partition);
  if (hosted === undefined) {
    replyError(
      actor,
      req,
      new NotCoordinatorError(
        `${actor.id} does not lead __consumer_offsets-${partition} of group ${req.groupId}`,
      ),
    );
    return;
  }
  if (hosted.status === 'loading') {
    replyError(actor, req, new CoordinatorLoadInProgressError(`__consumer_offsets-${partition} is loading`));
    return;
  }
  if (hosted.status === 'failed') {
    replyError(
      actor,
      req,
      new CoordinatorNotAvailableError(`loading __consumer_offsets-${partition} failed: ${hosted.failure}`),
    );
    return;
  }
  const group = context.groups.get(req.groupId);
  if (group !== undefined) {
    actor.send(group.actorId, req);
    return;
  }
  answerUnknownGroup(context, req, partition, spawnGroup);
}

function answerUnknownGroup(
  context: RoutingContext,
  req: GroupRequest,
  partition: number,
  spawnGroup: SpawnGroup,
): void {
  const { actor } = context;
  const unknownMember = (memberId: string) =>
    new UnknownMemberIdError(`member ${memberId} is not in group ${req.groupId}: the group does not exist`);
  switch (req.type) {
    case 'group.join':
      if (req.memberId !== '') replyError(actor, req, unknownMember(req.memberId));
      else actor.send(spawnGroup(req.groupId, partition), req);
      return;
    case 'group.offsetCommit':
    case 'group.txnOffsetCommit':
      // A commit outside group management creates the group; a member's has lost its group.
      if (req.generationId < 0) actor.send(spawnGroup(req.groupId, partition), req);
      else replyError(actor, req, new IllegalGenerationError(`group ${req.groupId} does not exist`));
      return;
    case 'group.sync':
    case 'group.heartbeat':
      replyError(actor, req, unknownMember(req.memberId));
      return;
    case 'group.leave': {
      const result: LeaveGroupResult = {
        members: req.members.map(({ memberId, groupInstanceId }) => ({
          memberId,
          groupInstanceId,
          error: toWireError(unknownMember(memberId)),
        })),
      };
      reply(actor, req, result);
      return;
    }
    case 'group.offsetFetch': {
      const offsets = (req.partitions ?? []).map(({ topic, partition: p }) => ({
        topic,
        partition: p,
        offset: -1,
        leaderEpoch: -1,
        metadata: '',
      }));
      const result: OffsetFetchResult = { offsets };
      reply(actor, req, result);
      return;
    }
    case 'group.describe': {
      const result: GroupDescription = {
        groupId: req.groupId,
        state: 'Dead',
        protocolType: '',
        protocolName: '',
        generationId: -1,
        leader: null,
        members: [],
      };
      reply(actor, req, result);
      return;
    }
    case 'group.delete':
      replyError(actor, req, new GroupIdNotFoundError(`group ${req.groupId} does not exist`));
      return;
  }
}
