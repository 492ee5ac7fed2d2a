/**
 * The sparse offset index and time index of one segment, held in memory and written to the
 * segment's `.index` and `.timeindex` side files when the segment is sealed or the log closes.
 *
 * Offset entries map a batch's base offset (relative to the segment's base) to its byte position;
 * one is added every `indexIntervalBytes`. Time entries map the largest timestamp seen so far to
 * the last offset of the batch where the entry was taken: every record up to that offset has a
 * timestamp at most that large, so a timestamp search may start right after it.
 *
 * The files are sealed (checksummed) and record how many log bytes they describe, so a stale,
 * half-written or garbage index is detected and rebuilt from the log rather than trusted.
 */
import { readInt32, readInt64, writeInt32, writeInt64 } from '../../common/bytes.js';
import { openSealedFile, sealFile } from './sealed-file.js';

/** What a segment knows about itself besides its bytes; stored in the `.index` file. */
export interface SegmentMeta {
  /** The log bytes the index describes: it is stale if the `.log` file has another size. */
  coveredLogBytes: number;
  /** One past the last offset in the segment (the base offset if empty). */
  nextOffset: number;
  /** The largest record timestamp in the segment, -1 if empty. */
  maxTimestamp: number;
  /** The first batch's max timestamp, which segment.ms rolling is measured from; -1 if empty. */
  firstBatchTimestamp: number;
}

const FORMAT_VERSION = 1;
const OFFSET_HEADER_BYTES = 4 + 8 * 4 + 4;
const TIME_HEADER_BYTES = 4 + 8 + 4;

/**
 * The in-memory index of a segment.
 *
 * @example
 * ```ts
 * const index = new SegmentIndex();
 * index.addOffsetEntry(0, 0);
 * index.positionFor(5); // 0: scan batches from byte 0 to find offset base + 5
 * ```
 */
export class SegmentIndex {
  private relOffsets = new Int32Array(64);
  private positions = new Int32Array(64);
  private count = 0;
  private timestamps = new Float64Array(64);
  private timeRelOffsets = new Int32Array(64);
  private timeCount = 0;

  get offsetEntries(): number {
    return this.count;
  }

  get timeEntries(): number {
    return this.timeCount;
  }

  /** Adds an offset entry; entries must arrive in increasing offset order. */
  addOffsetEntry(relOffset: number, position: number): void {
    if (this.count === this.relOffsets.length) {
      this.relOffsets = grow(this.relOffsets);
      this.positions = grow(this.positions);
    }
    this.relOffsets[this.count] = relOffset;
    this.positions[this.count] = position;
    this.count++;
  }

  /** Adds a time entry if `timestamp` is larger than the last one. */
  addTimeEntry(timestamp: number, relLastOffset: number): void {
    if (this.timeCount > 0 && timestamp <= this.timestamps[this.timeCount - 1]!) return;
    if (this.timeCount === this.timestamps.length) {
      const ts = new Float64Array(this.timestamps.length * 2);
      ts.set(this.timestamps);
      this.timestamps = ts;
      this.timeRelOffsets = grow(this.timeRelOffsets);
    }
    this.timestamps[this.timeCount] = timestamp;
    this.timeRelOffsets[this.timeCount] = relLastOffset;
    this.timeCount++;
  }

