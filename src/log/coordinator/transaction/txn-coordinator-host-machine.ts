/**
 * A broker's transaction coordinator: it hosts the transactional ids of the `__transaction_state`
 * partitions the broker leads, one child actor per id, routes each request to the id it names,
 * and keeps the broker's supply of producer ids.
 *
 * ```
 *   serving ◄── coordinator.load(p, epoch):  loading p ──(records replayed)──► p loaded, a child per id
 *      │    ◄── coordinator.unload(p):       p's ids told to unload (they answer NOT_COORDINATOR)
 *      │    ◄── tick (every transactionAbortTimedOutCheckIntervalMs): children check timeouts, expiry
 *      └─── txn.* requests: routed by partitionForGroup(transactionalId) → child, or answered here
 * ```
 *
 * Whether a partition is loading or loaded is per partition, not a state of the host. The
 * coordinator epoch of a partition is its leader epoch; a load with a newer epoch (leadership
 * went away and came back) reloads it. A child that dies (expired, unloaded) is stopped after a
 * `txn.retire` round trip, so every request forwarded to it is answered; children are named with
 * an incarnation number, so an id re-created while its old actor retires never clashes with it.
 * A child that fails is not restarted (it would come back with stale state): its partition is
 * loaded again from `__transaction_state`.
 */

import { setup } from 'xstate';
import type {
  ActorContext,
  ActorId,
  ActorInput,
  RpcResponse,
  SupervisionEvent,
} from '../../../runtime/actor/index.js';
import { CONTROLLER_ACTOR_ID } from '../../broker/cluster-metadata.js';
import type { CoordinatorRecord, CoordinatorStateLog } from '../coordinator-state-log.js';
import type { CoordinatorLoadEvent, CoordinatorUnloadEvent } from '../group-coordinator-host-machine.js';
import { HostedPartitions } from '../hosted-partitions.js';
import { type ProducerIdBlock, ProducerIdBlocks } from './producer-id-blocks.js';
import type { TxnRetiredEvent, TxnStateChangedEvent } from './txn-actor-types.js';
import {
  resolveTransactionCoordinatorConfig,
  type TransactionCoordinatorConfig,
} from './txn-coordinator-config.js';
import { transactionMachine } from './txn-coordinator-machine.js';
import type { TxnMetadata } from './txn-metadata.js';
import type { TransactionRequest } from './txn-requests.js';
import {
  type HostedTxn,
  type HostedTxnPartition,
  routeTransactionRequest,
  type TxnRoutingContext,
} from './txn-routing.js';
import { replayTransactionState, TRANSACTION_STATE_TOPIC } from './txn-state-records.js';

/**
 * What a transaction coordinator host is spawned with.
 *
 * @example
 * ```ts
 * const input: TxnCoordinatorHostInput = { brokerId: 1, config: { transactionStateTopicPartitions: 8 }, openLog: (p) => logs[p]! };
 * ```
 */
export interface TxnCoordinatorHostInput {
  /** The broker it runs on: the controller hands producer-id blocks to brokers. */
  brokerId: number;
  config?: Partial<TransactionCoordinatorConfig>;
  /** The state log of a `__transaction_state` partition this broker has become the leader of. */
  openLog: (partition: number) => CoordinatorStateLog;
}

/**
 * Take over a partition (its leadership came to this broker, with leader epoch
 * `coordinatorEpoch`). With a correlation id and replyTo it is also a request, answered
 * `{ transactions }` once the partition is loaded.
 *
 * @example
 * ```ts
 * await rpc.call('broker-1/txn-coordinator', { type: 'coordinator.load', partition: 3, coordinatorEpoch: 2 }, 30_000);
 * ```
 */
export type TxnCoordinatorLoadEvent = CoordinatorLoadEvent & { readonly coordinatorEpoch: number };

/**
 * Give a partition up (its leadership moved away).
 *
 * @example
 * ```ts
 * system.send(undefined, 'broker-1/txn-coordinator', { type: 'coordinator.unload', partition: 3 });
 * ```
 */
export type TxnCoordinatorUnloadEvent = CoordinatorUnloadEvent;

