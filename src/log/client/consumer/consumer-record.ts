/**
 * What a consumer hands to the application: records with their topic, partition and offset, in
 * per-partition order, grouped per partition so a caller can process a batch at a time.
 */
import type { RecordHeader } from '../../format/record.js';

/** A topic and partition. */
export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** A consumed record. Key, value and header values are views into the fetched bytes. */
export interface ConsumerRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly headers: readonly RecordHeader[];
}

/** The records of one poll, per partition, each list in offset order. */
export interface PolledRecords {
  readonly partitions: ReadonlyMap<string, readonly ConsumerRecord[]>;
  readonly count: number;
}

/**
 * The key a topic-partition is filed under in maps.
 *
 * @example
 * ```ts
 * tpKey({ topic: 'orders', partition: 3 }); // 'orders-3'
 * ```
 */
export function tpKey(tp: TopicPartition): string {
  return `${tp.topic}-${tp.partition}`;
}
