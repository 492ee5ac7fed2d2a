/**
 * Progress of standby (and warmup) replicas, as Kafka Streams' StandbyUpdateListener reports it:
 * a standby's store starts being kept up from its changelog, batches of changelog records are
 * applied, and the standby stops — promoted to the active task on this thread, or moved away.
 */
import type { RestoreListener } from '../../state-stores/restore/restore-events.js';

/** Which task, store and changelog partition an event is about. */
interface StandbyEventBase {
  readonly taskId: string;
  readonly store: string;
  readonly topic: string;
  readonly partition: number;
}

/**
 * A standby replica's progress.
 *
 * @example
 * ```ts
 * const onStandby: StandbyUpdateListener = (e) => {
 *   if (e.type === 'standbyBatchLoaded') console.log(`${e.taskId} ${e.store}: ${e.currentEndOffset - e.batchEndOffset} behind`);
 * };
 * ```
 */
export type StandbyUpdateEvent =
  | (StandbyEventBase & {
      readonly type: 'standbyUpdateStarted';
      /** The changelog offset the local state starts from (0 for none). */
      readonly startOffset: number;
    })
  | (StandbyEventBase & {
      readonly type: 'standbyBatchLoaded';
      /** The changelog offset the store now reflects. */
      readonly batchEndOffset: number;
      /** Records applied in this batch. */
      readonly batchSize: number;
      /** The changelog's last stable offset when the update began. */
      readonly currentEndOffset: number;
    })
  | (StandbyEventBase & {
      readonly type: 'standbyUpdateSuspended';
      /** The changelog offset the store reflects as it stops. */
      readonly storeOffset: number;
      /** The changelog's last stable offset as last seen. */
      readonly currentEndOffset: number;
      /** Promoted: the task became active here, with this state. Migrated: the standby moved away. */
      readonly reason: 'promoted' | 'migrated';
    });

/**
 * Told of standby progress.
 *
 * @example
 * ```ts
 * const thread = new StreamThread({ ...options, standbyListener: (e) => metrics.record(e) });
 * ```
 */
export type StandbyUpdateListener = (event: StandbyUpdateEvent) => void;

/**
 * Where each store of one standby stands, fed by the restorer's events and read when the standby
 * stops.
 *
 * @example
 * ```ts
 * const progress = new StandbyProgress('1_0', listener);
 * await TaskStores.open({ ...options, listener: progress.restoreListener });
 * progress.suspended('migrated');
 * ```
 */
export class StandbyProgress {
  /** Per store: where the current catch-up started, where it is, where it stops. */
  private readonly stores = new Map<
    string,
    { topic: string; partition: number; start: number; offset: number; end: number; records: number }
  >();

  constructor(
    private readonly taskId: string,
    private readonly listener: StandbyUpdateListener | undefined,
  ) {}

  /** Translates one store's restore events (a first open, then each catch-up) into standby events. */
  readonly restoreListener: RestoreListener = (e) => {
    const base = { taskId: this.taskId, store: e.store, topic: e.topic, partition: e.partition };
    if (e.type === 'restoreStarted') {
      if (!this.stores.has(e.store))
        this.listener?.({ ...base, type: 'standbyUpdateStarted', startOffset: e.startOffset });
      this.stores.set(e.store, {
        topic: e.topic,
        partition: e.partition,
        start: e.startOffset,
        offset: e.startOffset,
        end: e.endOffset,
        records: 0,
      });
    } else if (e.type === 'restoreProgress') {
      const s = this.stores.get(e.store);
      if (s === undefined) return;
      const batchSize = e.records - s.records;
      s.records = e.records;
      s.offset = s.start + e.restored;
      this.listener?.({
        ...base,
        type: 'standbyBatchLoaded',
        batchEndOffset: s.offset,
        batchSize,
        currentEndOffset: s.end,
      });
    }
  };

  /** Reports every store's position as the standby stops. */
  suspended(reason: 'promoted' | 'migrated'): void {
    for (const [store, s] of this.stores) {
      this.listener?.({
        type: 'standbyUpdateSuspended',
        taskId: this.taskId,
        store,
        topic: s.topic,
        partition: s.partition,
        storeOffset: s.offset,
        currentEndOffset: s.end,
        reason,
      });
    }
  }
}
