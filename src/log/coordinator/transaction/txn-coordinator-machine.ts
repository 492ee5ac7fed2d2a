/**
 * One transactional id's lifecycle, Kafka's TransactionCoordinator states, as an actor
 * (DESIGN.md §5):
 *
 * ```
 *   loading ────────── (the stored state, or a fresh id) ──► that state
 *   empty ──────────── AddPartitions / AddOffsets ─────────► ongoing
 *   ongoing ────────── EndTxn(commit), epoch bumped ───────► prepareCommit ── markers written ──► completeCommit
 *   ongoing ────────── EndTxn(abort), epoch bumped ────────► prepareAbort ─── markers written ──► completeAbort
 *   ongoing ────────── InitProducerId, or timed out ───────► prepareEpochFence ── stored ───────► prepareAbort
 *                      (PrepareAbort with a bumped epoch: the open transaction's producer is fenced)
 *   complete* ──────── AddPartitions / AddOffsets ─────────► ongoing
 *   complete*, empty ─ InitProducerId (epoch bumped) ──────► empty
 *   complete*, empty ─ unused for transactionalIdExpirationMs ─► dead (a tombstone stored)
 *   any ────────────── unload (the partition moved away) ──► dead
 * ```
 *
 * A state changes only once its metadata is stored in `__transaction_state` (the states follow
 * the stored metadata; `prepareEpochFence` is the fencing abort being stored), and each caller is
 * answered once what it was told is stored. Entering prepareCommit or prepareAbort, also on
 * loading, starts writing the markers; when all are written, Complete* is stored. Requests
 * arrive as RPC events routed by the host; the decisions are pure functions
 * (txn-transitions.ts) applied by a TxnActor (txn-actor.ts). A dead actor answers retriable
 * errors until its host retires it.
 */
import { setup } from 'xstate';
import type { ActorInput, RpcResponse } from '../../../runtime/actor/index.js';
import { TxnActor } from './txn-actor.js';
import type { TxnActorInput, TxnPhase, TxnSelfEvent } from './txn-actor-types.js';
import type { TransactionRequest } from './txn-requests.js';

/**
 * The events of a transactional id's machine.
 *
 * @example
 * ```ts
 * const event: TxnEvent = { type: 'txn.tick' };
 * ```
 */
export type TxnEvent =
  | TransactionRequest
  | TxnSelfEvent
  | RpcResponse
  /** The host's periodic check (timeouts, expiration). */
  | { type: 'txn.tick' }
  /** The partition moved to another broker. */
  | { type: 'txn.unload' }
  /** The host is about to stop this dead actor. */
  | { type: 'txn.retire' };

/**
 * The machine's context: the TxnActor, the one mutable object (XState hands actions shallow
 * copies of the context, so state kept in plain fields of it would not be shared).
 *
 * @example
 * ```ts
 * const phase = (snapshot.context as TxnContext).txn.phase();
 * ```
 */
export interface TxnContext {
  readonly txn: TxnActor;
}

const PHASES: readonly TxnPhase[] = [
  'empty',
  'ongoing',
  'prepareEpochFence',
  'prepareCommit',
  'prepareAbort',
  'completeCommit',
  'completeAbort',
  'dead',
];

/** The eventless transitions of a state: to whichever other state the actor is now in. */
function follow(self: TxnPhase | 'loading') {
  return PHASES.filter((phase) => phase !== self).map((phase) => ({
    guard: { type: 'phaseIs' as const, params: { phase } },
    target: phase,
  }));
}

/**
 * The machine of one transactional id.
 *
 * @example
 * ```ts
 * actor.spawnChild({ id: `${actor.id}/txn/app-1#1`, logic: transactionMachine,
 *   input: { transactionalId: 'app-1', partition: 3, coordinatorEpoch: 2, config, log, producerIds, host: actor.id } });
 * ```
 */
export const transactionMachine = setup({
  types: {
    input: {} as ActorInput<TxnActorInput>,
    context: {} as TxnContext,
    events: {} as TxnEvent,
  },
  guards: {
    phaseIs: ({ context }, params: { phase: TxnPhase }) => context.txn.phase() === params.phase,
  },
  actions: {
    request: ({ context, event }) => {
      if (event.type.startsWith('txn.')) context.txn.handle(event as TransactionRequest);
    },
    tick: ({ context }) => context.txn.tick(),
    unload: ({ context }) => context.txn.unload(),
    retire: ({ context }) => context.txn.retire(),
    stored: ({ context, event }) => {
      if (event.type === 'internal.stored') context.txn.onStored(event.ticket);
    },
    storeFailed: ({ context, event }) => {
      if (event.type === 'internal.storeFailed') context.txn.onStoreFailed(event.ticket, event.error);
    },
    retryComplete: ({ context }) => context.txn.retryComplete(),
    response: ({ context, event }) => {
      if (event.type === 'rpc.response') context.txn.onResponse(event);
    },
    markerTimer: ({ context, event }) => {
      if (event.type === 'internal.markerTimer') context.txn.onMarkerTimer(event);
    },
    startMarkers: ({ context }) => context.txn.startMarkers(),
    stopMarkers: ({ context }) => context.txn.stopMarkers(),
    announceDead: ({ context }) => context.txn.announceDead(),
  },
}).createMachine({
  id: 'transaction',
  context: ({ input }) => ({ txn: new TxnActor(input.actor, input.input) }),
  initial: 'loading',
  on: {
    'txn.initProducerId': { actions: 'request' },
    'txn.addPartitions': { actions: 'request' },
    'txn.addOffsets': { actions: 'request' },
    'txn.endTxn': { actions: 'request' },
    'txn.describe': { actions: 'request' },
    'txn.tick': { actions: 'tick' },
    'txn.unload': { actions: 'unload' },
    'txn.retire': { actions: 'retire' },
    'internal.stored': { actions: 'stored' },
    'internal.storeFailed': { actions: 'storeFailed' },
    'internal.retryComplete': { actions: 'retryComplete' },
    'internal.markerTimer': { actions: 'markerTimer' },
    'rpc.response': { actions: 'response' },
  },
  states: {
    /** The state the actor was spawned with: a fresh id, or one loaded from `__transaction_state`. */
    loading: { always: follow('loading') },
    empty: { always: follow('empty') },
    ongoing: { always: follow('ongoing') },
    prepareEpochFence: { always: follow('prepareEpochFence') },
    prepareCommit: { entry: 'startMarkers', exit: 'stopMarkers', always: follow('prepareCommit') },
    prepareAbort: { entry: 'startMarkers', exit: 'stopMarkers', always: follow('prepareAbort') },
    completeCommit: { always: follow('completeCommit') },
    completeAbort: { always: follow('completeAbort') },
    // Never left: the host retires the actor.
    dead: { entry: 'announceDead' },
  },
});
