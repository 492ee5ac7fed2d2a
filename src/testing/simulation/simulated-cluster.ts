/**
 * SimulatedCluster (DESIGN.md §4, §9): the brokers, coordinators and stream threads of one
 * application in one thread, under a seeded scheduler and a virtual clock, running the same code as
 * production — EmbeddedCluster's actors and StreamThread — with in-memory disks and stores. Faults
 * (crashes, clean restarts, stalls, broker kills with lost writes, isolation, slow links) are
 * plain data (see faults.ts), so a property test can generate, shrink and replay them; the whole
 * run is a function of the seed and the schedule, which `traceHash()` proves.
 */

import { TopicAlreadyExistsError } from '../../common/kafka-errors.js';
import type { Topology } from '../../dsl/topology.js';
import type { BrokerSettings } from '../../log/broker/broker-settings.js';
import type { CreateTopicRequest } from '../../log/broker/controller-state.js';
import type { EmbeddedCluster } from '../../log/broker/embedded-cluster.js';
import { Admin } from '../../log/client/admin.js';
import type { EmbeddedLogClient } from '../../log/client/embedded-log-client.js';
import { Producer } from '../../log/client/producer/producer.js';
import type { MemoryStorageFs } from '../../log/storage/fs/memory-storage-fs.js';
import {
  type NetworkFaults,
  type NodeId,
  nodeOfId,
  RELIABLE_NETWORK,
  type Simulation,
  type TimerHandle,
} from '../../runtime/actor/index.js';
import { planInternalTopics } from '../../runtime/streams/internal-topics.js';
import { changelogTopicName } from '../../state-stores/changelog/changelog-topic.js';
import { describeFault, type Fault, type ScheduledFault } from './faults.js';
import { readPartitionBytes, retrying } from './read-partition.js';
import { renderBytes } from './render.js';
import { settle, simulatedBrokers } from './simulated-brokers.js';
import { type InstanceConfig, SimulatedInstance } from './simulated-instance.js';

/**
 * How to set a simulated cluster up.
 *
 * @example
 * ```ts
 * const options: SimulatedClusterOptions = { seed: 7, topology, brokers: 3, partitions: 3, instances: 2 };
 * ```
 */
export interface SimulatedClusterOptions {
  readonly seed: number;
  readonly topology: Topology;
  /** Default 'app'. */
  readonly applicationId?: string;
  /** Default 1. */
  readonly brokers?: number;
  /** Partitions of every user topic (sources and sinks), or per topic. Default 3. */
  readonly partitions?: number | Readonly<Record<string, number>>;
  /** Default min(brokers, 3); min.insync.replicas is 2 from 3 replicas on. */
  readonly replicationFactor?: number;
  /** Instances at the start. Default 2. */
  readonly instances?: number;
  /** Stream threads per instance. Default 1. */
  readonly threadsPerInstance?: number;
  /** Default exactly_once_v2. */
  readonly processingGuarantee?: 'exactly_once_v2' | 'at_least_once';
  /** Default 100 ms. */
  readonly commitIntervalMs?: number;
  /** Standby replicas, warmups, probing rebalances (KIP-441), e.g. `{ numStandbyReplicas: 1 }`. */
  readonly assignor?: InstanceConfig['assignor'];
  /** The network when no fault slows it. Default: 1–5 ms per message, no loss. */
  readonly network?: Partial<NetworkFaults>;
  /** Broker settings over FAST_BROKER_SETTINGS. */
  readonly brokerSettings?: Partial<BrokerSettings>;
}

/**
 * A record to write to an input topic; strings are written as UTF-8.
 *
 * @example
 * ```ts
 * const r: InputRecord = { topic: 'lines', key: 'l1', value: 'to be or not to be' };
 * ```
 */
export interface InputRecord {
  readonly topic: string;
  readonly key: string | Uint8Array | null;
  readonly value: string | Uint8Array | null;
  /** By the default partitioner (murmur2 of the key) when absent. */
  readonly partition?: number;
  /** Default: the record's index in its `produce` call. */
  readonly timestamp?: number;
}

