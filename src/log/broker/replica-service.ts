/**
 * What a partition replica actor does with each event: serve produce and fetch as leader (with
 * acks=all answered once the high watermark passes the batch, and long-polled fetches parked until
 * there is data), write transaction markers for transaction coordinators (answered, like acks=all,
 * once the high watermark passes them), fetch from the leader as follower, and propose ISR changes
 * to the controller. Parked read_committed fetches wait for the last stable offset, which only
 * moves when the high watermark does, so they are re-run at the same moments as the others.
 * The replica machine (partition-replica-machine.ts) owns the lifecycle and calls in here.
 */
import { MillraceError, StorageError } from '../../common/errors.js';
import {
  KafkaStorageErrorOnBroker,
  NotLeaderOrFollowerError,
  RequestTimedOutError,
  type WireError,
} from '../../common/kafka-errors.js';
import type { ActorContext, RpcRequest, TimerHandle } from '../../runtime/actor/index.js';
import { reply, replyError } from '../../runtime/actor/index.js';
import type { PartitionState } from './cluster-metadata.js';
import { CONTROLLER_ACTOR_ID, replicaActorId } from './cluster-metadata.js';
import type { FetchParams, FetchResult, PartitionReplica } from './partition-replica.js';
import type {
  FetchRequest,
  ListOffsetsRequest,
  ProduceRequest,
  WriteTxnMarkerRequest,
  WriteTxnMarkerResult,
} from './replica-requests.js';

/** Replication settings of a replica actor. */
export interface ReplicationSettings {
  /** Bytes a follower asks for per fetch. */
  fetchMaxBytes: number;
  /** How long a leader may hold a follower's fetch waiting for data. */
  fetchMaxWaitMs: number;
  /** A follower's fetch with no answer this long is sent again. */
  requestTimeoutMs: number;
  /** How often the replica checks its ISR (leader) or fetch loop (follower). */
  tickMs: number;
  /** How often retention is applied to the replica's log. */
  retentionCheckIntervalMs: number;
  /** How often a compacted topic's log is compacted. */
  cleanerIntervalMs: number;
}

interface PendingAck {
  lastOffset: number;
  request: ProduceRequest | WriteTxnMarkerRequest;
  timer: TimerHandle;
  /** A produce's answer (the log start offset is added when it is sent), or a marker's. */
  result: { baseOffset: number; lastOffset: number } | WriteTxnMarkerResult;
}

interface ParkedFetch {
  request: FetchRequest;
  timer: TimerHandle;
}

/**
 * The behaviour of one replica actor.
 *
 * @example
 * ```ts
 * const service = new ReplicaService(actorContext, replica, settings);
 * service.applyState(partitionState);
 * ```
 */
export class ReplicaService {
  readonly replica: PartitionReplica;
  private readonly actor: ActorContext;
  private readonly settings: ReplicationSettings;
  private pendingAcks: PendingAck[] = [];
  private parked: ParkedFetch[] = [];
  private fetchInFlight: { correlationId: number; sentAtMs: number } | undefined;
  private alterIsrInFlight: number | undefined;
  private nextCorrelationId = 1;
  private partitionEpoch = -1;
  private stopped = false;
  private lastRetentionMs: number;
  private lastCleaningMs: number;
  private cleaning = false;

  constructor(actor: ActorContext, replica: PartitionReplica, settings: ReplicationSettings) {
    this.actor = actor;
    this.replica = replica;
    this.settings = settings;
    this.lastRetentionMs = actor.clock.nowMs();
    this.lastCleaningMs = actor.clock.nowMs();
    this.scheduleTick();
  }

