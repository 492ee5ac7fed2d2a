/**
 * One consumer group's lifecycle, Kafka's GroupCoordinator states, as an actor (DESIGN.md §5):
 *
 * ```
 *            join                    every member rejoined,            leader's assignment
 *   empty ───────────► preparingRebalance ─── or rebalance timeout ──► completingRebalance ──── stored ───► stable
 *     ▲               ┌───────────────────┐                                 │        │                      │
 *     │               │ initialDelay      │ ◄── join/leave/expiry/timeout ──┘        │                      │
 *     │               │   ▼ (first only)  │ ◄─────────── join (new metadata or leader), leave, expiry ──────┘
 *     │               │ awaitingJoins     │
 *     │               └───────────────────┘
 *     └───── no member rejoined ─────┘
 *   empty ── delete ──► dead ◄── unload (any state)
 * ```
 *
 * Requests arrive as RPC events and are answered with reply/replyError; a JoinGroup during a
 * rebalance and a SyncGroup before the leader's assignment is stored are answered later (Kafka's
 * delayed responses). Timers are the injected clock's: the members' session timeouts (set by
 * the handlers), and, as XState `after` delays, the initial rebalance delay of an empty group,
 * the rebalance timeout of a join, and the timeout for members to sync. The members themselves
 * live in a GroupState (see group-state.ts); this machine decides when the group moves on.
 * A TxnOffsetCommit is a request like OffsetCommit; the end of a transaction (`group.txnCompleted`,
 * from the host once the marker is written) commits or drops a producer's pending offsets in
 * any state (group-txn-offsets.ts).
 */
import { assign, enqueueActions, setup } from 'xstate';
import { RebalanceInProgressError } from '../../common/kafka-errors.js';
import type { ActorInput } from '../../runtime/actor/index.js';
import { reply } from '../../runtime/actor/index.js';
import { describeGroup, onDeleteStored, startDelete, unloadGroup } from './group-admin.js';
import { type GroupSelfEvent, scheduleSession } from './group-env.js';
import { handleJoin, onStaticJoinStored } from './group-join.js';
import {
  announceRetired,
  type GroupActorInput,
  type GroupContext,
  initialContext,
  joinDone,
  notifyHost,
  type PhaseParams,
  requestHandlers,
} from './group-lifecycle.js';
import {
  handleHeartbeat,
  handleLeave,
  onPendingMemberExpired,
  onSessionExpired,
} from './group-membership.js';
import { handleOffsetCommit, handleOffsetFetch, onOffsetsStored } from './group-offsets.js';
import { completeJoin } from './group-rebalance.js';
import type { GroupRequest } from './group-requests.js';
import {
  failPendingSyncs,
  handleSync,
  isCurrentStore,
  propagateAssignment,
  removeUnsyncedMembers,
} from './group-sync.js';
import { completeTxn, type GroupTxnCompletedEvent, handleTxnOffsetCommit } from './group-txn-offsets.js';

/**
 * The events of a group's machine.
 *
 * @example
 * ```ts
 * const event: GroupEvent = { type: 'group.unload' };
 * ```
 */
export type GroupEvent =
  | GroupRequest
  | GroupSelfEvent
  | GroupTxnCompletedEvent
  | { type: 'internal.rebalance' }
  | { type: 'internal.die' }
  | { type: 'group.unload' }
  | { type: 'group.retire' };

const rebalance = { type: 'internal.rebalance' } as const;

/**
 * The machine of one group.
 *
 * @example
 * ```ts
 * actor.spawnChild({ id: `${actor.id}/group/orders-app#1`, logic: groupCoordinatorMachine,
 *   input: { groupId: 'orders-app', config, log: stateLog, host: actor.id } });
 * ```
 */
