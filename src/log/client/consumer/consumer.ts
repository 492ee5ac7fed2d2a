/**
 * A consumer of an embedded cluster: assigned partitions (manual `assign`, or a group's
 * assignment through `subscribe`), one long-polled fetch in flight per partition, positions
 * advanced as records are handed out, seek, pause and resume, and committed offsets (commitSync,
 * commitAsync) from which a group's new owner of a partition resumes. Records are decoded from
 * whole fetched batches; control batches (transaction markers) are skipped, and at read_committed
 * so are aborted transactions' batches (fetched-records.ts).
 */
import { IllegalStateError, MillraceError, OffsetOutOfRangeError } from '../../../common/errors.js';
import { fromWireError, KafkaProtocolError, type WireError } from '../../../common/kafka-errors.js';
import type { Clock } from '../../../runtime/actor/clock.js';
import type { OffsetCommitResult, OffsetFetchResult } from '../../coordinator/offset-requests.js';
import type { EmbeddedLogClient } from '../embedded-log-client.js';
import { type ConsumerConfig, resolveConsumerConfig } from './consumer-config.js';
import { type ConsumerRecord, type PolledRecords, type TopicPartition, tpKey } from './consumer-record.js';
import { FetchedRecordsCursor } from './fetched-records.js';
import { GroupMembership } from './group-membership.js';
import {
  accept,
  isCurrent,
  moveTo,
  newFetchState,
  nextFetchOffset,
  type PartitionFetchState,
  takeBuffered,
} from './partition-fetch-state.js';

/** Told of rebalances, as Kafka's ConsumerRebalanceListener. Commit in onPartitionsRevoked. */
export interface RebalanceListener {
  /**
   * Partitions given up cleanly. A returned promise is awaited before the consumer lets them go
   * and before it rejoins the group, so work on them can be committed first (Kafka's consumer
   * calls this on the polling thread and blocks the rejoin the same way). Do not poll and await
   * this consumer's own poll inside it.
   */
  onPartitionsRevoked?(partitions: TopicPartition[]): void | Promise<void>;
  onPartitionsAssigned?(partitions: TopicPartition[]): void;
  onPartitionsLost?(partitions: TopicPartition[]): void;
  /**
   * Every assignment the group hands this member, with the assignor's userData (Kafka's
   * Assignment, as its assignor's onAssignment sees it): called after onPartitionsRevoked and
   * before onPartitionsAssigned, also when the partitions did not change, because the userData
   * (a streams member's standby tasks, say) may have.
   */
  onAssignment?(assignment: { partitions: TopicPartition[]; userData: Uint8Array | null }): void;
}

/**
 * A consumer.
 *
 * @example
 * ```ts
 * const consumer = new Consumer(client, clock, { autoOffsetReset: 'earliest' });
 * consumer.assign([{ topic: 'orders', partition: 0 }]);
 * const { partitions } = await consumer.poll(1000);
 * ```
 */
export class Consumer {
  readonly config: ConsumerConfig;
  private readonly client: EmbeddedLogClient;
  private readonly clock: Clock;
  private readonly states = new Map<string, PartitionFetchState>();
  private wake: (() => void) | undefined;
  private closed = false;
  private membership: GroupMembership | undefined;
  private listener: RebalanceListener = {};
  /** Newly assigned partitions whose committed offsets are still being fetched. */
  private positionsPending: Promise<void> = Promise.resolve();

  constructor(client: EmbeddedLogClient, clock: Clock, config: Partial<ConsumerConfig> = {}) {
    this.client = client;
    this.clock = clock;
    this.config = resolveConsumerConfig(config);
  }

  /** Replaces the assignment; partitions kept keep their positions. */
  assign(partitions: readonly TopicPartition[]): void {
    this.requireOpen();
    const keep = new Set(partitions.map(tpKey));
    for (const key of [...this.states.keys()]) if (!keep.has(key)) this.states.delete(key);
    for (const tp of partitions) {
      const key = tpKey(tp);
      if (!this.states.has(key)) this.states.set(key, newFetchState(tp));
    }
  }

