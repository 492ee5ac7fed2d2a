/**
 * The leader epoch cache of one replica (KIP-101): for each leader epoch, the first offset written
 * in it. A follower that meets a new leader asks where its last epoch ends on the leader and cuts
 * its log there, so replicas agree below the high watermark even after an unclean change of leader.
 *
 * It is kept in the partition directory as a sealed side file, rewritten atomically whenever it
 * changes (epochs change rarely), and written BEFORE the first batch of a new epoch is appended, so
 * after a crash the cache never misses an epoch the log has; entries past the log end are dropped
 * on open.
 */
import { readInt32, readInt64, writeInt32, writeInt64 } from '../../common/bytes.js';
import { IllegalStateError } from '../../common/errors.js';
import type { StorageFs } from '../storage/fs/storage-fs.js';
import { readWholeFile, writeFileAtomically } from '../storage/fs/storage-fs.js';
import { openSealedFile, sealFile } from '../storage/sealed-file.js';

/** One epoch and the first offset written in it. */
export interface EpochEntry {
  readonly epoch: number;
  readonly startOffset: number;
}

/** The file name in the partition directory. */
export const LEADER_EPOCH_FILE = 'leader-epoch.checkpoint';

/**
 * A replica's leader epoch cache.
 *
 * @example
 * ```ts
 * const cache = LeaderEpochCache.open(fs, dir, log.logEndOffset);
 * cache.assign(5, log.logEndOffset); // before appending the first batch of epoch 5
 * cache.endOffsetFor(4, log.logEndOffset); // where epoch 4 ended
 * ```
 */
export class LeaderEpochCache {
  private readonly fs: StorageFs;
  private readonly dir: string;
  private entries: EpochEntry[];

  private constructor(fs: StorageFs, dir: string, entries: EpochEntry[]) {
    this.fs = fs;
    this.dir = dir;
    this.entries = entries;
  }

  /** Loads the cache, dropping entries at or past `logEndOffset`; a missing or damaged file is an empty cache. */
  static open(fs: StorageFs, dir: string, logEndOffset: number): LeaderEpochCache {
    const path = `${dir}/${LEADER_EPOCH_FILE}`;
    let entries: EpochEntry[] = [];
    if (fs.exists(path)) entries = decode(readWholeFile(fs, path)) ?? [];
    const cache = new LeaderEpochCache(fs, dir, entries);
    cache.truncateFromEnd(logEndOffset);
    return cache;
  }

  /** The latest epoch, or -1 if none. */
  get latestEpoch(): number {
    return this.entries.at(-1)?.epoch ?? -1;
  }

  /** A copy of the entries, oldest first. */
  list(): EpochEntry[] {
    return [...this.entries];
  }

  /**
   * Records that `epoch` starts at `startOffset`, if it is newer than the latest epoch. Durable on
   * return.
   *
   * @throws IllegalStateError if `startOffset` is below the latest epoch's start (a bug).
   */
  assign(epoch: number, startOffset: number): void {
    const latest = this.entries.at(-1);
    if (latest !== undefined && epoch <= latest.epoch) return;
    if (latest !== undefined && startOffset < latest.startOffset) {
      throw new IllegalStateError(
        `epoch ${epoch} cannot start at ${startOffset}, before epoch ${latest.epoch} at ${latest.startOffset}`,
      );
    }
    this.entries.push({ epoch, startOffset });
    this.persist();
  }

  /**
   * Where `epoch` ends on this replica (KIP-101's OffsetsForLeaderEpoch): the start of the first
   * later epoch, or the log end if `epoch` is the latest; for an epoch this replica never had, the
   * answer is about the largest epoch below it. Returns the epoch the answer is about and the end
   * offset, or epoch -1 if this replica has no epoch at or below it.
   */
  endOffsetFor(epoch: number, logEndOffset: number): { epoch: number; endOffset: number } {
    let i = this.entries.length - 1;
    while (i >= 0 && this.entries[i]!.epoch > epoch) i--;
    if (i < 0) return { epoch: -1, endOffset: -1 };
    const next = this.entries[i + 1];
    return { epoch: this.entries[i]!.epoch, endOffset: next === undefined ? logEndOffset : next.startOffset };
  }

  /** The epoch of the record at `offset`, or -1 if it is older than every entry. */
  epochAt(offset: number): number {
    let epoch = -1;
    for (const e of this.entries) {
      if (e.startOffset > offset) break;
      epoch = e.epoch;
    }
    return epoch;
  }

  /** Drops entries that start at or after `logEndOffset`, after a truncation of the log. */
  truncateFromEnd(logEndOffset: number): void {
    const kept = this.entries.filter((e) => e.startOffset < logEndOffset);
    if (kept.length !== this.entries.length) {
      this.entries = kept;
      this.persist();
    }
  }

  /** Forgets everything (the log was emptied and restarts at a new offset). */
  clear(): void {
    if (this.entries.length === 0) return;
    this.entries = [];
    this.persist();
  }

  private persist(): void {
    const payload = Buffer.alloc(4 + this.entries.length * 12);
    writeInt32(payload, 0, this.entries.length);
    this.entries.forEach((e, i) => {
      writeInt32(payload, 4 + i * 12, e.epoch);
      writeInt64(payload, 8 + i * 12, e.startOffset);
    });
    writeFileAtomically(this.fs, this.dir, LEADER_EPOCH_FILE, sealFile(payload));
  }
}

function decode(bytes: Uint8Array): EpochEntry[] | undefined {
  const payload = openSealedFile(bytes);
  if (payload === undefined || payload.length < 4) return undefined;
  const count = readInt32(payload, 0);
  if (count < 0 || payload.length !== 4 + count * 12) return undefined;
  const entries: EpochEntry[] = [];
  for (let i = 0; i < count; i++) {
    const epoch = readInt32(payload, 4 + i * 12);
    const startOffset = readInt64(payload, 8 + i * 12);
    const prev = entries.at(-1);
    if (prev !== undefined && (epoch <= prev.epoch || startOffset < prev.startOffset)) return undefined;
    entries.push({ epoch, startOffset });
  }
  return entries;
}
