/**
 * The controller actor (DESIGN.md §5):
 *
 * ```
 *   (start) ──► active ──(tick every sessionTimeoutMs/4)──► active
 * ```
 *
 * Brokers register and heartbeat; a broker silent for sessionTimeoutMs is fenced and leaders are
 * elected for what it led. Clients ask for metadata, create topics and find coordinators; leaders
 * propose ISR changes; brokers ask for blocks of producer ids. Every partition whose state changes is pushed to the brokers holding its replicas
 * (`broker.partitionStates`), and heartbeats answer with the full state of the broker's
 * partitions, so a broker that missed a push catches up within one heartbeat.
 *
 * The controller is a single actor on its own node; a replicated controller quorum (KRaft) is
 * beyond the embedded broker.
 */
import { setup } from 'xstate';
import { CoordinatorNotAvailableError, InvalidRequestError } from '../../common/kafka-errors.js';
import {
  type ActorContext,
  type ActorInput,
  type RpcRequest,
  reply,
  replyError,
} from '../../runtime/actor/index.js';
import { partitionForGroup } from '../coordinator/group-partition.js';
import { OFFSETS_TOPIC } from '../coordinator/replica-state-log.js';
import { TRANSACTION_STATE_TOPIC } from '../coordinator/transaction/txn-state-records.js';
import { DEFAULT_BROKER_SETTINGS } from './broker-settings.js';
import { brokerActorId, type PartitionState } from './cluster-metadata.js';
import { ControllerState, type CreateTopicRequest, type ProducerIdBlockGrant } from './controller-state.js';
import type { ControllerStore } from './controller-store.js';
import type { TopicConfig } from './topic-config.js';

/** The controller's settings. */
export interface ControllerInput {
  /** A broker silent this long is fenced (Kafka broker.session.timeout.ms). */
  sessionTimeoutMs: number;
  /** Where the controller keeps its state; undefined keeps it in memory only. */
  store?: ControllerStore;
  offsetsTopicPartitions: number;
  offsetsTopicReplicationFactor: number;
  /** Partitions of `__transaction_state` (default: the broker settings' default). */
  transactionStateTopicPartitions?: number;
  /** Its replication factor, capped at the live brokers (default: the broker settings' default). */
  transactionStateTopicReplicationFactor?: number;
}

/**
 * FindCoordinator: the broker coordinating a group (`groupId`) or a transactional id
 * (`transactionalId`), answered `{ brokerId, partition }`.
 *
 * @example
 * ```ts
 * await rpc.call(CONTROLLER_ACTOR_ID, { type: 'controller.findCoordinator', transactionalId: 'app-1' }, 5000);
 * ```
 */
export type FindCoordinatorRequest = RpcRequest & {
  type: 'controller.findCoordinator';
  groupId?: string;
  transactionalId?: string;
};

/**
 * A broker asks for a block of producer ids, answered `{ brokerId, firstProducerId, count }`
 * (ProducerIdBlockGrant) once the controller has saved that they are handed out.
 *
 * @example
 * ```ts
 * await rpc.call(CONTROLLER_ACTOR_ID, { type: 'controller.allocateProducerIds', brokerId: 2 }, 5000);
 * ```
 */
export type AllocateProducerIdsRequest = RpcRequest & {
  type: 'controller.allocateProducerIds';
  brokerId: number;
};

/** A partition state with its topic's config, as pushed to brokers. */
export interface PartitionAssignment {
  state: PartitionState;
  config: TopicConfig;
}

/** Events the controller handles. */
export type ControllerEvent =
  | (RpcRequest & {
      type: 'controller.registerBroker';
      brokerId: number;
      incarnation: string;
      cleanShutdown: boolean;
    })
  | (RpcRequest & { type: 'controller.heartbeat'; brokerId: number; incarnation: string })
  | (RpcRequest & { type: 'controller.createTopics'; topics: CreateTopicRequest[] })
  | (RpcRequest & { type: 'controller.metadata'; topics?: string[] })
  | (RpcRequest & { type: 'controller.deleteTopics'; topics: string[] })
  | FindCoordinatorRequest
  | AllocateProducerIdsRequest
  | (RpcRequest & {
      type: 'controller.alterIsr';
      topic: string;
      partition: number;
      leaderId: number;
      leaderEpoch: number;
      isr: number[];
    })
  | { type: 'controller.tick' };

