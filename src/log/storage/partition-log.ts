/**
 * A partition's log on disk: the storage engine under every replica (DESIGN.md §2, log/storage).
 *
 * Batches are stored exactly as they travel on the wire (Kafka's RecordBatch v2). An append
 * validates the batches, assigns offsets by rewriting only the base offset (outside the CRC) and
 * writes them at the end of the active segment; a read returns whole batches as one buffer read
 * straight from the segment file. Durability is separate from appending: the flush policy decides
 * when an fdatasync runs, concurrent appends share it (group commit), and `waitDurable` tells a
 * caller when its offsets are safe. A failed write or sync stops the log for good (fail-stop).
 */
import { assert } from '../../common/assert.js';
import {
  CorruptRecordError,
  IllegalStateError,
  LogCorruptedError,
  MillraceError,
  OffsetOutOfRangeError,
  StorageError,
} from '../../common/errors.js';
import { plantedBugs } from '../../common/planted-bugs.js';
import type { Clock, TimerHandle } from '../../runtime/actor/clock.js';
import {
  batchBaseOffset,
  batchLastOffset,
  batchLastOffsetDelta,
  batchMaxTimestamp,
  batchSizeAt,
  setBatchBaseOffset,
  setBatchPartitionLeaderEpoch,
} from '../format/batch-layout.js';
import { validateAppend } from './append-validation.js';
import { NodeStorageFs } from './fs/node-storage-fs.js';
import type { StorageFs } from './fs/storage-fs.js';
import { type CompactionResult, compactSegments } from './log-compactor.js';
import { type LogConfig, type LogConfigInput, resolveLogConfig } from './log-config.js';
import { type RecoveryReport, recoverLog } from './log-recovery.js';
import { LogSegment } from './log-segment.js';
import { writeCheckpoint, writeCheckpointAsync } from './partition-checkpoint.js';
import { SegmentReader } from './segment-reader.js';

/** How to open a partition log. */
export interface PartitionLogOptions {
  /** The partition's directory; created if missing. */
  dir: string;
  config?: LogConfigInput;
  /** Time for flush timers, segment rolling and retention. */
  clock: Clock;
  /** The file system; the real disk by default. */
  fs?: StorageFs;
  /**
   * Truncate at damaged synced data instead of refusing to open. For a replica that will re-fetch
   * the lost range from the leader; never the default, because it discards acknowledged data.
   */
  repairCorruption?: boolean;
}

/** Where an append landed. */
export interface AppendInfo {
  /** Offset of the first record appended. */
  firstOffset: number;
  /** Offset of the last record appended. */
  lastOffset: number;
  /** The largest record timestamp among the batches. */
  maxTimestamp: number;
  /** Number of batches appended. */
  batches: number;
  /** Bytes appended. */
  bytes: number;
}

/** What a read returns. */
export interface ReadResult {
  /** Whole batches, end to end, exactly as stored; empty if nothing is readable at the offset. */
  records: Buffer;
  /** Base offset of the first batch returned (may be below the requested offset). */
  firstOffset: number;
  /** The offset to read next: one past the last offset returned. */
  nextOffset: number;
  logStartOffset: number;
  logEndOffset: number;
}

/** Options of a read. */
export interface ReadOptions {
  /** Return only batches that end below this offset (the high watermark or last stable offset). */
  maxOffset?: number;
}

/**
 * The log of one partition.
 *
 * @example
 * ```ts
 * const log = PartitionLog.open({ dir: '/data/orders-0', clock: realClock, config: { flush: { everyAppend: true } } });
 * const { lastOffset } = log.append(buildRecordBatch([{ key, value }]));
 * await log.waitDurable(lastOffset);
 * const { records, nextOffset } = log.read(0, 1 << 20);
 * await log.close();
 * ```
 */
