/**
 * One application instance of a SimulatedCluster: a group of StreamThreads, each on its own actor
 * node with its own EmbeddedLogClient there, as StreamsApp runs them in production. An instance
 * can crash (its nodes stop: nothing committed, closed or left; its in-memory stores are gone, so
 * whoever takes its tasks restores them from their changelogs), shut down cleanly, and come back
 * as a new incarnation on fresh nodes. A thread whose loop fails is replaced, as StreamsApp's
 * `replace-thread` policy does. It can also be replaced while it still runs (`replaceLeavingZombies`):
 * the new incarnation takes its identity, and the old threads go on as zombies until killed.
 */
import type { Topology } from '../../dsl/topology.js';
import { EmbeddedLogClient } from '../../log/client/embedded-log-client.js';
import type { NodeId, Simulation } from '../../runtime/actor/index.js';
import { StreamThread, type StreamThreadOptions } from '../../runtime/streams/stream-thread.js';

/**
 * How an instance's threads run.
 *
 * @example
 * ```ts
 * const config: InstanceConfig = { applicationId: 'wordcount', topology, threads: 1, processingGuarantee: 'exactly_once_v2', commitIntervalMs: 100 };
 * ```
 */
export interface InstanceConfig {
  readonly applicationId: string;
  readonly topology: Topology;
  readonly threads: number;
  readonly processingGuarantee: 'exactly_once_v2' | 'at_least_once';
  readonly commitIntervalMs: number;
  /** Standby replicas, warmups, probing rebalances (KIP-441). */
  readonly assignor?: StreamThreadOptions['assignor'];
}

/** A running thread and the promise of its loop. */
interface RunningThread {
  readonly threadId: string;
  readonly thread: StreamThread;
  readonly node: NodeId;
  readonly client: EmbeddedLogClient;
  done: Promise<void>;
}

/**
 * One instance (a process) of the application.
 *
 * @example
 * ```ts
 * const instance = new SimulatedInstance(sim, 'i1', config, (line) => log.push(line), deadNodes);
 * instance.start();
 * await sim.runFor(5000);
 * instance.crash(); // its nodes are gone and added to `deadNodes`, for the network to silence
 * instance.start(); // a new incarnation
 * ```
 */
export class SimulatedInstance {
  private threads: RunningThread[] = [];
  /** Threads of a replaced incarnation that still run (see replaceLeavingZombies). */
  private zombies: RunningThread[] = [];
  private incarnation = 0;
  private threadCount = 0;
  /** Set while the instance runs (between start and crash/shutdown). */
  running = false;
  /** Set by a clean shutdown: the instance left for good. */
  cleanlyStopped = false;

  constructor(
    private readonly sim: Simulation,
    readonly id: string,
    private readonly config: InstanceConfig,
    private readonly log: (line: string) => void,
    /** Nodes of stopped threads, shared by the cluster: whatever their leftover promises send is lost. */
    private readonly deadNodes: Set<NodeId>,
  ) {}

  /** The prefix of every node of this instance (all incarnations). */
  get nodePrefix(): string {
    return `${this.config.applicationId}-${this.id}.`;
  }

  /** The nodes of the current incarnation. */
  get nodes(): NodeId[] {
    return this.threads.map((t) => t.node);
  }

  /** The live threads (for metrics and task placement). */
  get streamThreads(): StreamThread[] {
    return this.threads.map((t) => t.thread);
  }

  /** Starts a new incarnation with fresh threads on fresh nodes. */
  start(): void {
    this.incarnation++;
    this.running = true;
    for (let n = 0; n < this.config.threads; n++) this.startThread();
  }

  /**
   * Starts a new incarnation whose threads take the current ones' ids (so their transactional ids)
   * while the current threads go on: they become zombies, which the caller cuts off and later
   * kills (`killZombies`). Returns the zombies' nodes.
   *
   * @example
   * ```ts
   * const zombieNodes = instance.replaceLeavingZombies();
   * ```
   */
  replaceLeavingZombies(): NodeId[] {
    const old = this.threads;
    this.threads = [];
    this.zombies.push(...old);
    this.incarnation++;
    this.running = true;
    for (const t of old) this.startThread(t.threadId);
    return old.map((t) => t.node);
  }

