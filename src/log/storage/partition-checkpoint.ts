/**
 * The partition's checkpoint file: the recovery point (every offset below it was synced), the log
 * start offset, and whether the log was closed cleanly. Written atomically; a missing or damaged
 * checkpoint is not an error, only a reason to recover more of the log by scanning it.
 */
import { readInt64, writeInt64 } from '../../common/bytes.js';
import type { StorageFs } from './fs/storage-fs.js';
import { readWholeFile, writeFileAtomically, writeFileAtomicallyAsync } from './fs/storage-fs.js';
import { openSealedFile, sealFile } from './sealed-file.js';

/** The checkpoint's contents. */
export interface PartitionCheckpoint {
  /** Every offset below this was synced to disk before the checkpoint was written. */
  recoveryPoint: number;
  logStartOffset: number;
  /** True only when written by a clean close: indexes are then current and no scan is needed. */
  cleanShutdown: boolean;
}

/** The checkpoint's file name in the partition directory. */
export const CHECKPOINT_FILE = 'partition.checkpoint';
const VERSION = 1;

/**
 * Reads the checkpoint, or undefined if it is missing or not intact.
 *
 * @example
 * ```ts
 * const cp = readCheckpoint(fs, dir) ?? { recoveryPoint: 0, logStartOffset: 0, cleanShutdown: false };
 * ```
 */
export function readCheckpoint(fs: StorageFs, dir: string): PartitionCheckpoint | undefined {
  const path = `${dir}/${CHECKPOINT_FILE}`;
  if (!fs.exists(path)) return undefined;
  const payload = openSealedFile(readWholeFile(fs, path));
  if (payload === undefined || payload.length !== 18 || payload[0] !== VERSION) return undefined;
  try {
    return {
      recoveryPoint: readInt64(payload, 2),
      logStartOffset: readInt64(payload, 10),
      cleanShutdown: payload[1] === 1,
    };
  } catch {
    return undefined;
  }
}

/**
 * Writes the checkpoint atomically (temp file, sync, rename).
 *
 * @example
 * ```ts
 * writeCheckpoint(fs, dir, { recoveryPoint: 1000, logStartOffset: 0, cleanShutdown: true });
 * ```
 */
export function writeCheckpoint(fs: StorageFs, dir: string, cp: PartitionCheckpoint): void {
  writeFileAtomically(fs, dir, CHECKPOINT_FILE, encodeCheckpoint(cp));
}

/**
 * Writes the checkpoint without blocking the event loop on its sync; abandons the write if
 * `shouldCommit` says a newer checkpoint has been written meanwhile.
 *
 * @example
 * ```ts
 * await writeCheckpointAsync(fs, dir, cp, () => gen === latestGen);
 * ```
 */
export function writeCheckpointAsync(
  fs: StorageFs,
  dir: string,
  cp: PartitionCheckpoint,
  shouldCommit: () => boolean,
): Promise<boolean> {
  return writeFileAtomicallyAsync(fs, dir, CHECKPOINT_FILE, encodeCheckpoint(cp), shouldCommit);
}

function encodeCheckpoint(cp: PartitionCheckpoint): Buffer {
  const payload = Buffer.alloc(18);
  payload[0] = VERSION;
  payload[1] = cp.cleanShutdown ? 1 : 0;
  writeInt64(payload, 2, cp.recoveryPoint);
  writeInt64(payload, 10, cp.logStartOffset);
  return sealFile(payload);
}
