/**
 * A thread's standby tasks: the ones the assignor gave it (standbys and warmups), opened and
 * caught up in slices between rounds of processing, handed to an active task when promoted, and
 * the offsets of their state for the thread's subscription. A standby that fails to open or to
 * update (its store still locked by the thread that just gave the task up, a broker error) is
 * closed and tried again at the next update: a standby is an optimisation, never a reason to stop.
 */
import type { StoreEngine } from '../../state-stores/engine.js';
import { StandbyTask } from './standby-task.js';
import type { StreamThreadMetrics, StreamThreadOptions, TaskStatus } from './stream-thread-types.js';

/** Records each standby store replays per update: bounded, so active processing keeps going. */
const RESTORE_SLICE = 10_000;

/**
 * The standby tasks of one stream thread.
 *
 * @example
 * ```ts
 * const standbys = new StandbyTasks(options, metrics);
 * await standbys.assign(['1_0', '1_2']);
 * await standbys.update(); // each round, between commits
 * const engines = await standbys.take('1_0'); // promoted to active on this thread
 * ```
 */
export class StandbyTasks {
  private readonly open = new Map<string, StandbyTask>();
  private wanted = new Set<string>();
  /** Offset sums of durable state this thread left on disk, by task id (for the assignor). */
  private readonly leftOnDisk = new Map<string, number>();

  constructor(
    private readonly o: StreamThreadOptions,
    private readonly metrics: StreamThreadMetrics,
  ) {}

  /** Each assigned standby and its state ('created' until it opens). */
  statuses(): TaskStatus[] {
    return this.ids().map((id) => ({ id, standby: true, state: this.open.get(id)?.state ?? 'created' }));
  }

  /** The assigned standby task ids. */
  ids(): string[] {
    return [...this.wanted].sort();
  }

  /** Replaces the assigned standbys: ones no longer assigned close now; new ones open at `update`. */
  async assign(ids: Iterable<string>): Promise<void> {
    this.wanted = new Set(ids);
    for (const id of [...this.open.keys()]) if (!this.wanted.has(id)) await this.close(id);
  }

  /**
   * Gives a standby's open engines to the active task replacing it (undefined when this thread
   * had no open standby for it) and forgets the standby.
   */
  async take(id: string): Promise<Map<string, StoreEngine> | undefined> {
    this.wanted.delete(id);
    const standby = this.open.get(id);
    if (standby === undefined) return undefined;
    this.open.delete(id);
    const engines = standby.release();
    await standby.close();
    return engines;
  }

  /** Opens the standbys not open yet and replays a slice of every standby's changelogs. */
  async update(): Promise<void> {
    for (const id of this.ids()) {
      try {
        const standby = this.open.get(id);
        if (standby === undefined) await this.openStandby(id);
        else this.count(await standby.update());
      } catch {
        // Retried at the next update from what is on disk (or from scratch, in memory).
        await this.close(id).catch(() => undefined);
      }
    }
  }

  /** Adds each standby's offset sum (and those of durable state closed earlier) to `sums`. */
  offsetSums(sums: Map<string, number>): void {
    for (const [id, sum] of this.leftOnDisk) sums.set(id, sum);
    for (const [id, standby] of this.open) sums.set(id, standby.offsetSum());
  }

  /** Remembers the offset sum of an active task's durable state as the task closes. */
  leftBehind(id: string, sum: number): void {
    this.leftOnDisk.set(id, sum);
  }

  /** Closes every standby. */
  async closeAll(): Promise<void> {
    for (const id of [...this.open.keys()]) await this.close(id);
  }

  private async openStandby(id: string): Promise<void> {
    const [sub, partition] = id.split('_').map(Number) as [number, number];
    const standby = await StandbyTask.open({
      topology: this.o.topology,
      applicationId: this.o.applicationId,
      subTopology: sub,
      partition,
      stateDir: this.o.stateDir,
      reader: this.o.client,
      clock: this.o.clock,
      restoreBudget: RESTORE_SLICE,
      ...(this.o.standbyListener === undefined ? {} : { listener: this.o.standbyListener }),
      ...(this.o.storeEngine === undefined ? {} : { storeEngine: this.o.storeEngine }),
    });
    this.open.set(id, standby);
    this.count(standby.restoredRecords());
  }

  private count(records: number): void {
    this.metrics.standbyRecords = (this.metrics.standbyRecords ?? 0) + records;
  }

  private async close(id: string): Promise<void> {
    const standby = this.open.get(id);
    if (standby === undefined) return;
    this.open.delete(id);
    if (standby.durable()) this.leftOnDisk.set(id, standby.offsetSum());
    await standby.close();
  }
}
