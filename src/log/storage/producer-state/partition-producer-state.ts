/**
 * A partition log together with its producer state, kept in step: every write to the log goes
 * through here so the state sees it (a leader's checked append, a transaction marker, a follower's
 * copy), a truncation restores the state as of the new log end, and the state is persisted as
 * snapshot files.
 *
 * Opening loads the newest intact snapshot at or below the log end and replays the batch headers
 * of the log from there (snapshots above the log end are deleted first: the data they describe was
 * lost in a crash or cut by a truncation). Snapshots are written at segment rolls, every
 * `snapshotIntervalMs` while the log grows, and at a clean close, so a replay after a crash is
 * about one segment at most. A truncation that cuts no producer's batch leaves the state as it is
 * (the common case for topics without idempotent producers); otherwise the state is reloaded from
 * the newest snapshot at or below the new end and the log replayed.
 */
import type { Clock } from '../../../runtime/actor/clock.js';
import { buildControlBatch } from '../../format/control-record.js';
import type { StorageFs } from '../fs/storage-fs.js';
import type { AppendInfo, PartitionLog } from '../partition-log.js';
import { ProducerSnapshotFiles } from './producer-snapshot-files.js';
import { ProducerStateManager, type TxnMarkerInput } from './producer-state-manager.js';

/** Kafka's producer.id.expiration.ms. */
export const DEFAULT_PRODUCER_ID_EXPIRATION_MS = 86_400_000;
/** Kafka's producer.id.expiration.check.interval.ms. */
export const DEFAULT_EXPIRATION_CHECK_INTERVAL_MS = 600_000;
/** How often a growing log gets a snapshot between segment rolls. */
export const DEFAULT_SNAPSHOT_INTERVAL_MS = 60_000;
/** Bytes read per step when replaying the log. */
const REPLAY_CHUNK_BYTES = 1024 * 1024;
/** Recent snapshots kept besides the newest at or below the high watermark. */
const SNAPSHOTS_KEPT = 2;

/** Settings of a partition's producer state; every field has a default. */
export interface ProducerStateSettings {
  /** A producer that has not written for this long, with no transaction open, is forgotten. */
  producerIdExpirationMs?: number;
  /** How often expiration runs. */
  expirationCheckIntervalMs?: number;
  /** How often a snapshot is taken while the log grows, besides segment rolls and close. */
  snapshotIntervalMs?: number;
}

/** How to open a partition's producer state. */
export interface PartitionProducerStateOptions extends ProducerStateSettings {
  /** The partition's log, already open (and recovered). */
  log: PartitionLog;
  /** The file system the log is on: snapshots go in the log's directory. */
  fs: StorageFs;
  clock: Clock;
  /** The partition's name, for messages. */
  name: string;
}

/** Where a leader append landed, or, for a retry of batches already written, where they were. */
export interface LeaderAppendInfo extends AppendInfo {
  /** True when the batches were a producer's retry: nothing was written, the offsets are the originals. */
  duplicate: boolean;
}

/**
 * The producer state of one partition log.
 *
 * @example
 * ```ts
 * const producers = PartitionProducerState.open({ log, fs, clock, name: 'orders-0' });
 * const info = producers.appendAsLeader(batches, leaderEpoch); // info.duplicate for a retry
 * producers.lastStableOffset(highWatermark);
 * producers.close();
 * ```
 */
export class PartitionProducerState {
  readonly snapshots: ProducerSnapshotFiles;
  private readonly log: PartitionLog;
  private readonly clock: Clock;
  private readonly name: string;
  private readonly expirationMs: number;
  private readonly expirationCheckIntervalMs: number;
  private readonly snapshotIntervalMs: number;
  private state: ProducerStateManager;
  private lastSnapshotOffset = -1;
  private lastSnapshotMs: number;
  private lastExpirationMs: number;
  private activeSegmentBase: number;
  private trimmedBelow = 0;

