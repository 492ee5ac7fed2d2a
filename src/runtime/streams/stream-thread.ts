/**
 * StreamThread: one consumer in the application's group, one producer, and the active tasks of the
 * partitions the group gave it (DESIGN.md §3, §7). The loop: poll a batch, process each task's
 * records synchronously in timestamp order, append outputs to the producer, and commit on the
 * interval. Under exactly_once_v2 a commit is one transaction holding the outputs, repartition and
 * changelog records and the consumed offsets (fenced by the group generation, KIP-447); stores apply
 * their writes only after it commits. An abortable failure aborts the transaction, drops every
 * task's uncommitted state and reopens the tasks from the last commit, so nothing is lost or doubled.
 *
 * States (Kafka Streams' thread states):
 *   created → starting → partitionsAssigned ⇄ running → pendingShutdown → dead
 */
import { MillraceError, StateStoreFailedError } from '../../common/errors.js';
import type { Topology } from '../../dsl/topology.js';
import { Consumer } from '../../log/client/consumer/consumer.js';
import {
  type ConsumerRecord,
  type TopicPartition,
  tpKey,
} from '../../log/client/consumer/consumer-record.js';
import type { EmbeddedLogClient } from '../../log/client/embedded-log-client.js';
import { Producer } from '../../log/client/producer/producer.js';
import type { RestoreListener } from '../../state-stores/restore/restore-events.js';
import type { Clock } from '../actor/clock.js';
import type { Random } from '../actor/random.js';
import { ActiveTask } from './active-task.js';
import { forEachByTimestamp } from './record-order.js';
import type { SinkCallback, StreamTaskOptions } from './stream-task.js';

/**
 * A stream thread's states.
 *
 * @example
 * ```ts
 * thread.onStateChange = (next, previous) => console.log(previous, '→', next);
 * ```
 */
export type StreamThreadState =
  | 'created'
  | 'starting'
  | 'partitionsAssigned'
  | 'running'
  | 'pendingShutdown'
  | 'dead';

/**
 * What a thread runs and how.
 *
 * @example
 * ```ts
 * const options: StreamThreadOptions = { applicationId: 'wordcount', threadId: 'p1-1', topology, client, clock, random, stateDir, processingGuarantee: 'exactly_once_v2', commitIntervalMs: 100 };
 * ```
 */
export interface StreamThreadOptions {
  readonly applicationId: string;
  /** Unique per thread of the application; names its transactional id. */
  readonly threadId: string;
  readonly topology: Topology;
  readonly client: EmbeddedLogClient;
  readonly clock: Clock;
  readonly random: Random;
  readonly stateDir: string;
  readonly processingGuarantee: 'exactly_once_v2' | 'at_least_once';
  readonly commitIntervalMs: number;
  readonly pollMs?: number;
  readonly maxPollRecords?: number;
  readonly restoreListener?: RestoreListener;
  /**
   * Static group membership (group.instance.id): a restarted thread with the same id takes its
   * place at once, without waiting for the session timeout or moving tasks elsewhere.
   */
  readonly groupInstanceId?: string;
  readonly deserializationErrorHandler?: StreamTaskOptions['deserializationErrorHandler'];
  readonly processingErrorHandler?: StreamTaskOptions['processingErrorHandler'];
}

/**
 * Counters a thread keeps for progress reports.
 *
 * @example
 * ```ts
 * const { recordsIn, commits } = thread.metrics;
 * ```
 */
export interface StreamThreadMetrics {
  recordsIn: number;
  recordsOut: number;
  commits: number;
  aborts: number;
  lastAbortReason: string | undefined;
  /** Changelog records replayed into this thread's stores when their tasks opened (restoration). */
  restoredRecords?: number;
  /** Store restorations that replayed a non-empty changelog from its start (no local offset). */
  restoresFromScratch?: number;
  /** Records skipped by an error handler (deserialization or processing). */
  droppedRecords: number;
}

/**
 * A stream thread on the current event loop.
 *
 * @example
 * ```ts
 * const thread = new StreamThread(options);
 * const done = thread.run();
 * // …
 * await thread.shutdown();
 * await done;
 * ```
 * @throws from `run`: fatal errors (a fenced producer, a fatal processing error).
 */
