/**
 * The accumulator's per-partition queues: each partition's batches in creation order (the open one,
 * if any, last) and how many of its batches are in flight, found by topic and partition, and listed
 * for the ready scans and drains.
 */
import type { ProducerBatch } from './producer-batch.js';

/**
 * One partition's batches: queued in creation order, the open one (if any) last.
 *
 * @example
 * ```ts
 * const front = queue.batches[0];
 * ```
 */
export interface PartitionQueue {
  readonly topic: string;
  readonly partition: number;
  readonly batches: ProducerBatch[];
  open: ProducerBatch | undefined;
  inFlight: number;
  /**
   * Per-partition send order of batches that were sent and are not done yet (in flight, or queued
   * for a retry), ascending; the leader only remembers the last few batches, so how far new sends
   * may run ahead of the oldest of these is bounded.
   */
  unresolved: number[];
  /** The send ordinal the next never-sent batch gets. */
  nextOrdinal: number;
}

/**
 * Every partition queue of an accumulator.
 *
 * @example
 * ```ts
 * const queues = new PartitionQueues();
 * queues.get('orders', 3).batches.push(batch);
 * for (const queue of queues.all) scan(queue);
 * ```
 */
export class PartitionQueues {
  /** Every queue, in the order first used. */
  readonly all: PartitionQueue[] = [];
  private readonly byTopic = new Map<string, (PartitionQueue | undefined)[]>();
  private lastTopic: string | undefined;
  private lastTopicQueues: (PartitionQueue | undefined)[] | undefined;

  /** The queue of a partition, made empty on first use. */
  get(topic: string, partition: number): PartitionQueue {
    // Records come in runs for one topic: remember the last one's partitions.
    let byPartition = topic === this.lastTopic ? this.lastTopicQueues : this.byTopic.get(topic);
    if (byPartition === undefined) {
      byPartition = [];
      this.byTopic.set(topic, byPartition);
    }
    this.lastTopic = topic;
    this.lastTopicQueues = byPartition;
    let queue = byPartition[partition];
    if (queue === undefined) {
      queue = { topic, partition, batches: [], open: undefined, inFlight: 0, unresolved: [], nextOrdinal: 0 };
      byPartition[partition] = queue;
      this.all.push(queue);
    }
    return queue;
  }

  /** The queue a batch belongs to. */
  of(batch: ProducerBatch): PartitionQueue {
    return this.get(batch.topic, batch.partition);
  }

  /** Batches in flight over all partitions. */
  inFlight(): number {
    let n = 0;
    for (const queue of this.all) n += queue.inFlight;
    return n;
  }
}

/**
 * Puts a retried batch back among its partition's queued batches, in creation order: ahead of every
 * batch created after it, behind retried batches created before it.
 *
 * @example
 * ```ts
 * insertInCreationOrder(queue.batches, batch);
 * ```
 */
export function insertInCreationOrder(batches: ProducerBatch[], batch: ProducerBatch): void {
  let at = 0;
  while (at < batches.length && batches[at]!.id < batch.id) at++;
  batches.splice(at, 0, batch);
}