  /** The byte position to start scanning from to find `relOffset`: the greatest entry at or below it. */
  positionFor(relOffset: number): number {
    let lo = 0;
    let hi = this.count - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.relOffsets[mid]! <= relOffset) {
        found = this.positions[mid]!;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /**
   * The relative offset to start a search for the first record with timestamp ≥ `timestamp`:
   * one past the greatest entry whose timestamp is below it, or 0.
   */
  relOffsetForTimestamp(timestamp: number): number {
    let lo = 0;
    let hi = this.timeCount - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timestamps[mid]! < timestamp) {
        found = this.timeRelOffsets[mid]! + 1;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** Drops entries for bytes at or past `position` (offset index) and offsets at or past `relOffset`. */
  truncate(position: number, relOffset: number): void {
    while (this.count > 0 && this.positions[this.count - 1]! >= position) this.count--;
    while (this.timeCount > 0 && this.timeRelOffsets[this.timeCount - 1]! >= relOffset) this.timeCount--;
  }

  /** The sealed bytes of the `.index` file. */
  encodeOffsetIndex(meta: SegmentMeta): Buffer {
    const out = Buffer.alloc(OFFSET_HEADER_BYTES + this.count * 8);
    out[0] = FORMAT_VERSION;
    writeInt64(out, 4, meta.coveredLogBytes);
    writeInt64(out, 12, meta.nextOffset);
    writeInt64(out, 20, meta.maxTimestamp);
    writeInt64(out, 28, meta.firstBatchTimestamp);
    writeInt32(out, 36, this.count);
    for (let i = 0; i < this.count; i++) {
      writeInt32(out, OFFSET_HEADER_BYTES + i * 8, this.relOffsets[i]!);
      writeInt32(out, OFFSET_HEADER_BYTES + i * 8 + 4, this.positions[i]!);
    }
    return sealFile(out);
  }

  /** The sealed bytes of the `.timeindex` file. */
  encodeTimeIndex(coveredLogBytes: number): Buffer {
    const out = Buffer.alloc(TIME_HEADER_BYTES + this.timeCount * 12);
    out[0] = FORMAT_VERSION;
    writeInt64(out, 4, coveredLogBytes);
    writeInt32(out, 12, this.timeCount);
    for (let i = 0; i < this.timeCount; i++) {
      writeInt64(out, TIME_HEADER_BYTES + i * 12, this.timestamps[i]!);
      writeInt32(out, TIME_HEADER_BYTES + i * 12 + 8, this.timeRelOffsets[i]!);
    }
    return sealFile(out);
  }

  /**
   * Rebuilds an index from its two files, or returns undefined if either is not intact, is
   * inconsistent, or describes a different number of log bytes than `logBytes`.
   */
  static decode(
    offsetFile: Uint8Array,
    timeFile: Uint8Array,
    logBytes: number,
  ): { index: SegmentIndex; meta: SegmentMeta } | undefined {
    const o = openSealedFile(offsetFile);
    const t = openSealedFile(timeFile);
    if (o === undefined || t === undefined) return undefined;
    if (o.length < OFFSET_HEADER_BYTES || t.length < TIME_HEADER_BYTES) return undefined;
    if (o[0] !== FORMAT_VERSION || t[0] !== FORMAT_VERSION) return undefined;
    const meta: SegmentMeta = {
      coveredLogBytes: readInt64(o, 4),
      nextOffset: readInt64(o, 12),
      maxTimestamp: readInt64(o, 20),
      firstBatchTimestamp: readInt64(o, 28),
    };
    const count = readInt32(o, 36);
    const timeCount = readInt32(t, 12);
    if (meta.coveredLogBytes !== logBytes || readInt64(t, 4) !== logBytes) return undefined;
    if (count < 0 || o.length !== OFFSET_HEADER_BYTES + count * 8) return undefined;
    if (timeCount < 0 || t.length !== TIME_HEADER_BYTES + timeCount * 12) return undefined;
    const index = new SegmentIndex();
    let lastRel = -1;
    let lastPos = -1;
    for (let i = 0; i < count; i++) {
      const rel = readInt32(o, OFFSET_HEADER_BYTES + i * 8);
      const pos = readInt32(o, OFFSET_HEADER_BYTES + i * 8 + 4);
      // Entries must increase and point inside the log; anything else is not an index we wrote.
      if (rel <= lastRel || pos <= lastPos || pos >= logBytes) return undefined;
      index.addOffsetEntry(rel, pos);
      lastRel = rel;
      lastPos = pos;
    }
    for (let i = 0; i < timeCount; i++) {
      index.addTimeEntry(
        readInt64(t, TIME_HEADER_BYTES + i * 12),
        readInt32(t, TIME_HEADER_BYTES + i * 12 + 8),
      );
    }
    if (index.timeCount !== timeCount) return undefined;
    return { index, meta };
  }
}

function grow(a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}
