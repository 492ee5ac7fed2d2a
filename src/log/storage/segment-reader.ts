/**
 * The read path over segments: finding the batch that holds an offset (sparse index, then a short
 * walk over batch headers), reading whole batches up to a byte budget, and finding the first
 * offset at or after a timestamp. Every batch served is checked (offset order always, CRC-32C when
 * verifyCrcOnRead is on): damaged data is reported with LogCorruptedError, never served.
 */
import { LogCorruptedError } from '../../common/errors.js';
import {
  BatchCheck,
  BatchField,
  batchBaseOffset,
  batchLastOffset,
  batchMaxTimestamp,
  batchSizeAt,
  checkBatchAt,
  describeBatchCheck,
  LOG_OVERHEAD_BYTES,
} from '../format/batch-layout.js';
import { RecordBatchView } from '../format/record-batch-decoder.js';
import { scanBatches } from './batch-scanner.js';
import type { LogConfig } from './log-config.js';
import type { LogSegment } from './log-segment.js';

/** Enough of a batch header to know its size and last offset. */
export const HEADER_PROBE_BYTES = BatchField.lastOffsetDelta + 4;

/** Whole batches read from one segment. */
export interface SegmentRead {
  records: Buffer;
  /** Base offset of the first batch, -1 if none. */
  firstOffset: number;
  /** One past the last offset returned, -1 if none. */
  nextOffset: number;
}

/**
 * Reads batches from the segments of one partition directory.
 *
 * @example
 * ```ts
 * const reader = new SegmentReader(dir, config);
 * const position = reader.positionOf(segment, 42);
 * const { records } = reader.readFrom(segment, position, 1 << 20, highWatermark);
 * ```
 */
export class SegmentReader {
  private readonly dir: string;
  private readonly config: LogConfig;
  private readonly probe = Buffer.allocUnsafe(HEADER_PROBE_BYTES);

  constructor(dir: string, config: LogConfig) {
    this.dir = dir;
    this.config = config;
  }

  /** Byte position of the first batch of `seg` that ends at or after `offset`, or seg.size. */
  positionOf(seg: LogSegment, offset: number): number {
    let position = seg.index.positionFor(offset - seg.baseOffset);
    const probe = this.probe;
    while (position < seg.size) {
      const n = seg.file.read(probe, 0, HEADER_PROBE_BYTES, position);
      const size = n >= LOG_OVERHEAD_BYTES ? batchSizeAt(probe, 0) : 0;
      if (n < HEADER_PROBE_BYTES || size < HEADER_PROBE_BYTES || position + size > seg.size) {
        throw this.corrupted(seg, position, 'batch header is cut short or has an impossible length');
      }
      if (this.lastOffsetOf(seg, probe, position) >= offset) return position;
      position += size;
    }
    return seg.size;
  }

  /** The base offset of the batch at `position` (which positionOf returned). */
  baseOffsetAt(seg: LogSegment, position: number): number {
    seg.file.read(this.probe, 0, HEADER_PROBE_BYTES, position);
    return batchBaseOffset(this.probe, 0);
  }

  /**
   * Reads whole batches from `position`: up to `maxBytes`, but at least one batch, never past the
   * segment's end, and only batches that end below `limit`.
   */
  readFrom(seg: LogSegment, position: number, maxBytes: number, limit: number): SegmentRead {
    let buf = seg.read(position, Math.max(maxBytes, HEADER_PROBE_BYTES));
    const firstSize = buf.length >= LOG_OVERHEAD_BYTES ? batchSizeAt(buf, 0) : -1;
    if (firstSize > buf.length && position + firstSize <= seg.size) buf = seg.read(position, firstSize);
    let end = 0;
    let expectNext = -1;
    let firstOffset = -1;
    let nextOffset = -1;
    while (end + LOG_OVERHEAD_BYTES <= buf.length) {
      const size = batchSizeAt(buf, end);
      if (size < HEADER_PROBE_BYTES)
        throw this.corrupted(seg, position + end, `impossible batch length ${size}`);
      if (end + size > buf.length) break; // a partial batch at the end of what maxBytes allowed
      const last = this.lastOffsetOf(seg, buf.subarray(end), position + end);
      const base = batchBaseOffset(buf, end);
      if (last >= limit) break;
      if (this.config.verifyCrcOnRead) {
        const check = checkBatchAt(buf, end, end + size, this.config.maxBatchBytes);
        if (check !== BatchCheck.Ok)
          throw this.corrupted(seg, position + end, describeBatchCheck(check, buf, end));
      }
      if (base < expectNext || last < base) {
        throw this.corrupted(
          seg,
          position + end,
          `offsets ${base}..${last} out of order after ${expectNext - 1}`,
        );
      }
      if (firstOffset < 0) firstOffset = base;
      expectNext = last + 1;
      nextOffset = last + 1;
      end += size;
    }
    return { records: buf.subarray(0, end), firstOffset, nextOffset };
  }

  /**
   * The first record at or after `fromOffset` whose timestamp is at least `timestamp`, searching
   * `segments` in offset order (Kafka's ListOffsets by time), or undefined if there is none.
   */
  offsetForTimestamp(
    segments: readonly LogSegment[],
    timestamp: number,
    fromOffset: number,
  ): { offset: number; timestamp: number } | undefined {
    for (const seg of segments) {
      if (seg.nextOffset <= fromOffset || seg.maxTimestamp < timestamp) continue;
      // Every record up to the time index's hit has a smaller timestamp: start after it.
      const start = Math.max(seg.baseOffset + seg.index.relOffsetForTimestamp(timestamp), fromOffset);
      const position = this.positionOf(seg, start);
      for (const b of scanBatches(seg.file, position, seg.size, this.config.maxBatchBytes)) {
        if (b.check !== BatchCheck.Ok)
          throw this.corrupted(seg, b.position, describeBatchCheck(b.check, b.buf, b.pos));
        if (batchMaxTimestamp(b.buf, b.pos) < timestamp) continue;
        for (const record of new RecordBatchView(b.buf, b.pos)) {
          if (record.offset >= start && record.timestamp >= timestamp) {
            return { offset: record.offset, timestamp: record.timestamp };
          }
        }
      }
    }
    return undefined;
  }

  /** The last offset of the batch at the front of `header`; damage there is reported, not thrown raw. */
  private lastOffsetOf(seg: LogSegment, header: Uint8Array, position: number): number {
    try {
      return batchLastOffset(header, 0);
    } catch {
      throw this.corrupted(seg, position, 'base offset is outside the range of offsets');
    }
  }

  private corrupted(seg: LogSegment, position: number, detail: string): LogCorruptedError {
    return new LogCorruptedError(
      this.dir,
      `segment ${seg.baseOffset}, batch at byte ${position}: ${detail}`,
      seg.baseOffset,
    );
  }
}
