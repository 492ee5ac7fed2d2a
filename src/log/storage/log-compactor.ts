/**
 * Log compaction for compacted topics (cleanup.policy=compact): keeps the latest record of each
 * key, at its original offset and in the original order, and removes tombstones once they have
 * been visible for delete.retention.ms.
 *
 * Tombstone expiry follows Kafka's delete horizon (KIP-534): the first compaction that keeps a
 * tombstone rewrites its batch with attribute bit 6 set and baseTimestamp = now +
 * deleteRetentionMs; a later compaction past that time drops it.
 *
 * Each segment is rewritten on its own and swapped in so that a crash at any point leaves the old
 * segment or the new one, never a mix: the compacted copy is written to `<base>.log.cleaned` and
 * synced; the old index files are removed; the copy is renamed over `<base>.log` (the atomic
 * commit point); the new index files are written. Recovery removes a leftover `.cleaned` file and
 * rebuilds a missing index from whichever log file is there.
 */
import { LogCorruptedError } from '../../common/errors.js';
import { BatchCheck, describeBatchCheck } from '../format/batch-layout.js';
import type { Record } from '../format/record.js';
import { RecordBatchBuilder } from '../format/record-batch-builder.js';
import { RecordBatchView } from '../format/record-batch-decoder.js';
import { scanBatches } from './batch-scanner.js';
import type { StorageFs } from './fs/storage-fs.js';
import { LogSegment } from './log-segment.js';
import { SegmentSuffix, segmentFileName } from './segment-files.js';

/** What a compaction did. */
export interface CompactionResult {
  segmentsCleaned: number;
  /** Records removed because a later record has the same key (or they had no key). */
  recordsRemoved: number;
  /** Tombstones removed because their delete horizon had passed. */
  tombstonesRemoved: number;
  bytesBefore: number;
  bytesAfter: number;
}

/** What the compactor needs of the log. */
export interface CompactionContext {
  fs: StorageFs;
  dir: string;
  maxBatchBytes: number;
  indexIntervalBytes: number;
  deleteRetentionMs: number;
  nowMs: number;
  /**
   * Whether a transactional batch of `producerId` at `baseOffset` belongs to an aborted
   * transaction. Such batches are dropped and never count as a key's latest record, as Kafka's
   * cleaner does: otherwise an aborted write could supersede a committed one.
   */
  isAborted?: (producerId: number, baseOffset: number) => boolean;
}

function abortedBatch(ctx: CompactionContext, view: RecordBatchView): boolean {
  return (
    ctx.isAborted !== undefined && view.isTransactional && ctx.isAborted(view.producerId, view.baseOffset)
  );
}

/**
 * Compacts `segments` (sealed, synced, oldest first; never the active one). Returns the segments
 * that replace them (a segment compacted to nothing is deleted) and what was done.
 *
 * @example
 * ```ts
 * const { segments, result } = compactSegments(ctx, sealedSegments);
 * ```
 * @throws LogCorruptedError when a batch fails validation; the old segments are left untouched.
 */
export function compactSegments(
  ctx: CompactionContext,
  segments: LogSegment[],
): { segments: LogSegment[]; result: CompactionResult } {
  const result: CompactionResult = {
    segmentsCleaned: 0,
    recordsRemoved: 0,
    tombstonesRemoved: 0,
    bytesBefore: 0,
    bytesAfter: 0,
  };
  const latest = buildLatestOffsetMap(ctx, segments);
  const out: LogSegment[] = [];
  const builder = new RecordBatchBuilder({ maxBatchBytes: ctx.maxBatchBytes });
  for (const segment of segments) {
    result.bytesBefore += segment.size;
    const replaced = compactSegment(ctx, segment, latest, builder, result);
    result.segmentsCleaned++;
    if (replaced !== undefined) {
      result.bytesAfter += replaced.size;
      out.push(replaced);
    }
  }
  return { segments: out, result };
}

/** Key bytes as a Map key: latin1 maps each byte to one UTF-16 unit, so it is exact and cheap. */
function keyOf(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1');
}

function* batchesOf(ctx: CompactionContext, segment: LogSegment): Generator<RecordBatchView> {
  for (const b of scanBatches(segment.file, 0, segment.size, ctx.maxBatchBytes)) {
    if (b.check !== BatchCheck.Ok) {
      throw new LogCorruptedError(
        ctx.dir,
        `compaction found a bad batch in segment ${segment.baseOffset} at byte ${b.position}: ${describeBatchCheck(b.check, b.buf, b.pos)}`,
        segment.baseOffset,
      );
    }
    yield new RecordBatchView(b.buf, b.pos);
  }
}

