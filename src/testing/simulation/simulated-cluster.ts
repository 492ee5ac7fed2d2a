/**
 * SimulatedCluster (DESIGN.md §4, §9): the brokers, coordinators and stream threads of one
 * application in one thread, under a seeded scheduler and a virtual clock, running the same code as
 * production — EmbeddedCluster's actors and StreamThread — with in-memory disks and stores. Faults
 * (crashes, clean restarts, stalls, broker kills with lost writes, isolation, slow links) are
 * plain data (see faults.ts), so a property test can generate, shrink and replay them; the whole
 * run is a function of the seed and the schedule, which `traceHash()` proves.
 *
 * The parts live beside it: cluster-startup.ts (brokers and topics), fault-injector.ts (applying
 * and healing faults), input-loader.ts (writing the input), cluster-snapshot.ts (reading back what
 * a run left), cluster-status.ts (threads and tasks in words), cluster-types.ts (the options and
 * the snapshot).
 */
import type { EmbeddedCluster } from '../../log/broker/embedded-cluster.js';
import type { EmbeddedLogClient } from '../../log/client/embedded-log-client.js';
import type { GroupDescription } from '../../log/coordinator/group-requests.js';
import type { Simulation } from '../../runtime/actor/index.js';
import { SnapshotReader } from './cluster-snapshot.js';
import { type ClusterParts, startBrokersAndTopics } from './cluster-startup.js';
import { describeThreads, taskPlacement } from './cluster-status.js';
import type {
  ClusterSnapshot,
  InputRecord,
  PartitionOffsets,
  RenderedRecord,
  SimulatedClusterOptions,
} from './cluster-types.js';
import { FaultInjector } from './fault-injector.js';
import type { Fault, ScheduledFault } from './faults.js';
import { InputLoader } from './input-loader.js';
import { settle } from './simulated-brokers.js';
import { SimulatedInstance } from './simulated-instance.js';

export type {
  ClusterSnapshot,
  InputRecord,
  PartitionOffsets,
  RenderedRecord,
  SimulatedClusterOptions,
} from './cluster-types.js';

/**
 * A simulated cluster running one streams application.
 *
 * @example
 * ```ts
 * const cluster = await SimulatedCluster.start({ seed: 7, topology: wordCount(), instances: 2 });
 * cluster.produce(lines.map((line, i) => ({ topic: 'lines', key: `l${i}`, value: line })), 3000);
 * await cluster.runFor(1000);
 * cluster.apply({ kind: 'crashInstance', instance: 0, restartAfterMs: 2000 });
 * await cluster.runFor(5000);
 * await cluster.quiesce();
 * const { outputs, stores, offsets } = await cluster.snapshot();
 * console.log(cluster.traceHash());
 * cluster.stop();
 * ```
 * @throws from `start`: ConfigError for bad settings, TopologyError for a topology that cannot run.
 */
export class SimulatedCluster {
  /** What happened, in words: faults, restarts, failed threads, failed input writes. */
  readonly log: string[] = [];
  readonly applicationId: string;
  readonly sim: Simulation;
  readonly cluster: EmbeddedCluster;
  readonly client: EmbeddedLogClient;
  /** User topics the application reads, and those it writes. */
  readonly inputTopics: readonly string[];
  readonly outputTopics: readonly string[];
  private readonly instances: SimulatedInstance[] = [];
  private instanceCount = 0;
  private readonly pending = new Set<Promise<unknown>>();
  private readonly faults: FaultInjector;
  private readonly input: InputLoader;
  private readonly reader: SnapshotReader;
  private startedAtMs: number;

  private constructor(
    parts: ClusterParts,
    private readonly options: SimulatedClusterOptions,
  ) {
    this.sim = parts.sim;
    this.cluster = parts.cluster;
    this.client = parts.client;
    this.inputTopics = parts.inputTopics;
    this.outputTopics = parts.outputTopics;
    this.applicationId = options.applicationId ?? 'app';
    this.startedAtMs = this.sim.clock.nowMs();
    this.faults = new FaultInjector(this.sim, this.cluster, parts.disks, options.network, {
      live: () => this.live(),
      addInstance: () => this.addInstance(),
      restartInstance: (i) => this.restartInstance(i),
      track: (p) => this.track(p),
      note: (line) => this.note(line),
    });
    this.input = new InputLoader(this.sim, parts.loader, (line) => this.note(line));
    this.reader = new SnapshotReader(parts, this.applicationId);
    const count = options.instances ?? 2;
    for (let i = 0; i < count; i++) this.addInstance();
  }

