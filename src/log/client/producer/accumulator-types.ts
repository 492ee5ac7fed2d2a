/**
 * The types of the record accumulator's interface with its owner and its sender: how it is made,
 * how a sender drains it, and what a failed send led to.
 */
import type { Clock } from '../../../runtime/actor/clock.js';
import type { Random } from '../../../runtime/actor/random.js';
import type { DefaultPartitioner } from './partitioner.js';
import type { ProducerBatch } from './producer-batch.js';
import type { ProducerConfigInput } from './producer-config.js';

/**
 * What a RecordAccumulator is made from.
 *
 * @example
 * ```ts
 * const options: RecordAccumulatorOptions = { clock, random, config: { lingerMs: 10 }, onReady: wake };
 * ```
 */
export interface RecordAccumulatorOptions {
  clock: Clock;
  random: Random;
  /** The producer's config; defaults as in producer-config.ts. */
  config?: ProducerConfigInput;
  /** Default: a DefaultPartitioner over `random` and the config's batchSize. */
  partitioner?: DefaultPartitioner;
  /**
   * Called when a batch may have become ready to drain: one filled, linger or a retry backoff
   * ran out, flush or close was called, or appends are waiting for memory. Called at most once
   * between two drains, synchronously from inside an append, a timer or a completion; the
   * accumulator is consistent when it is called, so the listener may drain at once, but a sender
   * usually schedules its drain (a microtask) so appends in a loop fill batches first.
   */
  onReady?: () => void;
  /** Told of every batch that fails for good (a transactional producer's transaction fails with it). */
  onBatchFailed?: (batch: ProducerBatch, error: Error) => void;
  /** Receives errors thrown by delivery callbacks. Default: rethrown in a microtask. */
  onCallbackError?: (error: unknown) => void;
}

/**
 * How to drain: where each partition's leader is and how much one request may carry.
 *
 * @example
 * ```ts
 * const drained = accumulator.drain({ leaderOf: (t, p) => metadata.leader(t, p) ?? -1 });
 * ```
 */
export interface DrainOptions {
  /** The node id of the partition's leader, or -1 when it is not known (the batch waits). */
  leaderOf(topic: string, partition: number): number;
  /** The most batch bytes per node; one batch is always taken even if larger. Default maxRequestSize. */
  maxRequestBytes?: number;
  /** Whether a request can be sent to the node now (e.g. under its in-flight limit). Default: always. */
  isNodeReady?(nodeId: number): boolean;
  /** Partitions with this many batches in flight are skipped. Default: no limit. 1 keeps order under retries. */
  maxInFlightPerPartition?: number;
  /**
   * A batch never sent before goes only while it is fewer than this many sends past the oldest
   * unresolved batch of its partition. An idempotent producer passes 5, the number of batches
   * whose sequences the leader remembers: a retry of the oldest is then still recognised as a
   * duplicate however the sends in between fared. Default: no limit.
   */
  maxUnresolvedSpanPerPartition?: number;
  /**
   * Whether a partition's batches may go now. A transactional producer holds back a partition
   * until the coordinator has added it to the transaction. Default: always.
   */
  canSend?(topic: string, partition: number): boolean;
}

/**
 * The batches a drain took, in flight until the sender calls `complete` or `fail` for each.
 *
 * @example
 * ```ts
 * for (const [nodeId, batches] of drained.batchesByNode) sendProduceRequest(nodeId, batches);
 * if (drained.unknownLeaderTopics.size > 0) requestMetadataUpdate();
 * ```
 */
export interface DrainResult {
  /** At most one batch per partition, grouped by the leader's node id, in drain order. */
  readonly batchesByNode: Map<number, ProducerBatch[]>;
  /** Topics that had ready batches whose leader is not known: refresh their metadata. */
  readonly unknownLeaderTopics: Set<string>;
}

/**
 * What `fail` did with a batch: put it back to `retry` after a backoff, `failed` it for good
 * (its records' callbacks got the error), or `ignored` a batch that was not in flight.
 *
 * @example
 * ```ts
 * if (accumulator.fail(batch, err) === 'retrying') metrics.retries++;
 * ```
 */
export type FailOutcome = 'retrying' | 'failed' | 'ignored';
