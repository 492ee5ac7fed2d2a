/**
 * The partitions of an internal topic (`__consumer_offsets`, `__transaction_state`) a coordinator
 * host leads, and the child actor it runs per key (group id, transactional id) of them. Both hosts
 * load, unload and reload a partition and keep their children the same way; only what a key's
 * state is replayed into, what a child is spawned with and what a partition entry carries besides
 * its status differ, and those come in as options.
 *
 * ```
 *   load(p) ── openLog(p).readAll() ──► loadedEvent ──► loaded: replay, a child per key, waiters answered
 *                                  └──► loadFailedEvent ──► loadFailed: 'failed', waiters answered with the error
 *   unload(p): entry dropped, p's children told unloadEvent
 *   childFailed(child): p unloaded and loaded again from the topic
 *   childStateChanged(key, dead): entry dropped, retireEvent ──► the child answers what it holds, then is stopped
 * ```
 *
 * A load's result comes back as an event the host sends itself (its machine handles it with
 * `loaded`/`loadFailed`), so every change to the maps happens in an action; a result carries its
 * load id, so one that arrives after the partition was unloaded or loaded again is ignored.
 */
import { CoordinatorLoadInProgressError } from '../../common/kafka-errors.js';
import type { ActorContext, ActorEvent, ActorId, RpcRequest, SpawnSpec } from '../../runtime/actor/index.js';
import { reply, replyError } from '../../runtime/actor/index.js';
import type {
  CoordinatorRecord,
  CoordinatorStateLog,
  StoredCoordinatorRecord,
} from './coordinator-state-log.js';

/**
 * What every hosted partition entry has: the hosts add their load id (and the transaction host
 * its coordinator epoch) under names of their own.
 *
 * @example
 * ```ts
 * const entry: HostedPartitionState = { status: 'loading', log, waiters: [] };
 * ```
 */
export interface HostedPartitionState {
  status: 'loading' | 'loaded' | 'failed';
  readonly log: CoordinatorStateLog;
  /** Load requests to answer once the load finishes. */
  readonly waiters: RpcRequest[];
  failure?: string;
}

/**
 * What the host keeps of every child: which actor it is and which partition its key belongs to.
 *
 * @example
 * ```ts
 * const child: HostedChild = { actorId: 'broker-1/group-coordinator/group/app#3', partition: 7 };
 * ```
 */
export interface HostedChild {
  readonly actorId: ActorId;
  readonly partition: number;
}

/**
 * A `coordinator.load` as both hosts receive it: with a correlation id and replyTo it is also a
 * request, answered once the partition is loaded.
 *
 * @example
 * ```ts
 * const request: LoadRequest = { type: 'coordinator.load', partition: 7 };
 * ```
 */
export interface LoadRequest {
  readonly type: string;
  readonly partition: number;
  readonly correlationId?: number;
  readonly replyTo?: ActorId;
}

/**
 * What a host plugs in. `R` is the record type its replay takes (what its `internal.loaded` event
 * carries), `L` what the replay yields per key.
 *
 * @example
 * ```ts
 * const options: HostedPartitionsOptions<HostedPartition, HostedGroup, LoadedGroup, StoredCoordinatorRecord> = {
 *   actor, partitions, children: groups, topic: OFFSETS_TOPIC, childKind: 'group', openLog,
 *   loadIdOf: (p) => p.epoch,
 *   loadedEvent: (partition, epoch, records) => ({ type: 'internal.loaded', partition, epoch, records }),
 *   loadFailedEvent: (partition, epoch, error) => ({ type: 'internal.loadFailed', partition, epoch, error }),
 *   replay: replayOffsetsTopic, spawnLoaded: (partition, group) => spawnGroup(context, group.groupId, partition, group),
 *   loadResult: (groups) => ({ groups }), unloadEvent: { type: 'group.unload' }, retireEvent: { type: 'group.retire' },
 * };
 * ```
 */
export interface HostedPartitionsOptions<
  P extends HostedPartitionState,
  C extends HostedChild,
  L,
  R extends CoordinatorRecord,
