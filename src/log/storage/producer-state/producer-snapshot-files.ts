/**
 * The producer-state snapshot files of a partition directory, named like segments by the offset
 * they were taken at (`00000000000000001234.snapshot`, the state of the log below offset 1234).
 * Each is written atomically (temp file, sync, rename, directory sync). A file that fails its
 * checksum is deleted and an older one used instead, never trusted; files above the log end are
 * deleted before any state is loaded, because the data they describe may have been lost or
 * replaced.
 */
import type { StorageFs } from '../fs/storage-fs.js';
import { readWholeFile, writeFileAtomically } from '../fs/storage-fs.js';
import { segmentFileName } from '../segment-files.js';
import {
  decodeProducerSnapshot,
  encodeProducerSnapshot,
  type ProducerSnapshot,
} from './producer-snapshot-codec.js';
import type { ProducerStateImage } from './producer-state-image.js';

/** The suffix of snapshot files. */
export const SNAPSHOT_SUFFIX = '.snapshot';

/**
 * The offset named by a snapshot file name, or undefined for any other file.
 *
 * @example
 * ```ts
 * parseSnapshotFileName('00000000000000000042.snapshot'); // 42
 * ```
 */
export function parseSnapshotFileName(name: string): number | undefined {
  const m = /^(\d{20})\.snapshot$/.exec(name);
  if (m === null) return undefined;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * The snapshot files of one partition directory.
 *
 * @example
 * ```ts
 * const files = new ProducerSnapshotFiles(fs, dir);
 * files.deleteAbove(log.logEndOffset);
 * const newest = files.loadNewest(log.logEndOffset);
 * files.write(log.logEndOffset, state.toImage());
 * ```
 */
export class ProducerSnapshotFiles {
  constructor(
    private readonly fs: StorageFs,
    private readonly dir: string,
  ) {}

  /** The offsets of the snapshot files present, ascending. */
  offsets(): number[] {
    const out: number[] = [];
    for (const name of this.fs.list(this.dir)) {
      const offset = parseSnapshotFileName(name);
      if (offset !== undefined) out.push(offset);
    }
    return out.sort((a, b) => a - b);
  }

  /**
   * Writes the state as of `offset`, atomically and synced.
   *
   * @throws the file system's error (EIO, ENOSPC) if the write or a sync fails.
   */
  write(offset: number, image: ProducerStateImage): void {
    writeFileAtomically(
      this.fs,
      this.dir,
      segmentFileName(offset, SNAPSHOT_SUFFIX),
      encodeProducerSnapshot(offset, image),
    );
  }

  /**
   * The newest intact snapshot at or below `offset`, or undefined. Damaged files met on the way
   * are deleted.
   */
  loadNewest(offset: number): ProducerSnapshot | undefined {
    const offsets = this.offsets();
    for (let i = offsets.length - 1; i >= 0; i--) {
      const at = offsets[i]!;
      if (at > offset) continue;
      const path = this.pathOf(at);
      let snapshot: ProducerSnapshot | undefined;
      try {
        snapshot = decodeProducerSnapshot(readWholeFile(this.fs, path));
      } catch {
        snapshot = undefined; // unreadable counts as damaged
      }
      if (snapshot !== undefined && snapshot.offset === at) return snapshot;
      this.fs.remove(path);
      this.fs.syncDir(this.dir);
    }
    return undefined;
  }

  /** Deletes snapshots taken above `offset` (the log no longer holds, or holds other, data there). */
  deleteAbove(offset: number): void {
    this.deleteWhere((at) => at > offset);
  }

  /**
   * Deletes every snapshot except the newest `keepNewest` and the newest at or below `keepAtOrBelow`
   * (the high watermark: a truncation never goes below it, so that one bounds its replay).
   */
  retain(keepNewest: number, keepAtOrBelow: number): void {
    const offsets = this.offsets();
    const keep = new Set(offsets.slice(Math.max(0, offsets.length - keepNewest)));
    for (let i = offsets.length - 1; i >= 0; i--) {
      if (offsets[i]! <= keepAtOrBelow) {
        keep.add(offsets[i]!);
        break;
      }
    }
    this.deleteWhere((at) => !keep.has(at));
  }

  private deleteWhere(doomed: (offset: number) => boolean): void {
    let removed = false;
    for (const at of this.offsets()) {
      if (!doomed(at)) continue;
      this.fs.remove(this.pathOf(at));
      removed = true;
    }
    // The removal must be durable before data is written again at those offsets.
    if (removed) this.fs.syncDir(this.dir);
  }

  private pathOf(offset: number): string {
    return `${this.dir}/${segmentFileName(offset, SNAPSHOT_SUFFIX)}`;
  }
}