  /**
   * Joins the consumer's group for these topics; the group's assignment replaces any manual one.
   *
   * @throws IllegalStateError without a groupId.
   */
  subscribe(topics: readonly string[], listener: RebalanceListener = {}): void {
    this.requireOpen();
    if (this.config.groupId === '')
      throw new IllegalStateError('subscribe needs a groupId in the consumer config');
    this.listener = listener;
    this.membership ??= new GroupMembership(
      this.client,
      this.clock,
      {
        groupId: this.config.groupId,
        groupInstanceId: this.config.groupInstanceId,
        clientId: this.config.clientId,
        sessionTimeoutMs: this.config.sessionTimeoutMs,
        rebalanceTimeoutMs: this.config.rebalanceTimeoutMs,
        heartbeatIntervalMs: this.config.heartbeatIntervalMs,
        assignor: this.config.assignor,
        retryBackoffMs: this.config.retryBackoffMs,
      },
      {
        onAssignment: (assigned, added, revoked, userData) =>
          this.onAssignment(assigned, added, revoked, userData),
        onLost: (lost) => {
          this.assign(this.assignment().filter((tp) => !lost.some((l) => tpKey(l) === tpKey(tp))));
          this.listener.onPartitionsLost?.(lost);
        },
      },
    );
    this.membership.subscribe(topics);
  }

  /** The userData of the group's latest assignment to this member; null before one or outside a group. */
  assignmentUserData(): Uint8Array | null {
    return this.membership?.assignmentUserData ?? null;
  }

  /**
   * Asks the group for a new assignment now (Kafka's enforceRebalance), without leaving it: a
   * streams thread does so for a probing rebalance, when warmup replicas may have caught up.
   *
   * @example
   * ```ts
   * if (clock.nowMs() >= nextProbingRebalanceMs) consumer.enforceRebalance();
   * ```
   * @throws IllegalStateError when the consumer is closed.
   */
  enforceRebalance(): void {
    this.requireOpen();
    this.membership?.enforceRebalance();
  }

  /** The group generation and member id, for committing (undefined outside a group). */
  groupMetadata():
    | { groupId: string; generationId: number; memberId: string; groupInstanceId: string | null }
    | undefined {
    const m = this.membership;
    if (m === undefined) return undefined;
    return {
      groupId: this.config.groupId,
      generationId: m.generationId,
      memberId: m.memberId,
      groupInstanceId: this.config.groupInstanceId,
    };
  }

  /**
   * Commits offsets (by default, the current position of every assigned partition) for the group.
   *
   * @throws the coordinator's error (RebalanceInProgressError, IllegalGenerationError …) if any
   *   partition's commit failed.
   */
  async commitSync(
    offsets?: ReadonlyMap<string, { tp: TopicPartition; offset: number; metadata?: string }>,
  ): Promise<void> {
    const entries = offsets === undefined ? this.currentPositions() : [...offsets.values()];
    if (entries.length === 0) return;
    const meta = this.groupMetadata() ?? {
      groupId: this.config.groupId,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
    };
    if (meta.groupId === '') throw new IllegalStateError('commits need a groupId in the consumer config');
    const coordinator = await this.client.findCoordinator(meta.groupId);
    const result = await this.client.brokerCall<OffsetCommitResult>(coordinator, {
      type: 'group.offsetCommit',
      ...meta,
      offsets: entries.map((e) => ({
        topic: e.tp.topic,
        partition: e.tp.partition,
        offset: e.offset,
        leaderEpoch: -1,
        metadata: 'metadata' in e ? (e.metadata ?? '') : '',
      })),
    });
    const failed = result.partitions.find((p) => p.error !== null);
    if (failed?.error) throw fromWireError(failed.error);
  }

  /** Commits in the background; `callback` hears the outcome. */
  commitAsync(callback?: (error: Error | null) => void): void {
    this.commitSync().then(
      () => callback?.(null),
      (err: unknown) => callback?.(err instanceof Error ? err : new IllegalStateError(String(err))),
    );
  }

  /**
   * The group's committed offsets of these partitions (-1 where nothing is committed). At
   * read_committed, offsets a transaction has yet to commit make it fail with
   * UnstableOffsetCommitError (retriable) rather than answer an offset about to change.
   */
  async committed(tps: readonly TopicPartition[]): Promise<Map<string, number>> {
    const committed = await this.committedWithMetadata(tps);
    return new Map([...committed].map(([key, c]) => [key, c.offset]));
  }

  /**
   * The group's committed offsets of `tps` with the metadata committed beside them (-1 and ''
   * where none), by `topic-partition`.
   *
   * @example
   * ```ts
   * const c = await consumer.committedWithMetadata([{ topic: 'orders', partition: 0 }]);
   * c.get('orders-0'); // { offset: 42, metadata: '' }
   * ```
   * @throws the coordinator's error for a partition that failed.
   */
  async committedWithMetadata(
    tps: readonly TopicPartition[],
  ): Promise<Map<string, { offset: number; metadata: string }>> {
    const coordinator = await this.client.findCoordinator(this.config.groupId);
    const result = await this.client.brokerCall<OffsetFetchResult>(coordinator, {
      type: 'group.offsetFetch',
      groupId: this.config.groupId,
      partitions: tps.map((tp) => ({ topic: tp.topic, partition: tp.partition })),
      requireStable: this.config.isolationLevel === 'read_committed',
    });
    for (const o of result.offsets as readonly { error?: WireError | null }[]) {
      if (o.error) throw fromWireError(o.error);
    }
    return new Map(result.offsets.map((o) => [tpKey(o), { offset: o.offset, metadata: o.metadata ?? '' }]));
  }

