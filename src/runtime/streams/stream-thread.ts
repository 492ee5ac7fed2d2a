/**
 * StreamThread: one consumer in the application's group, one producer, and the active tasks of the
 * partitions the group gave it (DESIGN.md §3, §7). The loop: poll a batch, process each task's
 * records synchronously in timestamp order, append outputs to the producer, and commit on the
 * interval. Under exactly_once_v2 a commit is one transaction holding the outputs, repartition and
 * changelog records and the consumed offsets (fenced by the group generation, KIP-447); stores apply
 * their writes only after it commits. An abortable failure aborts the transaction, drops every
 * task's uncommitted state and reopens the tasks from the last commit, so nothing is lost or doubled.
 * When no task keeps state, the interval commit is pipelined (thread-commits.ts).
 * The streams assignor (KIP-441) places tasks, standbys and warmups; revoked partitions are
 * committed before the group hands them over; lost ones rewind to the last commit.
 *
 * States (Kafka Streams' thread states):
 *   created → starting → partitionsAssigned ⇄ running → pendingShutdown → dead
 */
import { MillraceError } from '../../common/errors.js';
import type { Consumer } from '../../log/client/consumer/consumer.js';
import { type ConsumerRecord, tpKey } from '../../log/client/consumer/consumer-record.js';
import type { Producer } from '../../log/client/producer/producer.js';
import type { StoreEngine } from '../../state-stores/engine.js';
import { Lifecycle } from '../actor/lifecycle.js';
import type { ActiveTask } from './active-task.js';
import type { SubscriptionInfo } from './assignment/subscription-info.js';
import { compareTaskKeys, parseTaskId } from './assignment/task-id.js';
import { committedWithRetry } from './commit-positions.js';
import { forEachByTimestamp } from './record-order.js';
import { StandbyTasks } from './standby-tasks.js';
import { StartupTasks } from './startup-tasks.js';
import { type StreamThreadEvent, streamThreadMachine } from './stream-thread-machine.js';
import type {
  StreamThreadMetrics,
  StreamThreadOptions,
  StreamThreadState,
  TaskStatus,
} from './stream-thread-types.js';
import type { TaskMetadata } from './task-metadata.js';
import { offsetSumOf } from './task-stores.js';
import { ThreadCommits } from './thread-commits.js';
import {
  assignmentInfo,
  restoredTaskMetadata,
  sourceSubTopologies,
  threadConsumer,
  threadProducer,
} from './thread-setup.js';
import { openTaskWhenUnlocked } from './thread-task-opener.js';

export type {
  StreamThreadMetrics,
  StreamThreadOptions,
  StreamThreadState,
  TaskStatus,
} from './stream-thread-types.js';

