/**
 * A broker (DESIGN.md §5): hosts the replicas of the partitions the controller gives it, in its
 * own data directory, and routes clients' requests to them.
 *
 * ```
 *   registering ──(registered)──► running ──(broker.shutdown)──► stopping ──► stopped
 *        ▲                           │
 *        └──(heartbeat refused)──────┘
 * ```
 *
 * It registers with a fresh incarnation id (and whether its last shutdown was clean, read from a
 * marker file), heartbeats every heartbeatIntervalMs, and applies the partition states the
 * controller sends (with registration, with each heartbeat answer, and pushed on change) by
 * spawning replica actors and passing the states on. It runs a group coordinator and a
 * transaction coordinator, routes `group.*` and `txn.*` requests to them, and has them load the
 * `__consumer_offsets` and `__transaction_state` partitions it leads.
 */
import { setup } from 'xstate';
import { UnknownTopicOrPartitionError } from '../../common/kafka-errors.js';
import {
  type ActorContext,
  type ActorInput,
  type ActorSystem,
  RpcClient,
  type RpcRequest,
  type RpcResponse,
  reply,
  replyError,
} from '../../runtime/actor/index.js';
import { groupCoordinatorHostMachine } from '../coordinator/group-coordinator-host-machine.js';
import { OFFSETS_TOPIC, ReplicaStateLog } from '../coordinator/replica-state-log.js';
import type { TransactionCoordinatorConfig } from '../coordinator/transaction/txn-coordinator-config.js';
import { txnCoordinatorHostMachine } from '../coordinator/transaction/txn-coordinator-host-machine.js';
import { txnCoordinatorActorId } from '../coordinator/transaction/txn-coordinator-id.js';
import { TRANSACTION_STATE_TOPIC } from '../coordinator/transaction/txn-state-records.js';
import type { StorageFs } from '../storage/fs/storage-fs.js';
import type { ProducerStateSettings } from '../storage/producer-state/partition-producer-state.js';
import { DEFAULT_BROKER_SETTINGS } from './broker-settings.js';
import type { PartitionState } from './cluster-metadata.js';
import { CONTROLLER_ACTOR_ID, replicaActorId } from './cluster-metadata.js';
import type { PartitionAssignment } from './controller-machine.js';
import { partitionReplicaMachine } from './partition-replica-machine.js';
import type {
  FetchRequest,
  ListOffsetsRequest,
  ProduceRequest,
  WriteTxnMarkerRequest,
} from './replica-requests.js';
import type { ReplicationSettings } from './replica-service.js';

/** What a broker actor is spawned with. */
export interface BrokerInput {
  brokerId: number;
  dataDir: string;
  fs: StorageFs;
  heartbeatIntervalMs: number;
  replicaLagTimeMaxMs: number;
  replication: ReplicationSettings;
  /** The system the broker runs in: its group coordinator talks to its replicas through it. */
  system: ActorSystem;
  offsetsTopicPartitions: number;
  /** The group coordinator's initial rebalance delay (its own default, Kafka's, when absent). */
  groupInitialRebalanceDelayMs?: number;
  /** How each replica keeps its producers' state (expiration of idle producer ids). */
  producerState?: ProducerStateSettings;
  /**
   * The transaction coordinator's settings (its `__consumer_offsets` partition count and request
   * timeout come from the fields above).
   */
  transaction?: Partial<
    Pick<
      TransactionCoordinatorConfig,
      | 'transactionStateTopicPartitions'
      | 'transactionMaxTimeoutMs'
      | 'transactionAbortTimedOutCheckIntervalMs'
      | 'transactionalIdExpirationMs'
    >
  >;
}

/** Events of the broker machine. */
export type BrokerEvent =
  | { type: 'broker.partitionStates'; assignments: PartitionAssignment[] }
  | { type: 'broker.tick' }
  | { type: 'broker.deletePartitions'; partitions: { topic: string; partition: number }[] }
  | (RpcRequest & { type: `group.${string}`; groupId?: string })
  | (RpcRequest & { type: `txn.${string}`; transactionalId?: string | null })
  | (RpcRequest & { type: 'broker.shutdown' })
  | ProduceRequest
  | FetchRequest
  | ListOffsetsRequest
  | WriteTxnMarkerRequest
  | RpcResponse;