export class PartitionLog {
  readonly dir: string;
  readonly config: LogConfig;
  /** What recovery did when the log was opened. */
  readonly recovery: RecoveryReport;
  private readonly fs: StorageFs;
  private readonly clock: Clock;
  private segments: LogSegment[];
  private _logStartOffset: number;
  private _recoveryPoint: number;
  private failure: StorageError | undefined;
  private closed = false;
  private unflushedBytes = 0;
  private flushTimer: TimerHandle | undefined;
  private flushing: Promise<void> | undefined;
  /** The next sync cycle, promised to everyone who asked for a flush since the last one began. */
  private nextCycle: Deferred | undefined;
  private retired: LogSegment[] = [];
  private checkpointGeneration = 0;
  private checkpointDirty = false;
  private checkpointTimer: TimerHandle | undefined;
  private checkpointing: Promise<void> | undefined;
  private waiters: { offset: number; resolve: () => void; reject: (e: Error) => void }[] = [];
  private readonly reader: SegmentReader;

  private constructor(options: PartitionLogOptions) {
    this.dir = options.dir;
    this.config = resolveLogConfig(options.config);
    this.fs = options.fs ?? new NodeStorageFs();
    this.clock = options.clock;
    const recovered = recoverLog(this.fs, this.dir, this.config, options.repairCorruption === true);
    this.segments = recovered.segments;
    this._logStartOffset = recovered.logStartOffset;
    this._recoveryPoint = recovered.recoveryPoint;
    this.recovery = recovered.report;
    this.reader = new SegmentReader(this.dir, this.config);
    const active = this.active();
    if (!active.isEmpty) active.rollStartMs = this.clock.nowMs();
  }

  /**
   * Opens (recovering if needed) or creates the log in `options.dir`.
   *
   * @throws ConfigError for an invalid config; LogCorruptedError when synced data is damaged.
   */
  static open(options: PartitionLogOptions): PartitionLog {
    return new PartitionLog(options);
  }

  /** The first offset still in the log. */
  get logStartOffset(): number {
    return this._logStartOffset;
  }

  /** One past the last offset in the log: the offset the next record will get. */
  get logEndOffset(): number {
    return this.active().nextOffset;
  }

  /** Every offset below this is durable on disk. */
  get recoveryPoint(): number {
    return this._recoveryPoint;
  }

  /** Total bytes of all segments. */
  get sizeBytes(): number {
    let total = 0;
    for (const s of this.segments) total += s.size;
    return total;
  }

  /** The number of segments, the active one included. */
  get segmentCount(): number {
    return this.segments.length;
  }

  /** Base offsets of the segments, oldest first. */
  segmentBaseOffsets(): number[] {
    return this.segments.map((s) => s.baseOffset);
  }

  /**
   * Validates and appends one or more whole batches as a producer sent them, assigning offsets
   * from the log end. The batches' base offset (and, if given, partition leader epoch) fields are
   * rewritten in `bytes` in place; the caller hands the buffer over. All or nothing: if any batch
   * is invalid, nothing is written.
   *
   * @throws CorruptRecordError for a bad CRC, length, magic or record count; RecordTooLargeError
   *   for a batch over maxBatchBytes; StorageError after a disk failure.
   */
  append(bytes: Uint8Array, options: { leaderEpoch?: number } = {}): AppendInfo {
    this.checkWritable();
    const batches = validateAppend(bytes, this.config, 'producer');
    let offset = this.logEndOffset;
    const firstOffset = offset;
    let maxTimestamp = -1;
    for (let pos = 0; pos < bytes.length; pos += batchSizeAt(bytes, pos)) {
      setBatchBaseOffset(bytes, pos, offset);
      if (options.leaderEpoch !== undefined) setBatchPartitionLeaderEpoch(bytes, pos, options.leaderEpoch);
      offset += batchLastOffsetDelta(bytes, pos) + 1;
      maxTimestamp = Math.max(maxTimestamp, batchMaxTimestamp(bytes, pos));
    }
    this.write(bytes, offset - 1);
    return { firstOffset, lastOffset: offset - 1, maxTimestamp, batches, bytes: bytes.length };
  }

