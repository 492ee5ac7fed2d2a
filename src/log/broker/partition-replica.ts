/**
 * The data plane of one replica of a partition: a PartitionLog plus what replication needs on top
 * of it — the role (leader or follower) and leader epoch, the leader epoch cache (KIP-101), the
 * in-sync replica set, the high watermark, and on the leader each follower's log end offset.
 * Everything here is synchronous and batch-level; the replica machine (partition-replica-machine.ts)
 * drives it from events and owns the timers and pending requests.
 *
 * ISR changes follow KIP-497: the leader proposes them to the controller; an expansion counts for
 * the high watermark at once (the "maximal ISR"), a shrink only once the controller has committed
 * it, so the high watermark never passes a record that an electable replica lacks.
 *
 * The high watermark counts only what every in-sync replica has SYNCED to disk: followers report
 * their recovery point with each fetch, and the leader its own. Kafka counts what replicas hold in
 * memory; counting synced data is what lets any one node lose its unflushed writes in a crash
 * without losing an acknowledged record, at the price of an fdatasync (shared by group commit) in
 * the acks=all path.
 *
 * Every write goes through the partition's producer state (PartitionProducerState): a leader
 * checks idempotent and transactional batches (epoch fencing, sequence order) and answers a
 * producer's retry with the original offsets without writing it again; followers and recovery
 * build the same state from the log, so a new leader still recognises retries; a truncation
 * restores it. From it come the last stable offset and the aborted transactions that
 * read_committed fetches need.
 */
import { NotEnoughReplicasError, NotLeaderOrFollowerError } from '../../common/kafka-errors.js';
import { plantedBugs } from '../../common/planted-bugs.js';
import type { Clock } from '../../runtime/actor/clock.js';
import { batchBaseOffset, batchPartitionLeaderEpoch, batchSizeAt } from '../format/batch-layout.js';
import type { StorageFs } from '../storage/fs/storage-fs.js';
import type { LogConfigInput } from '../storage/log-config.js';
import { type AppendInfo, PartitionLog } from '../storage/partition-log.js';
import {
  type LeaderAppendInfo,
  PartitionProducerState,
  type ProducerStateSettings,
} from '../storage/producer-state/partition-producer-state.js';
import type { TxnMarkerInput } from '../storage/producer-state/producer-state-manager.js';
import { LeaderEpochCache } from './leader-epoch-cache.js';

/** How to open a replica. */
export interface PartitionReplicaOptions {
  brokerId: number;
  topic: string;
  partition: number;
  dir: string;
  fs: StorageFs;
  clock: Clock;
  log?: LogConfigInput;
  minInsyncReplicas: number;
  /** A follower that has not caught up for this long leaves the ISR (Kafka replica.lag.time.max.ms). */
  replicaLagTimeMaxMs: number;
  /** Producer id expiration and snapshot intervals; Kafka's defaults when omitted. */
  producerState?: ProducerStateSettings;
}

/** The acks a producer asked for. */
export type Acks = 0 | 1 | 'all';

/** An aborted transaction a read_committed fetch must skip: its producer and first offset. */
export interface AbortedTransaction {
  producerId: number;
  firstOffset: number;
}

/** What a fetch returns. */
export interface FetchResult {
  records: Buffer;
  highWatermark: number;
  /** The last stable offset: below it no transaction is open (equals the high watermark without any). */
  lastStableOffset: number;
  /**
   * For a read_committed fetch: the aborted transactions whose data may lie in `records`, by
   * first offset; the consumer drops their batches until it reads their ABORT marker.
   */
  abortedTransactions?: AbortedTransaction[];
  logStartOffset: number;
  logEndOffset: number;
  /** Set when a follower's log diverges from the leader's: truncate to endOffset and fetch again. */
  divergingEpoch?: { epoch: number; endOffset: number };
}

