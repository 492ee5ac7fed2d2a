/**
 * What the group machine (group-coordinator-machine.ts) is made of besides its states: its input
 * and context, the events it tells its host, the request handlers every state has (each told the
 * state it runs in), and the checks and notices its transitions use. None of it needs XState.
 */
import type { ActorId, ActorInput } from '../../runtime/actor/index.js';
import type { GroupCoordinatorConfig } from './coordinator-config.js';
import type { CoordinatorStateLog } from './coordinator-state-log.js';
import { stateName } from './group-admin.js';
import type { GroupEnv, GroupPhase } from './group-env.js';
import type { LoadedGroup } from './group-replay.js';
import type { GroupStateName } from './group-requests.js';
import { GroupState } from './group-state.js';

/**
 * What a group's actor is spawned with.
 *
 * @example
 * ```ts
 * const input: GroupActorInput = { groupId: 'orders-app', config, log: stateLog };
 * ```
 */
export interface GroupActorInput {
  groupId: string;
  config: GroupCoordinatorConfig;
  log: CoordinatorStateLog;
  /** The coordinator host, told of every state change; none for a group run on its own. */
  host?: ActorId;
  /** The group as loaded from `__consumer_offsets`, if it was there. */
  loaded?: LoadedGroup;
}

/**
 * Sent to the host on every state change.
 *
 * @example
 * ```ts
 * if (event.type === 'group.stateChanged' && event.state === 'Dead') retire(event.actorId);
 * ```
 */
export type GroupStateChangedEvent = {
  readonly type: 'group.stateChanged';
  readonly groupId: string;
  readonly actorId: ActorId;
  readonly state: GroupStateName;
  readonly protocolType: string;
};

/**
 * Sent to the host in answer to `group.retire`: every request sent before it was answered.
 *
 * @example
 * ```ts
 * if (event.type === 'group.retired') actor.stop(event.actorId);
 * ```
 */
export type GroupRetiredEvent = {
  readonly type: 'group.retired';
  readonly groupId: string;
  readonly actorId: ActorId;
};

/**
 * The context of a group's machine.
 *
 * @example
 * ```ts
 * const { env, group } = context satisfies GroupContext;
 * ```
 */
export interface GroupContext {
  env: GroupEnv;
  group: GroupState;
  host: ActorId | undefined;
  /** The current step of the initial rebalance delay, and what may still be added to it. */
  initialDelayMs: number;
  initialRemainingMs: number;
}

/**
 * The parameter of the actions that depend on the state they run in.
 *
 * @example
 * ```ts
 * { type: 'notify', params: { phase: 'stable' } satisfies PhaseParams }
 * ```
 */
export type PhaseParams = { phase: GroupPhase };

/**
 * The group's first context: a fresh group, or the one loaded from `__consumer_offsets`.
 *
 * @example
 * ```ts
 * context: ({ input }) => initialContext(input),
 * ```
 */
export function initialContext(input: ActorInput<GroupActorInput>): GroupContext {
  const { groupId, config, log, host, loaded } = input.input;
  const group = new GroupState(groupId);
  if (loaded?.metadata != null) group.restore(loaded.metadata);
  for (const [topic, byPartition] of loaded?.offsets ?? []) {
    for (const [partition, value] of byPartition) group.setOffset(topic, partition, value);
  }
  for (const [producerId, txn] of loaded?.pendingTxnOffsets ?? []) {
    for (const { topic, partition, value } of txn.offsets.values()) {
      group.txnOffsets.add(producerId, txn.producerEpoch, topic, partition, value);
    }
  }
  // Writes from now on land after everything loaded.
  if (loaded !== undefined) group.nextPosition = loaded.nextPosition;
  return { env: { actor: input.actor, config, log }, group, host, initialDelayMs: 0, initialRemainingMs: 0 };
}

/**
 * The request transitions of a state: every request goes to its handler, told the state.
 *
 * @example
 * ```ts
 * stable: { on: { ...requestHandlers('stable'), 'internal.rebalance': 'preparingRebalance' } }
 * ```
 */
export function requestHandlers<P extends GroupPhase>(phase: P) {
  const params = { phase };
  return {
    'group.join': { actions: { type: 'join', params } },
    'group.sync': { actions: { type: 'sync', params } },
    'group.heartbeat': { actions: { type: 'heartbeat', params } },
    'group.leave': { actions: { type: 'leave', params } },
    'group.offsetCommit': { actions: { type: 'offsetCommit', params } },
    'group.txnOffsetCommit': { actions: { type: 'txnOffsetCommit', params } },
    'group.offsetFetch': { actions: { type: 'offsetFetch', params } },
    'group.describe': { actions: { type: 'describe', params } },
    'group.delete': { actions: { type: 'delete', params } },
  } as const;
}

/**
 * Notes the time of a state change and tells the host (for ListGroups, and to retire a dead
 * group's actor).
 *
 * @example
 * ```ts
 * entry: ({ context }) => notifyHost(context, 'stable'),
 * ```
 */
export function notifyHost(context: GroupContext, phase: GroupPhase): void {
  const { env, group, host } = context;
  group.currentStateTimestampMs = env.actor.clock.nowMs();
  if (host === undefined) return;
  const event: GroupStateChangedEvent = {
    type: 'group.stateChanged',
    groupId: group.groupId,
    actorId: env.actor.id,
    state: stateName(phase),
    protocolType: group.protocolType ?? '',
  };
  env.actor.send(host, event);
}

/**
 * Whether the join phase of a rebalance is over: every member rejoined, or time is up.
 *
 * @example
 * ```ts
 * guards: { joinDone: ({ context }) => joinDone(context.group) },
 * ```
 */
export function joinDone(group: GroupState): boolean {
  return group.joinDeadlineReached || group.hasAllMembersJoined();
}

/**
 * Sends the host the answer to `group.retire`.
 *
 * @example
 * ```ts
 * 'group.retire': { actions: ({ context }) => announceRetired(context) },
 * ```
 */
export function announceRetired(context: GroupContext): void {
  const { env, group, host } = context;
  if (host === undefined) return;
  // A write still on its way (a delete's tombstones, a commit) is answered first: the host stops
  // this actor on `group.retired`, and a stopped actor can no longer reply.
  if (group.pendingDeletes.size > 0 || group.pendingCommits.size > 0) {
    group.retireRequested = true;
    return;
  }
  group.retireRequested = false;
  const event: GroupRetiredEvent = { type: 'group.retired', groupId: group.groupId, actorId: env.actor.id };
  env.actor.send(host, event);
}