  /**
   * Appends batches whose offsets are already assigned, as a follower copies them from the
   * leader: offsets must increase and start at or after the log end.
   *
   * @throws CorruptRecordError for invalid batches or offsets out of order; StorageError after a
   *   disk failure.
   */
  appendReplicated(bytes: Uint8Array): AppendInfo {
    this.checkWritable();
    const batches = validateAppend(bytes, this.config, 'replica');
    let next = this.logEndOffset;
    let maxTimestamp = -1;
    const firstOffset = bytes.length > 0 ? batchBaseOffset(bytes, 0) : next;
    for (let pos = 0; pos < bytes.length; pos += batchSizeAt(bytes, pos)) {
      const base = batchBaseOffset(bytes, pos);
      if (base < next) {
        throw new CorruptRecordError(
          `replicated batch at byte ${pos} starts at offset ${base}, below the log end ${next}; truncate first`,
        );
      }
      next = batchLastOffset(bytes, pos) + 1;
      maxTimestamp = Math.max(maxTimestamp, batchMaxTimestamp(bytes, pos));
    }
    this.write(bytes, next - 1);
    return { firstOffset, lastOffset: next - 1, maxTimestamp, batches, bytes: bytes.length };
  }

  /**
   * Reads whole batches from `offset`: at most `maxBytes`, but always at least one batch if any is
   * readable, and never past a segment's end. With `maxOffset`, only batches that end below it.
   *
   * @throws OffsetOutOfRangeError below the log start or past the log end; LogCorruptedError if a
   *   batch fails its CRC or sits at the wrong offset (it is never served).
   */
  read(offset: number, maxBytes: number, options: ReadOptions = {}): ReadResult {
    this.checkReadable();
    const logEndOffset = this.logEndOffset;
    if (offset < this._logStartOffset || offset > logEndOffset) {
      throw new OffsetOutOfRangeError(offset, this._logStartOffset, logEndOffset);
    }
    const limit = Math.min(options.maxOffset ?? logEndOffset, logEndOffset);
    const empty = (): ReadResult => ({
      records: Buffer.alloc(0),
      firstOffset: offset,
      nextOffset: offset,
      logStartOffset: this._logStartOffset,
      logEndOffset,
    });
    for (let i = this.segmentIndexFor(offset); i < this.segments.length; i++) {
      if (offset >= limit) return empty();
      const seg = this.segments[i]!;
      const position = this.reader.positionOf(seg, offset);
      if (position >= seg.size) continue; // offset falls in a gap after this segment's data
      const result = this.reader.readFrom(seg, position, maxBytes, limit);
      if (result.records.length === 0) return empty();
      return { ...result, logStartOffset: this._logStartOffset, logEndOffset };
    }
    return empty();
  }

  /**
   * The first record at or after the log start whose timestamp is at least `timestamp` (Kafka's
   * ListOffsets by time): its offset and timestamp, or undefined if every record is older.
   *
   * @throws LogCorruptedError if a batch on the way fails its checks.
   */
  offsetForTimestamp(timestamp: number): { offset: number; timestamp: number } | undefined {
    this.checkReadable();
    return this.reader.offsetForTimestamp(this.segments, timestamp, this._logStartOffset);
  }