/** A fetch as a follower or consumer sends it. */
export interface FetchParams {
  fetchOffset: number;
  maxBytes: number;
  /** The fetching broker's id, or -1 for a consumer. */
  replicaId: number;
  /** For a follower: the epoch of the last batch it has (KIP-595 divergence check). */
  lastFetchedEpoch?: number;
  /** For a follower: its recovery point, the offset below which its log is synced. */
  durableOffset?: number;
  /** For a consumer: read_committed stops at the last stable offset. Default read_uncommitted. */
  isolationLevel?: IsolationLevel;
}

/**
 * What a consumer's fetch may see: everything up to the high watermark, or only what is below the
 * last stable offset, with aborted transactions listed (Kafka's isolation.level).
 */
export type IsolationLevel = 'read_uncommitted' | 'read_committed';

interface FollowerState {
  /** The follower's log end offset as its last fetch showed, -1 if it has not fetched yet. */
  logEndOffset: number;
  /** The follower's synced offset as its last fetch showed, -1 if unknown. */
  durableOffset: number;
  /** When it was last caught up to the leader's log end. */
  lastCaughtUpMs: number;
}

/**
 * One replica of a partition.
 *
 * @example
 * ```ts
 * const replica = PartitionReplica.open({ brokerId: 1, topic: 'orders', partition: 0, dir, fs, clock,
 *   minInsyncReplicas: 2, replicaLagTimeMaxMs: 30_000 });
 * replica.becomeLeader({ leaderEpoch: 0, isr: [1, 2, 3], replicas: [1, 2, 3] });
 * const info = replica.appendAsLeader(batch, 'all');
 * ```
 */
export class PartitionReplica {
  readonly brokerId: number;
  readonly topic: string;
  readonly partition: number;
  readonly log: PartitionLog;
  readonly epochs: LeaderEpochCache;
  /** The producers' state: idempotence, transactions, last stable offset, aborted transactions. */
  readonly producerState: PartitionProducerState;
  private readonly clock: Clock;
  private readonly minInsyncReplicas: number;
  private readonly replicaLagTimeMaxMs: number;
  role: 'follower' | 'leader' = 'follower';
  leaderEpoch = -1;
  leaderId = -1;
  replicas: number[] = [];
  /** The ISR as the controller last committed it. */
  isr: number[] = [];
  /** Members the leader has proposed to add; they count for the high watermark already. */
  pendingIsrAdditions = new Set<number>();
  private _highWatermark = 0;
  private readonly followers = new Map<number, FollowerState>();

  private constructor(options: PartitionReplicaOptions) {
    this.brokerId = options.brokerId;
    this.topic = options.topic;
    this.partition = options.partition;
    this.clock = options.clock;
    this.minInsyncReplicas = options.minInsyncReplicas;
    this.replicaLagTimeMaxMs = options.replicaLagTimeMaxMs;
    this.log = PartitionLog.open({
      dir: options.dir,
      fs: options.fs,
      clock: options.clock,
      config: options.log ?? {},
    });
    this.epochs = LeaderEpochCache.open(options.fs, options.dir, this.log.logEndOffset);
    this.producerState = PartitionProducerState.open({
      ...options.producerState,
      log: this.log,
      fs: options.fs,
      clock: options.clock,
      name: this.name,
    });
    // The high watermark is not persisted: a restarted replica learns it again from the leader
    // (as follower) or from its followers (as leader); starting low only delays readers.
    this._highWatermark = Math.min(this.log.logStartOffset, this.log.logEndOffset);
  }

  /** Opens (recovering) the replica's log. */
  static open(options: PartitionReplicaOptions): PartitionReplica {
    return new PartitionReplica(options);
  }

  get name(): string {
    return `${this.topic}-${this.partition}`;
  }

  get highWatermark(): number {
    return this._highWatermark;
  }

  get logEndOffset(): number {
    return this.log.logEndOffset;
  }

  /**
   * The last stable offset: the high watermark, held back to the first offset of any transaction
   * still open or whose marker is not yet below the high watermark. read_committed reads stop here.
   */
  get lastStableOffset(): number {
    return this.producerState.lastStableOffset(this._highWatermark);
  }

