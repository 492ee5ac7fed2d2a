/**
 * The actor kernel (DESIGN.md §5): XState v5 actors registered by id, each on a node, sending
 * events to one another through a Transport, with timers only from the injected Clock and
 * supervision of failures. Lifecycles are XState machines (one per file); the system adds what
 * XState leaves to the application: addressing by id across nodes, a pluggable network, restarts
 * with backoff, and an inspection stream.
 */
import { type AnyActorLogic, type AnyActorRef, createActor } from 'xstate';
import { IllegalStateError } from '../../common/errors.js';
import { type ActorEvent, type ActorId, type Envelope, type NodeId, nodeOfId } from './actor-event.js';
import type { Clock, TimerHandle } from './clock.js';
import type { Inspector } from './inspection.js';
import type { Random } from './random.js';
import {
  type RestartStrategy,
  resolveRestartStrategy,
  restartDecision,
  type SupervisionEvent,
} from './supervision.js';
import { LocalTransport, type Transport } from './transport.js';
import { toXStateClock, type XStateClock } from './xstate-clock.js';

/** What an actor's logic receives as `input.actor`: its identity and its way to the world. */
export interface ActorContext {
  readonly id: ActorId;
  readonly node: NodeId;
  readonly clock: Clock;
  readonly random: Random;
  /** Sends an event to another actor through the transport. */
  send(to: ActorId, event: ActorEvent): void;
  /** Spawns a child supervised by this actor (in a microtask, after the current action). */
  spawnChild(spec: Omit<SpawnSpec, 'parent'>): void;
  /** Stops a child (or any actor) by id. */
  stop(id: ActorId): void;
}

/** The input every actor's logic is created with. */
export interface ActorInput<T = unknown> {
  actor: ActorContext;
  input: T;
}

/** How to spawn an actor. */
export interface SpawnSpec {
  id: ActorId;
  /** The node it lives on; by default the part of the id before the first `/`. */
  node?: NodeId;
  /** XState logic (usually a machine) whose input is an ActorInput. */
  logic: AnyActorLogic;
  input?: unknown;
  /** The supervising actor: told of failures and restarts, and stopping it stops this actor. */
  parent?: ActorId;
  supervision?: Partial<RestartStrategy>;
}

/** Options of an ActorSystem. */
export interface ActorSystemOptions {
  clock: Clock;
  random: Random;
  /** The network between actors; in-process by default. */
  transport?: Transport;
  inspect?: Inspector;
  /** Told when an actor without a parent fails and will not be restarted. */
  onUnsupervisedFailure?: (id: ActorId, error: unknown) => void;
}

interface ActorCell {
  readonly spec: SpawnSpec;
  readonly node: NodeId;
  readonly strategy: RestartStrategy;
  readonly children: Set<ActorId>;
  ref: AnyActorRef | undefined;
  restartTimes: number[];
  restartTimer: TimerHandle | undefined;
  lastValue: string | undefined;
}

/**
 * A system of actors.
 *
 * @example
 * ```ts
 * const system = new ActorSystem({ clock: realClock, random: realRandom });
 * system.spawn({ id: 'broker-1/controller', logic: controllerMachine, input: { brokers: 3 } });
 * system.send(undefined, 'broker-1/controller', { type: 'heartbeat', broker: 2 });
 * ```
 */
export class ActorSystem {
  readonly clock: Clock;
  readonly random: Random;
  private readonly transport: Transport;
  private readonly inspect: Inspector | undefined;
  private readonly onUnsupervisedFailure: ((id: ActorId, error: unknown) => void) | undefined;
  private readonly xstateClock: XStateClock;
  private readonly cells = new Map<ActorId, ActorCell>();

  constructor(options: ActorSystemOptions) {
    this.clock = options.clock;
    this.random = options.random;
    this.transport = options.transport ?? new LocalTransport();
    this.inspect = options.inspect;
    this.onUnsupervisedFailure = options.onUnsupervisedFailure;
    this.xstateClock = toXStateClock(options.clock);
    this.transport.attach({
      deliver: (envelope) => this.deliver(envelope),
      nodeOf: (id) => this.cells.get(id)?.node,
    });
  }

  /**
   * Spawns and starts an actor.
   *
   * @throws IllegalStateError if the id is taken or the parent does not exist; ConfigError for a
   *   bad supervision strategy.
   */
  spawn(spec: SpawnSpec): AnyActorRef {
    if (this.cells.has(spec.id)) throw new IllegalStateError(`an actor with id ${spec.id} already exists`);
    const parent = spec.parent === undefined ? undefined : this.cells.get(spec.parent);
    if (spec.parent !== undefined && parent === undefined) {
      throw new IllegalStateError(`cannot spawn ${spec.id}: parent ${spec.parent} does not exist`);
    }
    const cell: ActorCell = {
      spec,
      node: spec.node ?? nodeOfId(spec.id),
      strategy: resolveRestartStrategy(spec.supervision),
      children: new Set(),
      ref: undefined,
      restartTimes: [],
      restartTimer: undefined,
      lastValue: undefined,
    };
    this.cells.set(spec.id, cell);
    parent?.children.add(spec.id);
    this.emit({ kind: 'spawn', atMs: this.clock.nowMs(), actor: spec.id, parent: spec.parent });
    this.startIncarnation(cell);
    return cell.ref!;
  }

  /** Stops an actor and, first, its children. Harmless if it does not exist. */
  stop(id: ActorId): void {
    const cell = this.cells.get(id);
    if (cell === undefined) return;
    for (const child of [...cell.children]) this.stop(child);
    cell.restartTimer?.cancel();
    this.cells.delete(id);
    if (cell.spec.parent !== undefined) this.cells.get(cell.spec.parent)?.children.delete(id);
    const ref = cell.ref;
    cell.ref = undefined;
    ref?.stop();
    this.emit({ kind: 'stop', atMs: this.clock.nowMs(), actor: id });
  }