  /** Applies a state from the controller; returns the role to be in, or undefined if stale. */
  applyState(state: PartitionState): 'leader' | 'follower' | undefined {
    const r = this.replica;
    if (state.leaderEpoch < r.leaderEpoch) return undefined;
    if (state.leaderEpoch === r.leaderEpoch && state.partitionEpoch <= this.partitionEpoch) return undefined;
    this.partitionEpoch = state.partitionEpoch;
    const sameEpoch = state.leaderEpoch === r.leaderEpoch;
    if (state.leader === r.brokerId) {
      if (sameEpoch && r.role === 'leader') {
        r.replicas = [...state.replicas];
        r.applyCommittedIsr([...state.isr]);
        this.afterHighWatermarkMayHaveMoved();
      } else {
        r.becomeLeader({
          leaderEpoch: state.leaderEpoch,
          isr: [...state.isr],
          replicas: [...state.replicas],
        });
        this.afterHighWatermarkMayHaveMoved();
      }
      return 'leader';
    }
    const wasLeader = r.role === 'leader';
    r.becomeFollower({
      leaderId: state.leader,
      leaderEpoch: state.leaderEpoch,
      replicas: [...state.replicas],
      isr: [...state.isr],
    });
    if (wasLeader || !sameEpoch)
      this.failPending(
        `leadership of ${r.name} moved to broker ${state.leader} (epoch ${state.leaderEpoch})`,
      );
    this.fetchInFlight = undefined;
    this.sendFollowerFetch();
    return 'follower';
  }

  /**
   * Appends a producer's batches as leader. A retry of batches already written is answered with
   * their original offsets, and under acks=all still only once the high watermark passes them.
   */
  produce(request: ProduceRequest): void {
    let info: { firstOffset: number; lastOffset: number };
    try {
      info = this.replica.appendAsLeader(request.records, request.acks);
    } catch (err) {
      this.replyFailure(request, err);
      return;
    }
    const result = { baseOffset: info.firstOffset, lastOffset: info.lastOffset };
    this.whenSynced(info.lastOffset);
    if (request.acks !== 'all' || this.replica.highWatermark > info.lastOffset) {
      reply(this.actor, request, { ...result, logStartOffset: this.replica.log.logStartOffset });
    } else {
      this.awaitHighWatermark(
        request,
        info.lastOffset,
        result,
        `acks=all for ${this.replica.name} offsets ${info.firstOffset}..${info.lastOffset}`,
      );
    }
    this.answerParked();
  }

  /**
   * Writes a COMMIT or ABORT marker for a transaction coordinator (WriteTxnMarkers) and answers
   * `WriteTxnMarkerResult` once the high watermark passes it; refusals (a stale producer epoch or
   * coordinator, too few in-sync replicas) are answered as their typed errors.
   */
  writeTxnMarker(request: WriteTxnMarkerRequest): void {
    let offset: number;
    try {
      offset = this.replica.appendTxnMarkerAsLeader({
        producerId: request.producerId,
        producerEpoch: request.producerEpoch,
        coordinatorEpoch: request.coordinatorEpoch,
        marker: request.marker,
      }).firstOffset;
    } catch (err) {
      this.replyFailure(request, err);
      return;
    }
    const result: WriteTxnMarkerResult = { offset };
    this.whenSynced(offset);
    if (this.replica.highWatermark > offset) reply(this.actor, request, result);
    else {
      this.awaitHighWatermark(
        request,
        offset,
        result,
        `${request.marker} marker for producer ${request.producerId} on ${this.replica.name} at offset ${offset}`,
      );
    }
    this.answerParked();
  }

  fetch(request: FetchRequest): void {
    let result: FetchResult;
    try {
      result = this.replica.fetchAsLeader(this.paramsOf(request));
    } catch (err) {
      this.replyFailure(request, err);
      return;
    }
    const ready = result.records.length > 0 || result.divergingEpoch !== undefined || request.maxWaitMs <= 0;
    if (ready) reply(this.actor, request, result);
    else {
      const timer = this.actor.clock.setTimer(request.maxWaitMs, () => {
        const i = this.parked.findIndex((p) => p.request === request);
        if (i < 0) return;
        this.parked.splice(i, 1);
        this.answer(request, true);
      });
      this.parked.push({ request, timer });
    }
    // A follower's fetch reports its progress: the high watermark may move, and the ISR grow.
    if (request.replicaId >= 0) this.afterHighWatermarkMayHaveMoved();
  }

