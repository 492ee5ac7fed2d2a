/**
 * Opening a partition directory after a clean close or a crash. Leftover temp files and
 * unfinished compaction output are removed. Segments that may hold unsynced data (from the one
 * holding the recovery point on, or every segment after an unclean close) are re-read batch by
 * batch: length, magic, CRC-32C and offset order. A bad batch past the recovery point is a torn
 * or garbage tail: the log is truncated to the last whole batch. A bad batch below the recovery
 * point is damage to synced data: the open fails with LogCorruptedError and nothing is truncated,
 * unless the caller asked for repair (replication will re-fetch the range).
 */
import { LogCorruptedError } from '../../common/errors.js';
import type { StorageFs } from './fs/storage-fs.js';
import { TEMP_SUFFIX } from './fs/storage-fs.js';
import type { LogConfig } from './log-config.js';
import { LogSegment } from './log-segment.js';
import { readCheckpoint, writeCheckpoint } from './partition-checkpoint.js';
import { parseSegmentLogName, SegmentSuffix, segmentFileName } from './segment-files.js';

/** What recovery found. */
export interface RecoveredLog {
  segments: LogSegment[];
  logStartOffset: number;
  /** Offsets below this are synced. After recovery this is the log end offset. */
  recoveryPoint: number;
  /** How recovery went, for logs and tests. */
  report: RecoveryReport;
}

/** A summary of the work recovery did. */
export interface RecoveryReport {
  cleanShutdown: boolean;
  segmentsScanned: number;
  indexesRebuilt: number;
  /** Bytes cut from the tail (torn or garbage writes), 0 if none. */
  truncatedBytes: number;
  /** Segments removed because they followed a truncation point. */
  segmentsRemoved: number;
  /** Leftover temp and compaction files removed. */
  leftoversRemoved: number;
  /** Set when repairCorruption truncated damaged synced data. */
  repairedCorruptionAt?: number;
}

/**
 * Recovers the segments of the partition in `dir`, creating the directory and a first segment
 * if there are none.
 *
 * @example
 * ```ts
 * const { segments, report } = recoverLog(fs, '/data/t-0', config, false);
 * ```
 * @throws LogCorruptedError when synced data fails validation and `repairCorruption` is false.
 */
export function recoverLog(
  fs: StorageFs,
  dir: string,
  config: LogConfig,
  repairCorruption: boolean,
): RecoveredLog {
  fs.mkdirp(dir);
  const report: RecoveryReport = {
    cleanShutdown: false,
    segmentsScanned: 0,
    indexesRebuilt: 0,
    truncatedBytes: 0,
    segmentsRemoved: 0,
    leftoversRemoved: 0,
  };
  const names = fs.list(dir);
  const bases: number[] = [];
  for (const name of names) {
    if (name.endsWith(TEMP_SUFFIX) || name.endsWith(SegmentSuffix.cleaned)) {
      fs.remove(`${dir}/${name}`);
      report.leftoversRemoved++;
      continue;
    }
    const base = parseSegmentLogName(name);
    if (base !== undefined) bases.push(base);
  }
  bases.sort((a, b) => a - b);
  const checkpoint = readCheckpoint(fs, dir);
  report.cleanShutdown = checkpoint?.cleanShutdown === true;
  // Without a checkpoint, sealed segments are taken as synced (they are synced before their
  // index is written): damage there then fails loudly instead of being truncated away.
  const recoveryPoint = checkpoint?.recoveryPoint ?? bases[bases.length - 1] ?? 0;

  const segments: LogSegment[] = [];
  let cut = false;
  for (let i = 0; i < bases.length; i++) {
    const base = bases[i]!;
    if (cut) {
      removeSegmentFiles(fs, dir, base);
      report.segmentsRemoved++;
      continue;
    }
    const nextBase = bases[i + 1];
    const { segment, indexLoaded } = LogSegment.open(fs, dir, base, config.indexIntervalBytes);
    const mayHoldUnsynced = nextBase === undefined || nextBase > recoveryPoint;
    if (!indexLoaded || (mayHoldUnsynced && !report.cleanShutdown)) {
      report.segmentsScanned++;
      if (!indexLoaded) report.indexesRebuilt++;
      const damage = segment.rebuildIndex(nextBase, config.maxBatchBytes);
      if (damage !== undefined) {
        const inSyncedData = segment.nextOffset < recoveryPoint;
        if (inSyncedData && !repairCorruption) {
          closeAll(segments);
          segment.close();
          throw new LogCorruptedError(
            dir,
            `segment ${segmentFileName(base, SegmentSuffix.log)}, batch at byte ${damage.position}: ${damage.detail}`,
            segment.nextOffset,
          );
        }
        if (inSyncedData) report.repairedCorruptionAt = segment.nextOffset;
        report.truncatedBytes += segment.size - damage.position;
        segment.truncateAt(damage.position, segment.nextOffset);
        segment.removeIndexFiles();
        segment.file.syncBlocking();
        cut = true;
      } else if (mayHoldUnsynced && nextBase !== undefined && segment.nextOffset < nextBase) {
        // The segment ends short of the next one: a write was lost, and anything after it was
        // written later and never acknowledged. Keep the log a prefix of what was appended.
        cut = true;
      }
    }
    segments.push(segment);
  }
  if (segments.length === 0) {
    const base = checkpoint?.logStartOffset ?? 0;
    segments.push(LogSegment.create(fs, dir, base, config.indexIntervalBytes));
  }
  // An empty sealed segment can only come from a crash mid-roll or compaction; drop it unless last.
  for (let i = segments.length - 2; i >= 0; i--) {
    if (segments[i]!.isEmpty) {
      segments[i]!.delete();
      segments.splice(i, 1);
    }
  }
  const active = segments[segments.length - 1]!;
  const logEndOffset = active.nextOffset;
  const logStartOffset = Math.min(
    Math.max(checkpoint?.logStartOffset ?? 0, segments[0]!.baseOffset),
    logEndOffset,
  );
  // What recovery read back is on disk now; make it durable so the new recovery point is true.
  for (const s of segments) s.file.syncBlocking();
  for (const s of segments) s.synced = true;
  fs.syncDir(dir);
  writeCheckpoint(fs, dir, { recoveryPoint: logEndOffset, logStartOffset, cleanShutdown: false });
  return { segments, logStartOffset, recoveryPoint: logEndOffset, report };
}

function removeSegmentFiles(fs: StorageFs, dir: string, base: number): void {
  for (const suffix of [SegmentSuffix.log, SegmentSuffix.offsetIndex, SegmentSuffix.timeIndex]) {
    fs.remove(`${dir}/${segmentFileName(base, suffix)}`);
  }
}

function closeAll(segments: LogSegment[]): void {
  for (const s of segments) s.close();
}