/** The file whose presence says the broker's last shutdown was clean. */
export const CLEAN_SHUTDOWN_FILE = '.clean-shutdown';

interface Context {
  actor: ActorContext;
  input: BrokerInput;
  incarnation: string;
  cleanShutdown: boolean;
  replicas: Set<string>;
  pending: Map<number, 'register' | 'heartbeat' | 'close'>;
  nextCorrelationId: number;
  shutdownRequest: RpcRequest | undefined;
  closesOutstanding: number;
  /** `__consumer_offsets` partitions this broker leads (its coordinator has them loaded). */
  ledOffsetsPartitions: Set<number>;
  /** `__transaction_state` partitions this broker leads (its transaction coordinator has them). */
  ledTransactionPartitions: Set<number>;
  coordinatorSpawned: boolean;
}

/**
 * The actor id of a broker's group coordinator.
 *
 * @example
 * ```ts
 * coordinatorActorId(2); // 'broker-2/group-coordinator'
 * ```
 */
export function coordinatorActorId(brokerId: number): string {
  return `broker-${brokerId}/group-coordinator`;
}

/**
 * Starts the broker's group and transaction coordinators, whose state logs are its replicas of
 * `__consumer_offsets` and `__transaction_state`.
 */
function spawnCoordinator(context: Context): void {
  if (context.coordinatorSpawned) return;
  context.coordinatorSpawned = true;
  const { input, actor } = context;
  const rpc = new RpcClient(input.system, actor.node, 'coordinator-log');
  actor.spawnChild({
    id: coordinatorActorId(input.brokerId),
    logic: groupCoordinatorHostMachine,
    input: {
      config: {
        offsetsTopicPartitions: input.offsetsTopicPartitions,
        ...(input.groupInitialRebalanceDelayMs === undefined
          ? {}
          : { groupInitialRebalanceDelayMs: input.groupInitialRebalanceDelayMs }),
      },
      openLog: (partition: number) => new ReplicaStateLog(rpc, actor.clock, input.brokerId, partition),
    },
  });
  actor.spawnChild({
    id: txnCoordinatorActorId(input.brokerId),
    logic: txnCoordinatorHostMachine,
    input: {
      brokerId: input.brokerId,
      config: {
        // The controller places ids with the same partition count: never the coordinator's own default.
        transactionStateTopicPartitions: DEFAULT_BROKER_SETTINGS.transactionStateTopicPartitions,
        ...input.transaction,
        offsetsTopicPartitions: input.offsetsTopicPartitions,
        requestTimeoutMs: input.replication.requestTimeoutMs,
      },
      openLog: (partition: number) =>
        new ReplicaStateLog(rpc, actor.clock, input.brokerId, partition, 10_000, TRANSACTION_STATE_TOPIC),
    },
  });
}

/**
 * Has the coordinators load the state of the internal partitions this broker now leads, and
 * unload the others. The transaction coordinator's epoch is the partition's leader epoch.
 */
function followCoordinatorLeadership(context: Context, state: PartitionState): void {
  const { brokerId } = context.input;
  let id: string;
  let led: Set<number>;
  let load: { type: 'coordinator.load'; partition: number; coordinatorEpoch?: number };
  if (state.topic === OFFSETS_TOPIC) {
    id = coordinatorActorId(brokerId);
    led = context.ledOffsetsPartitions;
    load = { type: 'coordinator.load', partition: state.partition };
  } else if (state.topic === TRANSACTION_STATE_TOPIC) {
    id = txnCoordinatorActorId(brokerId);
    led = context.ledTransactionPartitions;
    load = { type: 'coordinator.load', partition: state.partition, coordinatorEpoch: state.leaderEpoch };
  } else {
    return;
  }
  if (state.leader === brokerId) {
    // Sent with every heartbeat's states too: a load that failed is tried again.
    led.add(state.partition);
    context.actor.send(id, load);
  } else if (led.delete(state.partition)) {
    context.actor.send(id, { type: 'coordinator.unload', partition: state.partition });
  }
}