  /** `committed`, retried after retriable errors while the consumer is open (a position must not fall to the reset policy by accident). */
  private async committedWithRetry(tps: readonly TopicPartition[]): Promise<Map<string, number>> {
    for (;;) {
      try {
        return await this.committed(tps);
      } catch (err) {
        if (this.closed || !(err instanceof MillraceError) || !err.retriable) throw err;
        await new Promise<void>((resolve) => this.clock.setTimer(this.config.retryBackoffMs, resolve));
      }
    }
  }

  /** The assigned partitions. */
  assignment(): TopicPartition[] {
    return [...this.states.values()].map((s) => s.tp);
  }

  /** Sets the next offset to consume; drops anything buffered for the partition. */
  seek(tp: TopicPartition, offset: number): void {
    moveTo(this.state(tp), offset);
  }

  /** The next offset to be handed out, if known. */
  position(tp: TopicPartition): number | undefined {
    return this.state(tp).position;
  }

  /** Moves to the log start of each partition. */
  async seekToBeginning(tps: readonly TopicPartition[]): Promise<void> {
    for (const tp of tps) this.seek(tp, (await this.client.listOffset(tp.topic, tp.partition, -2)).offset);
  }

  /** Moves to the end of each partition: the high watermark, or the last stable offset at read_committed. */
  async seekToEnd(tps: readonly TopicPartition[]): Promise<void> {
    for (const tp of tps) this.seek(tp, (await this.endOffset(tp)).offset);
  }

  /** Stops fetching from these partitions until resumed (what is buffered stays). */
  pause(tps: readonly TopicPartition[]): void {
    for (const tp of tps) this.state(tp).paused = true;
  }

  resume(tps: readonly TopicPartition[]): void {
    for (const tp of tps) this.state(tp).paused = false;
    this.wake?.();
  }

  paused(): TopicPartition[] {
    return [...this.states.values()].filter((s) => s.paused).map((s) => s.tp);
  }

  /**
   * Returns buffered records at once, or waits up to `timeoutMs` (on the clock) for a fetch to
   * bring some. At most maxPollRecords, in offset order per partition.
   *
   * @throws OffsetOutOfRangeError when a position is out of range and autoOffsetReset is 'none'.
   */
  async poll(timeoutMs: number): Promise<PolledRecords> {
    this.requireOpen();
    if (this.membership?.failure !== undefined) throw this.membership.failure;
    await this.positionsPending;
    await this.resetMissingPositions();
    let out = this.drain();
    if (out.count > 0 || timeoutMs <= 0) {
      this.startFetches();
      return out;
    }
    await new Promise<void>((resolve) => {
      const timer = this.clock.setTimer(timeoutMs, () => {
        this.wake = undefined;
        resolve();
      });
      this.wake = () => {
        timer.cancel();
        this.wake = undefined;
        resolve();
      };
      this.startFetches();
    });
    out = this.drain();
    this.startFetches();
    return out;
  }

