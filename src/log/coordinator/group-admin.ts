/**
 * The administrative side of a group: DescribeGroups, DeleteGroups, and unloading when the
 * broker stops coordinating the group's partition. Deleting writes tombstones for the group and
 * every offset it committed, so compaction removes them from `__consumer_offsets` for good.
 */
import {
  fromWireError,
  GroupIdNotFoundError,
  NonEmptyGroupError,
  NotCoordinatorError,
  type WireError,
} from '../../common/kafka-errors.js';
import { reply, replyError } from '../../runtime/actor/index.js';
import { type GroupEnv, type GroupPhase, write } from './group-env.js';
import { metadataFor } from './group-member.js';
import { commitsInFlightError } from './group-offsets.js';
import type { DeleteGroupRequest, GroupDescription, GroupStateName } from './group-requests.js';
import type { GroupState } from './group-state.js';
import { groupMetadataKey, offsetCommitKey } from './offsets-topic-records.js';

const EMPTY = new Uint8Array(0);

const STATE_NAMES: Readonly<Record<GroupPhase, GroupStateName>> = {
  empty: 'Empty',
  preparingRebalance: 'PreparingRebalance',
  completingRebalance: 'CompletingRebalance',
  stable: 'Stable',
  dead: 'Dead',
};

/**
 * Kafka's name of a group state.
 *
 * @example
 * ```ts
 * stateName('completingRebalance'); // 'CompletingRebalance'
 * ```
 */
export function stateName(phase: GroupPhase): GroupStateName {
  return STATE_NAMES[phase];
}

/**
 * Describes a group; members' metadata and assignments only when it is stable, as Kafka does.
 *
 * @example
 * ```ts
 * reply(env.actor, event, describeGroup(group, 'stable'));
 * ```
 */
export function describeGroup(group: GroupState, phase: GroupPhase): GroupDescription {
  const stable = phase === 'stable';
  return {
    groupId: group.groupId,
    state: stateName(phase),
    protocolType: group.protocolType ?? '',
    protocolName: stable ? (group.protocolName ?? '') : '',
    generationId: group.generationId,
    leader: group.leaderId,
    members: [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      metadata: stable ? metadataFor(m, group.protocolName) : EMPTY,
      assignment: stable ? m.assignment : EMPTY,
    })),
  };
}

/**
 * Starts deleting a group: refused unless it is empty; otherwise the group is dead from now on,
 * its tombstones are being written, and the request is answered when they are stored. Returns
 * whether the group is now dead.
 *
 * @example
 * ```ts
 * if (startDelete(env, group, event, 'empty')) target = 'dead';
 * ```
 */
export function startDelete(
  env: GroupEnv,
  group: GroupState,
  req: DeleteGroupRequest,
  phase: GroupPhase,
): boolean {
  if (phase === 'dead') {
    replyError(env.actor, req, new GroupIdNotFoundError(`group ${group.groupId} does not exist`));
    return false;
  }
  if (phase !== 'empty' || group.members.size > 0) {
    replyError(env.actor, req, new NonEmptyGroupError(`group ${group.groupId} has members`));
    return false;
  }
  if (group.pendingCommits.size > 0 || !group.txnOffsets.isEmpty) {
    replyError(env.actor, req, commitsInFlightError(group));
    return false;
  }
  const records = [{ key: groupMetadataKey(group.groupId), value: null }];
  for (const [topic, byPartition] of group.offsets) {
    for (const partition of byPartition.keys()) {
      records.push({ key: offsetCommitKey(group.groupId, topic, partition), value: null });
    }
  }
  group.offsets.clear();
  group.deadReason = 'deleted';
  forgetPendingMembers(group);
  const ticket = group.ticket();
  group.pendingDeletes.set(ticket, req);
  write(env, records, (error) => ({ type: 'internal.deleteStored', ticket, error }));
  return true;
}

/**
 * A deletion's tombstones are stored (or failed to be): the request is answered.
 *
 * @example
 * ```ts
 * onDeleteStored(env, group, event.ticket, event.error);
 * ```
 */
export function onDeleteStored(
  env: GroupEnv,
  group: GroupState,
  ticket: number,
  error: WireError | undefined,
): void {
  const req = group.pendingDeletes.get(ticket);
  if (req === undefined) return;
  group.pendingDeletes.delete(ticket);
  if (error === undefined) reply(env.actor, req, {});
  else replyError(env.actor, req, fromWireError(error));
}

/**
 * The broker no longer coordinates the group's partition: waiting joins and syncs are answered
 * NOT_COORDINATOR (their members find the new coordinator and rejoin there), and every timer
 * stops.
 *
 * @example
 * ```ts
 * unloadGroup(env, group); // then the group is dead
 * ```
 */
export function unloadGroup(env: GroupEnv, group: GroupState): void {
  group.deadReason = 'unloaded';
  const moved = () => new NotCoordinatorError(`group ${group.groupId} has moved to another coordinator`);
  for (const member of group.members.values()) {
    member.sessionTimer?.cancel();
    if (member.pendingJoin !== undefined) replyError(env.actor, member.pendingJoin, moved());
    if (member.pendingSync !== undefined) replyError(env.actor, member.pendingSync, moved());
    member.pendingJoin = undefined;
    member.pendingSync = undefined;
  }
  forgetPendingMembers(group);
}

function forgetPendingMembers(group: GroupState): void {
  for (const pending of group.pendingMembers.values()) pending.timer.cancel();
  group.pendingMembers.clear();
}