  private constructor(options: PartitionProducerStateOptions) {
    this.log = options.log;
    this.clock = options.clock;
    this.name = options.name;
    this.expirationMs = options.producerIdExpirationMs ?? DEFAULT_PRODUCER_ID_EXPIRATION_MS;
    this.expirationCheckIntervalMs =
      options.expirationCheckIntervalMs ?? DEFAULT_EXPIRATION_CHECK_INTERVAL_MS;
    this.snapshotIntervalMs = options.snapshotIntervalMs ?? DEFAULT_SNAPSHOT_INTERVAL_MS;
    this.snapshots = new ProducerSnapshotFiles(options.fs, options.log.dir);
    const now = this.clock.nowMs();
    this.lastSnapshotMs = now;
    this.lastExpirationMs = now;
    this.activeSegmentBase = this.log.segmentBaseOffsets().at(-1) ?? 0;
    this.snapshots.deleteAbove(this.log.logEndOffset);
    this.state = this.load(this.log.logEndOffset);
  }

  /**
   * Loads the state of `options.log` from its snapshots and the log.
   *
   * @throws LogCorruptedError if the log fails its checks while being replayed; the file system's
   *   error if a damaged snapshot cannot be removed.
   */
  static open(options: PartitionProducerStateOptions): PartitionProducerState {
    return new PartitionProducerState(options);
  }

  /** The state (read it; change it only through this object). */
  get manager(): ProducerStateManager {
    return this.state;
  }

  /**
   * Appends a producer's batches as leader: checks and dedups them first (see
   * ProducerStateManager.prepareLeaderAppend), then writes them stamped with `leaderEpoch`.
   *
   * @throws InvalidProducerEpochError, OutOfOrderSequenceError, InvalidTxnStateError,
   *   InvalidRecordError (a control batch) or the log's errors; nothing is written then.
   */
  appendAsLeader(bytes: Uint8Array, leaderEpoch: number): LeaderAppendInfo {
    const duplicate = this.state.prepareLeaderAppend(bytes, this.log.logEndOffset);
    if (duplicate !== undefined) {
      return { ...duplicate, maxTimestamp: -1, batches: 0, bytes: 0, duplicate: true };
    }
    let info: LeaderAppendInfo;
    try {
      // The log's fresh result object gains the flag rather than being copied.
      info = this.log.append(bytes, { leaderEpoch }) as LeaderAppendInfo;
    } catch (err) {
      this.state.discardPrepared();
      throw err;
    }
    this.state.commitPrepared(this.clock.nowMs());
    info.duplicate = false;
    return info;
  }

  /**
   * Writes a COMMIT or ABORT marker for a producer as leader (Kafka's WriteTxnMarkers).
   *
   * @throws InvalidProducerEpochError for an epoch below the producer's;
   *   TransactionCoordinatorFencedError for a stale coordinator; the log's errors.
   */
  appendMarkerAsLeader(input: TxnMarkerInput, leaderEpoch: number): AppendInfo {
    this.state.checkMarker(input);
    const now = this.clock.nowMs();
    const batch = buildControlBatch({
      type: input.marker,
      producerId: input.producerId,
      producerEpoch: input.producerEpoch,
      coordinatorEpoch: input.coordinatorEpoch,
      timestamp: now,
    });
    const info = this.log.append(batch, { leaderEpoch });
    this.state.applyMarker(input, info.firstOffset, now);
    return info;
  }

  /**
   * Appends a follower's copy of the leader's batches and takes them into the state.
   *
   * @throws the log's errors (CorruptRecordError, StorageError).
   */
  appendReplicated(bytes: Uint8Array): AppendInfo {
    const info = this.log.appendReplicated(bytes);
    this.state.ingest(bytes, this.clock.nowMs());
    return info;
  }

