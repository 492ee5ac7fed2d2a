/**
 * An upper bound on a record's encoded size, computed without encoding it: what the accumulator
 * reserves for a batch that must hold a record larger than `batchSize`, and what it checks
 * against `maxRequestSize` and `bufferMemory` (as Kafka's `estimateSizeInBytesUpperBound`).
 */
import { BATCH_HEADER_BYTES } from '../../format/batch-layout.js';
import type { RecordInput } from '../../format/record.js';

/** Length varint (5), attributes (1), timestamp delta varlong (10), offset delta varint (5). */
const FIXED_RECORD_BYTES = 5 + 1 + 10 + 5;
/** The widest varint of a 32-bit length. */
const LENGTH_BYTES = 5;

/**
 * At least the bytes a batch holding only `record` takes, header included.
 *
 * @example
 * ```ts
 * const reserve = Math.max(batchSize, batchSizeUpperBound(record));
 * ```
 */
export function batchSizeUpperBound(record: RecordInput): number {
  let size = BATCH_HEADER_BYTES + FIXED_RECORD_BYTES + 3 * LENGTH_BYTES;
  size += record.key?.length ?? 0;
  size += record.value?.length ?? 0;
  const headers = record.headers;
  if (headers !== undefined) {
    for (let i = 0; i < headers.length; i++) {
      const header = headers[i]!;
      size += 2 * LENGTH_BYTES + Buffer.byteLength(header.key, 'utf8') + (header.value?.length ?? 0);
    }
  }
  return size;
}