export class StreamThread {
  state: StreamThreadState = 'created';
  onStateChange: ((next: StreamThreadState, previous: StreamThreadState) => void) | undefined;
  readonly metrics: StreamThreadMetrics = {
    recordsIn: 0,
    recordsOut: 0,
    commits: 0,
    aborts: 0,
    lastAbortReason: undefined,
    restoredRecords: 0,
    restoresFromScratch: 0,
    droppedRecords: 0,
  };
  private readonly eos: boolean;
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  private readonly tasks = new Map<string, ActiveTask>();
  /** The offsets this thread last committed per input partition (`topic-partition`). */
  private readonly committedPositions = new Map<string, number>();
  /** Sub-topology of each input topic (log names). */
  private readonly subTopologyOf = new Map<string, number>();
  private assignmentChanged = false;
  private stopping = false;
  private inTransaction = false;
  private lastCommitMs = 0;
  /** Outputs the producer had no room for; appended (waiting) before the next record. */
  private readonly overflow: {
    topic: string;
    key: Uint8Array | null;
    value: Uint8Array | null;
    timestamp: number;
    headers: readonly { key: string; value: Uint8Array | null }[];
  }[] = [];

  constructor(private readonly o: StreamThreadOptions) {
    this.eos = o.processingGuarantee === 'exactly_once_v2';
    const prefix = `${o.applicationId}-`;
    const internal = new Set(o.topology.internalTopics.map((t) => t.name));
    for (const sub of o.topology.subTopologies) {
      if (sub.global) continue;
      for (const t of sub.sourceTopics) this.subTopologyOf.set(internal.has(t) ? `${prefix}${t}` : t, sub.id);
    }
    this.consumer = new Consumer(o.client, o.clock, {
      groupId: o.applicationId,
      clientId: o.threadId,
      ...(o.groupInstanceId === undefined ? {} : { groupInstanceId: o.groupInstanceId }),
      isolationLevel: this.eos ? 'read_committed' : 'read_uncommitted',
      autoOffsetReset: 'earliest',
      maxPollRecords: o.maxPollRecords ?? 1000,
      // Range keeps partition p of every co-partitioned topic on one member (one task).
      assignor: 'range',
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: 1000,
      requestTimeoutMs: 5000,
    });
    this.producer = new Producer(o.client, o.clock, o.random, {
      ...(this.eos
        ? { transactionalId: `${o.applicationId}-${o.threadId}`, transactionTimeoutMs: 10_000 }
        : {}),
      lingerMs: 5,
      batchSize: 256 * 1024,
      requestTimeoutMs: 5000,
      deliveryTimeoutMs: 60_000,
    });
  }

  private setState(next: StreamThreadState): void {
    const previous = this.state;
    if (previous === next) return;
    this.state = next;
    this.onStateChange?.(next, previous);
  }

  /** The ids of the thread's active tasks. */
  activeTaskIds(): string[] {
    return [...this.tasks.keys()].sort();
  }

  /** Runs until `shutdown()`; commits and closes everything on the way out. */
  async run(): Promise<void> {
    this.setState('starting');
    try {
      if (this.eos) await this.producer.initTransactions();
      this.consumer.subscribe([...this.subTopologyOf.keys()], {
        onPartitionsAssigned: () => this.markAssignmentChanged(),
        onPartitionsRevoked: () => this.markAssignmentChanged(),
        onPartitionsLost: () => this.markAssignmentChanged(),
      });
      this.lastCommitMs = this.o.clock.monotonicMs();
      while (!this.stopping) await this.runOnce();
      this.setState('pendingShutdown');
      await this.commit();
    } finally {
      await this.closeAll();
      this.setState('dead');
    }
  }

  /** Asks the loop to stop after the current iteration. */
  shutdown(): void {
    this.stopping = true;
  }

  private markAssignmentChanged(): void {
    this.assignmentChanged = true;
  }

  private async runOnce(): Promise<void> {
    const polled = await this.consumer.poll(this.o.pollMs ?? 100);
    // The first generation may assign this thread nothing (no callback then): joining is enough.
    const joined = this.state === 'starting' && (this.consumer.groupMetadata()?.generationId ?? -1) > 0;
    if (this.assignmentChanged || joined) await this.syncTasks();
    if (polled.count > 0) await this.processPoll(polled.partitions);
    const now = this.o.clock.monotonicMs();
    if (now - this.lastCommitMs >= this.o.commitIntervalMs || this.commitNeeded()) await this.commit();
    // A poll served from buffered records resolves without a macrotask: yield once per round so
    // the producer's linger timer, heartbeats and status reports are not starved by the loop.
    if (polled.count > 0) await new Promise<void>((resolve) => this.o.clock.setTimer(0, resolve));
  }