  /** Takes leadership for `leaderEpoch`; the epoch starts at the current log end. */
  becomeLeader(state: { leaderEpoch: number; isr: number[]; replicas: number[] }): void {
    this.role = 'leader';
    this.leaderEpoch = state.leaderEpoch;
    this.leaderId = this.brokerId;
    this.replicas = [...state.replicas];
    this.isr = [...state.isr];
    this.pendingIsrAdditions.clear();
    this.epochs.assign(state.leaderEpoch, this.log.logEndOffset);
    this.followers.clear();
    const now = this.clock.nowMs();
    for (const id of this.replicas) {
      // Followers get a full lag window to show up before they can be dropped from the ISR.
      if (id !== this.brokerId)
        this.followers.set(id, { logEndOffset: -1, durableOffset: -1, lastCaughtUpMs: now });
    }
    this.maybeAdvanceHighWatermark();
  }

  /** Follows `leaderId` in `leaderEpoch`. */
  becomeFollower(state: { leaderId: number; leaderEpoch: number; replicas: number[]; isr: number[] }): void {
    this.role = 'follower';
    this.leaderEpoch = state.leaderEpoch;
    this.leaderId = state.leaderId;
    this.replicas = [...state.replicas];
    this.isr = [...state.isr];
    this.pendingIsrAdditions.clear();
    this.followers.clear();
  }

  /** Applies an ISR the controller committed (for this leader epoch). */
  applyCommittedIsr(isr: number[]): void {
    this.isr = [...isr];
    for (const id of isr) this.pendingIsrAdditions.delete(id);
    this.maybeAdvanceHighWatermark();
  }

  /**
   * Appends a producer's batches as leader, stamping the leader epoch. Batches of idempotent and
   * transactional producers are checked against the producer state first; a retry of batches
   * already written is not written again and returns their original offsets (`duplicate`), which
   * an acks=all caller must still answer only once the high watermark passes them.
   *
   * @throws NotLeaderOrFollowerError if not the leader; NotEnoughReplicasError for acks=all with
   *   fewer than min.insync.replicas in sync; InvalidProducerEpochError, OutOfOrderSequenceError,
   *   InvalidTxnStateError for a producer's batch out of turn; the log's errors for bad batches.
   *   Nothing is written after any of them.
   *
   * @example
   * ```ts
   * const { firstOffset, lastOffset, duplicate } = replica.appendAsLeader(batch, 'all');
   * ```
   */
  appendAsLeader(batches: Uint8Array, acks: Acks): LeaderAppendInfo {
    this.requireLeader();
    if (acks === 'all') this.requireMinInsyncReplicas();
    const info = this.producerState.appendAsLeader(batches, this.leaderEpoch);
    if (!info.duplicate) this.maybeAdvanceHighWatermark();
    return info;
  }

  /**
   * Writes a transaction marker (a control batch built with buildControlBatch) as leader, for a
   * transaction coordinator's WriteTxnMarkers. Like acks=all, it needs min.insync.replicas in sync;
   * the caller answers once the high watermark passes the marker.
   *
   * @throws NotLeaderOrFollowerError if not the leader; NotEnoughReplicasError below
   *   min.insync.replicas; InvalidProducerEpochError for an epoch below the producer's;
   *   TransactionCoordinatorFencedError for a stale coordinator; the log's errors.
   *
   * @example
   * ```ts
   * const { firstOffset } = replica.appendTxnMarkerAsLeader({ producerId: 7, producerEpoch: 3,
   *   coordinatorEpoch: 1, marker: 'COMMIT' });
   * ```
   */
  appendTxnMarkerAsLeader(input: TxnMarkerInput): AppendInfo {
    this.requireLeader();
    this.requireMinInsyncReplicas();
    const info = this.producerState.appendMarkerAsLeader(input, this.leaderEpoch);
    this.maybeAdvanceHighWatermark();
    return info;
  }

