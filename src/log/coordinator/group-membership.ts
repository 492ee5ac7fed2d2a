/**
 * Staying in a group and leaving it: Heartbeat, LeaveGroup and the session timeout. A heartbeat
 * keeps a member's session alive and is how a member learns of a rebalance (it is answered with
 * REBALANCE_IN_PROGRESS until the member rejoins). A member that leaves or goes silent for its
 * session timeout is removed, which starts a rebalance. A member waiting for a join or sync
 * answer cannot heartbeat meanwhile in Kafka's clients, so its session does not run out then.
 */
import {
  RebalanceInProgressError,
  toWireError,
  UnknownMemberIdError,
  type WireError,
} from '../../common/kafka-errors.js';
import { reply, replyError } from '../../runtime/actor/index.js';
import {
  deadGroupError,
  fencedError,
  type GroupEffect,
  type GroupEnv,
  type GroupPhase,
  memberRefusal,
  scheduleSession,
} from './group-env.js';
import type { GroupState } from './group-state.js';
import type { HeartbeatRequest, LeaveGroupRequest, LeaveGroupResult } from './membership-requests.js';

/**
 * Handles a Heartbeat.
 *
 * @example
 * ```ts
 * handleHeartbeat(env, group, event, 'preparingRebalance'); // answers REBALANCE_IN_PROGRESS
 * ```
 */
export function handleHeartbeat(
  env: GroupEnv,
  group: GroupState,
  req: HeartbeatRequest,
  phase: GroupPhase,
): void {
  const refusal = memberRefusal(group, req.memberId, req.groupInstanceId, req.generationId, phase);
  if (refusal !== undefined) {
    replyError(env.actor, req, refusal);
    return;
  }
  scheduleSession(env, group.members.get(req.memberId)!);
  if (phase === 'preparingRebalance') {
    replyError(env.actor, req, new RebalanceInProgressError(`group ${group.groupId} is rebalancing`));
  } else reply(env.actor, req, {});
}

/**
 * Handles a LeaveGroup: each member named by member id, or by group.instance.id for a static
 * member, is removed; the answer has an error or null for each.
 *
 * @example
 * ```ts
 * if (handleLeave(env, group, event, 'stable') === 'rebalance') enqueue.raise({ type: 'internal.rebalance' });
 * ```
 */
export function handleLeave(
  env: GroupEnv,
  group: GroupState,
  req: LeaveGroupRequest,
  phase: GroupPhase,
): GroupEffect {
  if (phase === 'dead') {
    replyError(env.actor, req, deadGroupError(group));
    return 'none';
  }
  let effect: GroupEffect = 'none';
  const members = req.members.map(({ memberId, groupInstanceId }) => {
    let error: WireError | null = null;
    const unknown = () =>
      toWireError(new UnknownMemberIdError(`member ${memberId} is not in group ${group.groupId}`));
    if (groupInstanceId !== null) {
      const current = group.staticMembers.get(groupInstanceId);
      if (current === undefined) error = unknown();
      else if (memberId !== '' && memberId !== current) {
        error = toWireError(fencedError(group, groupInstanceId, memberId));
      } else if (removeMember(env, group, current)) effect = 'rebalance';
    } else if (group.pendingMembers.has(memberId)) {
      group.pendingMembers.get(memberId)!.timer.cancel();
      group.pendingMembers.delete(memberId);
    } else if (!group.members.has(memberId)) error = unknown();
    else if (removeMember(env, group, memberId)) effect = 'rebalance';
    return { memberId, groupInstanceId, error };
  });
  const result: LeaveGroupResult = { members };
  reply(env.actor, req, result);
  return effect;
}

/**
 * A member's session timer fired: it is removed, unless it is waiting for an answer from the
 * coordinator (then the timer starts over) or the expiry is stale.
 *
 * @example
 * ```ts
 * if (onSessionExpired(env, group, event.memberId, event.epoch) === 'rebalance') enqueue.raise(…);
 * ```
 */
export function onSessionExpired(
  env: GroupEnv,
  group: GroupState,
  memberId: string,
  epoch: number,
): GroupEffect {
  const member = group.members.get(memberId);
  if (member === undefined || member.sessionEpoch !== epoch) return 'none';
  if (member.pendingJoin !== undefined || member.pendingSync !== undefined) {
    scheduleSession(env, member);
    return 'none';
  }
  return removeMember(env, group, memberId) ? 'rebalance' : 'none';
}

/**
 * A handed-out member id was not used within the session timeout: it is forgotten.
 *
 * @example
 * ```ts
 * onPendingMemberExpired(group, event.memberId, event.epoch);
 * ```
 */
export function onPendingMemberExpired(group: GroupState, memberId: string, epoch: number): void {
  if (group.pendingMembers.get(memberId)?.epoch === epoch) group.pendingMembers.delete(memberId);
}

/**
 * Removes a member for good: its waiting join or sync is answered UNKNOWN_MEMBER_ID.
 *
 * @example
 * ```ts
 * removeMember(env, group, memberId);
 * ```
 */
export function removeMember(env: GroupEnv, group: GroupState, memberId: string): boolean {
  const member = group.removeMember(memberId);
  if (member === undefined) return false;
  const gone = () => new UnknownMemberIdError(`member ${memberId} was removed from group ${group.groupId}`);
  if (member.pendingJoin !== undefined) replyError(env.actor, member.pendingJoin, gone());
  if (member.pendingSync !== undefined) replyError(env.actor, member.pendingSync, gone());
  return true;
}