  /** Stops every actor on a node, as a crash of that process would. */
  stopNode(node: NodeId): void {
    for (const [id, cell] of [...this.cells]) {
      if (cell.node === node && this.cells.has(id)) this.stop(id);
    }
  }

  /** Stops every actor. */
  shutdown(): void {
    for (const id of [...this.cells.keys()]) this.stop(id);
  }

  /** Sends an event through the transport. `from` is undefined for senders outside the system. */
  send(from: ActorId | undefined, to: ActorId, event: ActorEvent): void {
    this.emit({ kind: 'send', atMs: this.clock.nowMs(), from, to, event: event.type });
    this.transport.send({ from, to, event });
  }

  /** The running XState actor with this id, if any (for reading snapshots in tests and tools). */
  get(id: ActorId): AnyActorRef | undefined {
    return this.cells.get(id)?.ref;
  }

  has(id: ActorId): boolean {
    return this.cells.has(id);
  }

  /** Ids of every registered actor (including ones waiting to restart), sorted. */
  ids(): ActorId[] {
    return [...this.cells.keys()].sort();
  }

  private deliver(envelope: Envelope): void {
    const ref = this.cells.get(envelope.to)?.ref;
    const atMs = this.clock.nowMs();
    // An actor that reached a final state takes no more events.
    if (ref === undefined || ref.getSnapshot().status !== 'active') {
      this.emit({
        kind: 'dead-letter',
        atMs,
        from: envelope.from,
        to: envelope.to,
        event: envelope.event.type,
      });
      return;
    }
    this.emit({ kind: 'deliver', atMs, from: envelope.from, to: envelope.to, event: envelope.event.type });
    ref.send(envelope.event);
  }

  private startIncarnation(cell: ActorCell): void {
    const id = cell.spec.id;
    let self: AnyActorRef | undefined;
    // Timers of a stopped or replaced incarnation may still fire: what they send goes nowhere,
    // as a crashed process sends nothing.
    const current = () => self !== undefined && this.cells.get(id)?.ref === self;
    const context: ActorContext = {
      id,
      node: cell.node,
      clock: this.clock,
      random: this.random,
      send: (to, event) => {
        if (current()) this.send(id, to, event);
      },
      spawnChild: (spec) => {
        // Deferred to a microtask: a child started inside the parent's action would run its own
        // initial actions while XState still thinks it is in the parent's (and warns). Anything
        // the parent sends the child travels through the transport, so it arrives after this.
        queueMicrotask(() => {
          if (current() && !this.cells.has(spec.id)) this.spawn({ ...spec, parent: id });
        });
      },
      stop: (target) => this.stop(target),
    };
    const input: ActorInput = { actor: context, input: cell.spec.input };
    const ref = createActor(cell.spec.logic, { id, input, clock: this.xstateClock });
    cell.ref = ref;
    self = ref;
    ref.subscribe({
      next: (snapshot: { value?: unknown; status?: string }) => {
        if (cell.ref !== ref || snapshot.value === undefined) return;
        const value = JSON.stringify(snapshot.value);
        if (value === cell.lastValue) return;
        cell.lastValue = value;
        this.emit({ kind: 'state', atMs: this.clock.nowMs(), actor: id, value });
      },
      error: (error: unknown) => {
        if (cell.ref === ref) this.onFailure(cell, error);
      },
    });
    ref.start();
  }

  private onFailure(cell: ActorCell, error: unknown): void {
    const id = cell.spec.id;
    const nowMs = this.clock.nowMs();
    cell.ref = undefined;
    cell.lastValue = undefined;
    this.emit({ kind: 'failure', atMs: nowMs, actor: id, error: describe(error) });
    // Children of a failed actor go with it; the restarted incarnation spawns its own.
    for (const child of [...cell.children]) this.stop(child);
    const delay = restartDecision(cell.strategy, cell.restartTimes, nowMs);
    const restartAtMs = delay === undefined ? undefined : nowMs + delay;
    this.notifyParent(cell, { type: 'actor.failed', id, error, restartAtMs });
    if (delay === undefined) {
      const restarts = cell.restartTimes.length;
      if (cell.strategy.restart !== 'never') this.emit({ kind: 'gave-up', atMs: nowMs, actor: id });
      this.cells.delete(id);
      if (cell.spec.parent !== undefined) this.cells.get(cell.spec.parent)?.children.delete(id);
      this.notifyParent(cell, { type: 'actor.gaveUp', id, error, restarts });
      if (cell.spec.parent === undefined) this.onUnsupervisedFailure?.(id, error);
      return;
    }
    cell.restartTimer = this.clock.setTimer(delay, () => {
      cell.restartTimer = undefined;
      if (this.cells.get(id) !== cell) return;
      cell.restartTimes.push(this.clock.nowMs());
      this.emit({ kind: 'restart', atMs: this.clock.nowMs(), actor: id, attempt: cell.restartTimes.length });
      this.startIncarnation(cell);
      this.notifyParent(cell, { type: 'actor.restarted', id, restarts: cell.restartTimes.length });
    });
  }

  /** Supervision events go straight to the parent on the same node, not over the network. */
  private notifyParent(cell: ActorCell, event: SupervisionEvent): void {
    if (cell.spec.parent === undefined) return;
    const parentRef = this.cells.get(cell.spec.parent)?.ref;
    if (parentRef === undefined) return;
    queueMicrotask(() => {
      if (this.cells.get(cell.spec.parent!)?.ref === parentRef) parentRef.send(event);
    });
  }

  private emit(event: Parameters<Inspector>[0]): void {
    this.inspect?.(event);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
