/**
 * The plain-data types of the producer's send path: the record a caller sends, what it learns
 * when the record is delivered, and what the partitioner needs to know about a topic.
 */
import type { RecordInput } from '../../format/record.js';

/**
 * A record to send: RecordBatch v2 fields plus where it goes. A `partition` given here wins over
 * the partitioner; without one, a keyed record goes where Kafka's murmur2 of its key says and a
 * record without a key goes to the topic's sticky partition. An omitted timestamp is the
 * producer's `clock.nowMs()` when the record is appended.
 *
 * @example
 * ```ts
 * const record: ProducerRecord = { topic: 'orders', key: Buffer.from('o-1'), value: Buffer.from('{}') };
 * ```
 */
export interface ProducerRecord extends RecordInput {
  topic: string;
  partition?: number;
}

/**
 * Where and when a record was written, as the broker acknowledged it.
 *
 * @example
 * ```ts
 * const { partition, offset } = await accumulator.send(record, partitions);
 * ```
 */
export interface RecordMetadata {
  readonly topic: string;
  readonly partition: number;
  /** The record's offset in its partition; -1 when the producer does not wait for acks (acks 0). */
  readonly offset: number;
  /** The record's create time, or the broker's append time for a LogAppendTime topic. */
  readonly timestamp: number;
}

/**
 * Told once per record how its delivery ended: `(null, metadata)` when it was acknowledged,
 * `(error, null)` when it failed for good (retries, if any, are over).
 *
 * @example
 * ```ts
 * const onDelivery: DeliveryCallback = (error, metadata) => {
 *   if (error !== null) console.error('lost', error);
 *   else console.log('stored at', metadata!.offset);
 * };
 * ```
 */
export type DeliveryCallback = (error: Error | null, metadata: RecordMetadata | null) => void;

/**
 * What the partitioner needs to know about a topic, from the producer's metadata.
 *
 * @example
 * ```ts
 * const partitions: TopicPartitions = { count: 6, available: [0, 1, 2, 4, 5] }; // 3 has no leader
 * ```
 */
export interface TopicPartitions {
  /** How many partitions the topic has. */
  readonly count: number;
  /**
   * The partitions that have a leader now; records without a key are spread over these only.
   * Empty means "treat all as available" (as Kafka does when none is).
   */
  readonly available: readonly number[];
}
