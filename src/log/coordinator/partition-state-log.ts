/**
 * A CoordinatorStateLog over one local PartitionLog: for tests, tools and a single-broker
 * embedded cluster. The broker's replicated `__consumer_offsets` partition implements the same
 * interface with acks=all semantics; this one counts a record as committed once it is synced to
 * the local disk. It keeps no producer state: a local log checks no producer epoch, so it fences
 * no zombie producer (the replicated partition does).
 */
import { RecordTooLargeError } from '../../common/errors.js';
import type { Clock } from '../../runtime/actor/clock.js';
import { buildControlBatch } from '../format/control-record.js';
import { RecordBatchBuilder } from '../format/record-batch-builder.js';
import { iterateBatches } from '../format/record-batch-decoder.js';
import type { PartitionLog } from '../storage/partition-log.js';
import type {
  CoordinatorRecord,
  CoordinatorStateLog,
  CoordinatorTxnMarker,
  StoredCoordinatorRecord,
  TransactionalProducer,
} from './coordinator-state-log.js';
import { collectBatch } from './state-log-records.js';

const READ_CHUNK_BYTES = 1024 * 1024;

/**
 * The coordinator's records in a local partition log, one batch per append.
 *
 * @example
 * ```ts
 * const log = PartitionLog.open({ dir: '/data/__consumer_offsets-0', clock, config: { cleanupPolicy: 'compact' } });
 * const stateLog = new PartitionStateLog(log, clock);
 * await stateLog.append([{ key: groupMetadataKey('app'), value: null }]);
 * ```
 */
export class PartitionStateLog implements CoordinatorStateLog {
  private readonly log: PartitionLog;
  private readonly clock: Clock;

  constructor(log: PartitionLog, clock: Clock) {
    this.log = log;
    this.clock = clock;
  }

  /**
   * Appends the records as one batch (the producer's transactional batch with `transaction`) and
   * resolves once it is synced.
   *
   * @throws RecordTooLargeError when the records do not fit in one batch of the log's
   *   maxBatchBytes; StorageError after a disk failure.
   */
  async append(records: readonly CoordinatorRecord[], transaction?: TransactionalProducer): Promise<void> {
    if (records.length === 0) return;
    const builder = new RecordBatchBuilder({
      maxBatchBytes: this.log.config.maxBatchBytes,
      defaultTimestampMs: this.clock.nowMs(),
      ...(transaction === undefined
        ? {}
        : {
            producerId: transaction.producerId,
            producerEpoch: transaction.producerEpoch,
            baseSequence: -1,
            isTransactional: true,
          }),
    });
    for (const { key, value } of records) {
      if (!builder.append({ key, value })) {
        throw new RecordTooLargeError(
          `${records.length} coordinator records do not fit in one batch of at most ` +
            `${this.log.config.maxBatchBytes} bytes; commit fewer offsets at once`,
        );
      }
    }
    // One batch keeps the records atomic: recovery keeps or drops a batch whole.
    this.log.append(builder.build());
    await this.log.flush();
  }

  /**
   * Appends the marker's control batch and resolves with its offset once it is synced.
   *
   * @throws ConfigError for an out-of-range producer id, epoch or coordinator epoch; StorageError
   *   after a disk failure.
   */
  async appendMarker(marker: CoordinatorTxnMarker): Promise<number> {
    const batch = buildControlBatch({
      type: marker.marker,
      producerId: marker.producerId,
      producerEpoch: marker.producerEpoch,
      coordinatorEpoch: marker.coordinatorEpoch,
      timestamp: this.clock.nowMs(),
    });
    const { firstOffset } = this.log.append(batch);
    await this.log.flush();
    return firstOffset;
  }

  /**
   * Reads every record and transaction marker from the log start to the log end.
   *
   * @throws LogCorruptedError when a batch fails its checks; CorruptRecordError for a malformed
   *   marker.
   */
  async readAll(): Promise<StoredCoordinatorRecord[]> {
    const out: StoredCoordinatorRecord[] = [];
    let offset = this.log.logStartOffset;
    const end = this.log.logEndOffset;
    while (offset < end) {
      const { records, nextOffset } = this.log.read(offset, READ_CHUNK_BYTES);
      if (records.length === 0) break;
      for (const view of iterateBatches(records)) collectBatch(view, offset, out);
      offset = nextOffset;
    }
    return out;
  }
}
