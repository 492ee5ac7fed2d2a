/**
 * What a group's request handlers work with besides the GroupState: the actor (to reply, set
 * timers and tell itself things), the config and the state log; and the effects every handler
 * shares: session timers, writes to `__consumer_offsets` whose outcome comes back as an event,
 * and the coordinator errors a failed write turns into.
 */
import {
  CoordinatorNotAvailableError,
  FencedInstanceIdError,
  IllegalGenerationError,
  KafkaProtocolError,
  NotCoordinatorError,
  NotLeaderOrFollowerError,
  toWireError,
  UnknownMemberIdError,
  type WireError,
} from '../../common/kafka-errors.js';
import type { ActorContext } from '../../runtime/actor/index.js';
import type { GroupCoordinatorConfig } from './coordinator-config.js';
import type {
  CoordinatorRecord,
  CoordinatorStateLog,
  TransactionalProducer,
} from './coordinator-state-log.js';
import type { GroupMember } from './group-member.js';
import type { GroupState } from './group-state.js';
import { encodeGroupMetadataValue, groupMetadataKey } from './offsets-topic-records.js';

/**
 * The lifecycle state a request arrives in (the machine's top-level state).
 *
 * @example
 * ```ts
 * handleHeartbeat(env, group, request, 'stable' satisfies GroupPhase);
 * ```
 */
export type GroupPhase = 'empty' | 'preparingRebalance' | 'completingRebalance' | 'stable' | 'dead';

/**
 * Whether a handled request calls for a rebalance.
 *
 * @example
 * ```ts
 * const effect: GroupEffect = handleJoin(env, group, request, 'stable'); // 'rebalance' or 'none'
 * ```
 */
export type GroupEffect = 'none' | 'rebalance';

/**
 * The events a group's actor sends itself: timer expiries and finished writes.
 *
 * @example
 * ```ts
 * toSelf(env, { type: 'internal.offsetsStored', ticket } satisfies GroupSelfEvent);
 * ```
 */
export type GroupSelfEvent =
  | { type: 'member.sessionExpired'; memberId: string; epoch: number }
  | { type: 'pending.expired'; memberId: string; epoch: number }
  | { type: 'internal.syncStored'; generationId: number; error?: WireError }
  | { type: 'internal.staticJoinStored'; ticket: number; error?: WireError }
  | { type: 'internal.offsetsStored'; ticket: number; error?: WireError }
  | { type: 'internal.deleteStored'; ticket: number; error?: WireError };

/**
 * A group actor's means.
 *
 * @example
 * ```ts
 * const env: GroupEnv = { actor: input.actor, config, log: stateLog };
 * ```
 */
export interface GroupEnv {
  readonly actor: ActorContext;
  readonly config: GroupCoordinatorConfig;
  readonly log: CoordinatorStateLog;
}

/**
 * Sends the group's actor an event through the transport, as every timer and write completion
 * does: it then arrives as any other event, in order, and goes nowhere once the actor is gone.
 *
 * @example
 * ```ts
 * toSelf(env, { type: 'internal.offsetsStored', ticket });
 * ```
 */
export function toSelf(env: GroupEnv, event: GroupSelfEvent): void {
  env.actor.send(env.actor.id, event);
}

/**
 * (Re)starts a member's session timer: the member is removed if nothing comes from it for its
 * session timeout. An expiry already on its way is ignored by its stale epoch.
 *
 * @example
 * ```ts
 * scheduleSession(env, member); // on every heartbeat, join, sync and commit of the member
 * ```
 */
export function scheduleSession(env: GroupEnv, member: GroupMember): void {
  member.sessionTimer?.cancel();
  const epoch = ++member.sessionEpoch;
  const memberId = member.memberId;
  member.sessionTimer = env.actor.clock.setTimer(member.sessionTimeoutMs, () =>
    toSelf(env, { type: 'member.sessionExpired', memberId, epoch }),
  );
}

/**
 * Turns a failed write into the error a coordinator answers with: a broker that lost the
 * partition's leadership is no longer the coordinator, and any other retriable failure means the
 * coordinator is not available right now (Kafka maps storage errors the same way).
 *
 * @example
 * ```ts
 * replyError(env.actor, request, asCoordinatorError(err));
 * ```
 */
export function asCoordinatorError(err: unknown): Error {
  if (err instanceof NotLeaderOrFollowerError || err instanceof NotCoordinatorError) {
    return new NotCoordinatorError(`lost the __consumer_offsets partition: ${err.message}`);
  }
  if (err instanceof KafkaProtocolError && !err.retriable) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new CoordinatorNotAvailableError(`writing to __consumer_offsets failed: ${message}`);
}

