/**
 * Kafka's default partitioning. A partition given with the record wins; a keyed record goes to
 * `toPositive(murmur2(key)) % count`, as with the Java client, over all partitions (available or
 * not, so a key never moves while a leader is briefly missing); a record without a key goes to the
 * topic's sticky partition.
 *
 * Sticky partitioning (KIP-480, refined by KIP-794): records without a key all go to one partition
 * so they fill one batch instead of trickling into a batch per partition. The sticky partition
 * changes only at a batch boundary, when the record accumulator has to start a new batch for it:
 * - when its batch is full, always (KIP-480: a full batch was completed, so move on);
 * - when its batch was sent before filling (linger expired), only once `batchSize` bytes have gone
 *   to it since it became sticky (KIP-794: switching on every linger-sent batch made slow brokers,
 *   whose batches linger longer, collect more records than fast ones).
 * The next partition is chosen uniformly at random (injected Random) among the available
 * partitions other than the current one. KIP-794's adaptive weighting by queue size is not done.
 */
import { InvalidRecordError } from '../../../common/errors.js';
import { UnknownTopicOrPartitionError } from '../../../common/kafka-errors.js';
import type { Random } from '../../../runtime/actor/random.js';
import { partitionForKey } from './murmur2.js';
import type { TopicPartitions } from './producer-types.js';

/** The sticky choice of one topic. */
interface StickyState {
  partition: number;
  /** Bytes appended to `partition` since it became sticky, batch headers included. */
  producedBytes: number;
}

/**
 * The default partitioner. The record accumulator drives its sticky part: it calls
 * `onNewBatch` when a record for the sticky partition needs a new batch, then asks `partition`
 * again, and reports each append with `onAppend`.
 *
 * @example
 * ```ts
 * const partitioner = new DefaultPartitioner(new SeededRandom(1), 16384);
 * const p = partitioner.partition('orders', Buffer.from('o-1'), undefined, { count: 6, available: [] });
 * ```
 */
export class DefaultPartitioner {
  private readonly random: Random;
  private readonly batchSize: number;
  private readonly sticky = new Map<string, StickyState>();

  /** `batchSize` is the producer's: the bytes a sticky partition takes before it may change. */
  constructor(random: Random, batchSize: number) {
    this.random = random;
    this.batchSize = batchSize;
  }

  /**
   * Whether a record with this key and explicit partition is placed by the sticky partitioner.
   *
   * @example
   * ```ts
   * DefaultPartitioner.isSticky(null, undefined); // true
   * ```
   */
  static isSticky(key: Uint8Array | null | undefined, explicitPartition: number | undefined): boolean {
    return explicitPartition === undefined && key == null;
  }

  /**
   * The partition of a record.
   *
   * @example
   * ```ts
   * const p = partitioner.partition('clicks', null, undefined, { count: 12, available: [] });
   * ```
   * @throws InvalidRecordError for an explicit partition outside [0, count);
   * UnknownTopicOrPartitionError when the topic has no partitions (its metadata is not known yet).
   */
  partition(
    topic: string,
    key: Uint8Array | null | undefined,
    explicitPartition: number | undefined,
    partitions: TopicPartitions,
  ): number {
    const count = partitions.count;
    if (!(count >= 1)) {
      throw new UnknownTopicOrPartitionError(`topic ${topic} has no partitions in the producer's metadata`);
    }
    if (explicitPartition !== undefined) {
      if (!Number.isInteger(explicitPartition) || explicitPartition < 0 || explicitPartition >= count) {
        throw new InvalidRecordError(
          `record for ${topic} names partition ${explicitPartition}, but the topic has partitions 0 to ${count - 1}`,
        );
      }
      return explicitPartition;
    }
    if (key != null) return partitionForKey(key, count);
    const state = this.sticky.get(topic);
    if (state === undefined) {
      const partition = this.choose(-1, partitions);
      this.sticky.set(topic, { partition, producedBytes: 0 });
      return partition;
    }
    // The topic may have shrunk in the metadata (a deleted and re-created topic).
    if (state.partition >= count) this.switchFrom(state, partitions);
    return state.partition;
  }

  /**
   * Called by the accumulator when a record for sticky `partition` needs a new batch there:
   * switches to another partition if the old batch was full, or if `batchSize` bytes have gone to
   * the partition since it became sticky. The caller then asks `partition` again.
   *
   * @example
   * ```ts
   * partitioner.onNewBatch('clicks', 3, true, partitions);
   * ```
   */
  onNewBatch(
    topic: string,
    partition: number,
    previousBatchFull: boolean,
    partitions: TopicPartitions,
  ): void {
    const state = this.sticky.get(topic);
    // Someone already moved on from this partition: nothing to do.
    if (state === undefined || state.partition !== partition) return;
    if (previousBatchFull || state.producedBytes >= this.batchSize) this.switchFrom(state, partitions);
  }

  /**
   * Called by the accumulator after it appended a sticky record: counts the bytes (the record's,
   * plus the batch header when it started a batch) towards the partition's share.
   *
   * @example
   * ```ts
   * partitioner.onAppend('clicks', 3, 110);
   * ```
   */
  onAppend(topic: string, partition: number, appendedBytes: number): void {
    const state = this.sticky.get(topic);
    if (state !== undefined && state.partition === partition) state.producedBytes += appendedBytes;
  }

  /**
   * The current sticky partition of `topic`, or undefined before its first keyless record.
   *
   * @example
   * ```ts
   * const current = partitioner.stickyPartition('clicks');
   * ```
   */
  stickyPartition(topic: string): number | undefined {
    return this.sticky.get(topic)?.partition;
  }

  private switchFrom(state: StickyState, partitions: TopicPartitions): void {
    state.partition = this.choose(state.partition, partitions);
    state.producedBytes = 0;
  }

  /**
   * A partition chosen uniformly among the available ones other than `current` (all partitions
   * when none is available); `current` itself only when it is the only choice.
   */
  private choose(current: number, partitions: TopicPartitions): number {
    const available = partitions.available;
    const count = partitions.count;
    if (available.length === 0) {
      if (count === 1 || current < 0 || current >= count) return this.random.nextInt(0, count - 1);
      const r = this.random.nextInt(0, count - 2);
      return r >= current ? r + 1 : r;
    }
    const at = available.indexOf(current);
    if (at < 0) return available[this.random.nextInt(0, available.length - 1)]!;
    if (available.length === 1) return current;
    const r = this.random.nextInt(0, available.length - 2);
    return available[r >= at ? r + 1 : r]!;
  }
}
