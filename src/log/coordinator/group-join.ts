/**
 * JoinGroup, as Kafka's classic protocol defines it, and the completion of a rebalance.
 *
 * A member's first join either gets a member id to come back with (KIP-394: the coordinator
 * then knows the member before it counts it, so a client that restarts in a loop does not leave
 * a trail of ghost members that every rebalance waits for) or, for a static member (KIP-345),
 * joins at once. A static member that comes back under its group.instance.id takes its old
 * place: the old incarnation is fenced, and in a stable group with unchanged metadata no
 * rebalance happens at all. Joins during a rebalance are answered when it completes.
 */
import {
  fromWireError,
  GroupMaxSizeReachedError,
  InconsistentGroupProtocolError,
  InvalidRequestError,
  InvalidSessionTimeoutError,
  RebalanceInProgressError,
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
  scheduleSession,
  storeGroup,
  toSelf,
} from './group-env.js';
import { type GroupMember, newMember, sameProtocols } from './group-member.js';
import { joinedResult } from './group-rebalance.js';
import type { GroupState } from './group-state.js';
import { fitsKafkaString } from './kafka-binary.js';
import { newMemberId } from './member-id.js';
import type { JoinGroupRequest, JoinGroupResult } from './membership-requests.js';

/**
 * Handles a JoinGroup in the given phase; answers it now or leaves it pending on the member.
 *
 * @example
 * ```ts
 * if (handleJoin(env, group, event, 'stable') === 'rebalance') enqueue.raise({ type: 'internal.rebalance' });
 * ```
 */
export function handleJoin(
  env: GroupEnv,
  group: GroupState,
  req: JoinGroupRequest,
  phase: GroupPhase,
): GroupEffect {
  const fail = (err: Error): GroupEffect => {
    replyError(env.actor, req, err);
    return 'none';
  };
  if (phase === 'dead') return fail(deadGroupError(group));
  const strings = [req.memberId, req.clientId, req.clientHost, req.protocolType, req.groupInstanceId ?? ''];
  if (!strings.concat(req.protocols.map((p) => p.name)).every(fitsKafkaString)) {
    return fail(new InvalidRequestError('an id or protocol name is longer than 32767 UTF-8 bytes'));
  }
  const { groupMinSessionTimeoutMs: min, groupMaxSessionTimeoutMs: max } = env.config;
  if (req.sessionTimeoutMs < min || req.sessionTimeoutMs > max) {
    return fail(
      new InvalidSessionTimeoutError(`session timeout ${req.sessionTimeoutMs} ms is not in [${min}, ${max}]`),
    );
  }
  if (!group.supportsProtocols(req.protocolType, req.protocols, req.memberId)) {
    return fail(
      new InconsistentGroupProtocolError(
        `group ${group.groupId} uses protocol type ${group.protocolType} with protocols its members share; ` +
          `got ${req.protocolType} with ${req.protocols.map((p) => p.name).join(', ') || 'none'}`,
      ),
    );
  }
  return req.memberId === ''
    ? joinNewMember(env, group, req, phase)
    : joinKnownMember(env, group, req, phase);
}

function joinNewMember(
  env: GroupEnv,
  group: GroupState,
  req: JoinGroupRequest,
  phase: GroupPhase,
): GroupEffect {
  const random = env.actor.random;
  if (req.groupInstanceId !== null) {
    const oldId = group.staticMembers.get(req.groupInstanceId);
    const memberId = newMemberId(req.groupInstanceId, random);
    if (oldId !== undefined) return replaceStaticMember(env, group, req, phase, oldId, memberId);
    if (full(env, group, req)) return 'none';
    return addMemberAndRebalance(env, group, req, phase, memberId);
  }
  if (full(env, group, req)) return 'none';
  const memberId = newMemberId(req.clientId, random);
  if (req.requireKnownMemberId === false) return addMemberAndRebalance(env, group, req, phase, memberId);
  // Remember the id for a session timeout; the member must come back with it.
  const epoch = group.ticket();
  group.pendingMembers.set(memberId, {
    epoch,
    timer: env.actor.clock.setTimer(req.sessionTimeoutMs, () =>
      toSelf(env, { type: 'pending.expired', memberId, epoch }),
    ),
  });
  const result: JoinGroupResult = { outcome: 'memberIdRequired', memberId };
  reply(env.actor, req, result);
  return 'none';
}

