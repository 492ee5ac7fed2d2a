/**
 * How far behind each client's state of each stateful task is: lag = (sum of the end offsets of
 * the task's changelog partitions) − (the offset sum of the task's state on the client's disk).
 * End offsets come from an injected source, so lag computation stays pure and testable.
 */
import { partitionKey, type TopicPartition } from '../../../log/client/assignors/partition-assignor.js';
import { taskKey } from './task-id.js';
import type { TaskInfo } from './topology-tasks.js';

/**
 * The lag of a client that cannot be known to be close: it would have to restore everything.
 *
 * @example
 * ```ts
 * if (lag === UNKNOWN_LAG) console.log('full restore');
 * ```
 */
export const UNKNOWN_LAG = Number.MAX_SAFE_INTEGER;

/**
 * Gives the end offsets of changelog partitions, keyed by `partitionKey`; partitions it cannot
 * answer for are left out. Called once per assignment with every stateful task's changelogs.
 *
 * @example
 * ```ts
 * const lagSource: EndOffsetSource = (tps) => new Map(tps.map((tp) => [partitionKey(tp), endOffsets[tp.topic][tp.partition]]));
 * ```
 */
export type EndOffsetSource = (changelogPartitions: readonly TopicPartition[]) => ReadonlyMap<string, number>;

/**
 * What the lag computation knows about a client.
 *
 * @example
 * ```ts
 * const c: ClientOffsets = { processId: 'p-1', previousActive: new Set(['0_1']), taskOffsetSums: new Map([['0_2', 40]]) };
 * ```
 */
export interface ClientOffsets {
  readonly processId: string;
  /** Tasks the client ran as active before this rebalance: caught up by definition. */
  readonly previousActive: ReadonlySet<string>;
  readonly taskOffsetSums: ReadonlyMap<string, number>;
}

/**
 * Each stateful task's end-offset sum, for tasks whose every changelog end offset is known.
 *
 * @example
 * ```ts
 * const sums = endOffsetSums([...tasks.values()], lagSource); // Map { '0_1' => 1200 }
 * ```
 */
export function endOffsetSums(tasks: readonly TaskInfo[], source: EndOffsetSource): Map<string, number> {
  const stateful = tasks.filter((t) => t.stateful);
  const ends = source(stateful.flatMap((t) => t.changelogPartitions));
  const out = new Map<string, number>();
  for (const t of stateful) {
    let sum = 0;
    for (const tp of t.changelogPartitions) {
      const end = ends.get(partitionKey(tp));
      if (end === undefined || end < 0) {
        sum = -1;
        break;
      }
      sum += end;
    }
    if (sum >= 0) out.set(taskKey(t.id), sum);
  }
  return out;
}

/**
 * One client's lag on one task.
 *
 * @example
 * ```ts
 * taskLag(client, '0_1', 1200); // 1200 − client's offset sum, or 0 for its previous active task
 * ```
 */
export function taskLag(client: ClientOffsets, task: string, endOffsetSum: number | undefined): number {
  // The running owner has been writing the changelog itself: it is as current as the log.
  if (client.previousActive.has(task)) return 0;
  if (endOffsetSum === undefined) return UNKNOWN_LAG;
  const sum = client.taskOffsetSums.get(task);
  if (sum === undefined) return endOffsetSum;
  // State ahead of the log means the changelog was truncated or recreated: what is on disk cannot
  // be trusted, so count a full restore (Kafka Streams does the same).
  if (sum > endOffsetSum) return endOffsetSum;
  return endOffsetSum - sum;
}

/**
 * Every client's lag on every stateful task.
 *
 * @example
 * ```ts
 * const lags = clientLags(statefulTaskKeys, clients, endOffsetSums(tasks, lagSource));
 * lags.get('p-1')!.get('0_1'); // 200
 * ```
 */
export function clientLags(
  statefulTasks: readonly string[],
  clients: readonly ClientOffsets[],
  endSums: ReadonlyMap<string, number>,
): Map<string, Map<string, number>> {
  return new Map(
    clients.map((c) => [c.processId, new Map(statefulTasks.map((t) => [t, taskLag(c, t, endSums.get(t))]))]),
  );
}