  /**
   * Starts the brokers, creates the application's topics (user topics and internal ones, as
   * StreamsApp would) and starts the instances; resolves once every thread runs.
   *
   * @example
   * ```ts
   * const cluster = await SimulatedCluster.start({ seed: 7, topology: wordCount(), brokers: 3 });
   * ```
   * @throws an Error with every thread's state when the application does not start in 360 s.
   */
  static async start(options: SimulatedClusterOptions): Promise<SimulatedCluster> {
    const parts = await startBrokersAndTopics(options);
    const simulated = new SimulatedCluster(parts, options);
    const sim = parts.sim;
    // Fault times count from a running application: every first thread has joined and has tasks
    // (within the longest wait of the group protocol, a lost JoinGroup answer's 305 s).
    await sim
      .runUntil(() => simulated.allRunning(), 360_000)
      .catch((error: unknown) => {
        throw new Error(
          `the application did not start: ${error instanceof Error ? error.message : String(error)}\nthreads:\n${simulated.describeThreads().join('\n')}`,
        );
      });
    simulated.startedAtMs = sim.clock.nowMs();
    simulated.note('the application is running');
    return simulated;
  }

  /** Whether every live instance's every thread is running. */
  private allRunning(): boolean {
    return this.live().every((i) => i.streamThreads.every((t) => t.state === 'running'));
  }

  /** Virtual milliseconds since the application started. */
  get elapsedMs(): number {
    return this.sim.clock.nowMs() - this.startedAtMs;
  }

  /** Runs the simulation for `ms` of virtual time. */
  runFor(ms: number): Promise<void> {
    return this.sim.runFor(ms);
  }

  /** The hash of everything that happened so far: equal for two runs of one seed and schedule. */
  traceHash(): string {
    return this.sim.trace.hash();
  }

  /** The actor trace so far (its first lines) and the cluster's log, for a failure report. */
  traceText(): string {
    return `# log\n${this.log.join('\n')}\n# trace (hash ${this.traceHash()}, ${this.sim.trace.size} events)\n${this.sim.trace.text()}`;
  }

  /** The active tasks of each live instance, by instance id. */
  taskPlacement(): Map<string, string[]> {
    return taskPlacement(this.instances);
  }

  /** Commits of the live threads (a crashed thread's count goes with it). */
  get commits(): number {
    return this.instances.reduce((n, i) => n + i.streamThreads.reduce((m, t) => m + t.metrics.commits, 0), 0);
  }

  private note(line: string): void {
    this.log.push(`[${this.elapsedMs} ms] ${line}`);
  }

  /**
   * Writes `records` to their topics, spread evenly over the next `spreadOverMs` of virtual time
   * (so that faults land while input still arrives), with an idempotent producer. Returns at once;
   * `quiesce` waits for the writes.
   */
  produce(records: readonly InputRecord[], spreadOverMs = 0): void {
    this.input.produce(records, spreadOverMs);
  }

  /** Adds an instance (it joins the group: a rebalance); returns its id. */
  addInstance(): string {
    const o = this.options;
    const instance = new SimulatedInstance(
      this.sim,
      `i${++this.instanceCount}`,
      {
        applicationId: this.applicationId,
        topology: o.topology,
        threads: o.threadsPerInstance ?? 1,
        processingGuarantee: o.processingGuarantee ?? 'exactly_once_v2',
        commitIntervalMs: o.commitIntervalMs ?? 100,
        ...(o.assignor === undefined ? {} : { assignor: o.assignor }),
      },
      (line) => this.note(line),
      this.faults.deadNodes,
    );
    this.instances.push(instance);
    instance.start();
    return instance.id;
  }