  /**
   * Removes every batch that ends at or after `offset`, for a follower that must agree with a new
   * leader (KIP-101). A batch is never split: the log end becomes the start of the first batch
   * removed, or `offset` if that lies in a gap. Returns the new log end offset.
   *
   * @throws StorageError after a disk failure.
   */
  truncateTo(offset: number): number {
    this.checkWritable();
    if (offset >= this.logEndOffset) return this.logEndOffset;
    try {
      const i = this.segmentIndexFor(offset);
      const seg = this.segments[i]!;
      const position = offset <= seg.baseOffset ? 0 : this.reader.positionOf(seg, offset);
      const newEnd =
        position < seg.size
          ? Math.min(offset, this.reader.baseOffsetAt(seg, position))
          : Math.min(seg.nextOffset, offset);
      if (offset <= this.segments[0]!.baseOffset || newEnd < this._logStartOffset) {
        // Nothing below the target survives (or only what the log start already removed): start
        // afresh at the target, as Kafka does, so the log start never points below the log.
        for (const s of this.segments) this.retire(s);
        this.segments = [LogSegment.create(this.fs, this.dir, offset, this.config.indexIntervalBytes)];
        this._logStartOffset = offset;
      } else {
        for (const s of this.segments.splice(i + 1)) this.retire(s);
        seg.truncateAt(position, newEnd);
        seg.removeIndexFiles();
        seg.file.syncBlocking();
        seg.synced = true;
      }
      this.fs.syncDir(this.dir);
      this._logStartOffset = Math.min(this._logStartOffset, this.logEndOffset);
      this._recoveryPoint = Math.min(this._recoveryPoint, this.logEndOffset);
      // The checkpoint must not claim synced data past the new end, or recovery would mistake a
      // torn tail written later for damage.
      this.writeCheckpoint(false);
    } catch (err) {
      throw this.fail(err, 'truncate');
    }
    const end = this.logEndOffset;
    const dropped = this.waiters.filter((w) => w.offset >= end);
    this.waiters = this.waiters.filter((w) => w.offset < end);
    for (const w of dropped) w.reject(new IllegalStateError(`offset ${w.offset} was truncated away`));
    return end;
  }

  /** Starts a new active segment at the log end (no-op if the active segment is empty). */
  roll(): void {
    this.checkWritable();
    if (this.active().isEmpty) return;
    try {
      this.startNewSegment();
    } catch (err) {
      throw this.fail(err, 'roll');
    }
  }

  /**
   * Applies retention on the injected clock: deletes whole sealed segments whose newest record is
   * older than retentionMs, then the oldest while the log exceeds retentionBytes, then any wholly
   * below the log start offset. Never the active segment. Returns the number deleted.
   */
  applyRetention(): number {
    this.checkWritable();
    let deleted = 0;
    const deletes = this.config.cleanupPolicy !== 'compact';
    const cutoff = this.clock.nowMs() - this.config.retentionMs;
    let total = this.sizeBytes;
    while (this.segments.length > 1) {
      const oldest = this.segments[0]!;
      const byTime = deletes && this.config.retentionMs >= 0 && oldest.maxTimestamp < cutoff;
      const bySize =
        deletes && this.config.retentionBytes >= 0 && total - oldest.size >= this.config.retentionBytes;
      const byStart = this.segments[1]!.baseOffset <= this._logStartOffset;
      if (!byTime && !bySize && !byStart) break;
      total -= oldest.size;
      this.segments.shift();
      this.retire(oldest);
      deleted++;
    }
    if (deleted > 0) {
      this._logStartOffset = Math.max(this._logStartOffset, this.segments[0]!.baseOffset);
      try {
        this.fs.syncDir(this.dir);
        this.writeCheckpoint(false);
      } catch (err) {
        throw this.fail(err, 'retention');
      }
    }
    return deleted;
  }

