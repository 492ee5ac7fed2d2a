/**
 * SyncGroup: the second half of a rebalance. After the join completes, every member asks for its
 * assignment; the leader's request carries the assignment of all. The coordinator stores the
 * group with it in `__consumer_offsets` first and only then answers everyone and becomes stable,
 * so a coordinator that takes over never hands out a different assignment for the same
 * generation.
 */
import {
  fromWireError,
  InconsistentGroupProtocolError,
  RebalanceInProgressError,
  type WireError,
} from '../../common/kafka-errors.js';
import { reply, replyError } from '../../runtime/actor/index.js';
import { type GroupEnv, type GroupPhase, memberRefusal, scheduleSession, storeGroup } from './group-env.js';
import type { GroupState } from './group-state.js';
import type { SyncGroupRequest, SyncGroupResult } from './membership-requests.js';

const EMPTY = new Uint8Array(0);

/**
 * Handles a SyncGroup: answers at once when the group is stable (the member's assignment) or
 * failing, and otherwise keeps it until the leader's assignment is stored.
 *
 * @example
 * ```ts
 * handleSync(env, group, event, 'completingRebalance');
 * ```
 */
export function handleSync(env: GroupEnv, group: GroupState, req: SyncGroupRequest, phase: GroupPhase): void {
  const refusal = syncRefusal(group, req, phase);
  if (refusal !== undefined) {
    replyError(env.actor, req, refusal);
    return;
  }
  const member = group.members.get(req.memberId)!;
  scheduleSession(env, member);
  if (phase === 'stable') {
    reply(env.actor, req, syncResult(group, member.assignment));
    return;
  }
  const previous = member.pendingSync;
  if (
    previous !== undefined &&
    (previous.correlationId !== req.correlationId || previous.replyTo !== req.replyTo)
  ) {
    replyError(env.actor, previous, new RebalanceInProgressError('superseded by a newer SyncGroup'));
  }
  member.pendingSync = req;
  if (member.memberId !== group.leaderId || group.pendingAssignment !== undefined) return;
  // Members the leader left out get an empty assignment; ids it made up are ignored.
  const given = new Map(req.assignments.map((a) => [a.memberId, a.assignment]));
  const assignments = new Map<string, Uint8Array>();
  for (const id of group.members.keys()) assignments.set(id, given.get(id) ?? EMPTY);
  group.pendingAssignment = assignments;
  const generationId = group.generationId;
  storeGroup(env, group, assignments, (error) => ({ type: 'internal.syncStored', generationId, error }));
}

/**
 * Whether a stored assignment belongs to the current generation (an older one's is ignored).
 *
 * @example
 * ```ts
 * if (isCurrentStore(group, event.generationId)) propagateAssignment(env, group);
 * ```
 */
export function isCurrentStore(group: GroupState, generationId: number): boolean {
  return group.pendingAssignment !== undefined && generationId === group.generationId;
}

/**
 * The leader's assignment is stored: every member gets its part, and waiting syncs are answered.
 *
 * @example
 * ```ts
 * propagateAssignment(env, group); // then the group is stable
 * ```
 */
export function propagateAssignment(env: GroupEnv, group: GroupState): void {
  const assignments = group.pendingAssignment ?? new Map<string, Uint8Array>();
  group.pendingAssignment = undefined;
  for (const member of group.members.values()) {
    member.assignment = assignments.get(member.memberId) ?? EMPTY;
    const sync = member.pendingSync;
    if (sync === undefined) continue;
    member.pendingSync = undefined;
    reply(env.actor, sync, syncResult(group, member.assignment));
    scheduleSession(env, member);
  }
}

/**
 * Answers every waiting SyncGroup with `error` and forgets the assignment in the making: the
 * rebalance starts over (or the store failed).
 *
 * @example
 * ```ts
 * failPendingSyncs(env, group, new RebalanceInProgressError('a member left'));
 * ```
 */
export function failPendingSyncs(env: GroupEnv, group: GroupState, error: Error | WireError): void {
  const err = error instanceof Error ? error : fromWireError(error);
  group.pendingAssignment = undefined;
  for (const member of group.members.values()) {
    member.assignment = EMPTY;
    const sync = member.pendingSync;
    if (sync === undefined) continue;
    member.pendingSync = undefined;
    replyError(env.actor, sync, err);
  }
}

/**
 * Members that have not asked for their assignment within the rebalance timeout after the join
 * completed (Kafka 3.1's pending-sync timeout): they are removed so a stuck leader cannot hold
 * the group forever.
 *
 * @example
 * ```ts
 * const removed = removeUnsyncedMembers(group);
 * ```
 */
export function removeUnsyncedMembers(group: GroupState): string[] {
  const removed: string[] = [];
  for (const member of [...group.members.values()]) {
    if (member.pendingSync !== undefined) continue;
    group.removeMember(member.memberId);
    removed.push(member.memberId);
  }
  return removed;
}

function syncResult(group: GroupState, assignment: Uint8Array): SyncGroupResult {
  return { protocolType: group.protocolType, protocolName: group.protocolName, assignment };
}

function syncRefusal(group: GroupState, req: SyncGroupRequest, phase: GroupPhase): Error | undefined {
  const refusal = memberRefusal(group, req.memberId, req.groupInstanceId, req.generationId, phase);
  if (refusal !== undefined) return refusal;
  const typeMismatch = req.protocolType != null && req.protocolType !== group.protocolType;
  if (typeMismatch || (req.protocolName != null && req.protocolName !== group.protocolName)) {
    return new InconsistentGroupProtocolError(
      `group ${group.groupId} uses ${group.protocolType}/${group.protocolName}, ` +
        `not ${req.protocolType}/${req.protocolName}`,
    );
  }
  if (phase === 'preparingRebalance')
    return new RebalanceInProgressError(`group ${group.groupId} is rebalancing`);
  return undefined;
}