  /** Stops the consumer (leaving its group); later calls fail. */
  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    this.states.clear();
    await this.membership?.stop();
  }

  private onAssignment(
    assigned: TopicPartition[],
    added: TopicPartition[],
    revoked: TopicPartition[],
    userData?: Uint8Array | null,
  ): void | Promise<void> {
    const revoking = revoked.length > 0 ? this.listener.onPartitionsRevoked?.(revoked) : undefined;
    if (revoking === undefined) return this.applyAssignment(assigned, added, userData);
    // The revoked partitions stay fetchable meanwhile: the listener is committing their work.
    this.wake?.();
    return revoking.then(
      () => this.applyAssignment(assigned, added, userData),
      () => this.applyAssignment(assigned, added, userData),
    );
  }

  private applyAssignment(
    assigned: TopicPartition[],
    added: TopicPartition[],
    userData: Uint8Array | null | undefined,
  ): void {
    if (this.closed) return;
    this.assign(assigned);
    if (userData !== undefined) this.listener.onAssignment?.({ partitions: [...assigned], userData });
    if (added.length === 0) return;
    // New partitions start from the group's committed offsets (or the reset policy).
    this.positionsPending = this.positionsPending
      .then(() => this.committedWithRetry(added))
      .then(
        (committed) => {
          for (const tp of added) {
            const s = this.states.get(tpKey(tp));
            const offset = committed.get(tpKey(tp)) ?? -1;
            if (s !== undefined && s.position === undefined && offset >= 0) s.position = offset;
          }
        },
        () => undefined,
      )
      .then(() => {
        this.listener.onPartitionsAssigned?.(added);
        this.wake?.();
      });
  }

  private currentPositions(): { tp: TopicPartition; offset: number }[] {
    const out: { tp: TopicPartition; offset: number }[] = [];
    for (const s of this.states.values())
      if (s.position !== undefined) out.push({ tp: s.tp, offset: s.position });
    return out;
  }

  /**
   * Sends a fetch for every partition that needs one: nothing buffered, or (prefetch) the records
   * of one fetch being handed out and nothing fetched behind them yet.
   */
  private startFetches(): void {
    const now = this.clock.nowMs();
    for (const s of this.states.values()) {
      if (s.paused || s.inFlight || s.backoffUntilMs > now) continue;
      const offset = nextFetchOffset(s);
      if (offset === undefined) continue;
      s.inFlight = true;
      const epoch = s.epoch;
      const prefetch = s.buffered !== undefined;
      this.client
        .fetch(s.tp.topic, s.tp.partition, offset, {
          maxBytes: this.config.maxPartitionFetchBytes,
          maxWaitMs: this.config.fetchMaxWaitMs,
          isolationLevel: this.config.isolationLevel,
        })
        .then(
          (result) => {
            s.inFlight = false;
            // A seek or reset (or a revocation: a new state) while the fetch was out makes its
            // answer stale.
            if (this.states.get(tpKey(s.tp)) !== s) return;
            if (isCurrent(s, offset, epoch)) {
              const { records, abortedTransactions } = result;
              const isolation = this.config.isolationLevel;
              const cursor = new FetchedRecordsCursor(
                records,
                offset,
                isolation,
                abortedTransactions,
                s.make,
              );
              accept(s, cursor, offset, epoch);
            }
            if (s.buffered !== undefined) this.wake?.();
            // A poll still waiting fetches again (long poll): an empty answer only means no data
            // yet, or the position moved past markers.
            else if (this.wake !== undefined) this.startFetches();
          },
          (err: unknown) => {
            s.inFlight = false;
            // A failed prefetch is only dropped: sent again from the position, its error counts.
            if (
              !prefetch &&
              s.epoch === epoch &&
              (err instanceof OffsetOutOfRangeError ||
                (err instanceof KafkaProtocolError && err.code === 'OFFSET_OUT_OF_RANGE'))
            ) {
              moveTo(s, undefined);
            }
            s.backoffUntilMs = this.clock.nowMs() + this.config.retryBackoffMs;
            this.clock.setTimer(this.config.retryBackoffMs, () => {
              if (this.wake !== undefined) this.startFetches();
            });
          },
        );
    }
  }

  private drain(): PolledRecords {
    const partitions = new Map<string, ConsumerRecord[]>();
    const max = this.config.maxPollRecords;
    let count = 0;
    for (const [key, s] of this.states) {
      if (count >= max) break;
      if (s.buffered === undefined || s.paused) continue;
      const take: ConsumerRecord[] = [];
      count += takeBuffered(s, max - count, take);
      if (take.length > 0) partitions.set(key, take);
    }
    return { partitions, count };
  }

  private async resetMissingPositions(): Promise<void> {
    for (const s of this.states.values()) {
      if (s.position !== undefined) continue;
      if (this.config.autoOffsetReset === 'none') {
        throw new OffsetOutOfRangeError(-1, -1, -1);
      }
      s.position = (
        this.config.autoOffsetReset === 'earliest'
          ? await this.client.listOffset(s.tp.topic, s.tp.partition, -2)
          : await this.endOffset(s.tp)
      ).offset;
    }
  }

  private endOffset(tp: TopicPartition) {
    return this.client.listOffset(tp.topic, tp.partition, -1, this.config.isolationLevel);
  }

  private state(tp: TopicPartition): PartitionFetchState {
    const s = this.states.get(tpKey(tp));
    if (s === undefined) throw new IllegalStateError(`${tpKey(tp)} is not assigned to this consumer`);
    return s;
  }

  private requireOpen(): void {
    if (this.closed) throw new IllegalStateError('the consumer is closed');
  }
}