export const groupCoordinatorMachine = setup({
  types: {
    input: {} as ActorInput<GroupActorInput>,
    context: {} as GroupContext,
    events: {} as GroupEvent,
  },
  delays: {
    initialDelay: ({ context }) => context.initialDelayMs,
    rebalanceTimeout: ({ context }) => context.group.rebalanceTimeoutMs(),
  },
  guards: {
    loadedWithMembers: ({ context }) => context.group.members.size > 0,
    joinDone: ({ context }) => joinDone(context.group),
    joinDoneWithoutMembers: ({ context }) =>
      joinDone(context.group) &&
      [...context.group.members.values()].every((m) => m.pendingJoin === undefined),
    extendInitialDelay: ({ context }) => context.group.newMemberAdded && context.initialRemainingMs > 0,
    storedCurrent: ({ context, event }) =>
      event.type === 'internal.syncStored' &&
      event.error === undefined &&
      isCurrentStore(context.group, event.generationId),
    storeFailedCurrent: ({ context, event }) =>
      event.type === 'internal.syncStored' &&
      event.error !== undefined &&
      isCurrentStore(context.group, event.generationId),
  },
  actions: {
    join: enqueueActions(({ context, event, enqueue }, { phase }: PhaseParams) => {
      if (event.type !== 'group.join') return;
      if (handleJoin(context.env, context.group, event, phase) === 'rebalance') enqueue.raise(rebalance);
    }),
    sync: ({ context, event }, { phase }: PhaseParams) => {
      if (event.type === 'group.sync') handleSync(context.env, context.group, event, phase);
    },
    heartbeat: ({ context, event }, { phase }: PhaseParams) => {
      if (event.type === 'group.heartbeat') handleHeartbeat(context.env, context.group, event, phase);
    },
    leave: enqueueActions(({ context, event, enqueue }, { phase }: PhaseParams) => {
      if (event.type !== 'group.leave') return;
      if (handleLeave(context.env, context.group, event, phase) === 'rebalance') enqueue.raise(rebalance);
    }),
    offsetCommit: ({ context, event }, { phase }: PhaseParams) => {
      if (event.type === 'group.offsetCommit') handleOffsetCommit(context.env, context.group, event, phase);
    },
    txnOffsetCommit: ({ context, event }, { phase }: PhaseParams) => {
      if (event.type === 'group.txnOffsetCommit')
        handleTxnOffsetCommit(context.env, context.group, event, phase);
    },
    txnCompleted: ({ context, event }) => {
      if (event.type === 'group.txnCompleted') completeTxn(context.group, event.producerId, event.marker);
    },
    offsetFetch: ({ context, event }, { phase }: PhaseParams) => {
      if (event.type === 'group.offsetFetch') handleOffsetFetch(context.env, context.group, event, phase);
    },
    describe: ({ context, event }, { phase }: PhaseParams) => {
      if (event.type === 'group.describe')
        reply(context.env.actor, event, describeGroup(context.group, phase));
    },
    delete: enqueueActions(({ context, event, enqueue }, { phase }: PhaseParams) => {
      if (event.type !== 'group.delete') return;
      if (startDelete(context.env, context.group, event, phase)) enqueue.raise({ type: 'internal.die' });
    }),
    sessionExpired: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'member.sessionExpired') return;
      const effect = onSessionExpired(context.env, context.group, event.memberId, event.epoch);
      if (effect === 'rebalance') enqueue.raise(rebalance);
    }),
    pendingExpired: ({ context, event }) => {
      if (event.type === 'pending.expired')
        onPendingMemberExpired(context.group, event.memberId, event.epoch);
    },
    staticJoinStored: ({ context, event }) => {
      if (event.type !== 'internal.staticJoinStored') return;
      onStaticJoinStored(context.env, context.group, event.ticket, event.error);
    },
    offsetsStored: ({ context, event }) => {
      if (event.type === 'internal.offsetsStored')
        onOffsetsStored(context.env, context.group, event.ticket, event.error);
      if (context.group.retireRequested) announceRetired(context);
    },
    deleteStored: ({ context, event }) => {
      if (event.type === 'internal.deleteStored')
        onDeleteStored(context.env, context.group, event.ticket, event.error);
      if (context.group.retireRequested) announceRetired(context);
    },
    startSessions: ({ context }) => {
      for (const member of context.group.members.values()) scheduleSession(context.env, member);
    },
    completeJoin: ({ context }) => {
      completeJoin(context.env, context.group);
    },
    markJoinDeadline: ({ context }) => {
      context.group.joinDeadlineReached = true;
    },
    startInitialDelay: assign(({ context }) => {
      const delay = context.env.config.groupInitialRebalanceDelayMs;
      context.group.newMemberAdded = false;
      return {
        initialDelayMs: delay,
        initialRemainingMs: Math.max(context.group.rebalanceTimeoutMs() - delay, 0),
      };
    }),
    extendInitialDelay: assign(({ context }) => {
      const delay = context.env.config.groupInitialRebalanceDelayMs;
      context.group.newMemberAdded = false;
      return {
        initialDelayMs: Math.min(delay, context.initialRemainingMs),
        initialRemainingMs: Math.max(context.initialRemainingMs - delay, 0),
      };
    }),
    restartRebalance: ({ context }) => {
      context.group.joinDeadlineReached = false;
      failPendingSyncs(context.env, context.group, new RebalanceInProgressError('the group is rebalancing'));
    },
    failSyncsWithStoreError: ({ context, event }) => {
      if (event.type === 'internal.syncStored' && event.error !== undefined) {
        failPendingSyncs(context.env, context.group, event.error);
      }
    },
    propagateAssignment: ({ context }) => propagateAssignment(context.env, context.group),
    removeUnsynced: ({ context }) => {
      removeUnsyncedMembers(context.group);
    },
    unload: ({ context }) => unloadGroup(context.env, context.group),
    retire: ({ context }) => announceRetired(context),
    notify: ({ context }, { phase }: PhaseParams) => notifyHost(context, phase),
  },
}).createMachine({
  id: 'group',
  context: ({ input }) => initialContext(input),
  initial: 'loading',
  on: {
    'member.sessionExpired': { actions: 'sessionExpired' },
    'pending.expired': { actions: 'pendingExpired' },
    'internal.staticJoinStored': { actions: 'staticJoinStored' },
    'internal.offsetsStored': { actions: 'offsetsStored' },
    'internal.deleteStored': { actions: 'deleteStored' },
    'group.txnCompleted': { actions: 'txnCompleted' },
    'group.unload': { target: '.dead', actions: 'unload' },
    'group.retire': { actions: 'retire' },
  },
  states: {
    loading: {
      always: [
        { guard: 'loadedWithMembers', target: 'stable', actions: 'startSessions' },
        { target: 'empty' },
      ],
    },
    empty: {
      entry: { type: 'notify', params: { phase: 'empty' } },
      on: {
        ...requestHandlers('empty'),
        'internal.rebalance': { target: 'preparingRebalance.initialDelay', actions: 'startInitialDelay' },
        'internal.die': { target: 'dead' },
      },
    },
    preparingRebalance: {
      entry: { type: 'notify', params: { phase: 'preparingRebalance' } },
      initial: 'awaitingJoins',
      on: requestHandlers('preparingRebalance'),
      states: {
        initialDelay: {
          after: {
            initialDelay: [
              {
                guard: 'extendInitialDelay',
                target: 'initialDelay',
                reenter: true,
                actions: 'extendInitialDelay',
              },
              { target: 'awaitingJoins', actions: 'markJoinDeadline' },
            ],
          },
        },
        awaitingJoins: {
          after: { rebalanceTimeout: { actions: 'markJoinDeadline' } },
          always: [
            { guard: 'joinDoneWithoutMembers', target: '#group.empty', actions: 'completeJoin' },
            { guard: 'joinDone', target: '#group.completingRebalance', actions: 'completeJoin' },
          ],
        },
      },
    },
    completingRebalance: {
      entry: { type: 'notify', params: { phase: 'completingRebalance' } },
      after: {
        rebalanceTimeout: { target: 'preparingRebalance', actions: ['removeUnsynced', 'restartRebalance'] },
      },
      on: {
        ...requestHandlers('completingRebalance'),
        'internal.rebalance': { target: 'preparingRebalance', actions: 'restartRebalance' },
        'internal.syncStored': [
          { guard: 'storedCurrent', target: 'stable', actions: 'propagateAssignment' },
          { guard: 'storeFailedCurrent', target: 'preparingRebalance', actions: 'failSyncsWithStoreError' },
        ],
      },
    },
    stable: {
      entry: { type: 'notify', params: { phase: 'stable' } },
      on: {
        ...requestHandlers('stable'),
        'internal.rebalance': { target: 'preparingRebalance', actions: 'restartRebalance' },
      },
    },
    dead: {
      entry: { type: 'notify', params: { phase: 'dead' } },
      on: { ...requestHandlers('dead'), 'group.unload': {} },
    },
  },
});
