/**
 * Streams the batches of a segment file in bounded memory: it reads fixed-size chunks (growing
 * only to fit one batch of up to maxBatchBytes) and yields each batch as a view into the chunk.
 * Recovery, index rebuilding, timestamp search and compaction all read segments through it, so
 * no caller ever loads a whole segment.
 */
import { BatchCheck, batchSizeAt, checkBatchAt, LOG_OVERHEAD_BYTES } from '../format/batch-layout.js';
import type { StorageFile } from './fs/storage-fs.js';

/** One batch found by the scanner. `buf[pos, pos+size)` is valid only until the next step. */
export interface ScannedBatch {
  /** Byte position of the batch in the file. */
  position: number;
  buf: Buffer;
  pos: number;
  size: number;
  /** BatchCheck.Ok, or why the bytes at `position` are not a valid batch (then the scan ends). */
  check: BatchCheck;
}

const DEFAULT_CHUNK_BYTES = 1024 * 1024;

/**
 * Yields the batches of `file` from byte `start` to `end`, validating each (length, magic,
 * CRC-32C unless `verifyCrc` is false, which checks structure only). Stops after the first batch
 * whose check is not Ok, yielding it so the caller can decide what the damage means.
 *
 * @example
 * ```ts
 * for (const b of scanBatches(file, 0, file.size(), 1 << 20)) {
 *   if (b.check !== BatchCheck.Ok) { truncateAt(b.position); break; }
 * }
 * ```
 */
export function* scanBatches(
  file: StorageFile,
  start: number,
  end: number,
  maxBatchBytes: number,
  verifyCrc = true,
  chunkBytes = DEFAULT_CHUNK_BYTES,
): Generator<ScannedBatch> {
  let buf = Buffer.allocUnsafe(Math.min(chunkBytes, Math.max(end - start, LOG_OVERHEAD_BYTES)));
  let chunkStart = start;
  let chunkLen = 0;
  let pos = 0;
  let position = start;
  const out: ScannedBatch = { position: 0, buf, pos: 0, size: 0, check: BatchCheck.Ok };
  while (position < end) {
    const avail = chunkLen - pos;
    if (avail < LOG_OVERHEAD_BYTES || avail < batchSizeAt(buf, pos)) {
      if (avail >= LOG_OVERHEAD_BYTES) {
        // A batch larger than the chunk: grow to fit it (a size past the limit fails the check).
        const size = batchSizeAt(buf, pos);
        if (size > buf.length && size <= maxBatchBytes) {
          buf = Buffer.allocUnsafe(size);
          out.buf = buf;
        }
      }
      // Refill so the next batch starts at the front of the buffer.
      chunkStart = position;
      chunkLen = file.read(buf, 0, Math.min(end - position, buf.length), position);
      pos = 0;
    }
    const check = verifyCrc
      ? checkBatchAt(buf, pos, chunkLen, maxBatchBytes)
      : structureCheck(buf, pos, chunkLen, maxBatchBytes);
    out.position = chunkStart + pos;
    out.pos = pos;
    out.check = check;
    out.size = check === BatchCheck.Ok || check === BatchCheck.BadCrc ? batchSizeAt(buf, pos) : 0;
    yield out;
    if (check !== BatchCheck.Ok) return;
    pos += out.size;
    position += out.size;
  }
}

function structureCheck(buf: Uint8Array, pos: number, end: number, maxBatchBytes: number): BatchCheck {
  const check = checkBatchAt(buf, pos, Math.min(end, pos + 17), maxBatchBytes);
  if (check !== BatchCheck.Truncated) return check;
  if (end - pos < LOG_OVERHEAD_BYTES) return BatchCheck.Truncated;
  return end - pos >= batchSizeAt(buf, pos) ? BatchCheck.Ok : BatchCheck.Truncated;
}
