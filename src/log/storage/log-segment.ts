/**
 * One segment of a partition log: a `.log` file of RecordBatch v2 batches, laid end to end exactly
 * as they travel on the wire, plus its in-memory sparse index. Offsets inside a segment are stored
 * relative to its base offset as int32, so a segment holds at most 2^31 offsets.
 */
import {
  BatchCheck,
  batchBaseOffset,
  batchLastOffset,
  batchMaxTimestamp,
  batchRecordsCount,
  batchSizeAt,
  describeBatchCheck,
} from '../format/batch-layout.js';
import { scanBatches } from './batch-scanner.js';
import type { StorageFile, StorageFs } from './fs/storage-fs.js';
import { readWholeFile, writeFileAtomically } from './fs/storage-fs.js';
import { SegmentSuffix, segmentFileName } from './segment-files.js';
import { SegmentIndex, type SegmentMeta } from './segment-index.js';

/** The largest offset span of one segment (relative offsets are int32). */
export const MAX_SEGMENT_OFFSET_SPAN = 2 ** 31 - 1;

/**
 * A segment of the log.
 *
 * @example
 * ```ts
 * const seg = LogSegment.create(fs, '/data/t-0', 0, 4096);
 * seg.append(batchBytes); // batches whose offsets the log has already assigned
 * ```
 */
export class LogSegment {
  readonly baseOffset: number;
  readonly dir: string;
  private readonly fs: StorageFs;
  private readonly indexIntervalBytes: number;
  file: StorageFile;
  index: SegmentIndex;
  /** Bytes in the `.log` file. */
  size = 0;
  /** One past the last offset stored (the base offset when empty). */
  nextOffset: number;
  /** The largest record timestamp stored, -1 when empty. */
  maxTimestamp = -1;
  /** The first batch's max timestamp (kept in the index for diagnostics); -1 when empty. */
  firstBatchTimestamp = -1;
  /**
   * Clock time when the segment took its first batch (or the log was opened): segment.ms rolling
   * is measured from it. Record timestamps are not used, so replayed old data does not roll a
   * segment per append.
   */
  rollStartMs = -1;
  private bytesSinceIndexEntry = 0;
  /** True once the segment's bytes are all synced (and, when sealed, its indexes written). */
  synced = true;

  private constructor(
    fs: StorageFs,
    dir: string,
    baseOffset: number,
    indexIntervalBytes: number,
    file: StorageFile,
  ) {
    this.fs = fs;
    this.dir = dir;
    this.baseOffset = baseOffset;
    this.indexIntervalBytes = indexIntervalBytes;
    this.file = file;
    this.index = new SegmentIndex();
    this.nextOffset = baseOffset;
  }

  /** Creates a new, empty segment file. */
  static create(fs: StorageFs, dir: string, baseOffset: number, indexIntervalBytes: number): LogSegment {
    const path = `${dir}/${segmentFileName(baseOffset, SegmentSuffix.log)}`;
    const file = fs.open(path, { create: true });
    file.truncate(0);
    return new LogSegment(fs, dir, baseOffset, indexIntervalBytes, file);
  }

  /**
   * Opens an existing segment file. Its index is loaded from the side files when they are intact
   * and describe exactly this file; otherwise the caller must rebuild it (`indexLoaded` false).
   */
  static open(
    fs: StorageFs,
    dir: string,
    baseOffset: number,
    indexIntervalBytes: number,
  ): { segment: LogSegment; indexLoaded: boolean } {
    const file = fs.open(`${dir}/${segmentFileName(baseOffset, SegmentSuffix.log)}`, { create: false });
    const segment = new LogSegment(fs, dir, baseOffset, indexIntervalBytes, file);
    segment.size = file.size();
    const loaded = segment.loadIndexFiles();
    return { segment, indexLoaded: loaded };
  }

  get isEmpty(): boolean {
    return this.size === 0;
  }

  /** Whether offsets up to `lastOffset` still fit the segment's relative-offset (int32) range. */
  canHoldOffsets(lastOffset: number): boolean {
    return lastOffset - this.baseOffset <= MAX_SEGMENT_OFFSET_SPAN;
  }

  /**
   * Appends whole, validated batches with their final offsets at the end of the file, and indexes
   * them. The caller has checked that they fit.
   */
  append(bytes: Uint8Array): void {
    this.file.write(bytes, 0, bytes.length, this.size);
    let pos = 0;
    while (pos < bytes.length) {
      this.indexBatch(bytes, pos, this.size + pos);
      pos += batchSizeAt(bytes, pos);
    }
    this.size += bytes.length;
    this.synced = false;
  }

  /**
   * Records one batch (already in the file at `position`) in the index and the segment's
   * metadata. Used by append and by recovery.
   */
  indexBatch(buf: Uint8Array, pos: number, position: number): void {
    const size = batchSizeAt(buf, pos);
    const lastOffset = batchLastOffset(buf, pos);
    const maxTs = batchMaxTimestamp(buf, pos);
    if (maxTs > this.maxTimestamp) this.maxTimestamp = maxTs;
    // The first batch always gets an entry; then one per indexIntervalBytes, keeping both sparse.
    if (this.index.offsetEntries === 0 || this.bytesSinceIndexEntry >= this.indexIntervalBytes) {
      this.index.addOffsetEntry(batchBaseOffset(buf, pos) - this.baseOffset, position);
      this.index.addTimeEntry(this.maxTimestamp, lastOffset - this.baseOffset);
      this.bytesSinceIndexEntry = 0;
    }
    this.bytesSinceIndexEntry += size;
    if (this.firstBatchTimestamp < 0 && position === 0) this.firstBatchTimestamp = maxTs;
    this.nextOffset = lastOffset + 1;
  }