function callController(context: Context, kind: 'register' | 'heartbeat'): void {
  const correlationId = context.nextCorrelationId++;
  context.pending.set(correlationId, kind);
  const base = {
    correlationId,
    replyTo: context.actor.id,
    brokerId: context.input.brokerId,
    incarnation: context.incarnation,
  };
  context.actor.send(
    CONTROLLER_ACTOR_ID,
    kind === 'register'
      ? { ...base, type: 'controller.registerBroker', cleanShutdown: context.cleanShutdown }
      : { ...base, type: 'controller.heartbeat' },
  );
}

function applyAssignments(context: Context, assignments: PartitionAssignment[]): void {
  const { input, actor } = context;
  for (const { state, config } of assignments) {
    const id = replicaActorId(input.brokerId, state.topic, state.partition);
    if (!context.replicas.has(id)) {
      actor.spawnChild({
        id,
        logic: partitionReplicaMachine,
        input: {
          brokerId: input.brokerId,
          topic: state.topic,
          partition: state.partition,
          dir: `${input.dataDir}/${state.topic}-${state.partition}`,
          fs: input.fs,
          config,
          replicaLagTimeMaxMs: input.replicaLagTimeMaxMs,
          replication: input.replication,
          ...(input.producerState === undefined ? {} : { producerState: input.producerState }),
        },
      });
      context.replicas.add(id);
    }
    actor.send(id, { type: 'replica.state', state });
    followCoordinatorLeadership(context, state);
  }
}

/**
 * A transaction marker for a `__consumer_offsets` partition goes to the group coordinator, which
 * writes it through its state log and applies or drops the pending transactional offsets; any
 * other partition's goes to its replica.
 */
function routeTxnMarker(context: Context, event: WriteTxnMarkerRequest): void {
  if (event.topic !== OFFSETS_TOPIC) {
    route(context, event);
    return;
  }
  const { topic: _topic, ...marker } = event;
  context.actor.send(coordinatorActorId(context.input.brokerId), { ...marker, type: 'group.txnMarker' });
}

function route(
  context: Context,
  event: ProduceRequest | FetchRequest | ListOffsetsRequest | WriteTxnMarkerRequest,
): void {
  const id = replicaActorId(context.input.brokerId, event.topic, event.partition);
  if (context.replicas.has(id)) context.actor.send(id, event);
  else {
    replyError(
      context.actor,
      event,
      new UnknownTopicOrPartitionError(
        `broker ${context.input.brokerId} has no replica of ${event.topic}-${event.partition}`,
      ),
    );
  }
}

function scheduleTick(context: Context): void {
  context.actor.clock.setTimer(context.input.heartbeatIntervalMs, () =>
    context.actor.send(context.actor.id, { type: 'broker.tick' }),
  );
}

/**
 * The broker machine.
 *
 * @example
 * ```ts
 * system.spawn({ id: brokerActorId(1), logic: brokerMachine, input: { brokerId: 1, dataDir, fs, … } });
 * ```
 */
