/**
 * Which input offsets a thread commits. Every polled record is processed before a commit, so the
 * consumer's position is the offset to commit; it can be past the last record (transaction
 * markers), and committing it, as Kafka Streams does, lets the lag of a transactional input reach 0.
 */
import { MillraceError } from '../../common/errors.js';
import type { Consumer } from '../../log/client/consumer/consumer.js';
import { type TopicPartition, tpKey } from '../../log/client/consumer/consumer-record.js';
import type { Clock } from '../actor/clock.js';
import type { ActiveTask } from './active-task.js';
import { encodeTaskMetadata } from './task-metadata.js';

/**
 * An input offset to commit, with the metadata of its task's progress (task-metadata.ts).
 *
 * @example
 * ```ts
 * const o: TaskOffset = { tp: { topic: 'orders', partition: 0 }, offset: 42, metadata: encodeTaskMetadata(task.task.context.metadata()) };
 * ```
 */
export interface TaskOffset {
  readonly tp: TopicPartition;
  readonly offset: number;
  readonly metadata: string;
}

/**
 * The offsets a thread last committed, and what to commit next.
 *
 * @example
 * ```ts
 * const offsets = positions.toCommit(tasks.values(), consumer);
 * // … commit them …
 * positions.committed(offsets);
 * ```
 */
export class CommitPositions {
  /** The offset last committed per input partition (`topic-partition`). */
  private readonly last = new Map<string, number>();

  /** Every task partition processed since the last commit, or whose position moved past it. */
  toCommit(tasks: Iterable<ActiveTask>, consumer: Consumer): TaskOffset[] {
    const assigned = new Set(consumer.assignment().map(tpKey));
    const out: TaskOffset[] = [];
    for (const t of tasks) {
      let metadata: string | undefined;
      for (const topic of t.task.sourceTopics()) {
        const tp = { topic, partition: t.partition };
        const key = tpKey(tp);
        // A partition the group took away has no position any more: fall back to what was processed.
        const position =
          (assigned.has(key) ? consumer.position(tp) : undefined) ?? t.consumed.get(key)?.offset;
        if (position === undefined) continue;
        const committed = this.last.get(key);
        if (t.consumed.has(key) || (committed !== undefined && position > committed)) {
          metadata ??= encodeTaskMetadata(t.task.context.metadata());
          out.push({ tp, offset: position, metadata });
        }
      }
    }
    return out;
  }

  /** Records a successful commit of `offsets`. */
  committed(offsets: readonly TaskOffset[]): void {
    for (const o of offsets) this.last.set(tpKey(o.tp), o.offset);
  }
}

/**
 * The group's committed offsets, asked again while the answer is a retriable error (the group
 * coordinator moving or loading): a thread rewinding to them cannot go on without them, and must
 * not die of a transient error.
 *
 * @example
 * ```ts
 * const committed = await committedWithRetry(consumer, consumer.assignment(), clock, () => stopping);
 * ```
 * @throws the last error after 30 attempts, any non-retriable error, or any error once `stop()`.
 */
export async function committedWithRetry(
  consumer: Consumer,
  tps: readonly TopicPartition[],
  clock: Clock,
  stop: () => boolean,
): Promise<Map<string, { offset: number; metadata: string }>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await consumer.committedWithMetadata(tps);
    } catch (error) {
      if (!(error instanceof MillraceError) || !error.retriable || attempt >= 30 || stop()) throw error;
      await new Promise<void>((resolve) => clock.setTimer(Math.min(1000, 50 * attempt), resolve));
    }
  }
}