  /** Forgets the index and metadata, before recovery re-reads the file. */
  resetIndex(): void {
    this.index = new SegmentIndex();
    this.bytesSinceIndexEntry = 0;
    this.maxTimestamp = -1;
    this.firstBatchTimestamp = -1;
    this.nextOffset = this.baseOffset;
  }

  /**
   * Re-reads the file from its first byte, rebuilding the index and metadata, and checking every
   * batch: length, magic, CRC-32C and offsets in order (a valid batch at the wrong place, as a
   * misdirected write leaves, shows up as an offset out of order). Returns where and why the first
   * bad batch is, or undefined if the whole file is good. Nothing is truncated here.
   */
  rebuildIndex(
    nextSegmentBase: number | undefined,
    maxBatchBytes: number,
  ): { position: number; detail: string } | undefined {
    this.resetIndex();
    for (const b of scanBatches(this.file, 0, this.size, maxBatchBytes)) {
      if (b.check !== BatchCheck.Ok)
        return { position: b.position, detail: describeBatchCheck(b.check, b.buf, b.pos) };
      let base: number;
      let last: number;
      try {
        base = batchBaseOffset(b.buf, b.pos);
        last = batchLastOffset(b.buf, b.pos);
      } catch {
        return { position: b.position, detail: 'base offset is outside the range of offsets' };
      }
      const misplaced =
        base < this.nextOffset ||
        last < base ||
        batchRecordsCount(b.buf, b.pos) < 0 ||
        last - this.baseOffset > MAX_SEGMENT_OFFSET_SPAN ||
        (nextSegmentBase !== undefined && last >= nextSegmentBase);
      if (misplaced) {
        return {
          position: b.position,
          detail: `offsets ${base}..${last} out of order (expected ${this.nextOffset} or later)`,
        };
      }
      this.indexBatch(b.buf, b.pos, b.position);
    }
    return undefined;
  }

  /** Reads `length` bytes at `position` into a new buffer (short at the end of the file). */
  read(position: number, length: number): Buffer {
    const buf = Buffer.allocUnsafe(Math.max(0, Math.min(length, this.size - position)));
    const n = this.file.read(buf, 0, buf.length, position);
    return buf.subarray(0, n);
  }

  /**
   * Cuts the segment at byte `position` (a batch boundary), leaving `nextOffset` as given. The
   * index keeps only entries below the cut.
   */
  truncateAt(position: number, nextOffset: number): void {
    this.file.truncate(position);
    this.size = position;
    this.index.truncate(position, nextOffset - this.baseOffset);
    this.nextOffset = nextOffset;
    if (position === 0) {
      this.maxTimestamp = -1;
      this.firstBatchTimestamp = -1;
    }
    this.synced = false;
  }

  /** The metadata written with the index. */
  meta(): SegmentMeta {
    return {
      coveredLogBytes: this.size,
      nextOffset: this.nextOffset,
      maxTimestamp: this.maxTimestamp,
      firstBatchTimestamp: this.firstBatchTimestamp,
    };
  }

  /** Writes the index side files atomically. The log bytes must already be synced. */
  writeIndexFiles(): void {
    writeFileAtomically(
      this.fs,
      this.dir,
      segmentFileName(this.baseOffset, SegmentSuffix.offsetIndex),
      this.index.encodeOffsetIndex(this.meta()),
    );
    writeFileAtomically(
      this.fs,
      this.dir,
      segmentFileName(this.baseOffset, SegmentSuffix.timeIndex),
      this.index.encodeTimeIndex(this.size),
    );
  }

  /** Removes the index side files (they are stale once the log bytes change under them). */
  removeIndexFiles(): void {
    this.fs.remove(`${this.dir}/${segmentFileName(this.baseOffset, SegmentSuffix.offsetIndex)}`);
    this.fs.remove(`${this.dir}/${segmentFileName(this.baseOffset, SegmentSuffix.timeIndex)}`);
  }

  /** Closes the file and deletes the segment's files. */
  delete(): void {
    this.file.close();
    this.removeFiles();
  }

  /**
   * Deletes the segment's files but leaves the handle open, for a sync that may still be using it
   * (POSIX keeps an unlinked file alive while it is open); the caller closes it later.
   */
  removeFiles(): void {
    this.fs.remove(`${this.dir}/${segmentFileName(this.baseOffset, SegmentSuffix.log)}`);
    this.removeIndexFiles();
  }

  close(): void {
    this.file.close();
  }

  private loadIndexFiles(): boolean {
    const offsetPath = `${this.dir}/${segmentFileName(this.baseOffset, SegmentSuffix.offsetIndex)}`;
    const timePath = `${this.dir}/${segmentFileName(this.baseOffset, SegmentSuffix.timeIndex)}`;
    if (!this.fs.exists(offsetPath) || !this.fs.exists(timePath)) return false;
    const decoded = SegmentIndex.decode(
      readWholeFile(this.fs, offsetPath),
      readWholeFile(this.fs, timePath),
      this.size,
    );
    if (decoded === undefined) return false;
    if (decoded.meta.nextOffset < this.baseOffset) return false;
    this.index = decoded.index;
    this.nextOffset = decoded.meta.nextOffset;
    this.maxTimestamp = decoded.meta.maxTimestamp;
    this.firstBatchTimestamp = decoded.meta.firstBatchTimestamp;
    this.bytesSinceIndexEntry = 0;
    return true;
  }
}
