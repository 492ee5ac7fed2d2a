/**
 * A broker's group coordinator: it hosts the groups of the `__consumer_offsets` partitions the
 * broker leads, one child actor per group, and routes each request to the group it names.
 *
 * ```
 *   serving ◄── coordinator.load(p):   loading p ──(records replayed)──► p loaded, a child per group
 *      │    ◄── coordinator.unload(p): p's groups told to unload (they answer NOT_COORDINATOR)
 *      ├─── group.* requests: routed by partitionForGroup(groupId) → child, or answered here
 *      └─── group.txnMarker(p): marker written to p ──► p's groups told (commit/drop pending) ──► answered
 * ```
 *
 * Whether a partition is loading or loaded is per partition, not a state of the host, which
 * serves the partitions it has throughout. A group's child reports every state change, which is
 * all ListGroups needs. A child that dies (deleted or unloaded) is replaced by a fresh one on the
 * next request for its group, and is stopped only after a `group.retire` round trip: every request
 * forwarded to it before that is answered, none is lost with it. Children are named with an
 * incarnation number, so a group re-created while its old actor retires never clashes with it.
 * A child that fails is not restarted (it would come back with stale state): its partition is
 * loaded again from `__consumer_offsets`.
 */
import { setup } from 'xstate';
import { CoordinatorLoadInProgressError } from '../../common/kafka-errors.js';
import type { ActorContext, ActorId, ActorInput, SupervisionEvent } from '../../runtime/actor/index.js';
import { reply, replyError } from '../../runtime/actor/index.js';
import { type GroupCoordinatorConfig, resolveGroupCoordinatorConfig } from './coordinator-config.js';
import type { CoordinatorStateLog, StoredCoordinatorRecord } from './coordinator-state-log.js';
import { groupCoordinatorMachine } from './group-coordinator-machine.js';
import type { GroupRetiredEvent, GroupStateChangedEvent } from './group-lifecycle.js';
import { type LoadedGroup, replayOffsetsTopic } from './group-replay.js';
import type { GroupRequest, ListGroupsRequest, ListGroupsResult } from './group-requests.js';
import {
  type HostedGroup,
  type HostedPartition,
  type RoutingContext,
  routeGroupRequest,
} from './group-routing.js';
import { onTxnMarkerWritten, type TxnMarkerWrittenEvent, writeTxnMarker } from './group-txn-markers.js';
import { HostedPartitions } from './hosted-partitions.js';
import type { GroupTxnMarkerRequest } from './txn-offset-requests.js';

/**
 * What a coordinator host is spawned with.
 *
 * @example
 * ```ts
 * const input: GroupCoordinatorHostInput = { config: { offsetsTopicPartitions: 50 }, openLog: (p) => logs[p]! };
 * ```
 */
export interface GroupCoordinatorHostInput {
  config?: Partial<GroupCoordinatorConfig>;
  /** The state log of a `__consumer_offsets` partition this broker has become the leader of. */
  openLog: (partition: number) => CoordinatorStateLog;
}

/**
 * Take over a partition (its leadership came to this broker). With a correlation id and replyTo,
 * it is also a request, answered `{ groups }` once the partition is loaded.
 *
 * @example
 * ```ts
 * await rpc.call('broker-1/group-coordinator', { type: 'coordinator.load', partition: 7 }, 30_000);
 * ```
 */
export type CoordinatorLoadEvent = {
  readonly type: 'coordinator.load';
  readonly partition: number;
  readonly correlationId?: number;
  readonly replyTo?: ActorId;
};

/**
 * Give a partition up (its leadership moved away).
 *
 * @example
 * ```ts
 * system.send(undefined, 'broker-1/group-coordinator', { type: 'coordinator.unload', partition: 7 });
 * ```
 */
export type CoordinatorUnloadEvent = { readonly type: 'coordinator.unload'; readonly partition: number };

/**
 * The events of the host machine.
 *
 * @example
 * ```ts
 * const event: GroupCoordinatorHostEvent = { type: 'coordinator.unload', partition: 7 };
 * ```
 */
export type GroupCoordinatorHostEvent =
  | GroupRequest
  | ListGroupsRequest
  | CoordinatorLoadEvent
  | CoordinatorUnloadEvent
  | GroupTxnMarkerRequest
  | TxnMarkerWrittenEvent
  | { type: 'internal.loaded'; partition: number; epoch: number; records: StoredCoordinatorRecord[] }
  | { type: 'internal.loadFailed'; partition: number; epoch: number; error: string }
  | GroupStateChangedEvent
  | GroupRetiredEvent
  | SupervisionEvent;

interface HostContext extends RoutingContext {
  /** The `__consumer_offsets` partitions and their groups, over `partitions` and `groups`. */
  readonly hosting: HostedPartitions<HostedPartition, HostedGroup, LoadedGroup, StoredCoordinatorRecord>;
}

function spawnGroup(context: HostContext, groupId: string, partition: number, loaded?: LoadedGroup): ActorId {
  const hosted = context.partitions.get(partition)!;
  return context.hosting.spawn(
    groupId,
    {
      logic: groupCoordinatorMachine,
      input: { groupId, config: context.config, log: hosted.log, host: context.actor.id, loaded },
    },
    (actorId) => ({ actorId, partition, state: 'Empty', protocolType: '' }),
  );
}