interface Context {
  actor: ActorContext;
  state: ControllerState;
  store: ControllerStore | undefined;
  tickMs: number;
  offsetsTopic: InternalTopic;
  transactionStateTopic: InternalTopic;
}

interface InternalTopic {
  name: string;
  partitions: number;
  replicationFactor: number;
}

/**
 * The coordinator of a group (the leader of its `__consumer_offsets` partition) or of a
 * transactional id (the leader of its `__transaction_state` partition), creating the topic on
 * first use as Kafka does. Both place a key with Kafka's hash of it.
 *
 * @throws InvalidRequestError when the request names neither; CoordinatorNotAvailableError while
 *   the partition has no leader.
 */
function findCoordinator(
  context: Context,
  event: FindCoordinatorRequest,
): { brokerId: number; partition: number } {
  const { state } = context;
  const byTransaction = typeof event.transactionalId === 'string';
  const key = byTransaction ? event.transactionalId : event.groupId;
  if (typeof key !== 'string') {
    throw new InvalidRequestError('FindCoordinator names neither a groupId nor a transactionalId');
  }
  const topic = byTransaction ? context.transactionStateTopic : context.offsetsTopic;
  if (!state.metadata([topic.name]).topics.length) {
    const replicationFactor = Math.min(topic.replicationFactor, Math.max(1, state.liveBrokers().length));
    push(
      context,
      state.createTopic({
        name: topic.name,
        partitions: topic.partitions,
        replicationFactor,
        config: {
          cleanupPolicy: 'compact',
          minInsyncReplicas: Math.min(2, replicationFactor),
          segmentBytes: 64 * 1024 * 1024,
        },
      }),
    );
  }
  const partition = partitionForGroup(key, topic.partitions);
  const leader = state.partitionState(topic.name, partition).leader;
  if (leader < 0) throw new CoordinatorNotAvailableError(`${topic.name}-${partition} has no leader`);
  return { brokerId: leader, partition };
}

/** Hands out a block of producer ids, saved before it is answered: an id is never handed out twice. */
function allocateProducerIds(context: Context, brokerId: number): ProducerIdBlockGrant {
  const grant = context.state.allocateProducerIds(brokerId);
  context.store?.save(context.state.snapshot());
  return grant;
}

function assignmentsOf(state: ControllerState, partitions: PartitionState[]): PartitionAssignment[] {
  return partitions.map((p) => ({ state: p, config: state.topicConfig(p.topic) }));
}

/** Saves the state, then sends each changed partition to every broker holding one of its replicas. */
function push(context: Context, changed: PartitionState[]): void {
  if (changed.length > 0) context.store?.save(context.state.snapshot());
  const byBroker = new Map<number, PartitionState[]>();
  for (const p of changed) {
    for (const b of p.replicas) byBroker.set(b, [...(byBroker.get(b) ?? []), p]);
  }
  for (const [b, states] of byBroker) {
    context.actor.send(brokerActorId(b), {
      type: 'broker.partitionStates',
      assignments: assignmentsOf(context.state, states),
    });
  }
}

function scheduleTick(context: Context): void {
  context.actor.clock.setTimer(context.tickMs, () =>
    context.actor.send(context.actor.id, { type: 'controller.tick' }),
  );
}

/**
 * Runs `fn` for each topic of a request and collects the per-topic errors. A request for one topic
 * throws its error instead, so the caller gets the typed error itself.
 */
function forEachTopic<T>(
  items: readonly T[],
  nameOf: (item: T) => string,
  fn: (item: T) => void,
): Map<string, Error> {
  const errors = new Map<string, Error>();
  for (const item of items) {
    try {
      fn(item);
    } catch (err) {
      errors.set(nameOf(item), err instanceof Error ? err : new Error(String(err)));
    }
  }
  const [only] = errors.values();
  if (items.length === 1 && only !== undefined) throw only;
  return errors;
}

/** Runs a request handler, replying with its result or its error. */
function handle(context: Context, event: RpcRequest, fn: () => unknown): void {
  try {
    reply(context.actor, event, fn());
  } catch (err) {
    replyError(context.actor, event, err);
  }
}

/**
 * The controller machine. Spawn it with input `{ sessionTimeoutMs }`.
 *
 * @example
 * ```ts
 * system.spawn({ id: CONTROLLER_ACTOR_ID, logic: controllerMachine, input: { sessionTimeoutMs: 6000 } });
 * ```
 */
