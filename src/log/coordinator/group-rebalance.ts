/**
 * The completion of a rebalance's join phase, and the JoinGroup answer every member gets then.
 */
import { reply } from '../../runtime/actor/index.js';
import { type GroupEnv, scheduleSession, storeGroupQuietly } from './group-env.js';
import type { GroupMember } from './group-member.js';
import type { GroupState } from './group-state.js';
import type { JoinGroupResult } from './membership-requests.js';

/**
 * Completes a rebalance: members that did not rejoin are removed, the generation advances, and
 * every waiting join is answered (the leader with every member's metadata). A group left
 * without members becomes empty, which is stored. Returns the phase the group moves to.
 *
 * @example
 * ```ts
 * const next = completeJoin(env, group); // 'empty' or 'completingRebalance'
 * ```
 */
export function completeJoin(env: GroupEnv, group: GroupState): 'empty' | 'completingRebalance' {
  for (const member of [...group.members.values()]) {
    if (member.pendingJoin === undefined) group.removeMember(member.memberId);
  }
  group.generationId++;
  group.joinDeadlineReached = false;
  group.newMemberAdded = false;
  if (group.members.size === 0) {
    group.protocolName = null;
    group.leaderId = null;
    storeGroupQuietly(env, group);
    return 'empty';
  }
  group.protocolName = group.selectProtocol();
  for (const member of group.members.values()) {
    member.assignment = new Uint8Array(0);
    const join = member.pendingJoin!;
    member.pendingJoin = undefined;
    reply(env.actor, join, joinedResult(group, member, false));
    scheduleSession(env, member);
  }
  return 'completingRebalance';
}

/**
 * The JoinGroup answer for a member in the current generation.
 *
 * @example
 * ```ts
 * reply(env.actor, request, joinedResult(group, member, false));
 * ```
 */
export function joinedResult(
  group: GroupState,
  member: GroupMember,
  skipAssignment: boolean,
): JoinGroupResult {
  const isLeader = group.leaderId === member.memberId;
  return {
    outcome: 'joined',
    generationId: group.generationId,
    protocolType: group.protocolType ?? '',
    protocolName: group.protocolName ?? '',
    leader: group.leaderId ?? '',
    memberId: member.memberId,
    skipAssignment,
    members: isLeader ? group.memberMetadata() : [],
  };
}
