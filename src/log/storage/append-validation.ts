/**
 * What an append checks before a byte is written: every batch whole and valid (length, magic,
 * CRC-32C), within maxBatchBytes, with a record count that matches its offset span, and — on a
 * compacted topic — a key on every record. All or nothing: the first failure refuses the append.
 */
import { CorruptRecordError, InvalidRecordError, RecordTooLargeError } from '../../common/errors.js';
import {
  BatchCheck,
  batchLastOffsetDelta,
  batchRecordsCount,
  batchSizeAt,
  checkBatchAt,
  describeBatchCheck,
  LOG_OVERHEAD_BYTES,
} from '../format/batch-layout.js';
import { RecordBatchView } from '../format/record-batch-decoder.js';
import type { LogConfig } from './log-config.js';

/**
 * Validates the batches of an append and returns how many there are. `producer` batches number
 * their records 0..count-1; `replica` batches, copied from a leader, may have compaction's gaps.
 *
 * @example
 * ```ts
 * const batches = validateAppend(bytes, config, 'producer');
 * ```
 * @throws CorruptRecordError, RecordTooLargeError or InvalidRecordError, saying which batch and why.
 */
export function validateAppend(bytes: Uint8Array, config: LogConfig, source: 'producer' | 'replica'): number {
  if (bytes.length === 0)
    throw new CorruptRecordError('append of zero bytes: expected at least one record batch');
  let batches = 0;
  for (let pos = 0; pos < bytes.length; ) {
    const check = checkBatchAt(bytes, pos, bytes.length, config.maxBatchBytes);
    if (check === BatchCheck.BadLength && bytes.length - pos >= LOG_OVERHEAD_BYTES) {
      const size = batchSizeAt(bytes, pos);
      if (size > config.maxBatchBytes) {
        throw new RecordTooLargeError(
          `batch at byte ${pos} is ${size} bytes, over maxBatchBytes ${config.maxBatchBytes}; send smaller batches`,
        );
      }
    }
    if (check !== BatchCheck.Ok) {
      throw new CorruptRecordError(
        `batch ${batches} at byte ${pos}: ${describeBatchCheck(check, bytes, pos)}; nothing was written`,
      );
    }
    const count = batchRecordsCount(bytes, pos);
    const delta = batchLastOffsetDelta(bytes, pos);
    const countOk =
      source === 'producer' ? count >= 1 && delta === count - 1 : count >= 0 && delta >= count - 1;
    if (!countOk) {
      throw new CorruptRecordError(
        `batch ${batches} at byte ${pos}: recordsCount ${count} does not match lastOffsetDelta ${delta}; nothing was written`,
      );
    }
    if (source === 'producer' && config.cleanupPolicy !== 'delete') requireKeys(bytes, pos, batches, config);
    pos += batchSizeAt(bytes, pos);
    batches++;
  }
  if (bytes.length > config.segmentBytes) {
    throw new RecordTooLargeError(
      `append of ${bytes.length} bytes exceeds segmentBytes ${config.segmentBytes}; send fewer batches at once`,
    );
  }
  return batches;
}

/** A compacted topic keeps the latest record per key, so a record without one has no meaning there. */
function requireKeys(bytes: Uint8Array, pos: number, batchIndex: number, config: LogConfig): void {
  const view = new RecordBatchView(bytes, pos, { maxBatchBytes: config.maxBatchBytes });
  if (view.isControl) return;
  let i = 0;
  for (const record of view) {
    if (record.key === null) {
      throw new InvalidRecordError(
        `batch ${batchIndex}, record ${i}: a compacted topic needs a key on every record; nothing was written`,
      );
    }
    i++;
  }
}