/**
 * The events of the host machine.
 *
 * @example
 * ```ts
 * const event: TxnCoordinatorHostEvent = { type: 'coordinator.unload', partition: 3 };
 * ```
 */
export type TxnCoordinatorHostEvent =
  | TransactionRequest
  | TxnCoordinatorLoadEvent
  | TxnCoordinatorUnloadEvent
  | { type: 'internal.loaded'; partition: number; loadId: number; records: CoordinatorRecord[] }
  | { type: 'internal.loadFailed'; partition: number; loadId: number; error: string }
  | { type: 'internal.tick' }
  | { type: 'internal.producerIdsTimedOut'; correlationId: number }
  | TxnStateChangedEvent
  | TxnRetiredEvent
  | RpcResponse
  | SupervisionEvent;

interface HostContext extends TxnRoutingContext {
  /** The `__transaction_state` partitions and their ids, over `partitions` and `txns`. */
  readonly hosting: HostedPartitions<HostedTxnPartition, HostedTxn, TxnMetadata, CoordinatorRecord>;
  readonly producerIds: ProducerIdBlocks;
  /** Outstanding `controller.allocateProducerIds` requests. */
  readonly idRequests: Set<number>;
  /**
   * Counters in an object of their own: XState hands actions a shallow copy of the context the
   * factory made, so numbers kept on the context itself would count separately in each copy.
   */
  readonly counters: { nextCorrelationId: number };
}

function spawnTxn(
  context: HostContext,
  transactionalId: string,
  partition: number,
  loaded?: TxnMetadata,
): ActorId {
  const hosted = context.partitions.get(partition)!;
  return context.hosting.spawn(
    transactionalId,
    {
      logic: transactionMachine,
      input: {
        transactionalId,
        partition,
        coordinatorEpoch: hosted.coordinatorEpoch,
        config: context.config,
        log: hosted.log,
        producerIds: context.producerIds,
        host: context.actor.id,
        loaded,
      },
    },
    (actorId) => ({ actorId, partition }),
  );
}

function load(context: HostContext, event: TxnCoordinatorLoadEvent): void {
  const { coordinatorEpoch } = event;
  context.hosting.load(
    event,
    (loadId, log, waiters) => ({ status: 'loading', loadId, coordinatorEpoch, log, waiters }),
    // Loaded (or loading) already with this epoch or a newer one: an older epoch is a stale
    // notice. Leadership that came back with a newer epoch (it may have been elsewhere
    // meanwhile) starts over.
    (current) => coordinatorEpoch <= current.coordinatorEpoch,
  );
}

/** A child failed (a bug: invariant violations crash): its partition is loaded again. */
function onChildFailed(context: HostContext, actorId: ActorId): void {
  context.hosting.childFailed(actorId, (partition, previous) => {
    if (previous !== undefined) {
      load(context, { type: 'coordinator.load', partition, coordinatorEpoch: previous.coordinatorEpoch });
    }
  });
}

function onStateChanged(context: HostContext, event: TxnStateChangedEvent): void {
  context.hosting.childStateChanged(event.transactionalId, event.actorId, event.state === 'Dead');
}

function onResponse(context: HostContext, event: RpcResponse): void {
  if (!context.idRequests.delete(event.correlationId)) return;
  if (event.error !== undefined) context.producerIds.requestFailed();
  else context.producerIds.add(event.result as ProducerIdBlock);
}

function tick(context: HostContext): void {
  for (const txn of context.txns.values()) context.actor.send(txn.actorId, { type: 'txn.tick' });
  context.producerIds.prefetch();
  scheduleTick(context);
}

function scheduleTick(context: HostContext): void {
  const { actor, config } = context;
  actor.clock.setTimer(config.transactionAbortTimedOutCheckIntervalMs, () =>
    actor.send(actor.id, { type: 'internal.tick' }),
  );
}