/**
 * Appends records (as the producer's transactional batch with `transaction`) and tells the actor
 * how it went with the event `done` makes.
 *
 * @example
 * ```ts
 * write(env, records, (error) => ({ type: 'internal.offsetsStored', ticket, error }));
 * ```
 */
export function write(
  env: GroupEnv,
  records: readonly CoordinatorRecord[],
  done: (error: WireError | undefined) => GroupSelfEvent,
  transaction?: TransactionalProducer,
): void {
  appendSafely(env.log, records, transaction).then(
    () => toSelf(env, done(undefined)),
    (err: unknown) => toSelf(env, done(toWireError(asCoordinatorError(err)))),
  );
}

/**
 * Stores the group's metadata (with `assignments` if given, else the members' current ones).
 *
 * @example
 * ```ts
 * storeGroup(env, group, assignments, (error) => ({ type: 'internal.syncStored', generationId, error }));
 * ```
 */
export function storeGroup(
  env: GroupEnv,
  group: GroupState,
  assignments: ReadonlyMap<string, Uint8Array> | undefined,
  done: (error: WireError | undefined) => GroupSelfEvent,
): void {
  const value = encodeGroupMetadataValue(group.toMetadataValue(assignments));
  write(env, [{ key: groupMetadataKey(group.groupId), value }], done);
}

/**
 * Stores the group's metadata without waiting for the outcome: used when the group turns empty,
 * where a lost write costs only a stale membership after failover, which session timeouts clear.
 *
 * @example
 * ```ts
 * storeGroupQuietly(env, group);
 * ```
 */
export function storeGroupQuietly(env: GroupEnv, group: GroupState): void {
  const value = encodeGroupMetadataValue(group.toMetadataValue(undefined));
  appendSafely(env.log, [{ key: groupMetadataKey(group.groupId), value }]).catch(() => undefined);
}

/**
 * Appends, turning a state log that throws instead of rejecting into a rejection, so a faulty
 * log fails the request rather than the group's actor.
 *
 * @example
 * ```ts
 * appendSafely(env.log, records).then(onStored, onFailed);
 * ```
 */
export function appendSafely(
  log: CoordinatorStateLog,
  records: readonly CoordinatorRecord[],
  transaction?: TransactionalProducer,
): Promise<void> {
  try {
    // Without a transaction the call is exactly the plain one, for state logs that take one argument.
    return transaction === undefined ? log.append(records) : log.append(records, transaction);
  } catch (err) {
    return Promise.reject(err);
  }
}

/**
 * The error for a request that reaches a dead group: a deleted group's requests are retried and
 * reach a fresh group; an unloaded group's go to the new coordinator.
 *
 * @example
 * ```ts
 * replyError(env.actor, request, deadGroupError(group));
 * ```
 */
export function deadGroupError(group: GroupState): Error {
  return group.deadReason === 'unloaded'
    ? new NotCoordinatorError(`group ${group.groupId} has moved to another coordinator`)
    : new CoordinatorNotAvailableError(`group ${group.groupId} is being removed`);
}

/**
 * The error for a request from a static member's replaced incarnation.
 *
 * @example
 * ```ts
 * replyError(env.actor, request, fencedError(group, 'instance-1', staleMemberId));
 * ```
 */
export function fencedError(group: GroupState, groupInstanceId: string, memberId: string): Error {
  return new FencedInstanceIdError(
    `member ${memberId} of group ${group.groupId} was replaced by another instance with ` +
      `group.instance.id ${groupInstanceId}`,
  );
}

/**
 * Why a request from a member (SyncGroup, Heartbeat, a member's OffsetCommit) is refused before
 * the group's state is even considered: the group is dead, the member unknown or fenced, or its
 * generation not the group's. Undefined when none of these holds.
 *
 * @example
 * ```ts
 * const refusal = memberRefusal(group, req.memberId, req.groupInstanceId, req.generationId, phase);
 * if (refusal !== undefined) return replyError(env.actor, req, refusal);
 * ```
 */
export function memberRefusal(
  group: GroupState,
  memberId: string,
  groupInstanceId: string | null,
  generationId: number,
  phase: GroupPhase,
): Error | undefined {
  if (phase === 'dead') return deadGroupError(group);
  if (group.isFenced(memberId, groupInstanceId)) return fencedError(group, groupInstanceId!, memberId);
  if (!group.members.has(memberId)) {
    return new UnknownMemberIdError(`member ${memberId} is not in group ${group.groupId}`);
  }
  if (generationId !== group.generationId) {
    return new IllegalGenerationError(
      `generation ${generationId} of member ${memberId} is not group ${group.groupId}'s ${group.generationId}`,
    );
  }
  return undefined;
}