/**
 * A record as the checker compares it: key and value rendered (UTF-8 text as a JSON string,
 * other bytes as `hex:…`, null as `null`).
 *
 * @example
 * ```ts
 * const r: RenderedRecord = { key: '"alpha"', value: '"3"', timestamp: 12 };
 * ```
 */
export interface RenderedRecord {
  readonly key: string;
  readonly value: string;
  readonly timestamp: number;
}

/**
 * Where a partition stands: its last stable offset and high watermark, and for a partition the
 * application consumes, the group's committed offset and how many committed data records lie
 * past it (0 once everything is processed; control records do not count).
 *
 * @example
 * ```ts
 * const o: PartitionOffsets = { topic: 'lines', partition: 0, lso: 40, hw: 40, committed: 40, unprocessed: 0 };
 * ```
 */
export interface PartitionOffsets {
  readonly topic: string;
  readonly partition: number;
  readonly lso: number;
  readonly hw: number;
  readonly committed?: number;
  readonly unprocessed?: number;
}

/**
 * What a run left behind, as the checker compares it.
 *
 * @example
 * ```ts
 * const snapshot = await cluster.snapshot();
 * snapshot.outputs.get('word-counts-0'); // [{ key: '"alpha"', value: '"1"', timestamp: 0 }, …]
 * ```
 */
export interface ClusterSnapshot {
  /** read_committed records of every user output topic, by `topic-partition`. */
  readonly outputs: ReadonlyMap<string, readonly RenderedRecord[]>;
  /** read_committed records of every user input topic, by `topic-partition` (to tell lost input from lost output). */
  readonly inputs: ReadonlyMap<string, readonly RenderedRecord[]>;
  /**
   * Every changelogged store's contents as its read_committed changelog folds them (last value per
   * key; a tombstone deletes), by `store/partition` (the partition is the task's).
   */
  readonly stores: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** Every partition of every topic of the application. */
  readonly offsets: readonly PartitionOffsets[];
}