  /**
   * Serves a fetch as leader. A follower's fetch also reports its log end offset, which moves the
   * high watermark and may return it to the ISR (then `isrToPropose` says so).
   *
   * @throws NotLeaderOrFollowerError if not the leader; OffsetOutOfRangeError for a bad offset.
   */
  fetchAsLeader(params: FetchParams): FetchResult {
    this.requireLeader();
    const isReplica = params.replicaId >= 0;
    if (isReplica && params.lastFetchedEpoch !== undefined && params.lastFetchedEpoch >= 0) {
      const { epoch, endOffset } = this.epochs.endOffsetFor(params.lastFetchedEpoch, this.log.logEndOffset);
      if (epoch !== params.lastFetchedEpoch || endOffset < params.fetchOffset) {
        return { ...this.positions(), records: Buffer.alloc(0), divergingEpoch: { epoch, endOffset } };
      }
    }
    if (isReplica) this.recordFollowerFetch(params.replicaId, params.fetchOffset, params.durableOffset ?? -1);
    const readCommitted = !isReplica && params.isolationLevel === 'read_committed';
    const positions = this.positions();
    const maxOffset = isReplica
      ? this.log.logEndOffset
      : readCommitted
        ? positions.lastStableOffset
        : this._highWatermark;
    if (params.fetchOffset >= maxOffset && params.fetchOffset <= this.log.logEndOffset) {
      return readCommitted
        ? { ...positions, records: Buffer.alloc(0), abortedTransactions: [] }
        : { ...positions, records: Buffer.alloc(0) };
    }
    const read = this.log.read(params.fetchOffset, params.maxBytes, { maxOffset });
    if (!readCommitted) return { ...positions, records: read.records };
    const abortedTransactions =
      read.records.length === 0
        ? []
        : this.producerState.abortedTransactions(params.fetchOffset, read.nextOffset);
    return { ...positions, records: read.records, abortedTransactions };
  }

  /** The fetch a follower sends to its leader. */
  followerFetchParams(maxBytes: number): FetchParams {
    return {
      fetchOffset: this.log.logEndOffset,
      maxBytes,
      replicaId: this.brokerId,
      lastFetchedEpoch: this.log.logEndOffset > 0 ? this.epochs.epochAt(this.log.logEndOffset - 1) : -1,
      durableOffset: this.log.recoveryPoint,
    };
  }

  /**
   * Applies the leader's answer to this follower's fetch: truncates on divergence (KIP-101/595),
   * otherwise appends the batches (recording new epochs first) and takes the leader's high
   * watermark, capped at this log's end.
   */
  applyFetchAsFollower(result: FetchResult): void {
    if (this.role !== 'follower') return;
    if (result.divergingEpoch !== undefined) {
      const target = Math.min(Math.max(result.divergingEpoch.endOffset, 0), this.log.logEndOffset);
      this.truncateTo(target);
      return;
    }
    const records = result.records;
    if (records.length > 0) {
      for (let pos = 0; pos < records.length; pos += batchSizeAt(records, pos)) {
        const epoch = batchPartitionLeaderEpoch(records, pos);
        if (epoch > this.epochs.latestEpoch) this.epochs.assign(epoch, batchBaseOffset(records, pos));
      }
      this.producerState.appendReplicated(records);
    }
    this._highWatermark = Math.max(
      this._highWatermark,
      Math.min(result.highWatermark, this.log.logEndOffset),
    );
    this.producerState.onHighWatermark(this._highWatermark);
  }

  /**
   * Cuts the log (and the epoch cache) at `offset`, restoring the producer state as of the new
   * end; the high watermark follows if above it.
   */
  truncateTo(offset: number): void {
    const end = this.producerState.truncateTo(offset);
    this.epochs.truncateFromEnd(end);
    if (this._highWatermark > end) this._highWatermark = end;
  }

