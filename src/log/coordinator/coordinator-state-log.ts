/**
 * Where a group coordinator keeps its state: one partition of the compacted internal topic
 * `__consumer_offsets`. The coordinator appends records (plain, or as a transactional producer's
 * batch for TxnOffsetCommit), appends the COMMIT and ABORT markers a transaction coordinator asks
 * for, and, when it takes over the partition, reads it all back; behind this interface the broker
 * puts a replicated partition (an append resolves once the high watermark passes it), and tests
 * put a local PartitionLog.
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
 * The transactional producer an append writes for (TxnOffsetCommit): the batch is written with its
 * producer id and epoch, the transactional attribute and base sequence -1 (the partition checks no
 * sequence then, but tracks the producer's transaction and epoch).
 *
 * @example
 * ```ts
 * await stateLog.append(records, { producerId: 7, producerEpoch: 3 } satisfies TransactionalProducer);
 * ```
 */
export interface TransactionalProducer {
  readonly producerId: number;
  readonly producerEpoch: number;
}

/**
 * A transaction marker to write: the end of `producerId`'s transaction in this partition.
 *
 * @example
 * ```ts
 * const offset = await stateLog.appendMarker({ producerId: 7, producerEpoch: 4, coordinatorEpoch: 2,
 *   marker: 'COMMIT', timeoutMs: 5000 } satisfies CoordinatorTxnMarker);
 * ```
 */
export interface CoordinatorTxnMarker extends TransactionalProducer {
  /** The leader epoch of the transaction coordinator's partition, which fences older coordinators. */
  readonly coordinatorEpoch: number;
  readonly marker: 'COMMIT' | 'ABORT';
  /** How long the write may take before it fails; the state log's own default when omitted. */
  readonly timeoutMs?: number;
}

/**
 * A record as read back by `readAll`. A record of a plain batch is only its key and value (the
 * common case, kept lean). A record of a transactional batch also names its producer. A
 * transaction marker (a control record) comes as an entry of its own with `control` set; its key
 * and value are then the control record's bytes, not a `__consumer_offsets` key and value.
 *
 * @example
 * ```ts
 * for (const r of await stateLog.readAll()) {
 *   if (r.control !== undefined) endTransaction(r.producerId!, r.control);
 *   else if (r.isTransactional) holdPending(r.producerId!, r.key, r.value);
 *   else apply(r.key, r.value);
 * }
 * ```
 */
export interface StoredCoordinatorRecord extends CoordinatorRecord {
  /** The batch's producer id: set on records of transactional batches and on markers. */
  readonly producerId?: number;
  readonly producerEpoch?: number;
  /** True on records of transactional batches and on markers; absent (false) otherwise. */
  readonly isTransactional?: boolean;
  /** Set on a transaction marker: which end the producer's transaction came to. */
  readonly control?: 'COMMIT' | 'ABORT';
  /** The marker's coordinator epoch (markers only). */
  readonly coordinatorEpoch?: number;
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
   * With `transaction`, the batch is that producer's transactional batch. Rejects with the storage
   * or replication error when they are not (a fenced producer epoch among them); the coordinator
   * answers its caller with a coordinator error then, or passes a non-retriable one on.
   */
  append(records: readonly CoordinatorRecord[], transaction?: TransactionalProducer): Promise<void>;
  /**
   * Appends a COMMIT or ABORT control batch for the producer and resolves with its offset once it
   * is committed. Rejects as `append` does, or with the partition's refusal of the marker (an old
   * coordinator epoch, an old producer epoch).
   */
  appendMarker(marker: CoordinatorTxnMarker): Promise<number>;
  /**
   * Every committed record from the start of the partition, oldest first, markers included in
   * their place. After compaction some older records of a key may be gone, but the newest of each
   * key is always there (a tombstone may be gone too, once delete.retention.ms has passed).
   */
  readAll(): Promise<StoredCoordinatorRecord[]>;
}