  /**
   * Kills the zombies of replaced incarnations (kill -9).
   *
   * @example
   * ```ts
   * instance.killZombies();
   * ```
   */
  killZombies(): void {
    const zombies = this.zombies;
    this.zombies = [];
    for (const z of zombies) this.silence(z);
  }

  private startThread(reuseId?: string): void {
    const c = this.config;
    // A thread id per thread ever started: each has its own transactional id, as StreamsApp's
    // replacement threads do, so a restarted instance does not rely on fencing by id. Only a
    // replacement that leaves zombies reuses ids: fencing by id is then what it tests.
    const threadId = reuseId ?? `${this.id}-${++this.threadCount}`;
    const node = `${this.nodePrefix}${this.incarnation}-t${reuseId === undefined ? this.threadCount : threadId}`;
    const client = new EmbeddedLogClient(this.sim.system, { node, requestTimeoutMs: 1000 });
    const thread = new StreamThread({
      applicationId: c.applicationId,
      threadId,
      topology: c.topology,
      client,
      clock: this.sim.clock,
      random: this.sim.random.fork(),
      stateDir: `/simulated/${this.id}`,
      processingGuarantee: c.processingGuarantee,
      commitIntervalMs: c.commitIntervalMs,
      storeEngine: 'memory',
      // One process per incarnation: a crashed instance's state is gone, as with a new state dir.
      processId: `${this.id}.${this.incarnation}`,
      threadCount: c.threads,
      ...(c.assignor === undefined ? {} : { assignor: c.assignor }),
    });
    const running: RunningThread = { threadId, thread, node, client, done: Promise.resolve() };
    running.done = thread.run().then(
      () => undefined,
      (error: unknown) => this.onThreadFailed(running, error),
    );
    this.threads.push(running);
  }

  /** A thread's loop failed: note it and replace the thread (unless the instance is going away). */
  private onThreadFailed(running: RunningThread, error: unknown): void {
    if (this.zombies.includes(running)) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      this.log(`instance ${this.id}: the zombie thread on ${running.node} failed (${message})`);
      this.zombies.splice(this.zombies.indexOf(running), 1);
      this.silence(running);
      return;
    }
    if (!this.threads.includes(running)) return;
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.log(`instance ${this.id}: the thread on ${running.node} failed (${message}); replaced`);
    this.threads.splice(this.threads.indexOf(running), 1);
    this.silence(running);
    if (this.running) this.startThread();
  }

  /** Stops a thread's node and loop: nothing it still has in flight may reach anyone. */
  private silence(running: RunningThread): void {
    this.deadNodes.add(running.node);
    running.thread.shutdown();
    this.sim.system.stopNode(running.node);
  }

  /** kill -9: every node stops at once; nothing is committed, closed or left. */
  crash(): void {
    this.running = false;
    this.killZombies();
    const threads = this.threads;
    this.threads = [];
    for (const t of threads) this.silence(t);
  }

  /**
   * A clean shutdown: every thread commits, closes its tasks and leaves the group. Resolves when
   * they are done (the simulation must be running for that).
   */
  async shutdown(): Promise<void> {
    this.running = false;
    this.cleanlyStopped = true;
    this.killZombies();
    const threads = this.threads;
    for (const t of threads) t.thread.shutdown();
    await Promise.allSettled(threads.map((t) => t.done));
    for (const t of threads) {
      await t.thread.close().catch(() => undefined);
      t.client.close();
    }
    this.threads = this.threads.filter((t) => !threads.includes(t));
    for (const t of threads) {
      this.deadNodes.add(t.node);
      this.sim.system.stopNode(t.node);
    }
  }
}
