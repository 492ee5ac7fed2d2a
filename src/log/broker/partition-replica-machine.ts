/**
 * A replica of one partition on one broker (DESIGN.md §5):
 *
 * ```
 *              replica.state (leader = this broker)
 *   offline ───────────────────────────────────────► leader
 *      │                                              ▲  │
 *      │ replica.state (another leader)               │  │ replica.state (another leader)
 *      ▼                                              │  ▼
 *   follower ◄────────────────────────────────────────┘ follower
 * ```
 *
 * `offline` until the controller's first state arrives. As leader it serves produce, fetch,
 * ListOffsets and transaction markers (WriteTxnMarkers); as follower it fetches from the leader
 * and refuses clients with NotLeaderOrFollower. A storage failure crashes the actor (fail-stop)
 * and supervision reopens the log from disk.
 */
import { setup } from 'xstate';
import { NotLeaderOrFollowerError } from '../../common/kafka-errors.js';
import type { ActorContext, ActorInput, RpcResponse } from '../../runtime/actor/index.js';
import { reply, replyError } from '../../runtime/actor/index.js';
import type { StorageFs } from '../storage/fs/storage-fs.js';
import type { ProducerStateSettings } from '../storage/producer-state/partition-producer-state.js';
import type { PartitionState } from './cluster-metadata.js';
import { PartitionReplica } from './partition-replica.js';
import type {
  FetchRequest,
  ListOffsetsRequest,
  ProduceRequest,
  ReplicaCloseRequest,
  WriteTxnMarkerRequest,
} from './replica-requests.js';
import { ReplicaService, type ReplicationSettings } from './replica-service.js';
import { logConfigOf, type TopicConfig } from './topic-config.js';

/** What a replica actor is spawned with. */
export interface ReplicaInput {
  brokerId: number;
  topic: string;
  partition: number;
  dir: string;
  fs: StorageFs;
  config: TopicConfig;
  replicaLagTimeMaxMs: number;
  replication: ReplicationSettings;
  /** Producer id expiration and snapshot intervals; Kafka's defaults when omitted. */
  producerState?: ProducerStateSettings;
}

/** Events of the replica machine. */
export type ReplicaEvent =
  | { type: 'replica.state'; state: PartitionState }
  | { type: 'replica.tick' }
  | { type: 'replica.delete' }
  | ProduceRequest
  | FetchRequest
  | ListOffsetsRequest
  | ReplicaCloseRequest
  | WriteTxnMarkerRequest
  | RpcResponse;

interface Context {
  actor: ActorContext;
  service: ReplicaService;
}

function refuse(
  context: Context,
  event: ProduceRequest | FetchRequest | ListOffsetsRequest | WriteTxnMarkerRequest,
): void {
  const r = context.service.replica;
  replyError(
    context.actor,
    event,
    new NotLeaderOrFollowerError(
      `broker ${r.brokerId} does not lead ${r.name} (leader ${r.leaderId}, epoch ${r.leaderEpoch})`,
    ),
  );
}

/**
 * The replica machine.
 *
 * @example
 * ```ts
 * system.spawn({ id: replicaActorId(1, 'orders', 0), logic: partitionReplicaMachine, input, parent: brokerActorId(1) });
 * ```
 */
export const partitionReplicaMachine = setup({
  types: {
    input: {} as ActorInput<ReplicaInput>,
    context: {} as Context,
    events: {} as ReplicaEvent,
  },
  guards: {
    leadsNow: ({ context }) => context.service.replica.role === 'leader',
  },
  actions: {
    applyState: ({ context, event }) => {
      if (event.type === 'replica.state') context.service.applyState(event.state);
    },
    tick: ({ context }) => context.service.tick(),
    response: ({ context, event }) => {
      if (event.type === 'rpc.response')
        context.service.onResponse(event.correlationId, event.result, event.error);
    },
    close: ({ context, event }) => {
      if (event.type !== 'replica.close') return;
      context.service.close().then(
        () => reply(context.actor, event, { closed: true }),
        (err: unknown) => replyError(context.actor, event, err),
      );
    },
  },
}).createMachine({
  id: 'partitionReplica',
  context: ({ input }) => {
    const i = input.input;
    const replica = PartitionReplica.open({
      brokerId: i.brokerId,
      topic: i.topic,
      partition: i.partition,
      dir: i.dir,
      fs: i.fs,
      clock: input.actor.clock,
      log: logConfigOf(i.config),
      minInsyncReplicas: i.config.minInsyncReplicas,
      replicaLagTimeMaxMs: i.replicaLagTimeMaxMs,
      ...(i.producerState === undefined ? {} : { producerState: i.producerState }),
    });
    return { actor: input.actor, service: new ReplicaService(input.actor, replica, i.replication) };
  },
  initial: 'offline',
  on: {
    'replica.tick': { actions: 'tick' },
    'rpc.response': { actions: 'response' },
    'replica.close': { target: '.closed', actions: 'close' },
    'replica.delete': {
      target: '.closed',
      actions: ({ context }) => {
        void context.service.delete();
      },
    },
  },
  states: {
    offline: {
      on: {
        'replica.state': { target: 'routing', actions: 'applyState' },
        'produce.request': { actions: ({ context, event }) => refuse(context, event) },
        'fetch.request': { actions: ({ context, event }) => refuse(context, event) },
        'listOffsets.request': { actions: ({ context, event }) => refuse(context, event) },
        'txnMarker.request': { actions: ({ context, event }) => refuse(context, event) },
      },
    },
    leader: {
      on: {
        'replica.state': { target: 'routing', actions: 'applyState' },
        'produce.request': { actions: ({ context, event }) => context.service.produce(event) },
        'fetch.request': { actions: ({ context, event }) => context.service.fetch(event) },
        'listOffsets.request': { actions: ({ context, event }) => context.service.listOffsets(event) },
        'txnMarker.request': { actions: ({ context, event }) => context.service.writeTxnMarker(event) },
      },
    },
    follower: {
      on: {
        'replica.state': { target: 'routing', actions: 'applyState' },
        'produce.request': { actions: ({ context, event }) => refuse(context, event) },
        'fetch.request': { actions: ({ context, event }) => refuse(context, event) },
        'listOffsets.request': { actions: ({ context, event }) => refuse(context, event) },
        'txnMarker.request': { actions: ({ context, event }) => refuse(context, event) },
      },
    },
    /** A transient state: the new state has been applied; go to the role it gave. */
    routing: {
      always: [{ guard: 'leadsNow', target: 'leader' }, { target: 'follower' }],
    },
    closed: { type: 'final' },
  },
});