function joinKnownMember(
  env: GroupEnv,
  group: GroupState,
  req: JoinGroupRequest,
  phase: GroupPhase,
): GroupEffect {
  const pending = group.pendingMembers.get(req.memberId);
  if (pending !== undefined) {
    if (req.groupInstanceId !== null) {
      replyError(env.actor, req, new InvalidRequestError('a static member joins with an empty member id'));
      return 'none';
    }
    pending.timer.cancel();
    group.pendingMembers.delete(req.memberId);
    if (full(env, group, req)) return 'none';
    return addMemberAndRebalance(env, group, req, phase, req.memberId);
  }
  if (group.isFenced(req.memberId, req.groupInstanceId)) {
    replyError(env.actor, req, fencedError(group, req.groupInstanceId!, req.memberId));
    return 'none';
  }
  const member = group.members.get(req.memberId);
  if (member === undefined) {
    replyError(
      env.actor,
      req,
      new UnknownMemberIdError(`member ${req.memberId} is not in group ${group.groupId}`),
    );
    return 'none';
  }
  scheduleSession(env, member);
  const same = sameProtocols(member.protocols, req.protocols);
  switch (phase) {
    case 'preparingRebalance':
      awaitJoin(env, member, req);
      return 'none';
    case 'completingRebalance':
      // The member lost the answer to its join: answer again rather than start over.
      if (same) {
        reply(env.actor, req, joinedResult(group, member, false));
        return 'none';
      }
      awaitJoin(env, member, req);
      return 'rebalance';
    case 'stable':
      // A join from the leader is its way to ask for a rebalance (topic metadata changed).
      if (same && group.leaderId !== member.memberId) {
        reply(env.actor, req, joinedResult(group, member, false));
        return 'none';
      }
      awaitJoin(env, member, req);
      return 'rebalance';
    default:
      replyError(env.actor, req, new UnknownMemberIdError(`group ${group.groupId} has no members`));
      return 'none';
  }
}

function full(env: GroupEnv, group: GroupState, req: JoinGroupRequest): boolean {
  if (group.members.size < env.config.groupMaxSize) return false;
  const max = env.config.groupMaxSize;
  replyError(env.actor, req, new GroupMaxSizeReachedError(`group ${group.groupId} has ${max} members`));
  return true;
}

function addMemberAndRebalance(
  env: GroupEnv,
  group: GroupState,
  req: JoinGroupRequest,
  phase: GroupPhase,
  memberId: string,
): GroupEffect {
  if (group.members.size === 0) group.protocolType = req.protocolType;
  const member = newMember({ ...memberFields(req), memberId, groupInstanceId: req.groupInstanceId });
  member.pendingJoin = req;
  group.addMember(member);
  if (phase === 'preparingRebalance') group.newMemberAdded = true;
  scheduleSession(env, member);
  return 'rebalance';
}

function replaceStaticMember(
  env: GroupEnv,
  group: GroupState,
  req: JoinGroupRequest,
  phase: GroupPhase,
  oldId: string,
  memberId: string,
): GroupEffect {
  const old = group.members.get(oldId)!;
  const fenced = () => fencedError(group, req.groupInstanceId!, oldId);
  if (old.pendingJoin !== undefined) replyError(env.actor, old.pendingJoin, fenced());
  if (old.pendingSync !== undefined) replyError(env.actor, old.pendingSync, fenced());
  const replacement = newMember({
    ...memberFields(req),
    memberId,
    groupInstanceId: req.groupInstanceId,
    protocols: old.protocols,
    assignment: old.assignment,
  });
  group.replaceMember(oldId, replacement);
  scheduleSession(env, replacement);
  if (phase === 'stable' && sameProtocols(old.protocols, req.protocols)) {
    // Same metadata, same assignment: take the old place without a rebalance, once stored, so a
    // new coordinator knows the new id too.
    const ticket = group.ticket();
    group.pendingStaticJoins.set(ticket, { request: req, memberId });
    storeGroup(env, group, undefined, (error) => ({ type: 'internal.staticJoinStored', ticket, error }));
    return 'none';
  }
  awaitJoin(env, replacement, req);
  // During completingRebalance the leader may be assigning to the old id: start over.
  return phase === 'preparingRebalance' ? 'none' : 'rebalance';
}

/**
 * Answers a replaced static member's join once the replacement is stored.
 *
 * @example
 * ```ts
 * onStaticJoinStored(env, group, event.ticket, event.error);
 * ```
 */
export function onStaticJoinStored(
  env: GroupEnv,
  group: GroupState,
  ticket: number,
  error: WireError | undefined,
): void {
  const pending = group.pendingStaticJoins.get(ticket);
  if (pending === undefined) return;
  group.pendingStaticJoins.delete(ticket);
  const member = group.members.get(pending.memberId);
  if (group.deadReason !== undefined) replyError(env.actor, pending.request, deadGroupError(group));
  else if (error !== undefined) replyError(env.actor, pending.request, fromWireError(error));
  else if (member === undefined) {
    replyError(env.actor, pending.request, new UnknownMemberIdError(`member ${pending.memberId} has left`));
  } else {
    reply(env.actor, pending.request, joinedResult(group, member, group.leaderId === member.memberId));
  }
}

function awaitJoin(env: GroupEnv, member: GroupMember, req: JoinGroupRequest): void {
  const previous = member.pendingJoin;
  // A join resent under a new correlation id supersedes the old; a duplicate is the same call.
  if (
    previous !== undefined &&
    (previous.correlationId !== req.correlationId || previous.replyTo !== req.replyTo)
  ) {
    replyError(env.actor, previous, new RebalanceInProgressError('superseded by a newer JoinGroup'));
  }
  Object.assign(member, memberFields(req));
  member.pendingJoin = req;
}

function memberFields(req: JoinGroupRequest) {
  return {
    clientId: req.clientId,
    clientHost: req.clientHost,
    sessionTimeoutMs: req.sessionTimeoutMs,
    rebalanceTimeoutMs: Math.max(0, req.rebalanceTimeoutMs),
    protocols: req.protocols,
  };
}
