/**
 * One application instance of a SimulatedCluster: a group of StreamThreads, each on its own actor
 * node with its own EmbeddedLogClient there, as StreamsApp runs them in production. An instance
 * can crash (its nodes stop: nothing committed, closed or left; its in-memory stores are gone, so
 * whoever takes its tasks restores them from their changelogs), shut down cleanly, and come back
 * as a new incarnation on fresh nodes. A thread whose loop fails is replaced, as StreamsApp's
 * `replace-thread` policy does.
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

  private startThread(): void {
    const c = this.config;
    // A thread id per thread ever started: each has its own transactional id, as StreamsApp's
    // replacement threads do, so a restarted instance does not rely on fencing by id.
    const threadId = `${this.id}-${++this.threadCount}`;
    const node = `${this.nodePrefix}${this.incarnation}-t${this.threadCount}`;
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
    const running: RunningThread = { thread, node, client, done: Promise.resolve() };
    running.done = thread.run().then(
      () => undefined,
      (error: unknown) => this.onThreadFailed(running, error),
    );
    this.threads.push(running);
  }

  /** A thread's loop failed: note it and replace the thread (unless the instance is going away). */
  private onThreadFailed(running: RunningThread, error: unknown): void {
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