  /**
   * Answers ListOffsets: earliest, latest (the high watermark, or the last stable offset for
   * read_committed) or the first offset at a timestamp, among what the isolation level may see.
   */
  listOffsets(request: ListOffsetsRequest): void {
    try {
      if (this.replica.role !== 'leader') {
        throw new NotLeaderOrFollowerError(
          `broker ${this.replica.brokerId} does not lead ${this.replica.name}`,
        );
      }
      const log = this.replica.log;
      const visibleEnd =
        request.isolationLevel === 'read_committed'
          ? this.replica.lastStableOffset
          : this.replica.highWatermark;
      if (request.timestamp === -2) reply(this.actor, request, { offset: log.logStartOffset, timestamp: -1 });
      else if (request.timestamp === -1) reply(this.actor, request, { offset: visibleEnd, timestamp: -1 });
      else {
        const found = log.offsetForTimestamp(request.timestamp);
        const visible = found !== undefined && found.offset < visibleEnd ? found : undefined;
        reply(this.actor, request, visible ?? { offset: -1, timestamp: -1 });
      }
    } catch (err) {
      this.replyFailure(request, err);
    }
  }

  /** Handles the answer to one of this replica's own requests (its fetch, or an ISR change). */
  onResponse(correlationId: number, result: unknown, error: WireError | undefined): void {
    if (this.fetchInFlight?.correlationId === correlationId) {
      this.fetchInFlight = undefined;
      if (error === undefined) {
        const before = this.replica.logEndOffset;
        try {
          this.replica.applyFetchAsFollower(result as FetchResult);
        } catch (err) {
          this.onStorageTrouble(err);
          return;
        }
        // The next fetch reports the synced offset, which is what moves the leader's high
        // watermark: sync what was just appended first.
        if (this.replica.logEndOffset > before) {
          const pending = { correlationId: -1, sentAtMs: this.actor.clock.nowMs() };
          this.fetchInFlight = pending;
          this.replica.log.flush().then(
            () => {
              if (this.fetchInFlight !== pending) return;
              this.fetchInFlight = undefined;
              this.sendFollowerFetch();
            },
            () => undefined,
          );
        } else this.sendFollowerFetch();
      }
      // On an error (not the leader any more, a timeout …) the next tick fetches again.
      return;
    }
    if (this.alterIsrInFlight === correlationId) {
      this.alterIsrInFlight = undefined;
      if (error === undefined) {
        const state = result as PartitionState;
        if (state.leaderEpoch === this.replica.leaderEpoch) {
          this.partitionEpoch = Math.max(this.partitionEpoch, state.partitionEpoch);
          this.replica.applyCommittedIsr([...state.isr]);
          this.afterHighWatermarkMayHaveMoved();
        }
      }
      // A refusal means a newer leader exists; the controller's push or the next heartbeat says who.
    }
  }

  /** The periodic check: ISR changes on a leader, a stalled fetch loop on a follower. */
  tick(): void {
    if (this.stopped) return;
    const r = this.replica;
    const now = this.actor.clock.nowMs();
    if (r.role === 'leader' && this.alterIsrInFlight === undefined) {
      const proposal = r.isrToPropose();
      if (proposal !== undefined) {
        r.markProposed(proposal);
        this.afterHighWatermarkMayHaveMoved();
        this.alterIsrInFlight = this.nextCorrelationId++;
        this.actor.send(CONTROLLER_ACTOR_ID, {
          type: 'controller.alterIsr',
          correlationId: this.alterIsrInFlight,
          replyTo: this.actor.id,
          topic: r.topic,
          partition: r.partition,
          leaderId: r.brokerId,
          leaderEpoch: r.leaderEpoch,
          isr: proposal,
        });
        // If the controller never answers, try again after a request timeout.
        const sent = this.alterIsrInFlight;
        this.actor.clock.setTimer(this.settings.requestTimeoutMs, () => {
          if (this.alterIsrInFlight === sent) this.alterIsrInFlight = undefined;
        });
      }
    }
    this.maintainLog(now);
    if (r.role === 'follower') {
      const stalled =
        this.fetchInFlight !== undefined &&
        now - this.fetchInFlight.sentAtMs > this.settings.requestTimeoutMs;
      if (this.fetchInFlight === undefined || stalled) {
        this.fetchInFlight = undefined;
        this.sendFollowerFetch();
      }
    }
    this.scheduleTick();
  }