  /**
   * Compacts the sealed segments (cleanup.policy compact): keeps the latest record per key at its
   * offset, drops tombstones past their delete horizon, never touches the active segment. Only
   * segments wholly below `maxOffset` (the high watermark, for a replica) and already synced are
   * compacted; the log is flushed first. With `isAborted`, batches of aborted transactions are
   * dropped and never supersede a committed record.
   *
   * @throws IllegalStateError when the topic is not compacted; LogCorruptedError for damaged data
   *   (the old segments are kept); StorageError after a disk failure.
   */
  async compact(
    options: { maxOffset?: number; isAborted?: (producerId: number, baseOffset: number) => boolean } = {},
  ): Promise<CompactionResult> {
    this.checkWritable();
    if (this.config.cleanupPolicy === 'delete') {
      throw new IllegalStateError(
        `partition log ${this.dir} has cleanupPolicy 'delete'; compaction needs 'compact'`,
      );
    }
    await this.flush();
    this.checkWritable();
    const limit = Math.min(options.maxOffset ?? Number.MAX_SAFE_INTEGER, this._recoveryPoint);
    const sealed = this.segments.slice(0, -1);
    let n = 0;
    while (n < sealed.length && sealed[n]!.nextOffset <= limit && sealed[n]!.synced) n++;
    const cleanable = sealed.slice(0, n);
    try {
      const { segments, result } = compactSegments(
        {
          fs: this.fs,
          dir: this.dir,
          maxBatchBytes: this.config.maxBatchBytes,
          indexIntervalBytes: this.config.indexIntervalBytes,
          deleteRetentionMs: this.config.deleteRetentionMs,
          nowMs: this.clock.nowMs(),
          ...(options.isAborted === undefined ? {} : { isAborted: options.isAborted }),
        },
        cleanable,
      );
      this.segments = [...segments, ...this.segments.slice(n)];
      // A segment compacted to nothing is gone; the log starts where the data now does, as after a reopen.
      this._logStartOffset = Math.max(this._logStartOffset, this.segments[0]!.baseOffset);
      return result;
    } catch (err) {
      throw this.fail(err, 'compaction');
    }
  }

  /**
   * Moves the log start offset forward (Kafka's DeleteRecords); whole segments below it are
   * deleted by the next `applyRetention`.
   *
   * @throws OffsetOutOfRangeError past the log end.
   */
  advanceLogStartOffset(offset: number): void {
    this.checkWritable();
    if (offset > this.logEndOffset)
      throw new OffsetOutOfRangeError(offset, this._logStartOffset, this.logEndOffset);
    if (offset <= this._logStartOffset) return;
    this._logStartOffset = offset;
    this.applyRetention();
    this.writeCheckpoint(false);
  }