  /**
   * Truncates the log at `offset` (see PartitionLog.truncateTo) and restores the state as of the
   * new end. Returns the new log end offset.
   *
   * @throws the log's errors; LogCorruptedError if the replay meets damaged data.
   */
  truncateTo(offset: number): number {
    const end = this.log.truncateTo(offset);
    this.snapshots.deleteAbove(end);
    if (this.lastSnapshotOffset > end) this.lastSnapshotOffset = -1;
    if (this.state.lastTrackedOffset >= end) this.state = this.load(end);
    return end;
  }

  /** The last stable offset given the high watermark. */
  lastStableOffset(highWatermark: number): number {
    return this.state.lastStableOffset(highWatermark);
  }

  /** The aborted transactions with data that may lie in [fromOffset, upToOffset). */
  abortedTransactions(fromOffset: number, upToOffset: number): { producerId: number; firstOffset: number }[] {
    return this.state.abortedTransactions(fromOffset, upToOffset);
  }

  /** The high watermark moved: completed transactions below it are settled. */
  onHighWatermark(highWatermark: number): void {
    this.state.onHighWatermark(highWatermark);
  }

  /**
   * The periodic upkeep: a snapshot after a segment roll or every snapshotIntervalMs while the log
   * grows (keeping the newest few and the newest at or below the high watermark), expiration of
   * idle producers, and trimming of the aborted index below the log start.
   *
   * @throws the file system's error if a snapshot cannot be written (the caller stops the replica).
   */
  maintain(highWatermark: number): void {
    const now = this.clock.nowMs();
    const end = this.log.logEndOffset;
    const activeBase = this.log.segmentBaseOffsets().at(-1) ?? 0;
    const rolled = activeBase !== this.activeSegmentBase;
    this.activeSegmentBase = activeBase;
    const due = now - this.lastSnapshotMs >= this.snapshotIntervalMs && end !== this.lastSnapshotOffset;
    if (rolled || due) {
      this.takeSnapshot();
      this.snapshots.retain(SNAPSHOTS_KEPT, highWatermark);
    }
    if (now - this.lastExpirationMs >= this.expirationCheckIntervalMs) {
      this.lastExpirationMs = now;
      this.state.expireProducers(now, this.expirationMs);
    }
    const logStart = this.log.logStartOffset;
    if (logStart > this.trimmedBelow) {
      this.trimmedBelow = logStart;
      this.state.trimBelow(logStart);
    }
  }

  /**
   * Writes a snapshot of the state at the log end now.
   *
   * @throws the file system's error if the write fails.
   */
  takeSnapshot(): void {
    const end = this.log.logEndOffset;
    this.lastSnapshotMs = this.clock.nowMs();
    if (end === this.lastSnapshotOffset) return;
    this.snapshots.write(end, this.state.toImage());
    this.lastSnapshotOffset = end;
  }

  /**
   * Writes the snapshot of a clean close, so the next open replays nothing. Call it after the log
   * has closed cleanly.
   *
   * @throws the file system's error if the write fails.
   */
  close(): void {
    this.lastSnapshotOffset = -1;
    this.takeSnapshot();
  }

  /** The state as of `end`: the newest snapshot at or below it, then the log replayed up to it. */
  private load(end: number): ProducerStateManager {
    const snapshot = this.snapshots.loadNewest(end);
    // A snapshot at the end (a clean close) already says everything: no need to write it again.
    if (snapshot?.offset === end) this.lastSnapshotOffset = end;
    const state =
      snapshot === undefined
        ? new ProducerStateManager(this.name)
        : ProducerStateManager.fromImage(this.name, snapshot.image);
    let offset = Math.max(snapshot?.offset ?? 0, this.log.logStartOffset);
    const now = this.clock.nowMs();
    while (offset < end) {
      const read = this.log.read(offset, REPLAY_CHUNK_BYTES, { maxOffset: end });
      if (read.records.length === 0) break;
      state.ingest(read.records, now, offset);
      offset = read.nextOffset;
    }
    return state;
  }
}