export const controllerMachine = setup({
  types: {
    input: {} as ActorInput<ControllerInput>,
    context: {} as Context,
    events: {} as ControllerEvent,
  },
}).createMachine({
  id: 'controller',
  context: ({ input }) => {
    const state = new ControllerState(input.actor.clock, input.input.sessionTimeoutMs);
    const snapshot = input.input.store?.load();
    if (snapshot !== undefined) state.restore(snapshot);
    return {
      actor: input.actor,
      state,
      store: input.input.store,
      offsetsTopic: {
        name: OFFSETS_TOPIC,
        partitions: input.input.offsetsTopicPartitions,
        replicationFactor: input.input.offsetsTopicReplicationFactor,
      },
      transactionStateTopic: {
        name: TRANSACTION_STATE_TOPIC,
        partitions:
          input.input.transactionStateTopicPartitions ??
          DEFAULT_BROKER_SETTINGS.transactionStateTopicPartitions,
        replicationFactor:
          input.input.transactionStateTopicReplicationFactor ??
          DEFAULT_BROKER_SETTINGS.transactionStateTopicReplicationFactor,
      },
      tickMs: Math.max(1, Math.floor(input.input.sessionTimeoutMs / 4)),
    };
  },
  entry: ({ context }) => scheduleTick(context),
  initial: 'active',
  states: {
    active: {
      on: {
        'controller.registerBroker': {
          actions: ({ context, event }) =>
            handle(context, event, () => {
              const changed = context.state.registerBroker(
                event.brokerId,
                event.incarnation,
                event.cleanShutdown,
              );
              // The incarnation is part of the saved state even when no partition changed.
              context.store?.save(context.state.snapshot());
              push(context, changed);
              return {
                assignments: assignmentsOf(context.state, context.state.partitionsOf(event.brokerId)),
              };
            }),
        },
        'controller.heartbeat': {
          actions: ({ context, event }) =>
            handle(context, event, () => {
              context.state.heartbeat(event.brokerId, event.incarnation);
              return {
                assignments: assignmentsOf(context.state, context.state.partitionsOf(event.brokerId)),
              };
            }),
        },
        'controller.createTopics': {
          actions: ({ context, event }) =>
            handle(context, event, () => {
              const errors = forEachTopic(
                event.topics,
                (t) => t.name,
                (t) => push(context, context.state.createTopic(t)),
              );
              return {
                topics: event.topics.map((t) => ({ name: t.name, error: errors.get(t.name)?.message })),
              };
            }),
        },
        'controller.deleteTopics': {
          actions: ({ context, event }) =>
            handle(context, event, () => {
              const byBroker = new Map<number, { topic: string; partition: number }[]>();
              const errors = forEachTopic(
                event.topics,
                (name) => name,
                (name) => {
                  for (const p of context.state.deleteTopic(name)) {
                    for (const b of p.replicas) {
                      byBroker.set(b, [
                        ...(byBroker.get(b) ?? []),
                        { topic: p.topic, partition: p.partition },
                      ]);
                    }
                  }
                },
              );
              context.store?.save(context.state.snapshot());
              for (const [b, partitions] of byBroker) {
                context.actor.send(brokerActorId(b), { type: 'broker.deletePartitions', partitions });
              }
              return { errors: Object.fromEntries([...errors].map(([name, err]) => [name, err.message])) };
            }),
        },
        'controller.findCoordinator': {
          actions: ({ context, event }) => handle(context, event, () => findCoordinator(context, event)),
        },
        'controller.allocateProducerIds': {
          actions: ({ context, event }) =>
            handle(context, event, () => allocateProducerIds(context, event.brokerId)),
        },
        'controller.metadata': {
          actions: ({ context, event }) => handle(context, event, () => context.state.metadata(event.topics)),
        },
        'controller.alterIsr': {
          actions: ({ context, event }) =>
            handle(context, event, () => {
              const next = context.state.alterIsr(
                event.topic,
                event.partition,
                event.leaderId,
                event.leaderEpoch,
                event.isr,
              );
              push(context, [next]);
              return next;
            }),
        },
        'controller.tick': {
          actions: ({ context }) => {
            push(context, context.state.expireSessions());
            scheduleTick(context);
          },
        },
      },
    },
  },
});