  private commitNeeded(): boolean {
    for (const t of this.tasks.values()) if (t.task.commitNeeded) return true;
    return false;
  }

  /** Commits what is processed, then closes tasks the group took away and opens the new ones. */
  private async syncTasks(): Promise<void> {
    this.assignmentChanged = false;
    this.setState('partitionsAssigned');
    await this.commit();
    const wanted = new Map<string, { sub: number; partition: number }>();
    for (const tp of this.consumer.assignment()) {
      const sub = this.subTopologyOf.get(tp.topic);
      if (sub !== undefined) wanted.set(`${sub}_${tp.partition}`, { sub, partition: tp.partition });
    }
    for (const [id, task] of this.tasks) {
      if (wanted.has(id)) continue;
      this.tasks.delete(id);
      await task.close();
    }
    for (const [id, { sub, partition }] of wanted) {
      if (!this.tasks.has(id)) this.tasks.set(id, await this.openTaskWhenUnlocked(sub, partition));
    }
    this.setState('running');
  }

  /**
   * Opens a task, waiting while another thread of this process still holds its stores' RocksDB
   * locks: a task moving between two threads of one instance is closed by its previous owner in
   * that thread's own rebalance step, which may come a little later (Kafka Streams retries too).
   */
  private async openTaskWhenUnlocked(subTopology: number, partition: number): Promise<ActiveTask> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.openTask(subTopology, partition);
      } catch (error) {
        const locked = error instanceof StateStoreFailedError && /\block\b/i.test(error.message);
        if (!locked || attempt >= 50) throw error;
        await new Promise<void>((resolve) => this.o.clock.setTimer(100, resolve));
      }
    }
  }

  private openTask(subTopology: number, partition: number): Promise<ActiveTask> {
    const sink: SinkCallback = (topic, key, value, timestamp, headers) => {
      this.metrics.recordsOut++;
      const record = { topic, key, value, timestamp, headers };
      if (this.overflow.length > 0 || !this.producer.tryAppend(record)) this.overflow.push(record);
    };
    return ActiveTask.open({
      topology: this.o.topology,
      applicationId: this.o.applicationId,
      subTopology,
      partition,
      stateDir: this.o.stateDir,
      reader: this.o.client,
      clock: this.o.clock,
      sink,
      onRecordDropped: () => {
        this.metrics.droppedRecords++;
      },
      // Counts restoration for progress reports (the worker's status carries metrics), then tells the user's listener.
      restoreListener: (event) => {
        if (event.type === 'restoreStarted' && event.fromScratch && event.total > 0)
          this.metrics.restoresFromScratch = (this.metrics.restoresFromScratch ?? 0) + 1;
        if (event.type === 'restoreEnded')
          this.metrics.restoredRecords = (this.metrics.restoredRecords ?? 0) + event.records;
        this.o.restoreListener?.(event);
      },
      ...(this.o.deserializationErrorHandler === undefined
        ? {}
        : { deserializationErrorHandler: this.o.deserializationErrorHandler }),
      ...(this.o.processingErrorHandler === undefined
        ? {}
        : { processingErrorHandler: this.o.processingErrorHandler }),
    });
  }

  private async processPoll(partitions: ReadonlyMap<string, readonly ConsumerRecord[]>): Promise<void> {
    const byTask = new Map<ActiveTask, (readonly ConsumerRecord[])[]>();
    for (const records of partitions.values()) {
      const first = records[0];
      if (first === undefined) continue;
      const task = this.tasks.get(`${this.subTopologyOf.get(first.topic)}_${first.partition}`);
      // Records of a partition whose task closed in this rebalance are fetched again by its new owner.
      if (task === undefined) continue;
      const lists = byTask.get(task);
      if (lists === undefined) byTask.set(task, [records]);
      else lists.push(records);
    }
    if (byTask.size === 0) return;
    if (this.eos && !this.inTransaction) {
      this.producer.beginTransaction();
      this.inTransaction = true;
    }
    for (const [task, lists] of byTask) {
      // Synchronous per record; outputs the producer had no room for wait in `overflow` (at most
      // one poll's worth) and are appended, in order, before the next task runs.
      forEachByTimestamp(lists, (r) => {
        task.task.process(r.topic, r.partition, r.offset, r.key, r.value, r.timestamp, r.headers);
      });
      // Each list is one partition, processed to its end: one offset per partition, not per record.
      for (const records of lists) {
        const last = records[records.length - 1]!;
        task.processed(last, tpKey(last), last.offset);
        this.metrics.recordsIn += records.length;
      }
      await this.drainOverflow();
    }
  }

  private async drainOverflow(): Promise<void> {
    while (this.overflow.length > 0) await this.producer.append(this.overflow.shift()!);
  }

  private async commit(): Promise<void> {
    this.lastCommitMs = this.o.clock.monotonicMs();
    if (this.tasks.size === 0 || (this.eos && !this.inTransaction)) return;
    const offsets = this.offsetsToCommit();
    try {
      await this.drainOverflow();
      for (const t of this.tasks.values()) await t.stores.prepareCommit(this.producer);
      if (this.eos) {
        const metadata = this.consumer.groupMetadata()!;
        const txnOffsets = offsets.map(({ tp, offset }) => ({
          topic: tp.topic,
          partition: tp.partition,
          offset,
        }));
        if (txnOffsets.length > 0) await this.producer.sendOffsetsToTransaction(txnOffsets, metadata);
        await this.producer.commitTransaction();
        this.inTransaction = false;
      } else {
        await this.producer.flush();
        if (offsets.length > 0) {
          await this.consumer.commitSync(
            new Map(offsets.map((o) => [tpKey(o.tp), { tp: o.tp, offset: o.offset }])),
          );
        }
      }
    } catch (error) {
      await this.abort(error);
      return;
    }
    for (const t of this.tasks.values()) {
      t.stores.commit();
      t.consumed.clear();
    }
    for (const o of offsets) this.committedPositions.set(tpKey(o.tp), o.offset);
    this.metrics.commits++;
  }

  /**
   * Every task partition whose position moved since the last commit. Every polled record is
   * processed before a commit, so the consumer's position is the offset to commit; it can be past
   * the last record (transaction markers), and committing it, as Kafka Streams does, lets the lag
   * of a transactional input reach 0.
   */
  /** The consumer's position, or undefined once the group took the partition away. */
  private positionOf(tp: TopicPartition): number | undefined {
    const key = tpKey(tp);
    return this.consumer.assignment().some((a) => tpKey(a) === key) ? this.consumer.position(tp) : undefined;
  }

  private offsetsToCommit(): { tp: TopicPartition; offset: number }[] {
    const out: { tp: TopicPartition; offset: number }[] = [];
    for (const t of this.tasks.values()) {
      for (const topic of t.task.sourceTopics()) {
        const tp = { topic, partition: t.partition };
        const key = tpKey(tp);
        const position = this.positionOf(tp) ?? t.consumed.get(key)?.offset;
        if (position === undefined) continue;
        const committed = this.committedPositions.get(key);
        if (t.consumed.has(key) || (committed !== undefined && position > committed))
          out.push({ tp, offset: position });
      }
    }
    return out;
  }

  /** Aborts the transaction, then reopens every task from its last commit and rewinds the input. */
  private async abort(error: unknown): Promise<void> {
    if (!(error instanceof MillraceError) || this.producer.transactionState === 'fatalError') throw error;
    this.metrics.aborts++;
    this.metrics.lastAbortReason = error.message;
    this.overflow.length = 0;
    if (this.eos && this.inTransaction) {
      await this.producer.abortTransaction().catch(() => undefined);
      this.inTransaction = false;
    }
    for (const t of this.tasks.values()) t.stores.abort();
    await this.closeAll();
    // The group's committed offsets are where the last commit left every input partition.
    const assigned = this.consumer.assignment();
    const committed = await this.consumer.committed(assigned);
    for (const tp of assigned) {
      const at = committed.get(tpKey(tp));
      if (at !== undefined && at >= 0) this.consumer.seek(tp, at);
      else await this.consumer.seekToBeginning([tp]);
    }
    this.assignmentChanged = true;
  }

  private async closeAll(): Promise<void> {
    for (const t of this.tasks.values()) await t.close();
    this.tasks.clear();
  }

  /** Leaves the group and closes the clients (after `run` ended). */
  async close(): Promise<void> {
    await this.consumer.close();
    await this.producer.close();
  }
}