  /**
   * Retention and compaction, on their intervals. Every replica applies them to its own log (as
   * Kafka's replicas do); compaction stops below the high watermark so it never cleans records a
   * new leader might still cut away.
   */
  private maintainLog(now: number): void {
    const log = this.replica.log;
    try {
      this.replica.maintainProducerState();
    } catch (err) {
      this.onStorageTrouble(err);
    }
    if (now - this.lastRetentionMs >= this.settings.retentionCheckIntervalMs) {
      this.lastRetentionMs = now;
      try {
        log.applyRetention();
      } catch (err) {
        this.onStorageTrouble(err);
      }
    }
    if (
      log.config.cleanupPolicy !== 'delete' &&
      !this.cleaning &&
      now - this.lastCleaningMs >= this.settings.cleanerIntervalMs
    ) {
      this.lastCleaningMs = now;
      this.cleaning = true;
      // Never past the last stable offset (an open transaction may still abort), and aborted
      // transactions' records go rather than supersede committed ones (Kafka's cleaner does both).
      const isAborted = abortedLookup(this.replica.producerState.manager.abortedRanges());
      log.compact({ maxOffset: this.replica.lastStableOffset, isAborted }).then(
        () => {
          this.cleaning = false;
        },
        () => {
          // The log has stopped itself (fail-stop); the next request reports it.
          this.cleaning = false;
        },
      );
    }
  }

  /** Stops the loops, closes the log and deletes its files (the topic was deleted). */
  async delete(): Promise<void> {
    this.stopped = true;
    this.failPending(`${this.replica.name} was deleted`);
    await this.replica.log.closeAndDelete();
  }

  /** Closes the log cleanly and stops the loops. */
  async close(): Promise<void> {
    this.stopped = true;
    this.failPending(`replica ${this.replica.name} is closing`);
    await this.replica.close();
  }

  /** Once the leader's log has synced `offset`, the high watermark may move. */
  private whenSynced(offset: number): void {
    this.replica.log.waitDurable(offset).then(
      () => {
        if (this.stopped) return;
        this.replica.onLocalFlush();
        this.afterHighWatermarkMayHaveMoved();
      },
      () => undefined,
    );
  }

  private sendFollowerFetch(): void {
    const r = this.replica;
    if (this.stopped || r.role !== 'follower' || r.leaderId < 0 || this.fetchInFlight !== undefined) return;
    const params: FetchParams = r.followerFetchParams(this.settings.fetchMaxBytes);
    const correlationId = this.nextCorrelationId++;
    this.fetchInFlight = { correlationId, sentAtMs: this.actor.clock.nowMs() };
    this.actor.send(replicaActorId(r.leaderId, r.topic, r.partition), {
      type: 'fetch.request',
      correlationId,
      replyTo: this.actor.id,
      topic: r.topic,
      partition: r.partition,
      fetchOffset: params.fetchOffset,
      maxBytes: params.maxBytes,
      replicaId: params.replicaId,
      lastFetchedEpoch: params.lastFetchedEpoch,
      durableOffset: params.durableOffset,
      maxWaitMs: this.settings.fetchMaxWaitMs,
    });
  }

  /** Holds the answer to `request` until the high watermark passes `lastOffset`, or times out. */
  private awaitHighWatermark(
    request: ProduceRequest | WriteTxnMarkerRequest,
    lastOffset: number,
    result: PendingAck['result'],
    what: string,
  ): void {
    const timer = this.actor.clock.setTimer(request.timeoutMs, () => {
      const i = this.pendingAcks.findIndex((p) => p.request === request);
      if (i < 0) return;
      this.pendingAcks.splice(i, 1);
      replyError(this.actor, request, new RequestTimedOutError(what));
    });
    this.pendingAcks.push({ lastOffset, request, timer, result });
  }