  /**
   * The ISR change this leader should propose now, or undefined: followers that have not caught
   * up within replicaLagTimeMaxMs leave; followers caught up to the high watermark (and into this
   * leader's epoch) join.
   */
  isrToPropose(): number[] | undefined {
    if (this.role !== 'leader') return undefined;
    const now = this.clock.nowMs();
    const current = new Set([...this.isr, ...this.pendingIsrAdditions]);
    const next = new Set(current);
    next.add(this.brokerId);
    // Where this leader's epoch began: a follower rejoins only once it has reached into it.
    const epochStart = this.epochs.endOffsetFor(this.leaderEpoch - 1, this.log.logEndOffset).endOffset;
    for (const [id, f] of this.followers) {
      const lagging = now - f.lastCaughtUpMs > this.replicaLagTimeMaxMs;
      if (current.has(id) && lagging) next.delete(id);
      if (
        !current.has(id) &&
        !lagging &&
        f.logEndOffset >= this._highWatermark &&
        f.logEndOffset >= epochStart
      ) {
        next.add(id);
      }
    }
    const proposal = [...next].sort((a, b) => a - b);
    const committed = [...this.isr].sort((a, b) => a - b);
    return sameMembers(proposal, committed) ? undefined : proposal;
  }

  /** Notes that the leader proposed `isr`: additions count for the high watermark from now. */
  markProposed(isr: number[]): void {
    for (const id of isr) if (!this.isr.includes(id)) this.pendingIsrAdditions.add(id);
    this.maybeAdvanceHighWatermark();
  }

  /**
   * Closes the log, then writes a producer-state snapshot at its end so the next open replays
   * nothing.
   *
   * @throws the log's error if it cannot close cleanly (no snapshot is written then); the file
   *   system's error if the snapshot cannot be written.
   */
  async close(): Promise<void> {
    await this.log.close();
    this.producerState.close();
  }

  /**
   * The producer state's periodic upkeep (snapshots, producer id expiration, aborted-index trim).
   *
   * @throws the file system's error if a snapshot cannot be written.
   */
  maintainProducerState(): void {
    this.producerState.maintain(this._highWatermark);
  }

  /** The leader's own log has synced more: the high watermark may move. */
  onLocalFlush(): void {
    this.maybeAdvanceHighWatermark();
  }

  private recordFollowerFetch(replicaId: number, fetchOffset: number, durableOffset: number): void {
    const f = this.followers.get(replicaId);
    if (f === undefined) return;
    f.logEndOffset = Math.min(fetchOffset, this.log.logEndOffset);
    f.durableOffset = Math.min(durableOffset, f.logEndOffset);
    if (fetchOffset >= this.log.logEndOffset) f.lastCaughtUpMs = this.clock.nowMs();
    this.maybeAdvanceHighWatermark();
  }

  private maybeAdvanceHighWatermark(): void {
    if (this.role !== 'leader') return;
    let hw = Math.min(this.log.recoveryPoint, this.log.logEndOffset);
    // Negative-control switch (common/planted-bugs.ts): unsynced data counts as durable.
    if (plantedBugs.ackBeforeFlush) hw = this.log.logEndOffset;
    for (const id of new Set([...this.isr, ...this.pendingIsrAdditions])) {
      if (id === this.brokerId) continue;
      const f = this.followers.get(id);
      hw = Math.min(hw, f === undefined ? -1 : f.durableOffset);
    }
    // The high watermark never moves back on a leader.
    if (hw > this._highWatermark) this._highWatermark = hw;
  }

  private positions() {
    return {
      highWatermark: this._highWatermark,
      lastStableOffset: this.lastStableOffset,
      logStartOffset: this.log.logStartOffset,
      logEndOffset: this.log.logEndOffset,
    };
  }

  private requireMinInsyncReplicas(): void {
    if (this.isr.length < this.minInsyncReplicas) {
      throw new NotEnoughReplicasError(
        `${this.name} has ${this.isr.length} in-sync replicas (${this.isr.join(', ')}), fewer than min.insync.replicas ${this.minInsyncReplicas}`,
      );
    }
  }

  private requireLeader(): void {
    if (this.role !== 'leader') {
      throw new NotLeaderOrFollowerError(
        `broker ${this.brokerId} is not the leader of ${this.name} (leader ${this.leaderId}, epoch ${this.leaderEpoch})`,
      );
    }
  }
}

function sameMembers(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