export const brokerMachine = setup({
  types: {
    input: {} as ActorInput<BrokerInput>,
    context: {} as Context,
    events: {} as BrokerEvent,
  },
  guards: {
    isRegistration: ({ context, event }) =>
      event.type === 'rpc.response' &&
      context.pending.get(event.correlationId) === 'register' &&
      event.error === undefined,
    allClosed: ({ context }) => context.closesOutstanding === 0,
  },
  actions: {
    onResponse: ({ context, event }) => {
      if (event.type !== 'rpc.response') return;
      const kind = context.pending.get(event.correlationId);
      context.pending.delete(event.correlationId);
      if (kind === 'close') {
        context.closesOutstanding--;
        return;
      }
      if (event.error !== undefined) return;
      applyAssignments(context, (event.result as { assignments: PartitionAssignment[] }).assignments);
    },
  },
}).createMachine({
  id: 'broker',
  context: ({ input }) => {
    const { fs, dataDir } = input.input;
    fs.mkdirp(dataDir);
    const marker = `${dataDir}/${CLEAN_SHUTDOWN_FILE}`;
    const cleanShutdown = fs.exists(marker);
    fs.remove(marker);
    return {
      actor: input.actor,
      input: input.input,
      incarnation: input.actor.random.nextUint32().toString(16).padStart(8, '0'),
      cleanShutdown,
      replicas: new Set<string>(),
      pending: new Map(),
      nextCorrelationId: 1,
      shutdownRequest: undefined,
      closesOutstanding: 0,
      ledOffsetsPartitions: new Set<number>(),
      ledTransactionPartitions: new Set<number>(),
      coordinatorSpawned: false,
    };
  },
  initial: 'registering',
  on: {
    'broker.deletePartitions': {
      actions: ({ context, event }) => {
        for (const { topic, partition } of event.partitions) {
          const id = replicaActorId(context.input.brokerId, topic, partition);
          if (context.replicas.delete(id)) context.actor.send(id, { type: 'replica.delete' });
        }
      },
    },
    'group.*': {
      actions: ({ context, event }) => context.actor.send(coordinatorActorId(context.input.brokerId), event),
    },
    'txn.*': {
      actions: ({ context, event }) =>
        context.actor.send(txnCoordinatorActorId(context.input.brokerId), event),
    },
    'produce.request': { actions: ({ context, event }) => route(context, event) },
    'fetch.request': { actions: ({ context, event }) => route(context, event) },
    'listOffsets.request': { actions: ({ context, event }) => route(context, event) },
    'txnMarker.request': { actions: ({ context, event }) => routeTxnMarker(context, event) },
  },
  states: {
    registering: {
      entry: ({ context }) => {
        spawnCoordinator(context);
        callController(context, 'register');
        scheduleTick(context);
      },
      on: {
        'rpc.response': [
          { guard: 'isRegistration', target: 'running', actions: 'onResponse' },
          { actions: 'onResponse' },
        ],
        'broker.tick': {
          actions: ({ context }) => {
            callController(context, 'register');
            scheduleTick(context);
          },
        },
        'broker.partitionStates': {
          actions: ({ context, event }) => applyAssignments(context, event.assignments),
        },
      },
    },
    running: {
      on: {
        'rpc.response': [
          {
            // A refused heartbeat means the controller fenced us: register again.
            guard: ({ context, event }) =>
              context.pending.get(event.correlationId) === 'heartbeat' && event.error !== undefined,
            target: 'registering',
            actions: 'onResponse',
          },
          { actions: 'onResponse' },
        ],
        'broker.tick': {
          actions: ({ context }) => {
            callController(context, 'heartbeat');
            scheduleTick(context);
          },
        },
        'broker.partitionStates': {
          actions: ({ context, event }) => applyAssignments(context, event.assignments),
        },
        'broker.shutdown': {
          target: 'stopping',
          actions: ({ context, event }) => {
            context.shutdownRequest = event;
            for (const id of context.replicas) {
              const correlationId = context.nextCorrelationId++;
              context.pending.set(correlationId, 'close');
              context.closesOutstanding++;
              context.actor.send(id, { type: 'replica.close', correlationId, replyTo: context.actor.id });
            }
          },
        },
      },
    },
    stopping: {
      always: { guard: 'allClosed', target: 'stopped' },
      on: { 'rpc.response': { actions: 'onResponse' } },
    },
    stopped: {
      type: 'final',
      entry: ({ context }) => {
        const { fs, dataDir } = context.input;
        const marker = fs.open(`${dataDir}/${CLEAN_SHUTDOWN_FILE}`, { create: true });
        marker.syncBlocking();
        marker.close();
        fs.syncDir(dataDir);
        if (context.shutdownRequest !== undefined)
          reply(context.actor, context.shutdownRequest, { stopped: true });
      },
    },
  },
});