  private live(): SimulatedInstance[] {
    return this.instances.filter((i) => i.running);
  }

  /** Applies a fault now (indexes pick among the instances or brokers alive now). */
  apply(fault: Fault): void {
    this.faults.apply(fault);
  }

  private track(promise: Promise<unknown>): void {
    const p = promise.catch((error: unknown) => this.note(`failed: ${String(error)}`));
    this.pending.add(p);
    void p.then(() => this.pending.delete(p));
  }

  private restartInstance(instance: SimulatedInstance): void {
    if (instance.running) return;
    this.note(`instance ${instance.id} restarts`);
    instance.start();
  }

  /**
   * Runs a fault schedule: each fault at its `atMs` (virtual ms after the application started),
   * then on until `untilMs` when given.
   */
  async runSchedule(schedule: readonly ScheduledFault[], untilMs?: number): Promise<void> {
    const sorted = [...schedule].sort((a, b) => a.atMs - b.atMs);
    for (const { atMs, fault } of sorted) {
      if (atMs > this.elapsedMs) await this.runFor(atMs - this.elapsedMs);
      this.apply(fault);
    }
    if (untilMs !== undefined && untilMs > this.elapsedMs) await this.runFor(untilMs - this.elapsedMs);
  }

  /**
   * Ends every fault and lets the application finish its work: the network heals, brokers and
   * crashed instances come back (an instance is added if none is left), the input is written, and
   * the simulation runs until no transaction is open anywhere and every partition the application
   * consumes has its committed offset past its last record.
   *
   * @throws an Error naming the partitions still behind when that does not happen within `maxMs`
   * of virtual time (a liveness failure).
   */
  async quiesce(maxMs = 360_000): Promise<void> {
    this.note('quiesce: heal everything, restart what is down');
    // Zombies left are killed first: the orchestrator that replaced them gets to it at last.
    for (const i of this.instances) i.killZombies();
    this.faults.heal();
    for (const i of this.instances) {
      // Removed instances stay away; crashed ones come back.
      if (!i.running && !i.cleanlyStopped) this.restartInstance(i);
    }
    if (this.live().length === 0) this.note(`no instance left: added ${this.addInstance()}`);
    await this.reader.runUntilCaughtUp(Promise.all([this.input.done, ...this.pending]), maxMs, () =>
      this.describeThreads(),
    );
    this.note('quiesced');
  }

  /** Each live thread's state, tasks and counters, in words (for a failure report). */
  describeThreads(): string[] {
    return describeThreads(this.instances);
  }

  /** LSO and HW of every partition; committed offset and unprocessed records of every consumed one. */
  offsets(): Promise<PartitionOffsets[]> {
    return this.reader.offsets();
  }

  /** read_committed records of `topic`, by `topic-partition`. */
  read(topic: string): Promise<Map<string, RenderedRecord[]>> {
    return this.reader.read(topic);
  }

  /** Every changelogged store's contents, folded from its read_committed changelog. */
  stores(): Promise<Map<string, Map<string, string>>> {
    return this.reader.stores();
  }

  /** Outputs, inputs, stores and offsets, for the checker (after `quiesce`). */
  snapshot(): Promise<ClusterSnapshot> {
    return this.reader.snapshot();
  }

  /**
   * Shuts every live instance down cleanly (each thread commits, closes its tasks and leaves the
   * group) and runs the simulation until they are done, as stopping the application would.
   */
  async shutdown(maxMs = 60_000): Promise<void> {
    for (const i of this.live()) {
      this.note(`shut ${i.id} down cleanly`);
      this.track(i.shutdown());
    }
    await settle(this.sim, Promise.all([...this.pending]), maxMs);
  }

  /** The application's consumer group as its coordinator describes it (members, state, generation). */
  group(): Promise<GroupDescription> {
    return this.reader.group();
  }

  /** Stops every actor at once; the simulation is not to be run again. */
  stop(): void {
    for (const i of this.instances) i.crash();
    this.client.close();
    this.cluster.stop();
  }
}