  /**
   * Resolves once every offset up to and including `offset` is durable. Waiting does not itself
   * start a flush unless the policy flushes every append; call `flush()` to force one.
   */
  waitDurable(offset: number): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (offset < this._recoveryPoint) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ offset, resolve, reject }));
  }

  /** Syncs everything written so far (appends, rolls, truncations); resolves when it is durable. */
  flush(): Promise<void> {
    return this.requestFlush();
  }

  /**
   * Writes the recovery point to the checkpoint file now rather than at the next
   * checkpointIntervalMs tick; resolves when it is durable.
   *
   * @throws StorageError after a disk failure.
   */
  async checkpoint(): Promise<void> {
    this.checkWritable();
    this.checkpointTimer?.cancel();
    this.checkpointTimer = undefined;
    while (this.checkpointing !== undefined) await this.checkpointing;
    this.writeCheckpointInBackground();
    await this.checkpointing;
    if (this.failure !== undefined) throw this.failure;
  }

  /** Closes the log and removes its directory with every file in it (topic deletion). */
  async closeAndDelete(): Promise<void> {
    await this.close().catch(() => undefined);
    this.fs.removeDir(this.dir);
    this.fs.syncDir(this.dir.slice(0, Math.max(1, this.dir.lastIndexOf('/'))));
  }

  /** Flushes, writes the indexes and a clean-shutdown checkpoint, and closes the files. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.failure === undefined) {
      await this.flush().catch(() => undefined);
      while (this.checkpointing !== undefined) await this.checkpointing;
    }
    if (this.failure === undefined) {
      try {
        this.active().writeIndexFiles();
        this.writeCheckpoint(true);
      } catch (err) {
        this.fail(err, 'close');
      }
    }
    this.flushTimer?.cancel();
    this.checkpointTimer?.cancel();
    for (const s of [...this.segments, ...this.retired.splice(0)]) s.close();
    this.closed = true;
    if (this.failure !== undefined) throw this.failure;
  }

  // ---- internals ----

  /**
   * Deletes a segment that has left the list. Its handle closes once no sync cycle can be using it
   * (closing a descriptor under an in-flight fdatasync could hand the number to another file).
   */
  private retire(segment: LogSegment): void {
    segment.removeFiles();
    if (this.flushing === undefined) segment.close();
    else this.retired.push(segment);
  }

  private active(): LogSegment {
    return this.segments[this.segments.length - 1]!;
  }

  private write(bytes: Uint8Array, lastOffset: number): void {
    try {
      this.maybeRoll(bytes.length, lastOffset);
      const active = this.active();
      if (active.isEmpty) active.rollStartMs = this.clock.nowMs();
      active.append(bytes);
    } catch (err) {
      throw this.fail(err, 'append');
    }
    assert(this.logEndOffset === lastOffset + 1, 'log end follows the appended batches');
    this.unflushedBytes += bytes.length;
    // Negative-control switch (common/planted-bugs.ts): no sync per append, acks do not wait for one.
    if (plantedBugs.ackBeforeFlush) return;
    const policy = this.config.flush;
    if (policy.everyAppend || (policy.intervalBytes > 0 && this.unflushedBytes >= policy.intervalBytes)) {
      void this.requestFlush();
    } else if (policy.intervalMs > 0 && this.flushTimer === undefined) {
      this.flushTimer = this.clock.setTimer(policy.intervalMs, () => {
        this.flushTimer = undefined;
        void this.requestFlush();
      });
    }
  }

  private maybeRoll(incomingBytes: number, lastOffset: number): void {
    const seg = this.active();
    if (seg.isEmpty) return;
    const full = seg.size + incomingBytes > this.config.segmentBytes;
    const aged = seg.rollStartMs >= 0 && this.clock.nowMs() - seg.rollStartMs >= this.config.segmentMs;
    if (full || aged || !seg.canHoldOffsets(lastOffset)) this.startNewSegment();
  }

  /** Makes a new, empty active segment at the log end; the next flush seals the old one. */
  private startNewSegment(): void {
    this.segments.push(
      LogSegment.create(this.fs, this.dir, this.logEndOffset, this.config.indexIntervalBytes),
    );
    this.fs.syncDir(this.dir);
    void this.requestFlush();
  }

  /**
   * Asks for a sync cycle that starts after this call (group commit): requests that arrive while a
   * cycle is running share the next one. Resolves when that cycle has synced.
   */
  private requestFlush(): Promise<void> {
    if (this.failure !== undefined) {
      // Most callers fire and forget; the failure is reported to whoever awaits, never unhandled.
      const failed = Promise.reject(this.failure);
      failed.catch(() => undefined);
      return failed;
    }
    if (this.nextCycle === undefined) this.nextCycle = deferred();
    const promise = this.nextCycle.promise;
    if (this.flushing === undefined) {
      this.flushing = this.runFlush().finally(() => {
        this.flushing = undefined;
        for (const s of this.retired.splice(0)) s.close();
        // A request that arrived after the loop's last check but before this ran must not be lost.
        if (this.nextCycle !== undefined) void this.requestFlush();
      });
    }
    return promise;
  }

  private async runFlush(): Promise<void> {
    while (this.nextCycle !== undefined && this.failure === undefined) {
      const cycle = this.nextCycle;
      this.nextCycle = undefined;
      this.flushTimer?.cancel();
      this.flushTimer = undefined;
      this.unflushedBytes = 0;
      const target = this.logEndOffset;
      const dirty = this.segments.filter((s) => !s.synced);
      // Marked before the await: an append during the sync marks its segment dirty again.
      for (const s of dirty) s.synced = true;
      try {
        await Promise.all(dirty.map((s) => s.file.sync()));
        const active = this.active();
        for (const s of dirty) {
          if (s !== active && this.segments.includes(s)) s.writeIndexFiles();
        }
      } catch (err) {
        cycle.reject(this.fail(err, 'flush'));
        return;
      }
      const durable = Math.min(target, this.logEndOffset);
      if (durable > this._recoveryPoint) {
        this._recoveryPoint = durable;
        this.scheduleCheckpoint();
      }
      let n = 0;
      while (n < this.waiters.length && this.waiters[n]!.offset < this._recoveryPoint) n++;
      for (const w of this.waiters.splice(0, n)) w.resolve();
      cycle.resolve();
    }
    if (this.failure !== undefined) this.nextCycle?.reject(this.failure);
  }

  /**
   * Records the new recovery point in the background: the checkpoint's sync stays off the event
   * loop and off the acknowledgement path (acks need only the data synced).
   */
  private scheduleCheckpoint(): void {
    this.checkpointDirty = true;
    if (this.checkpointing !== undefined || this.checkpointTimer !== undefined) return;
    const interval = this.config.checkpointIntervalMs;
    if (interval === 0) {
      this.writeCheckpointInBackground();
      return;
    }
    this.checkpointTimer = this.clock.setTimer(interval, () => {
      this.checkpointTimer = undefined;
      this.writeCheckpointInBackground();
    });
  }

  /** One background checkpoint write; a recovery point that moved meanwhile schedules the next. */
  private writeCheckpointInBackground(): void {
    if (this.failure !== undefined || this.closed) return;
    this.checkpointDirty = false;
    const generation = ++this.checkpointGeneration;
    this.checkpointing = writeCheckpointAsync(this.fs, this.dir, this.checkpointState(false), () => {
      return generation === this.checkpointGeneration;
    })
      .then(
        () => undefined,
        (err: unknown) => {
          this.fail(err, 'checkpoint');
        },
      )
      .finally(() => {
        this.checkpointing = undefined;
        if (this.checkpointDirty) this.scheduleCheckpoint();
      });
  }

  private checkpointState(cleanShutdown: boolean) {
    return { recoveryPoint: this._recoveryPoint, logStartOffset: this._logStartOffset, cleanShutdown };
  }

  /** Writes the checkpoint now, superseding any background write still in flight. */
  private writeCheckpoint(cleanShutdown: boolean): void {
    this.checkpointGeneration++;
    writeCheckpoint(this.fs, this.dir, this.checkpointState(cleanShutdown));
  }

  /** Enters the failed state (fail-stop) and returns the error to throw. */
  private fail(err: unknown, during: string): MillraceError {
    // Refusals of bad input (our own errors) leave the log running; damage and disk errors stop it.
    if (
      err instanceof MillraceError &&
      !(err instanceof LogCorruptedError) &&
      !(err instanceof StorageError)
    ) {
      return err;
    }
    if (this.failure === undefined) {
      const code = (err as NodeJS.ErrnoException | undefined)?.code ?? 'unknown';
      this.failure =
        err instanceof StorageError
          ? err
          : new StorageError(`${during} failed in ${this.dir} (${code})`, { cause: err });
      this.flushTimer?.cancel();
      for (const w of this.waiters.splice(0)) w.reject(this.failure);
    }
    return err instanceof LogCorruptedError ? err : this.failure;
  }

  private checkWritable(): void {
    if (this.closed) throw new IllegalStateError(`partition log ${this.dir} is closed`);
    if (this.failure !== undefined) throw this.failure;
  }

  private checkReadable(): void {
    this.checkWritable();
  }

  /** Index of the segment holding `offset`: the last one whose base offset is at or below it. */
  private segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.segments[mid]!.baseOffset <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: Error) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A cycle nobody awaits (an append's own flush request) must not become an unhandled rejection;
  // callers that await it still see the error.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}