function buildLatestOffsetMap(ctx: CompactionContext, segments: LogSegment[]): Map<string, number> {
  const latest = new Map<string, number>();
  for (const segment of segments) {
    for (const view of batchesOf(ctx, segment)) {
      if (view.isControl || abortedBatch(ctx, view)) continue;
      for (const record of view) {
        if (record.key !== null) latest.set(keyOf(record.key), record.offset);
      }
    }
  }
  return latest;
}

function compactSegment(
  ctx: CompactionContext,
  segment: LogSegment,
  latest: Map<string, number>,
  builder: RecordBatchBuilder,
  result: CompactionResult,
): LogSegment | undefined {
  const { fs, dir } = ctx;
  const cleanedPath = `${dir}/${segmentFileName(segment.baseOffset, SegmentSuffix.cleaned)}`;
  const cleaned = fs.open(cleanedPath, { create: true });
  let size = 0;
  let changed = false;
  try {
    cleaned.truncate(0);
    const kept: Record[] = [];
    for (const view of batchesOf(ctx, segment)) {
      // Transaction markers are kept: readers need them to decide what was committed.
      if (view.isControl) {
        cleaned.write(view.bytes, 0, view.sizeInBytes, size);
        size += view.sizeInBytes;
        continue;
      }
      if (abortedBatch(ctx, view)) {
        result.recordsRemoved += view.recordsCount;
        changed = true;
        continue;
      }
      kept.length = 0;
      let keptTombstone = false;
      let total = 0;
      const horizon = view.deleteHorizonMs;
      const horizonPassed = horizon !== undefined && ctx.nowMs >= horizon;
      for (const record of view) {
        total++;
        const isLatest = record.key !== null && latest.get(keyOf(record.key)) === record.offset;
        if (!isLatest) {
          result.recordsRemoved++;
        } else if (record.value === null && horizonPassed) {
          result.tombstonesRemoved++;
        } else {
          kept.push(record);
          if (record.value === null) keptTombstone = true;
        }
      }
      const needsHorizon = keptTombstone && !view.hasDeleteHorizon;
      if (kept.length === total && !needsHorizon) {
        cleaned.write(view.bytes, 0, view.sizeInBytes, size);
        size += view.sizeInBytes;
        continue;
      }
      changed = true;
      if (kept.length === 0) continue;
      const bytes = rebuildBatch(builder, view, kept, keptTombstone ? horizonOf(view, ctx) : undefined);
      cleaned.write(bytes, 0, bytes.length, size);
      size += bytes.length;
    }
    if (!changed) {
      cleaned.close();
      fs.remove(cleanedPath);
      return segment;
    }
    cleaned.syncBlocking();
    cleaned.close();
  } catch (err) {
    cleaned.close();
    fs.remove(cleanedPath);
    throw err;
  }
  const logPath = `${dir}/${segmentFileName(segment.baseOffset, SegmentSuffix.log)}`;
  segment.close();
  if (size === 0) {
    // Nothing left: the segment goes, and readers skip the gap in offsets.
    segment.removeIndexFiles();
    fs.remove(logPath);
    fs.remove(cleanedPath);
    fs.syncDir(dir);
    return undefined;
  }
  // Stale indexes go first, so a crash after the swap rebuilds them from the new file.
  segment.removeIndexFiles();
  fs.syncDir(dir);
  fs.rename(cleanedPath, logPath);
  fs.syncDir(dir);
  const { segment: replaced } = LogSegment.open(fs, dir, segment.baseOffset, ctx.indexIntervalBytes);
  const damage = replaced.rebuildIndex(undefined, ctx.maxBatchBytes);
  if (damage !== undefined) {
    throw new LogCorruptedError(
      dir,
      `compacted segment ${segment.baseOffset}: ${damage.detail}`,
      segment.baseOffset,
    );
  }
  replaced.writeIndexFiles();
  return replaced;
}

function horizonOf(view: RecordBatchView, ctx: CompactionContext): number {
  return view.deleteHorizonMs ?? ctx.nowMs + ctx.deleteRetentionMs;
}

/** Re-encodes a batch with only `kept`, at their original offsets, keeping the batch's offset span. */
function rebuildBatch(
  builder: RecordBatchBuilder,
  view: RecordBatchView,
  kept: Record[],
  deleteHorizonMs: number | undefined,
): Buffer {
  const base = view.baseOffset;
  builder.reset({
    baseOffset: base,
    partitionLeaderEpoch: view.partitionLeaderEpoch,
    producerId: view.producerId,
    producerEpoch: view.producerEpoch,
    baseSequence: view.baseSequence,
    isTransactional: view.isTransactional,
    isControl: false,
    compression: view.compression,
    timestampType: view.timestampType,
    deleteHorizonMs,
    lastOffsetDelta: view.lastOffsetDelta,
  });
  for (const record of kept) {
    builder.append(
      { key: record.key, value: record.value, timestamp: record.timestamp, headers: record.headers },
      record.offset - base,
    );
  }
  return builder.buildView();
}