import type { SinkCallback } from './stream-task.js';

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
  private readonly life: Lifecycle<StreamThreadState, StreamThreadEvent>;
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
  private readonly standbys: StandbyTasks;
  /** Local state opened while the group forms; handed to the first assignment's tasks. */
  private startup = StartupTasks.none();
  /** Active tasks as of the last assignment: kept through an eager revocation, for the subscription. */
  private ownedActive = new Set<string>();
  /** Sub-topology of each input topic (log names). */
  private readonly subTopologyOf = new Map<string, number>();
  private assignmentChanged = false;
  /** Partitions were lost since the last task sync: uncommitted work must be dropped. */
  private partitionsTaken = false;
  /** Revocations the group waits on: released once this thread has committed their work. */
  private readonly revocations: (() => void)[] = [];
  /** Wall-clock time of the probing rebalance the assignor asked for (warmups); -1 for none. */
  private nextProbeMs = -1;
  private lastStandbyUpdateMs = 0;
  private stopping = false;
  private readonly commits: ThreadCommits;

  constructor(private readonly o: StreamThreadOptions) {
    this.life = new Lifecycle(streamThreadMachine, `stream thread ${o.threadId}`, (next, previous) =>
      this.onStateChange?.(next, previous),
    );
    this.eos = o.processingGuarantee === 'exactly_once_v2';
    for (const [topic, sub] of sourceSubTopologies(o)) this.subTopologyOf.set(topic, sub);
    this.consumer = threadConsumer(o, this.eos, () => this.subscriptionInfo());
    this.standbys = new StandbyTasks(o, this.metrics);
    this.producer = threadProducer(o, this.eos);
    this.commits = new ThreadCommits({
      eos: this.eos,
      producer: this.producer,
      consumer: this.consumer,
      clock: o.clock,
      metrics: this.metrics,
      abort: (error) => this.abort(error),
    });
  }

  /** Where the thread is in its lifecycle (stream-thread-machine.ts). */
  get state(): StreamThreadState {
    return this.life.state;
  }

  /** The ids of the thread's active tasks. */
  activeTaskIds(): string[] {
    return [...this.tasks.keys()].sort();
  }

  /** Every task of the thread, active and standby, with its state. */
  taskStatuses(): TaskStatus[] {
    const active = [...this.tasks.values()].map((t) => ({ id: t.id, standby: false, state: t.state }));
    return [...active.sort((a, b) => compareTaskKeys(a.id, b.id)), ...this.standbys.statuses()];
  }

  /** The ids of the thread's standby tasks (warmups included). */
  standbyTaskIds(): string[] {
    return this.standbys.ids();
  }

  /** What the thread tells the assignor at each join (KIP-441's SubscriptionInfo). */
  private subscriptionInfo(): SubscriptionInfo {
    const sums = new Map<string, number>();
    this.standbys.offsetSums(sums);
    for (const [id, t] of this.tasks) {
      const sum = t.stores.offsetSum();
      if (sum > 0) sums.set(id, sum);
    }
    return {
      processId: this.o.processId ?? this.o.threadId,
      activeTasks: [...this.ownedActive].sort(compareTaskKeys).map(parseTaskId),
      standbyTasks: this.standbys.ids().map(parseTaskId),
      taskOffsetSums: sums,
      threadCount: this.o.threadCount ?? 1,
    };
  }

  /** Runs until `shutdown()`; commits and closes everything on the way out. */
  async run(): Promise<void> {
    this.life.send({ type: 'START' });
    try {
      if (this.eos) await this.producer.initTransactions();
      // One thread per instance only: threads of one process cannot hand RocksDB handles to each
      // other (each is a worker), so a store pre-opened by one would hold the lock against the
      // thread the group gives its task to.
      if (this.o.storeEngine !== 'memory' && (this.o.threadCount ?? 1) === 1) {
        this.startup = StartupTasks.open({
          topology: this.o.topology,
          stateDir: this.o.stateDir,
          threadIndex: this.o.threadIndex ?? 0,
          threadCount: this.o.threadCount ?? 1,
        });
      }
      this.consumer.subscribe([...this.subTopologyOf.keys()], {
        // Every assignment comes with the assignor's userData, so onAssignment sees them all;
        // onPartitionsAssigned (later, once committed offsets are fetched) would sync twice.
        onAssignment: () => this.markAssignmentChanged(),
        onPartitionsRevoked: () => this.onPartitionsRevoked(),
        onPartitionsLost: () => this.markPartitionsTaken(),
      });
      this.commits.restartInterval();
      while (!this.stopping) await this.runOnce();
      this.life.send({ type: 'SHUTDOWN' });
      await this.commit();
    } finally {
      this.releaseRevocations();
      await this.startup.closeRest(() => undefined);
      await this.closeAll();
      await this.standbys.closeAll();
      // A failed thread shuts down too: its tasks are closed above, then it is dead.
      if (this.life.can({ type: 'SHUTDOWN' })) this.life.send({ type: 'SHUTDOWN' });
      this.life.send({ type: 'STOPPED' });
    }
  }

  /** Asks the loop to stop after the current iteration. */
  shutdown(): void {
    this.stopping = true;
  }

  private markAssignmentChanged(): void {
    this.assignmentChanged = true;
  }

  private markPartitionsTaken(): void {
    this.partitionsTaken = true;
    this.assignmentChanged = true;
  }

  /**
   * The group revokes partitions cleanly: it waits, before handing them to another member, for
   * this thread to commit what it processed of them (Kafka Streams commits in the same callback).
   */
  private onPartitionsRevoked(): Promise<void> {
    this.assignmentChanged = true;
    return new Promise<void>((resolve) => this.revocations.push(resolve));
  }

  private releaseRevocations(): void {
    for (const release of this.revocations.splice(0)) release();
  }

  private async runOnce(): Promise<void> {
    // A pipelined commit that has ended: its tasks' progress is committed, or it failed (abort).
    await this.commits.settle(false);
    const polled = await this.consumer.poll(this.o.pollMs ?? 100);
    // The first generation may assign this thread nothing (no callback then): joining is enough.
    const joined = this.state === 'starting' && (this.consumer.groupMetadata()?.generationId ?? -1) > 0;
    if (this.revocations.length > 0) {
      // The revoked partitions are still this thread's until released: finish the poll, commit
      // (a failed commit aborts and rewinds: nothing of theirs is committed then), let them go.
      if (polled.count > 0) await this.processPoll(polled.partitions);
      await this.commit();
      this.releaseRevocations();
      return;
    }
    if (this.assignmentChanged || joined) {
      if (this.partitionsTaken || joined) {
        // The poll's records predate the rewind the task sync does: the next poll fetches them again.
        await this.syncTasks(true);
        return;
      }
      // Nothing was taken from this thread (tasks added, standbys moved, a probing rebalance):
      // what it processed is still its own, so it commits instead of dropping the work.
      if (polled.count > 0) await this.processPoll(polled.partitions);
      await this.commit();
      await this.syncTasks(false);
      return;
    }
    if (polled.count > 0) await this.processPoll(polled.partitions);
    if (this.commits.heldTooMany) await this.commits.settle(true);
    if (this.commits.due(this.o.commitIntervalMs) || this.commitNeeded()) {
      await this.commits.commit(this.tasks.values(), this.commits.canPipeline(this.tasks.values()));
    }
    const now = this.o.clock.monotonicMs();
    if (now - this.lastStandbyUpdateMs >= this.o.commitIntervalMs) {
      this.lastStandbyUpdateMs = now;
      await this.standbys.update();
    }
    if (this.nextProbeMs >= 0 && this.o.clock.nowMs() >= this.nextProbeMs) {
      // Warmups may have caught up: the assignor looks again and moves the tasks that can move.
      this.nextProbeMs = -1;
      this.consumer.enforceRebalance();
    }
    // A poll served from buffered records resolves without a macrotask: yield once per round so
    // the producer's linger timer, heartbeats and status reports are not starved by the loop.
    if (polled.count > 0) await new Promise<void>((resolve) => this.o.clock.setTimer(0, resolve));
  }

  private commitNeeded(): boolean {
    for (const t of this.tasks.values()) if (t.task.commitNeeded) return true;
    return false;
  }

  /**
   * After a rebalance: tasks of partitions given up close, new ones open (from startup state, a
   * promoted standby, or the changelog) with what their last commit recorded, standbys follow the
   * assignment. Revoked partitions were committed before the group let them go (the awaited
   * revocation), so the tasks kept need nothing. With `rewind` — partitions were lost, so another
   * member may own them already and a commit could cover work it redoes — uncommitted work is
   * dropped instead, every task closed, and every assigned partition rewound to the group's
   * committed offset.
   */
  private async syncTasks(rewind: boolean): Promise<void> {
    await this.commits.settle(true);
    this.assignmentChanged = false;
    this.partitionsTaken = false;
    this.life.send({ type: 'ASSIGNED' });
    if (rewind) {
      const dropped = this.hasUncommittedWork()
        ? 'a rebalance moved partitions before the commit'
        : undefined;
      await this.rewind(dropped);
    }
    const info = assignmentInfo(this.consumer, this.o);
    const wanted = new Map<string, { sub: number; partition: number }>();
    for (const tp of this.consumer.assignment()) {
      const sub = this.subTopologyOf.get(tp.topic);
      if (sub !== undefined) wanted.set(`${sub}_${tp.partition}`, { sub, partition: tp.partition });
    }
    for (const [id, task] of this.tasks) {
      if (wanted.has(id)) continue;
      this.tasks.delete(id);
      await this.closeTask(task);
    }
    const opening = [...wanted].filter(([id]) => !this.tasks.has(id));
    const restored = await restoredTaskMetadata(
      this.consumer,
      this.subTopologyOf,
      opening.map(([, t]) => t),
      this.o.clock,
      () => this.stopping,
    );
    // Local state opened at startup hands its engines to the tasks that landed here; the rest is
    // closed first (its offsets kept for the assignor), so the threads that got those tasks can
    // take the stores' locks while this one opens its own.
    const startupEngines = new Map<string, Map<string, StoreEngine>>();
    for (const [id] of opening) {
      const engines = await this.startup.take(id);
      if (engines !== undefined) startupEngines.set(id, engines);
    }
    await this.startup.closeRest((id, engines) =>
      this.standbys.leftBehind(id, offsetSumOf(this.o.applicationId, Number(id.split('_')[1]), engines)),
    );
    for (const [id, { sub, partition }] of opening) {
      // Startup's engines, or a promoted standby's: only the changelog tail is restored.
      const engines = startupEngines.get(id) ?? (await this.standbys.take(id));
      this.tasks.set(id, await this.openTask(sub, partition, restored.get(id), engines));
    }
    await this.standbys.assign(info.standby.filter((id) => !wanted.has(id)));
    this.ownedActive = new Set(wanted.keys());
    this.nextProbeMs = info.nextProbeMs;
    this.life.send({ type: 'TASKS_READY' });
  }

  private openTask(
    subTopology: number,
    partition: number,
    restored: TaskMetadata | undefined,
    engines: ReadonlyMap<string, StoreEngine> | undefined,
  ): Promise<ActiveTask> {
    const { metrics } = this;
    const { output } = this.commits;
    const sink: SinkCallback = (topic, key, value, timestamp, headers) => {
      metrics.recordsOut++;
      output.append({ topic, key, value, timestamp, headers });
    };
    return openTaskWhenUnlocked(this.o, this.metrics, { subTopology, partition, restored, engines }, sink);
  }

  private async processPoll(partitions: ReadonlyMap<string, readonly ConsumerRecord[]>): Promise<void> {
    const byTask = new Map<ActiveTask, (readonly ConsumerRecord[])[]>();
    const assigned = new Set(this.consumer.assignment().map(tpKey));
    for (const records of partitions.values()) {
      const first = records[0];
      // A partition given up since it was fetched: its new owner reads it from the committed offset.
      if (first === undefined || !assigned.has(tpKey(first))) continue;
      const task = this.tasks.get(`${this.subTopologyOf.get(first.topic)}_${first.partition}`);
      if (task === undefined) {
        // A partition added in this rebalance, whose task is not open yet: fetched again once it is.
        this.consumer.seek(first, first.offset);
        continue;
      }
      const lists = byTask.get(task);
      if (lists === undefined) byTask.set(task, [records]);
      else lists.push(records);
    }
    if (byTask.size === 0) return;
    this.commits.output.begin();
    for (const [task, lists] of byTask) {
      // Synchronous per record; outputs the producer had no room for wait in the output (at most
      // one poll's worth) and are appended, in order, before the next task runs (unless held for
      // the next transaction while a pipelined commit ends).
      forEachByTimestamp(lists, (r) => {
        task.task.process(r.topic, r.partition, r.offset, r.key, r.value, r.timestamp, r.headers);
      });
      // Each list is one partition, processed to its end: one offset per partition, not per record.
      for (const records of lists) {
        const last = records[records.length - 1]!;
        task.processed(last);
        this.metrics.recordsIn += records.length;
      }
      await this.commits.output.drain();
    }
  }

  /** Commits what every task processed (waiting for it; see ThreadCommits). */
  private commit(): Promise<void> {
    return this.commits.commit(this.tasks.values());
  }

  /** Aborts the transaction, then reopens every task from its last commit and rewinds the input. */
  private async abort(error: unknown): Promise<void> {
    if (!(error instanceof MillraceError) || this.producer.transactionState === 'fatalError') throw error;
    await this.rewind(error.message);
    this.assignmentChanged = true;
  }

  /** True when something was processed (or is in the open transaction) since the last commit. */
  private hasUncommittedWork(): boolean {
    if (this.commits.outputPending) return true;
    for (const t of this.tasks.values()) if (t.consumed.size > 0) return true;
    return false;
  }

  /**
   * Aborts the open transaction, drops the stores' uncommitted writes, closes every task and
   * rewinds every assigned partition to the group's committed offset. `dropped` says why work was
   * thrown away (counted as an abort), or is undefined when there was none.
   */
  private async rewind(dropped: string | undefined): Promise<void> {
    if (dropped !== undefined) {
      this.metrics.aborts++;
      this.metrics.lastAbortReason = dropped;
    }
    await this.commits.abort();
    for (const t of this.tasks.values()) t.stores.abort();
    await this.closeAll();
    // The group's committed offsets are where the last commit left every input partition.
    const assigned = this.consumer.assignment();
    const committed = await committedWithRetry(this.consumer, assigned, this.o.clock, () => this.stopping);
    for (const tp of assigned) {
      const at = committed.get(tpKey(tp))?.offset;
      if (at !== undefined && at >= 0) this.consumer.seek(tp, at);
      else await this.consumer.seekToBeginning([tp]);
    }
  }

  private async closeAll(): Promise<void> {
    // Out of the map before closing: a join meanwhile must not read a closing task's stores.
    const closing = [...this.tasks.values()];
    this.tasks.clear();
    for (const t of closing) await this.closeTask(t);
  }

  /** Closes an active task; state it leaves on disk still counts for the assignor's lag. */
  private async closeTask(task: ActiveTask): Promise<void> {
    if (task.stores.durable()) this.standbys.leftBehind(task.id, task.stores.offsetSum());
    await task.close();
  }

  /** Leaves the group and closes the clients (after `run` ended). */
  async close(): Promise<void> {
    await this.consumer.close();
    await this.producer.close();
  }
}
