/**
 * A CoordinatorStateLog over one local PartitionLog: for tests, tools and a single-broker
 * embedded cluster. The broker's replicated `__consumer_offsets` partition implements the same
 * interface with acks=all semantics; this one counts a record as committed once it is synced to
 * the local disk.
 */
import { RecordTooLargeError } from '../../common/errors.js';
import type { Clock } from '../../runtime/actor/clock.js';
import { RecordBatchBuilder } from '../format/record-batch-builder.js';
import { iterateBatches } from '../format/record-batch-decoder.js';
import type { PartitionLog } from '../storage/partition-log.js';
import type { CoordinatorRecord, CoordinatorStateLog } from './coordinator-state-log.js';

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
   * Appends the records as one batch and resolves once it is synced.
   *
   * @throws RecordTooLargeError when the records do not fit in one batch of the log's
   *   maxBatchBytes; StorageError after a disk failure.
   */
  async append(records: readonly CoordinatorRecord[]): Promise<void> {
    if (records.length === 0) return;
    const builder = new RecordBatchBuilder({
      maxBatchBytes: this.log.config.maxBatchBytes,
      defaultTimestampMs: this.clock.nowMs(),
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
   * Reads every record from the log start to the log end, skipping control batches (transaction
   * markers).
   *
   * @throws LogCorruptedError when a batch fails its checks.
   */
  async readAll(): Promise<CoordinatorRecord[]> {
    const out: CoordinatorRecord[] = [];
    let offset = this.log.logStartOffset;
    const end = this.log.logEndOffset;
    while (offset < end) {
      const { records, nextOffset } = this.log.read(offset, READ_CHUNK_BYTES);
      if (records.length === 0) break;
      for (const view of iterateBatches(records)) {
        if (view.isControl) continue;
        const iterator = view.records();
        for (let r = iterator.nextRecord(); r !== undefined; r = iterator.nextRecord()) {
          // A read may start inside the first batch; the records before `offset` came already.
          if (r.offset < offset || r.key === null) continue;
          // Copies: decoded keys and values are views into the read buffer.
          out.push({ key: r.key.slice(), value: r.value === null ? null : r.value.slice() });
        }
      }
      offset = nextOffset;
    }
    return out;
  }
}