const DEFAULT_PARTITIONS = 3;

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
  private readonly instances: SimulatedInstance[] = [];
  /** Nodes of crashed or stopped threads. */
  private readonly deadNodes = new Set<NodeId>();
  private instanceCount = 0;
  private readonly downBrokers = new Set<number>();
  private readonly isolatedBrokers = new Set<number>();
  private readonly stalled = new Set<SimulatedInstance>();
  private readonly faultTimers = new Set<TimerHandle>();
  private readonly pending = new Set<Promise<unknown>>();
  private loading: Promise<void> = Promise.resolve();
  private slowUntilMs = 0;
  private readonly baseNetwork: Partial<NetworkFaults>;
  private startedAtMs: number;

  private constructor(
    readonly sim: Simulation,
    readonly cluster: EmbeddedCluster,
    readonly client: EmbeddedLogClient,
    private readonly disks: Map<number, MemoryStorageFs>,
    private readonly options: SimulatedClusterOptions,
    /** User topics the application reads, and those it writes. */
    readonly inputTopics: readonly string[],
    readonly outputTopics: readonly string[],
    /** Every topic of the application with its partition count. */
    private readonly topics: ReadonlyMap<string, number>,
    /** The topics its tasks consume (user sources and repartition topics), log names. */
    private readonly sourceTopics: readonly string[],
    /** Changelog topic of each logged store. */
    private readonly changelogs: ReadonlyMap<string, string>,
    private readonly loader: Producer,
  ) {
    this.applicationId = options.applicationId ?? 'app';
    this.baseNetwork = { ...RELIABLE_NETWORK, ...options.network };
    this.startedAtMs = sim.clock.nowMs();
    // One rule silences crashed processes' leftovers and cuts isolated nodes off, both ways.
    sim.network.setDropRule((e) =>
      this.cut(e.from === undefined ? undefined : nodeOfId(e.from), nodeOfId(e.to)),
    );
    const count = options.instances ?? 2;
    for (let i = 0; i < count; i++) this.addInstance();
  }

  /**
   * Starts the brokers, creates the application's topics (user topics and internal ones, as
   * StreamsApp would) and starts the instances.
   */
  static async start(options: SimulatedClusterOptions): Promise<SimulatedCluster> {
    const brokers = options.brokers ?? 1;
    const { sim, cluster, client, disks } = simulatedBrokers(
      options.seed,
      brokers,
      options.network ?? {},
      options.brokerSettings ?? {},
    );
    const applicationId = options.applicationId ?? 'app';
    const topology = options.topology;
    const rf = options.replicationFactor ?? Math.min(brokers, 3);
    const config = rf >= 3 ? { minInsyncReplicas: 2 } : {};
    const internal = new Set(topology.internalTopics.map((t) => t.name));
    const inputTopics = [...new Set(topology.subTopologies.flatMap((s) => s.sourceTopics))].filter(
      (t) => !internal.has(t),
    );
    const outputTopics = [
      ...new Set(
        [...topology.nodes.values()].flatMap((n) =>
          n.type === 'sink' && typeof n.topic === 'string' && !internal.has(n.topic) ? [n.topic] : [],
        ),
      ),
    ].filter((t) => !inputTopics.includes(t));
    const partitionsOf = (topic: string) => {
      const p = options.partitions ?? DEFAULT_PARTITIONS;
      return typeof p === 'number' ? p : (p[topic] ?? DEFAULT_PARTITIONS);
    };
    const topics = new Map<string, number>();
    const requests: CreateTopicRequest[] = [];
    for (const name of [...inputTopics, ...outputTopics]) {
      topics.set(name, partitionsOf(name));
      requests.push({ name, partitions: partitionsOf(name), replicationFactor: rf, config });
    }
    const plan = planInternalTopics(
      topology,
      applicationId,
      new Map(inputTopics.map((t) => [t, partitionsOf(t)])),
      rf,
    );
    for (const t of plan.topics) {
      topics.set(t.name, t.partitions);
      requests.push({ ...t, config: { ...t.config, ...config } });
    }
    await sim.runFor(500);
    await settle(sim, cluster.whenReady());
    for (const r of requests)
      await settle(
        sim,
        // A retry after a lost answer finds the topic made: that is success.
        retrying(sim, () =>
          client.createTopic(r).catch((error: unknown) => {
            if (!(error instanceof TopicAlreadyExistsError)) throw error;
          }),
        ),
      );
    await sim.runFor(500);
    const repartition = topology.internalTopics
      .filter((t) => t.purpose === 'repartition')
      .map((t) => `${applicationId}-${t.name}`);
    const changelogs = new Map<string, string>();
    for (const def of topology.stores.values()) {
      if (def.changelog && def.global !== true)
        changelogs.set(def.name, changelogTopicName(applicationId, def.name));
    }
    const loader = new Producer(client, sim.clock, sim.random.fork(), { lingerMs: 2, acks: 'all' });
    const simulated = new SimulatedCluster(
      sim,
      cluster,
      client,
      disks,
      options,
      inputTopics,
      outputTopics,
      topics,
      [...inputTopics, ...repartition],
      changelogs,
      loader,
    );
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
    const out = new Map<string, string[]>();
    for (const i of this.instances) {
      if (i.running)
        out.set(
          i.id,
          i.streamThreads.flatMap((t) => t.activeTaskIds()),
        );
    }
    return out;
  }

  /** Commits of the live threads (a crashed thread's count goes with it). */
  get commits(): number {
    return this.instances.reduce((n, i) => n + i.streamThreads.reduce((m, t) => m + t.metrics.commits, 0), 0);
  }

  private note(line: string): void {
    this.log.push(`[${this.elapsedMs} ms] ${line}`);
  }

  /** Whether a message from `from` to `to` is lost to a crash or an isolation. */
  private cut(from: NodeId | undefined, to: NodeId): boolean {
    if (from !== undefined && this.deadNodes.has(from)) return true;
    for (const i of this.stalled) {
      if (to.startsWith(i.nodePrefix) || from?.startsWith(i.nodePrefix) === true) return true;
    }
    for (const b of this.isolatedBrokers) {
      const node = `broker-${b}`;
      if (from === node || to === node) return true;
    }
    return false;
  }

  /**
   * Writes `records` to their topics, spread evenly over the next `spreadOverMs` of virtual time
   * (so that faults land while input still arrives), with an idempotent producer. Returns at once;
   * `quiesce` waits for the writes.
   */
  produce(records: readonly InputRecord[], spreadOverMs = 0): void {
    const previous = this.loading;
    this.loading = (async () => {
      await previous;
      const gapMs = records.length > 0 ? spreadOverMs / records.length : 0;
      let due = this.sim.clock.nowMs();
      for (const [i, r] of records.entries()) {
        due += gapMs;
        const wait = Math.round(due - this.sim.clock.nowMs());
        if (wait > 0) await new Promise<void>((resolve) => this.sim.clock.setTimer(wait, resolve));
        await this.loader.append(
          {
            topic: r.topic,
            key: bytes(r.key),
            value: bytes(r.value),
            timestamp: r.timestamp ?? i,
            ...(r.partition === undefined ? {} : { partition: r.partition }),
          },
          (error) => {
            if (error !== null)
              this.note(`input record ${i} to ${r.topic} was not written: ${error.message}`);
          },
        );
      }
      await this.loader.flush();
    })().catch((error: unknown) => this.note(`writing the input failed: ${String(error)}`));
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
      this.deadNodes,
    );
    this.instances.push(instance);
    instance.start();
    return instance.id;
  }

  private live(): SimulatedInstance[] {
    return this.instances.filter((i) => i.running);
  }

  private liveBrokers(): number[] {
    return this.cluster.brokerIds.filter((b) => !this.downBrokers.has(b));
  }

  private after(ms: number, action: () => void): void {
    const handle = this.sim.clock.setTimer(ms, () => {
      this.faultTimers.delete(handle);
      action();
    });
    this.faultTimers.add(handle);
  }

  /** Applies a fault now (indexes pick among the instances or brokers alive now). */
  apply(fault: Fault): void {
    const instances = this.live();
    const brokers = this.liveBrokers();
    const pick = <T>(list: readonly T[], index: number): T | undefined =>
      list.length === 0 ? undefined : list[index % list.length];
    const what = describeFault(fault);
    switch (fault.kind) {
      case 'crashInstance': {
        const victim = pick(instances, fault.instance);
        if (victim === undefined) {
          this.note(`${what}: skipped, no live instance`);
          return;
        }
        this.note(`${what} (${victim.id})`);
        this.stalled.delete(victim);
        victim.crash();
        if (fault.restartAfterMs !== undefined)
          this.after(fault.restartAfterMs, () => this.restartInstance(victim));
        return;
      }
      case 'addInstance': {
        this.note(`${what}: ${this.addInstance()}`);
        return;
      }
      case 'removeInstance': {
        const victim = pick(instances, fault.instance);
        if (victim === undefined) {
          this.note(`${what}: skipped, no live instance`);
          return;
        }
        this.note(`${what} (${victim.id})`);
        this.stalled.delete(victim);
        this.track(victim.shutdown());
        return;
      }
      case 'stallInstance': {
        const victim = pick(instances, fault.instance);
        if (victim === undefined) {
          this.note(`${what}: skipped, no live instance`);
          return;
        }
        this.note(`${what} (${victim.id})`);
        this.stalled.add(victim);
        this.after(fault.forMs, () => {
          this.stalled.delete(victim);
          this.note(`instance ${victim.id} resumes`);
        });
        return;
      }
      case 'killBroker': {
        const victim = pick(brokers, fault.broker);
        if (victim === undefined) {
          this.note(`${what}: skipped, no live broker`);
          return;
        }
        this.note(`${what} (broker ${victim})`);
        this.cluster.killBroker(victim);
        this.downBrokers.add(victim);
        if (fault.loseUnflushed) this.disks.get(victim)?.crash(this.sim.random);
        if (fault.restartAfterMs !== undefined)
          this.after(fault.restartAfterMs, () => this.restartBroker(victim));
        return;
      }
      case 'isolateBroker': {
        const victim = pick(brokers, fault.broker);
        if (victim === undefined) {
          this.note(`${what}: skipped, no live broker`);
          return;
        }
        this.note(`${what} (broker ${victim})`);
        this.isolatedBrokers.add(victim);
        this.after(fault.forMs, () => {
          this.isolatedBrokers.delete(victim);
          this.note(`broker ${victim} reachable again`);
        });
        return;
      }
      case 'delayMessages': {
        this.note(what);
        const minDelayMs = Math.min(fault.minMs, fault.maxMs);
        this.sim.network.setFaults({ ...this.baseNetwork, minDelayMs, maxDelayMs: fault.maxMs });
        this.slowUntilMs = Math.max(this.slowUntilMs, this.sim.clock.nowMs() + fault.forMs);
        this.after(fault.forMs, () => {
          if (this.sim.clock.nowMs() < this.slowUntilMs) return;
          this.sim.network.setFaults(this.baseNetwork);
          this.note('messages at normal speed again');
        });
        return;
      }
    }
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

  private restartBroker(broker: number): void {
    if (!this.downBrokers.delete(broker)) return;
    this.note(`broker ${broker} restarts`);
    this.cluster.startBroker(broker);
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
    for (const t of this.faultTimers) t.cancel();
    this.faultTimers.clear();
    this.isolatedBrokers.clear();
    this.stalled.clear();
    this.slowUntilMs = 0;
    this.sim.network.setFaults(this.baseNetwork);
    // Partitions made directly on `sim.network` heal too.
    this.sim.network.heal();
    for (const b of [...this.downBrokers]) this.restartBroker(b);
    for (const i of this.instances) {
      // Removed instances stay away; crashed ones come back.
      if (!i.running && !i.cleanlyStopped) this.restartInstance(i);
    }
    if (this.live().length === 0) this.note(`no instance left: added ${this.addInstance()}`);
    const deadline = this.sim.clock.nowMs() + maxMs;
    await settle(this.sim, Promise.all([this.loading, ...this.pending]), maxMs);
    let behind: string[] = [];
    while (this.sim.clock.nowMs() < deadline) {
      await this.runFor(1000);
      behind = await this.behind();
      if (behind.length === 0) {
        this.note('quiesced');
        return;
      }
    }
    throw new Error(
      `the application did not catch up within ${maxMs} ms: ${behind.join('; ')}\nthreads:\n${this.describeThreads().join('\n')}`,
    );
  }

  /** Each live thread's state, tasks and counters, in words (for a failure report). */
  describeThreads(): string[] {
    const out: string[] = [];
    for (const i of this.live()) {
      for (const [n, t] of i.streamThreads.entries()) {
        const m = t.metrics;
        out.push(
          `  ${i.id} ${i.nodes[n]}: ${t.state}, tasks [${t.activeTaskIds().join(', ')}], ${m.recordsIn} in, ${m.recordsOut} out, ${m.commits} commits, ${m.aborts} aborts${m.lastAbortReason === undefined ? '' : ` (last: ${m.lastAbortReason})`}`,
        );
      }
    }
    return out;
  }

  /** Partitions with an open transaction or unprocessed records, in words. */
  private async behind(): Promise<string[]> {
    const out: string[] = [];
    for (const o of await this.offsets()) {
      if (o.lso !== o.hw) out.push(`${o.topic}-${o.partition}: LSO ${o.lso} < HW ${o.hw}`);
      if ((o.unprocessed ?? 0) > 0)
        out.push(`${o.topic}-${o.partition}: ${o.unprocessed} records past committed offset ${o.committed}`);
    }
    return out;
  }

  /** LSO and HW of every partition; committed offset and unprocessed records of every consumed one. */
  async offsets(): Promise<PartitionOffsets[]> {
    const committed = new Map<string, number>();
    const lag = await settle(
      this.sim,
      retrying(this.sim, () => new Admin(this.client).groupLag(this.applicationId, this.sourceTopics)),
    );
    for (const l of lag) committed.set(`${l.topic}-${l.partition}`, l.committedOffset);
    const out: PartitionOffsets[] = [];
    for (const [topic, partitions] of [...this.topics].sort(([a], [b]) => a.localeCompare(b))) {
      for (let p = 0; p < partitions; p++) {
        const hw = await this.listOffset(topic, p, 'read_uncommitted');
        const lso = await this.listOffset(topic, p, 'read_committed');
        const c = committed.get(`${topic}-${p}`);
        if (c === undefined) {
          out.push({ topic, partition: p, lso, hw });
          continue;
        }
        // Control records (commit markers) may lie past the last processed record: count data only.
        const from = Math.max(0, c);
        const unprocessed =
          from >= lso
            ? 0
            : (await readPartitionBytes(this.sim, this.client, topic, p, 'read_committed', from)).length;
        out.push({ topic, partition: p, lso, hw, committed: c, unprocessed });
      }
    }
    return out;
  }

  private async listOffset(
    topic: string,
    partition: number,
    isolationLevel: 'read_committed' | 'read_uncommitted',
  ): Promise<number> {
    const r = await settle(
      this.sim,
      retrying(this.sim, () => this.client.listOffset(topic, partition, -1, isolationLevel)),
    );
    return r.offset;
  }

  /** read_committed records of `topic`, by `topic-partition`. */
  async read(topic: string): Promise<Map<string, RenderedRecord[]>> {
    const out = new Map<string, RenderedRecord[]>();
    for (let p = 0; p < (this.topics.get(topic) ?? 0); p++) {
      const records = await readPartitionBytes(this.sim, this.client, topic, p, 'read_committed');
      out.set(
        `${topic}-${p}`,
        records.map((r) => ({
          key: renderBytes(r.key),
          value: renderBytes(r.value),
          timestamp: r.timestamp,
        })),
      );
    }
    return out;
  }

  /** Every changelogged store's contents, folded from its read_committed changelog. */
  async stores(): Promise<Map<string, Map<string, string>>> {
    const out = new Map<string, Map<string, string>>();
    for (const [store, topic] of this.changelogs) {
      for (let p = 0; p < (this.topics.get(topic) ?? 0); p++) {
        const contents = new Map<string, string>();
        for (const r of await readPartitionBytes(this.sim, this.client, topic, p, 'read_committed')) {
          const key = renderBytes(r.key);
          if (r.value === null) contents.delete(key);
          else contents.set(key, renderBytes(r.value));
        }
        out.set(`${store}/${p}`, new Map([...contents].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
      }
    }
    return out;
  }

  /** Outputs, inputs, stores and offsets, for the checker (after `quiesce`). */
  async snapshot(): Promise<ClusterSnapshot> {
    const outputs = new Map<string, RenderedRecord[]>();
    for (const t of this.outputTopics) for (const [k, v] of await this.read(t)) outputs.set(k, v);
    const inputs = new Map<string, RenderedRecord[]>();
    for (const t of this.inputTopics) for (const [k, v] of await this.read(t)) inputs.set(k, v);
    return { outputs, inputs, stores: await this.stores(), offsets: await this.offsets() };
  }

  /** Stops every actor at once; the simulation is not to be run again. */
  stop(): void {
    for (const i of this.instances) i.crash();
    this.client.close();
    this.cluster.stop();
  }
}

function bytes(v: string | Uint8Array | null): Uint8Array | null {
  return typeof v === 'string' ? Buffer.from(v) : v;
}
