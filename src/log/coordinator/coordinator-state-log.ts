/**
 * Where a group coordinator keeps its state: one partition of the compacted internal topic
 * `__consumer_offsets`. The coordinator only appends records and, when it takes over the
 * partition, reads them all back; behind this interface the broker puts a replicated partition
 * (an append resolves once the high watermark passes it), and tests put a local PartitionLog.
 */

/**
 * A record of `__consumer_offsets`: Kafka-encoded key and value; a null value is a tombstone.
 *
 * @example
 * ```ts
 * const tombstone: CoordinatorRecord = { key: groupMetadataKey('orders-app'), value: null };
 * ```
 */
export interface CoordinatorRecord {
  readonly key: Uint8Array;
  readonly value: Uint8Array | null;
}

/**
 * The coordinator's view of one `__consumer_offsets` partition.
 *
 * @example
 * ```ts
 * await stateLog.append([{ key: offsetCommitKey('app', 'orders', 0), value: encodeOffsetCommitValue(v) }]);
 * for (const { key, value } of await stateLog.readAll()) replay(key, value);
 * ```
 */
export interface CoordinatorStateLog {
  /**
   * Appends the records together (one batch: all or none) and resolves once they are committed,
   * that is, they will be seen by `readAll` from now on, here and on any broker that takes over.
   * Rejects with the storage or replication error when they are not; the coordinator answers its
   * caller with a retriable coordinator error then.
   */
  append(records: readonly CoordinatorRecord[]): Promise<void>;
  /**
   * Every committed record from the start of the partition, oldest first. After compaction some
   * older records of a key may be gone, but the newest of each key is always there (a tombstone
   * may be gone too, once delete.retention.ms has passed).
   */
  readAll(): Promise<CoordinatorRecord[]>;
}