> {
  readonly actor: ActorContext;
  /** The host's own maps: its routing reads them too. */
  readonly partitions: Map<number, P>;
  readonly children: Map<string, C>;
  /** The internal topic, named in errors. */
  readonly topic: string;
  /** A child's actor id is `<host>/<childKind>/<key>#<incarnation>`. */
  readonly childKind: string;
  /** The state log of a partition this broker has become the leader of. */
  readonly openLog: (partition: number) => CoordinatorStateLog;
  /** The load id the host stored in the entry `begin` made. */
  readonly loadIdOf: (hosted: P) => number;
  /** The events the host sends itself when a load's read finishes, or fails. */
  readonly loadedEvent: (partition: number, loadId: number, records: StoredCoordinatorRecord[]) => ActorEvent;
  readonly loadFailedEvent: (partition: number, loadId: number, error: string) => ActorEvent;
  /** The state of every key of a partition, from its records; throws if they are corrupt. */
  readonly replay: (records: R[]) => Map<string, L>;
  /** Spawns the child of a key as it was replayed (with `spawn`). */
  readonly spawnLoaded: (partition: number, loaded: L) => void;
  /** The answer to a load request: how many children the partition has. */
  readonly loadResult: (children: number) => unknown;
  /** What a child of an unloaded partition is told (it answers NOT_COORDINATOR from then on). */
  readonly unloadEvent: ActorEvent;
  /** What a dead child is told, so that it answers what was forwarded to it before it is stopped. */
  readonly retireEvent: ActorEvent;
}

/**
 * The partitions a coordinator host leads and their children: loading, unloading, reloading
 * after a child failed, spawning and retiring children. It lives in the host's machine context;
 * its maps and counters are objects of their own, so XState's shallow copies of the context all
 * share them.
 *
 * @example
 * ```ts
 * const hosting = new HostedPartitions(options);
 * hosting.load(event, (loadId, log, waiters) => ({ status: 'loading', epoch: loadId, log, waiters }));
 * ```
 */
export class HostedPartitions<
  P extends HostedPartitionState,
  C extends HostedChild,
  L,
  R extends CoordinatorRecord = StoredCoordinatorRecord,
