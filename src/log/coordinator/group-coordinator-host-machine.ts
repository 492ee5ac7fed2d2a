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
import type {
  ActorContext,
  ActorId,
  ActorInput,
  RpcRequest,
  SupervisionEvent,
} from '../../runtime/actor/index.js';
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
  readonly openLog: (partition: number) => CoordinatorStateLog;
  /**
   * Counters in an object of their own: XState hands actions a shallow copy of the context the
   * factory made, so numbers kept on the context itself would count separately in each copy.
   */
  readonly counters: { nextEpoch: number; nextIncarnation: number };
}

function spawnGroup(context: HostContext, groupId: string, partition: number, loaded?: LoadedGroup): ActorId {
  const actorId = `${context.actor.id}/group/${encodeURIComponent(groupId)}#${context.counters.nextIncarnation++}`;
  const hosted = context.partitions.get(partition)!;
  context.actor.spawnChild({
    id: actorId,
    logic: groupCoordinatorMachine,
    input: { groupId, config: context.config, log: hosted.log, host: context.actor.id, loaded },
    // A restart would bring the group back as it was loaded, not as it is: the host reloads the
    // partition from __consumer_offsets instead (see onGroupFailed).
    supervision: { restart: 'never' },
  });
  context.groups.set(groupId, { actorId, partition, state: 'Empty', protocolType: '' });
  return actorId;
}

function load(context: HostContext, event: CoordinatorLoadEvent): void {
  const { actor } = context;
  const waiter: RpcRequest | undefined =
    event.correlationId === undefined || event.replyTo === undefined
      ? undefined
      : { type: event.type, correlationId: event.correlationId, replyTo: event.replyTo };
  const current = context.partitions.get(event.partition);
  if (current !== undefined && current.status !== 'failed') {
    if (waiter === undefined) return;
    if (current.status === 'loading') current.waiters.push(waiter);
    else reply(actor, waiter, { groups: countGroups(context, event.partition) });
    return;
  }
  const epoch = context.counters.nextEpoch++;
  const partition = event.partition;
  let log: CoordinatorStateLog;
  let records: Promise<StoredCoordinatorRecord[]>;
  try {
    log = context.openLog(partition);
    records = log.readAll();
  } catch (err) {
    if (waiter !== undefined)
      replyError(actor, waiter, new CoordinatorLoadInProgressError(`opening failed: ${err}`));
    return;
  }
  context.partitions.set(partition, { status: 'loading', epoch, log, waiters: waiter ? [waiter] : [] });
  records.then(
    (records) => actor.send(actor.id, { type: 'internal.loaded', partition, epoch, records }),
    (err: unknown) =>
      actor.send(actor.id, { type: 'internal.loadFailed', partition, epoch, error: String(err) }),
  );
}

function loaded(
  context: HostContext,
  partition: number,
  epoch: number,
  records: StoredCoordinatorRecord[],
): void {
  const hosted = context.partitions.get(partition);
  if (hosted === undefined || hosted.epoch !== epoch) return;
  let groups: Map<string, LoadedGroup>;
  try {
    groups = replayOffsetsTopic(records);
  } catch (err) {
    loadFailed(context, partition, epoch, String(err));
    return;
  }
  for (const group of groups.values()) spawnGroup(context, group.groupId, partition, group);
  hosted.status = 'loaded';
  for (const waiter of hosted.waiters.splice(0)) reply(context.actor, waiter, { groups: groups.size });
}

function loadFailed(context: HostContext, partition: number, epoch: number, error: string): void {
  const hosted = context.partitions.get(partition);
  if (hosted === undefined || hosted.epoch !== epoch) return;
  hosted.status = 'failed';
  hosted.failure = error;
  const err = new CoordinatorLoadInProgressError(`loading __consumer_offsets-${partition} failed: ${error}`);
  for (const waiter of hosted.waiters.splice(0)) replyError(context.actor, waiter, err);
}

function unload(context: HostContext, partition: number): void {
  if (!context.partitions.delete(partition)) return;
  for (const [groupId, group] of [...context.groups]) {
    if (group.partition !== partition) continue;
    context.groups.delete(groupId);
    context.actor.send(group.actorId, { type: 'group.unload' });
  }
}

/**
 * A group's actor failed (a bug: invariant violations crash). Its state in memory is gone, so the
 * partition is loaded again from `__consumer_offsets`: every group of it comes back as last
 * stored, and their members rejoin as after a coordinator failover.
 */
function onGroupFailed(context: HostContext, actorId: ActorId): void {
  for (const [groupId, group] of context.groups) {
    if (group.actorId !== actorId) continue;
    context.groups.delete(groupId);
    unload(context, group.partition);
    load(context, { type: 'coordinator.load', partition: group.partition });
    return;
  }
}

function onStateChanged(context: HostContext, event: GroupStateChangedEvent): void {
  const group = context.groups.get(event.groupId);
  if (group?.actorId === event.actorId) {
    group.state = event.state;
    group.protocolType = event.protocolType;
    if (event.state === 'Dead') context.groups.delete(event.groupId);
  }
  if (event.state === 'Dead') context.actor.send(event.actorId, { type: 'group.retire' });
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

function countGroups(context: HostContext, partition: number): number {
  let n = 0;
  for (const g of context.groups.values()) if (g.partition === partition) n++;
  return n;
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
    const context: HostContext = {
      actor,
      config: resolveGroupCoordinatorConfig(input.input.config),
      openLog: input.input.openLog,
      partitions: new Map<number, HostedPartition>(),
      groups: new Map<string, HostedGroup>(),
      counters: { nextEpoch: 1, nextIncarnation: 1 },
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
        'coordinator.unload': { actions: ({ context, event }) => unload(context, event.partition) },
        'internal.loaded': {
          actions: ({ context, event }) => loaded(context, event.partition, event.epoch, event.records),
        },
        'internal.loadFailed': {
          actions: ({ context, event }) => loadFailed(context, event.partition, event.epoch, event.error),
        },
        'group.stateChanged': { actions: ({ context, event }) => onStateChanged(context, event) },
        'group.retired': { actions: ({ context, event }) => context.actor.stop(event.actorId) },
        'actor.gaveUp': { actions: ({ context, event }) => onGroupFailed(context, event.id) },
      },
    },
  },
});
