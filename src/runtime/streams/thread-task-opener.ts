/**
 * Opening a stream thread's task: restore its stores, compile its sub-topology, count restoration
 * in the thread's metrics; and wait while another thread of this process still holds the stores'
 * RocksDB locks — a task moving between two threads of one instance is closed by its previous
 * owner in that thread's own rebalance step, which may come a little later (Kafka Streams retries
 * too).
 */
import { StateStoreFailedError } from '../../common/errors.js';
import type { StoreEngine } from '../../state-stores/engine.js';
import { ActiveTask } from './active-task.js';
import type { SinkCallback } from './stream-task.js';
import type { StreamThreadMetrics, StreamThreadOptions } from './stream-thread-types.js';
import type { TaskMetadata } from './task-metadata.js';

/**
 * The task to open: task `<subTopology>_<partition>`, what its last commit recorded, and a
 * standby's engines to continue from.
 *
 * @example
 * ```ts
 * const task: TaskToOpen = { subTopology: 1, partition: 0, restored: undefined, engines: undefined };
 * ```
 */
export interface TaskToOpen {
  readonly subTopology: number;
  readonly partition: number;
  readonly restored: TaskMetadata | undefined;
  readonly engines: ReadonlyMap<string, StoreEngine> | undefined;
}

/**
 * How often, and how long apart, a locked task is tried again: up to 30 s, since the thread that
 * gives the task up closes it in its own next round, which a loaded machine can delay by seconds.
 */
const LOCK_ATTEMPTS = 300;
const LOCK_RETRY_MS = 100;

/**
 * Opens task `<subTopology>_<partition>` for a thread.
 *
 * @example
 * ```ts
 * const task = await openTaskWhenUnlocked(options, metrics, { subTopology: 1, partition: 0, restored, engines }, sink);
 * ```
 * @throws what restoring throws; StateStoreFailedError when the stores stay locked.
 */
export async function openTaskWhenUnlocked(
  o: StreamThreadOptions,
  metrics: StreamThreadMetrics,
  task: TaskToOpen,
  sink: SinkCallback,
): Promise<ActiveTask> {
  for (let attempt = 1; ; attempt++) {
    try {
      // A failed attempt closes a standby's engines: only the first may use them.
      return await openTask(o, metrics, attempt === 1 ? task : { ...task, engines: undefined }, sink);
    } catch (error) {
      const locked = error instanceof StateStoreFailedError && /\block\b/i.test(error.message);
      if (!locked || attempt >= LOCK_ATTEMPTS) throw error;
      await new Promise<void>((resolve) => o.clock.setTimer(LOCK_RETRY_MS, resolve));
    }
  }
}

function openTask(
  o: StreamThreadOptions,
  metrics: StreamThreadMetrics,
  { subTopology, partition, restored, engines }: TaskToOpen,
  sink: SinkCallback,
): Promise<ActiveTask> {
  return ActiveTask.open({
    ...(engines === undefined ? {} : { engines }),
    ...(restored === undefined ? {} : { restored }),
    topology: o.topology,
    applicationId: o.applicationId,
    subTopology,
    partition,
    stateDir: o.stateDir,
    reader: o.client,
    clock: o.clock,
    sink,
    onRecordDropped: () => {
      metrics.droppedRecords++;
    },
    // Counted for progress reports (a worker's status carries the metrics), then the user's listener.
    restoreListener: (event) => {
      if (event.type === 'restoreStarted' && event.fromScratch && event.total > 0) {
        metrics.restoresFromScratch = (metrics.restoresFromScratch ?? 0) + 1;
      }
      if (event.type === 'restoreEnded')
        metrics.restoredRecords = (metrics.restoredRecords ?? 0) + event.records;
      o.restoreListener?.(event);
    },
    ...(o.deserializationErrorHandler === undefined
      ? {}
      : { deserializationErrorHandler: o.deserializationErrorHandler }),
    ...(o.processingErrorHandler === undefined ? {} : { processingErrorHandler: o.processingErrorHandler }),
    ...(o.productionErrorHandler === undefined ? {} : { productionErrorHandler: o.productionErrorHandler }),
    ...(o.storeEngine === undefined ? {} : { storeEngine: o.storeEngine }),
  });
}