> {
  private nextLoadId = 1;
  private nextIncarnation = 1;

  constructor(private readonly options: HostedPartitionsOptions<P, C, L, R>) {}

  /**
   * Takes over a partition: reads its state log and replays it (the result comes back as
   * `loadedEvent`/`loadFailedEvent`). A partition loaded or loading already is not loaded again,
   * unless it failed or `isCurrent` says the entry is from an older leadership; the request is
   * then answered (or queued until the load finishes). A host that passes `isCurrent` has the
   * old entry unloaded first, children and all, since they belong to that older leadership.
   *
   * @example
   * ```ts
   * hosting.load(event, (loadId, log, waiters) => ({ status: 'loading', loadId, coordinatorEpoch, log, waiters }),
   *   (current) => coordinatorEpoch <= current.coordinatorEpoch);
   * ```
   */
  load(
    request: LoadRequest,
    begin: (loadId: number, log: CoordinatorStateLog, waiters: RpcRequest[]) => P,
    isCurrent?: (current: P) => boolean,
  ): void {
    const { actor, partitions } = this.options;
    const waiter: RpcRequest | undefined =
      request.correlationId === undefined || request.replyTo === undefined
        ? undefined
        : { type: request.type, correlationId: request.correlationId, replyTo: request.replyTo };
    const { partition } = request;
    const current = partitions.get(partition);
    if (current !== undefined && current.status !== 'failed' && (isCurrent?.(current) ?? true)) {
      if (waiter === undefined) return;
      if (current.status === 'loading') current.waiters.push(waiter);
      else reply(actor, waiter, this.options.loadResult(this.count(partition)));
      return;
    }
    if (current !== undefined && isCurrent !== undefined) this.unload(partition);
    const loadId = this.nextLoadId++;
    let log: CoordinatorStateLog;
    let records: Promise<StoredCoordinatorRecord[]>;
    try {
      log = this.options.openLog(partition);
      records = log.readAll();
    } catch (err) {
      if (waiter !== undefined)
        replyError(actor, waiter, new CoordinatorLoadInProgressError(`opening failed: ${err}`));
      return;
    }
    partitions.set(partition, begin(loadId, log, waiter ? [waiter] : []));
    records.then(
      (records) => actor.send(actor.id, this.options.loadedEvent(partition, loadId, records)),
      (err: unknown) => actor.send(actor.id, this.options.loadFailedEvent(partition, loadId, String(err))),
    );
  }

  /**
   * A load's read finished: a child per key replayed, and the load requests answered.
   *
   * @example
   * ```ts
   * 'internal.loaded': { actions: ({ context, event }) => context.hosting.loaded(event.partition, event.epoch, event.records) },
   * ```
   */
  loaded(partition: number, loadId: number, records: R[]): void {
    const hosted = this.options.partitions.get(partition);
    if (hosted === undefined || this.options.loadIdOf(hosted) !== loadId) return;
    let replayed: Map<string, L>;
    try {
      replayed = this.options.replay(records);
    } catch (err) {
      this.loadFailed(partition, loadId, String(err));
      return;
    }
    for (const loaded of replayed.values()) this.options.spawnLoaded(partition, loaded);
    hosted.status = 'loaded';
    for (const waiter of hosted.waiters.splice(0))
      reply(this.options.actor, waiter, this.options.loadResult(replayed.size));
  }

  /**
   * A load failed: the partition stays hosted as 'failed' (requests for it are told so) until it
   * is loaded again, and the load requests are answered with the error.
   *
   * @example
   * ```ts
   * 'internal.loadFailed': { actions: ({ context, event }) => context.hosting.loadFailed(event.partition, event.epoch, event.error) },
   * ```
   */
  loadFailed(partition: number, loadId: number, error: string): void {
    const hosted = this.options.partitions.get(partition);
    if (hosted === undefined || this.options.loadIdOf(hosted) !== loadId) return;
    hosted.status = 'failed';
    hosted.failure = error;
    const err = new CoordinatorLoadInProgressError(
      `loading ${this.options.topic}-${partition} failed: ${error}`,
    );
    for (const waiter of hosted.waiters.splice(0)) replyError(this.options.actor, waiter, err);
  }

  /**
   * Gives a partition up: its children are forgotten and told to unload.
   *
   * @example
   * ```ts
   * 'coordinator.unload': { actions: ({ context, event }) => context.hosting.unload(event.partition) },
   * ```
   */
  unload(partition: number): void {
    const { actor, children, partitions } = this.options;
    if (!partitions.delete(partition)) return;
    for (const [key, child] of [...children]) {
      if (child.partition !== partition) continue;
      children.delete(key);
      actor.send(child.actorId, this.options.unloadEvent);
    }
  }

  /**
   * Spawns the child of a key of a hosted partition and records it under `entry(actorId)`. The
   * incarnation number in its id keeps a key re-created while its old actor retires from
   * clashing with it.
   *
   * @example
   * ```ts
   * const actorId = context.hosting.spawn(groupId, { logic: groupCoordinatorMachine, input },
   *   (actorId) => ({ actorId, partition, state: 'Empty', protocolType: '' }));
   * ```
   */
  spawn(key: string, child: Pick<SpawnSpec, 'logic' | 'input'>, entry: (actorId: ActorId) => C): ActorId {
    const { actor } = this.options;
    const actorId = `${actor.id}/${this.options.childKind}/${encodeURIComponent(key)}#${this.nextIncarnation++}`;
    actor.spawnChild({
      id: actorId,
      logic: child.logic,
      input: child.input,
      // A restart would bring the key back as it was loaded, not as it is: the host reloads the
      // partition from its topic instead (see childFailed).
      supervision: { restart: 'never' },
    });
    this.options.children.set(key, entry(actorId));
    return actorId;
  }

  /**
   * A child failed (a bug: invariant violations crash). Its state in memory is gone, so its
   * partition is unloaded and `reload` loads it again from the topic: every key of it comes back
   * as last stored. `previous` is the partition's entry before the unload.
   *
   * @example
   * ```ts
   * 'actor.gaveUp': { actions: ({ context, event }) => context.hosting.childFailed(event.id, (partition) => load(context, { type: 'coordinator.load', partition })) },
   * ```
   */
  childFailed(actorId: ActorId, reload: (partition: number, previous: P | undefined) => void): void {
    const { children, partitions } = this.options;
    for (const [key, child] of children) {
      if (child.actorId !== actorId) continue;
      children.delete(key);
      const previous = partitions.get(child.partition);
      this.unload(child.partition);
      reload(child.partition, previous);
      return;
    }
  }

  /**
   * A child reported a state change. If it is still the key's child, `update` records what the
   * host keeps of its state; a dead child is forgotten and retired (it is stopped when it answers
   * with its retired event), even one already replaced.
   *
   * @example
   * ```ts
   * context.hosting.childStateChanged(event.transactionalId, event.actorId, event.state === 'Dead');
   * ```
   */
  childStateChanged(key: string, actorId: ActorId, dead: boolean, update?: (child: C) => void): void {
    const { actor, children } = this.options;
    const child = children.get(key);
    if (child?.actorId === actorId) {
      update?.(child);
      if (dead) children.delete(key);
    }
    if (dead) actor.send(actorId, this.options.retireEvent);
  }

  /**
   * How many children a partition has.
   *
   * @example
   * ```ts
   * reply(actor, waiter, { groups: hosting.count(7) });
   * ```
   */
  count(partition: number): number {
    let n = 0;
    for (const child of this.options.children.values()) if (child.partition === partition) n++;
    return n;
  }
}
