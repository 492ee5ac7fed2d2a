/**
 * A standby task (Kafka Streams' StandbyTask): a copy of an active task's state on another
 * instance, kept up to date by replaying the task's changelogs, so that when the active owner
 * fails the task moves here and restores only the tail instead of the whole log (DESIGN.md §7).
 * The streams assignor also uses standbys as warmups (KIP-441): a task meant to move to an
 * instance that lacks its state first gets a standby there, and moves once it has caught up.
 *
 * A standby processes nothing and writes nothing: only the stores with a changelog are kept, read
 * at read_committed, so under exactly-once it never holds uncommitted state.
 */
import type { Topology } from '../../dsl/topology.js';
import type { StoreEngine } from '../../state-stores/engine.js';
import type { ChangelogReader } from '../../state-stores/restore/changelog-reader.js';
import type { Clock } from '../actor/clock.js';
import type { Lifecycle } from '../actor/lifecycle.js';
import { taskStoreDefinitions } from './active-task.js';
import { StandbyProgress, type StandbyUpdateListener } from './standby-events.js';
import { restoringTaskLifecycle, type StreamTaskEvent, type StreamTaskState } from './stream-task-machine.js';
import { TaskStores } from './task-stores.js';

/**
 * What a standby task is made from.
 *
 * @example
 * ```ts
 * const o: StandbyTaskOptions = { topology, applicationId: 'app', subTopology: 1, partition: 0, stateDir, reader: client, clock };
 * ```
 */
export interface StandbyTaskOptions {
  readonly topology: Topology;
  readonly applicationId: string;
  readonly subTopology: number;
  readonly partition: number;
  readonly stateDir: string;
  readonly reader: ChangelogReader;
  readonly clock: Clock;
  /** How persistent stores are kept: on disk (RocksDB, the default) or in memory (simulation). */
  readonly storeEngine?: 'rocksdb' | 'memory';
  /** Records each store replays at most per open or update, so the thread keeps processing. */
  readonly restoreBudget?: number;
  /** Told of the standby's progress (Kafka's StandbyUpdateListener). */
  readonly listener?: StandbyUpdateListener;
}

/**
 * A standby replica of one task's changelogged stores.
 *
 * @example
 * ```ts
 * const standby = await StandbyTask.open(options); // restores what the changelogs hold
 * await standby.update(); // later: replays what they gained since
 * const engines = standby.release(); // promoted: the active task continues from these engines
 * ```
 * @throws from `open` and `update`: what restoring throws (a corrupt changelog, a broker error).
 */
export class StandbyTask {
  private constructor(
    readonly id: string,
    private readonly stores: TaskStores,
    private readonly life: Lifecycle<StreamTaskState, StreamTaskEvent>,
    private readonly progress: StandbyProgress,
  ) {}

  /** Where the standby is in its lifecycle (stream-task-machine.ts); running means updating. */
  get state(): StreamTaskState {
    return this.life.state;
  }

  /** Opens the task's changelogged stores and replays their changelogs (up to the budget). */
  static async open(o: StandbyTaskOptions): Promise<StandbyTask> {
    const id = `${o.subTopology}_${o.partition}`;
    const life = restoringTaskLifecycle(`standby task ${id}`);
    const definitions = taskStoreDefinitions(o.topology, o.subTopology).filter((d) => d.changelog);
    const progress = new StandbyProgress(id, o.listener);
    const stores = await TaskStores.open({
      listener: progress.restoreListener,
      applicationId: o.applicationId,
      taskId: id,
      partition: o.partition,
      definitions,
      stateDir: o.stateDir,
      reader: o.reader,
      clock: o.clock,
      ...(o.storeEngine === undefined ? {} : { storeEngine: o.storeEngine }),
      ...(o.restoreBudget === undefined ? {} : { restoreBudget: o.restoreBudget }),
    });
    life.send({ type: 'RESTORED' });
    return new StandbyTask(id, stores, life, progress);
  }

  /** Replays the changelog records committed since the last update; returns how many. */
  update(): Promise<number> {
    return this.stores.catchUp(this.progress.restoreListener);
  }

  /** Records replayed when the standby opened. */
  restoredRecords(): number {
    let records = 0;
    for (const r of this.stores.restored.values()) records += r.records;
    return records;
  }

  /** How far the local state has come: the sum of its changelog offsets (for the assignor's lag). */
  offsetSum(): number {
    return this.stores.offsetSum();
  }

  /** True when the state stays on disk after closing (its offsets still count for the assignor). */
  durable(): boolean {
    return this.stores.durable();
  }

  /** Hands the open engines to the active task replacing this standby; the standby is then closed. */
  release(): Map<string, StoreEngine> {
    this.progress.suspended('promoted');
    return this.stores.release();
  }

  /** Closes the engines (unless released). */
  async close(): Promise<void> {
    if (this.stores.holdsEngines()) this.progress.suspended('migrated');
    this.life.send({ type: 'SUSPEND' });
    await this.stores.closeUnbuilt();
    this.life.send({ type: 'CLOSE' });
  }
}