function load(context: HostContext, event: CoordinatorLoadEvent): void {
  context.hosting.load(event, (epoch, log, waiters) => ({ status: 'loading', epoch, log, waiters }));
}

/**
 * A group's actor failed (a bug: invariant violations crash). Its state in memory is gone, so the
 * partition is loaded again from `__consumer_offsets`: every group of it comes back as last
 * stored, and their members rejoin as after a coordinator failover.
 */
function onGroupFailed(context: HostContext, actorId: ActorId): void {
  context.hosting.childFailed(actorId, (partition) => load(context, { type: 'coordinator.load', partition }));
}

function onStateChanged(context: HostContext, event: GroupStateChangedEvent): void {
  context.hosting.childStateChanged(event.groupId, event.actorId, event.state === 'Dead', (group) => {
    group.state = event.state;
    group.protocolType = event.protocolType;
  });
}

function listGroups(context: HostContext, req: ListGroupsRequest): void {
  for (const [partition, hosted] of context.partitions) {
    if (hosted.status === 'loading') {
      replyError(
        context.actor,
        req,
        new CoordinatorLoadInProgressError(`__consumer_offsets-${partition} is loading`),
      );
      return;
    }
  }
  const filter = req.statesFilter ?? [];
  const groups = [...context.groups]
    .filter(([, g]) => filter.length === 0 || filter.includes(g.state))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([groupId, g]) => ({ groupId, protocolType: g.protocolType, state: g.state }));
  const result: ListGroupsResult = { groups };
  reply(context.actor, req, result);
}

/**
 * The coordinator host machine.
 *
 * @example
 * ```ts
 * system.spawn({ id: 'broker-1/group-coordinator', logic: groupCoordinatorHostMachine,
 *   input: { config: { offsetsTopicPartitions: 50 }, openLog: (p) => replicatedStateLog(p) } });
 * system.send(undefined, 'broker-1/group-coordinator', { type: 'coordinator.load', partition: 7 });
 * ```
 */
export const groupCoordinatorHostMachine = setup({
  types: {
    input: {} as ActorInput<GroupCoordinatorHostInput>,
    context: {} as HostContext,
    events: {} as GroupCoordinatorHostEvent,
  },
  actions: {
    route: ({ context, event }) => {
      if (!event.type.startsWith('group.')) return;
      routeGroupRequest(context, event as GroupRequest, (groupId, partition) =>
        spawnGroup(context, groupId, partition),
      );
    },
  },
}).createMachine({
  id: 'groupCoordinatorHost',
  context: ({ input }) => {
    const actor: ActorContext = input.actor;
    const partitions = new Map<number, HostedPartition>();
    const groups = new Map<string, HostedGroup>();
    const context: HostContext = {
      actor,
      config: resolveGroupCoordinatorConfig(input.input.config),
      partitions,
      groups,
      hosting: new HostedPartitions({
        actor,
        partitions,
        children: groups,
        topic: '__consumer_offsets',
        childKind: 'group',
        openLog: input.input.openLog,
        loadIdOf: (hosted) => hosted.epoch,
        loadedEvent: (partition, epoch, records) => ({ type: 'internal.loaded', partition, epoch, records }),
        loadFailedEvent: (partition, epoch, error) => ({
          type: 'internal.loadFailed',
          partition,
          epoch,
          error,
        }),
        replay: replayOffsetsTopic,
        // Called only from actions, once `context` is made.
        spawnLoaded: (partition, group) => spawnGroup(context, group.groupId, partition, group),
        loadResult: (groups) => ({ groups }),
        unloadEvent: { type: 'group.unload' },
        retireEvent: { type: 'group.retire' },
      }),
    };
    return context;
  },
  initial: 'serving',
  states: {
    serving: {
      on: {
        'group.join': { actions: 'route' },
        'group.sync': { actions: 'route' },
        'group.heartbeat': { actions: 'route' },
        'group.leave': { actions: 'route' },
        'group.offsetCommit': { actions: 'route' },
        'group.txnOffsetCommit': { actions: 'route' },
        'group.offsetFetch': { actions: 'route' },
        'group.describe': { actions: 'route' },
        'group.delete': { actions: 'route' },
        'group.list': { actions: ({ context, event }) => listGroups(context, event) },
        'group.txnMarker': { actions: ({ context, event }) => writeTxnMarker(context, event) },
        'internal.markerWritten': { actions: ({ context, event }) => onTxnMarkerWritten(context, event) },
        'coordinator.load': { actions: ({ context, event }) => load(context, event) },
        'coordinator.unload': { actions: ({ context, event }) => context.hosting.unload(event.partition) },
        'internal.loaded': {
          actions: ({ context, event }) =>
            context.hosting.loaded(event.partition, event.epoch, event.records),
        },
        'internal.loadFailed': {
          actions: ({ context, event }) =>
            context.hosting.loadFailed(event.partition, event.epoch, event.error),
        },
        'group.stateChanged': { actions: ({ context, event }) => onStateChanged(context, event) },
        'group.retired': { actions: ({ context, event }) => context.actor.stop(event.actorId) },
        'actor.gaveUp': { actions: ({ context, event }) => onGroupFailed(context, event.id) },
      },
    },
  },
});