function initialContext(input: ActorInput<TxnCoordinatorHostInput>): HostContext {
  const actor: ActorContext = input.actor;
  const { brokerId, openLog } = input.input;
  const config = resolveTransactionCoordinatorConfig(input.input.config);
  const counters = { nextCorrelationId: 1 };
  const idRequests = new Set<number>();
  const producerIds = new ProducerIdBlocks(() => {
    const correlationId = counters.nextCorrelationId++;
    idRequests.add(correlationId);
    actor.send(CONTROLLER_ACTOR_ID, {
      type: 'controller.allocateProducerIds',
      brokerId,
      correlationId,
      replyTo: actor.id,
    });
    actor.clock.setTimer(config.requestTimeoutMs, () =>
      actor.send(actor.id, { type: 'internal.producerIdsTimedOut', correlationId }),
    );
  });
  const partitions = new Map<number, HostedTxnPartition>();
  const txns = new Map<string, HostedTxn>();
  const context: HostContext = {
    actor,
    config,
    producerIds,
    idRequests,
    partitions,
    txns,
    hosting: new HostedPartitions({
      actor,
      partitions,
      children: txns,
      topic: TRANSACTION_STATE_TOPIC,
      childKind: 'txn',
      openLog,
      loadIdOf: (hosted) => hosted.loadId,
      loadedEvent: (partition, loadId, records) => ({ type: 'internal.loaded', partition, loadId, records }),
      loadFailedEvent: (partition, loadId, error) => ({
        type: 'internal.loadFailed',
        partition,
        loadId,
        error,
      }),
      replay: replayTransactionState,
      // Called only from actions, once `context` is made.
      spawnLoaded: (partition, meta) => spawnTxn(context, meta.transactionalId, partition, meta),
      loadResult: (transactions) => ({ transactions }),
      unloadEvent: { type: 'txn.unload' },
      retireEvent: { type: 'txn.retire' },
    }),
    counters,
  };
  return context;
}

/**
 * The transaction coordinator host machine.
 *
 * @example
 * ```ts
 * system.spawn({ id: txnCoordinatorActorId(1), logic: txnCoordinatorHostMachine,
 *   input: { brokerId: 1, config: { transactionStateTopicPartitions: 8 }, openLog: (p) => replicatedStateLog(p) } });
 * system.send(undefined, txnCoordinatorActorId(1), { type: 'coordinator.load', partition: 3, coordinatorEpoch: 0 });
 * ```
 */
export const txnCoordinatorHostMachine = setup({
  types: {
    input: {} as ActorInput<TxnCoordinatorHostInput>,
    context: {} as HostContext,
    events: {} as TxnCoordinatorHostEvent,
  },
  actions: {
    route: ({ context, event }) => {
      if (!event.type.startsWith('txn.')) return;
      routeTransactionRequest(context, event as TransactionRequest, (transactionalId, partition) =>
        spawnTxn(context, transactionalId, partition),
      );
    },
  },
}).createMachine({
  id: 'txnCoordinatorHost',
  context: ({ input }) => initialContext(input),
  initial: 'serving',
  states: {
    serving: {
      // The first block of producer ids is asked for at once, so the first producer need not wait.
      entry: ({ context }) => {
        context.producerIds.prefetch();
        scheduleTick(context);
      },
      on: {
        'txn.initProducerId': { actions: 'route' },
        'txn.addPartitions': { actions: 'route' },
        'txn.addOffsets': { actions: 'route' },
        'txn.endTxn': { actions: 'route' },
        'txn.describe': { actions: 'route' },
        'coordinator.load': { actions: ({ context, event }) => load(context, event) },
        'coordinator.unload': { actions: ({ context, event }) => context.hosting.unload(event.partition) },
        'internal.loaded': {
          actions: ({ context, event }) =>
            context.hosting.loaded(event.partition, event.loadId, event.records),
        },
        'internal.loadFailed': {
          actions: ({ context, event }) =>
            context.hosting.loadFailed(event.partition, event.loadId, event.error),
        },
        'internal.tick': { actions: ({ context }) => tick(context) },
        'internal.producerIdsTimedOut': {
          actions: ({ context, event }) => {
            if (context.idRequests.delete(event.correlationId)) context.producerIds.requestFailed();
          },
        },
        'rpc.response': { actions: ({ context, event }) => onResponse(context, event) },
        'txn.stateChanged': { actions: ({ context, event }) => onStateChanged(context, event) },
        'txn.retired': { actions: ({ context, event }) => context.actor.stop(event.actorId) },
        'actor.gaveUp': { actions: ({ context, event }) => onChildFailed(context, event.id) },
      },
    },
  },
});