  /**
   * Answers acks=all produces and markers the high watermark has passed, and parked fetches that
   * now have data: the high watermark and the last stable offset (which never moves without it)
   * both gate what a fetch sees.
   */
  private afterHighWatermarkMayHaveMoved(): void {
    const hw = this.replica.highWatermark;
    const done = this.pendingAcks.filter((p) => p.lastOffset < hw);
    if (done.length > 0) {
      this.pendingAcks = this.pendingAcks.filter((p) => p.lastOffset >= hw);
      for (const p of done) {
        p.timer.cancel();
        const answer =
          p.request.type === 'produce.request'
            ? { ...p.result, logStartOffset: this.replica.log.logStartOffset }
            : p.result;
        reply(this.actor, p.request, answer);
      }
    }
    this.answerParked();
  }

  /** Answers parked fetches that now have something to return. */
  private answerParked(): void {
    if (this.parked.length === 0) return;
    const still: ParkedFetch[] = [];
    for (const p of this.parked) {
      if (!this.answer(p.request, false)) still.push(p);
      else p.timer.cancel();
    }
    this.parked = still;
  }

  /** Re-runs a parked fetch; replies and returns true if it has data (or `force`). */
  private answer(request: FetchRequest, force: boolean): boolean {
    try {
      const result = this.replica.fetchAsLeader(this.paramsOf(request));
      if (!force && result.records.length === 0 && result.divergingEpoch === undefined) return false;
      reply(this.actor, request, result);
    } catch (err) {
      this.replyFailure(request, err);
    }
    return true;
  }

  private paramsOf(request: FetchRequest): FetchParams {
    return {
      fetchOffset: request.fetchOffset,
      maxBytes: request.maxBytes,
      replicaId: request.replicaId,
      ...(request.lastFetchedEpoch === undefined ? {} : { lastFetchedEpoch: request.lastFetchedEpoch }),
      ...(request.durableOffset === undefined ? {} : { durableOffset: request.durableOffset }),
      ...(request.isolationLevel === undefined ? {} : { isolationLevel: request.isolationLevel }),
    };
  }

  private failPending(why: string): void {
    const error = new NotLeaderOrFollowerError(why);
    for (const p of this.pendingAcks) {
      p.timer.cancel();
      replyError(this.actor, p.request, error);
    }
    for (const p of this.parked) {
      p.timer.cancel();
      replyError(this.actor, p.request, error);
    }
    this.pendingAcks = [];
    this.parked = [];
  }

  private replyFailure(request: RpcRequest, err: unknown): void {
    if (err instanceof StorageError) {
      replyError(
        this.actor,
        request,
        new KafkaStorageErrorOnBroker(
          `${this.replica.name} on broker ${this.replica.brokerId}: ${err.message}`,
        ),
      );
      this.onStorageTrouble(err);
    }
    replyError(this.actor, request, err instanceof MillraceError ? err : new Error(String(err)));
  }

  /** A failed disk stops the replica (fail-stop); supervision restarts it from what is on disk. */
  private onStorageTrouble(err: unknown): void {
    this.stopped = true;
    this.failPending(`${this.replica.name} stopped after a storage failure`);
    throw err;
  }

  private scheduleTick(): void {
    this.actor.clock.setTimer(this.settings.tickMs, () => {
      if (!this.stopped) this.actor.send(this.actor.id, { type: 'replica.tick' });
    });
  }
}

/** A lookup from the aborted index: is the batch of `producerId` at `offset` inside one of its aborted transactions? */
function abortedLookup(
  ranges: readonly { producerId: number; firstOffset: number; lastOffset: number }[],
): (producerId: number, offset: number) => boolean {
  const byProducer = new Map<number, { firstOffset: number; lastOffset: number }[]>();
  for (const r of ranges) {
    const list = byProducer.get(r.producerId);
    if (list === undefined) byProducer.set(r.producerId, [r]);
    else list.push(r);
  }
  return (producerId, offset) =>
    byProducer.get(producerId)?.some((r) => r.firstOffset <= offset && offset < r.lastOffset) ?? false;
}
