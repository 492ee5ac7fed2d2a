/**
 * The producer's record accumulator (Kafka's RecordAccumulator): records are appended into one
 * open RecordBatch v2 per partition; batches become ready to send when full, after `lingerMs`, on
 * flush or close, or when appends are waiting for memory; a sender drains ready batches grouped by
 * leader and reports each batch's outcome back. Every unsent or unacknowledged batch holds buffer
 * memory (`max(batchSize, its first record)` bytes, as Kafka's buffer pool does) until it is done;
 * when `bufferMemory` is used up, appends wait (back-pressure) up to `maxBlockMs`.
 *
 * Order. Per partition, batches are drained in append order. A batch that fails with a retriable
 * error goes back ahead of every batch of its partition not yet drained, and nothing behind it is
 * drained until it has been, after its backoff. So a partition's records are written in append
 * order when at most one of its batches is in flight (drain with `maxInFlightPerPartition: 1`,
 * Kafka's max.in.flight.requests.per.connection = 1), or when the broker refuses batches out of
 * sequence (idempotence, not implemented yet). With several in flight and no idempotence, a retried
 * batch can land after a later one that succeeded, as in Kafka. Appends waiting for memory are
 * served first come, first served, across all partitions, so they too keep their order.
 *
 * Threading: everything is synchronous and single-threaded; time comes from the injected Clock
 * and the retry jitter and sticky choices from the injected Random (DESIGN.md §4).
 */
import { IllegalStateError, MillraceError, RecordTooLargeError } from '../../../common/errors.js';
import type { Clock, TimerHandle } from '../../../runtime/actor/clock.js';
import type { Random } from '../../../runtime/actor/random.js';
import type { RecordInput } from '../../format/record.js';
import type {
  DrainOptions,
  DrainResult,
  FailOutcome,
  RecordAccumulatorOptions,
} from './accumulator-types.js';
import { BatchBuilderPool } from './batch-builder-pool.js';
import { DeadlineTimer } from './deadline-timer.js';
import { insertInCreationOrder, type PartitionQueue, PartitionQueues } from './partition-queues.js';
import { DefaultPartitioner } from './partitioner.js';
import { ProducerBatch } from './producer-batch.js';
import { type ProducerConfig, resolveProducerConfig } from './producer-config.js';
import { BufferExhaustedError, DeliveryTimeoutError } from './producer-errors.js';
import type { DeliveryCallback, ProducerRecord, RecordMetadata, TopicPartitions } from './producer-types.js';
import { batchSizeUpperBound } from './record-size.js';
import { retryBackoffMs } from './retry-backoff.js';

/** An append waiting for buffer memory. */
interface Waiter {
  readonly record: ProducerRecord;
  readonly partition: number;
  readonly timestamp: number;
  readonly callback: DeliveryCallback | undefined;
  readonly sticky: boolean;
  readonly requestedBytes: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  timer: TimerHandle | undefined;
}

// Results of appending to a partition, as numbers: no allocation on the hot path.
const APPENDED = 0;
const NEEDS_MEMORY = 1;
const NEEDS_NEW_BATCH = 2;

const RESOLVED: Promise<void> = Promise.resolve();

function rethrowLater(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}

/**
 * Batches records per partition and hands ready batches to a sender.
 *
 * @example
 * ```ts
 * const accumulator = new RecordAccumulator({ clock, random, onReady: () => queueMicrotask(sendReady) });
 * await accumulator.append({ topic: 'orders', key, value }, { count: 6, available: [] }, onDelivery);
 * function sendReady() {
 *   const { batchesByNode } = accumulator.drain({ leaderOf: (t, p) => leaders.get(`${t}-${p}`) ?? -1 });
 *   for (const batches of batchesByNode.values()) {
 *     for (const batch of batches) {
 *       broker.produce(batch.topic, batch.partition, batch.bytes).then(
 *         (baseOffset) => accumulator.complete(batch, baseOffset),
 *         (error) => accumulator.fail(batch, error),
 *       );
 *     }
 *   }
 * }
 * ```
 * @throws ConfigError from the constructor for a bad config.
 */
export class RecordAccumulator {
  /** The resolved config. */
  readonly config: ProducerConfig;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly partitioner: DefaultPartitioner;
  private readonly onReady: (() => void) | undefined;
  private readonly onCallbackError: (error: unknown) => void;
  private readonly onBatchFailed: ((batch: ProducerBatch, error: Error) => void) | undefined;
  private readonly pool: BatchBuilderPool;
  private readonly queues = new PartitionQueues();
  private readonly incomplete = new Set<ProducerBatch>();
  private readonly waiters: Waiter[] = [];
  private usedBytes = 0;
  private nextBatchId = 0;
  private flushes = 0;
  private closed = false;
  private readySignalled = false;
  private draining = false;
  private servingWaiters = false;
  private drainCursor = 0;
  private readonly timer: DeadlineTimer;
  // Out-parameters of the last append to a partition, kept in fields to avoid an object per record.
  private lastPartition = -1;
  private lastAppendedBytes = 0;
  private lastBatchFull = false;
  /** Reused to give a record without a timestamp its append time without copying the caller's record. */
  private readonly stamped: RecordInput = { key: null, value: null, timestamp: 0, headers: undefined };

  constructor(options: RecordAccumulatorOptions) {
    this.config = resolveProducerConfig(options.config);
    this.clock = options.clock;
    this.random = options.random;
    this.partitioner = options.partitioner ?? new DefaultPartitioner(options.random, this.config.batchSize);
    this.onReady = options.onReady;
    this.onCallbackError = options.onCallbackError ?? rethrowLater;
    this.onBatchFailed = options.onBatchFailed;
    this.timer = new DeadlineTimer(this.clock, () => this.onTimer());
    this.pool = new BatchBuilderPool(this.config.compressionType, this.config.batchSize);
  }

  /** Buffer memory held by unsent and unacknowledged batches. */
  get bufferedBytes(): number {
    return this.usedBytes;
  }

  /** Appends waiting for buffer memory. */
  get waitingAppends(): number {
    return this.waiters.length;
  }

  /** Batches not yet acknowledged or failed for good: queued, open or in flight. */
  get incompleteBatches(): number {
    return this.incomplete.size;
  }

  /** Batches drained and not yet completed or failed. */
  get inFlightBatches(): number {
    return this.queues.inFlight();
  }

  /**
   * Appends a record now if it needs no memory it cannot have, and returns whether it did. Its
   * delivery is reported to `callback`. The synchronous fast path: no Promise, no allocation per
   * record beyond the callback's bookkeeping. On false nothing was appended: wait with `append`.
   *
   * @example
   * ```ts
   * if (!accumulator.tryAppend(record, partitions)) await accumulator.append(record, partitions);
   * ```
   * @throws IllegalStateError after close; RecordTooLargeError for a record over maxRequestSize or
   * bufferMemory; InvalidRecordError for a partition outside the topic; UnknownTopicOrPartitionError
   * when `partitions.count` is 0; RangeError for a timestamp that is not a safe integer.
   */
  tryAppend(record: ProducerRecord, partitions: TopicPartitions, callback?: DeliveryCallback): boolean {
    this.checkOpen();
    // Appends waiting for memory go first, so this one may not overtake them.
    if (this.waiters.length > 0) return false;
    return this.place(record, partitions, record.timestamp ?? this.clock.nowMs(), callback) === APPENDED;
  }

  /**
   * Appends a record, waiting for buffer memory when it must (back-pressure). The promise settles
   * when the record is in a batch, not when it is delivered: delivery goes to `callback`. It is a
   * shared, already-resolved promise when no wait was needed.
   *
   * @example
   * ```ts
   * for (const record of records) await accumulator.append(record, partitions, onDelivery);
   * ```
   * @throws (as a rejection) BufferExhaustedError after maxBlockMs without memory; IllegalStateError
   * when the accumulator is or gets closed; and what tryAppend throws.
   */
  append(record: ProducerRecord, partitions: TopicPartitions, callback?: DeliveryCallback): Promise<void> {
    let partition: number;
    let timestamp: number;
    let requestedBytes: number;
    const sticky = DefaultPartitioner.isSticky(record.key, record.partition);
    try {
      this.checkOpen();
      timestamp = record.timestamp ?? this.clock.nowMs();
      if (this.waiters.length === 0) {
        if (this.place(record, partitions, timestamp, callback) === APPENDED) return RESOLVED;
        partition = this.lastPartition;
      } else {
        partition = this.partitioner.partition(record.topic, record.key, record.partition, partitions);
      }
      requestedBytes = this.reservationFor(this.withTimestamp(record, timestamp));
    } catch (error) {
      return Promise.reject(error);
    }
    const { maxBlockMs, bufferMemory } = this.config;
    if (maxBlockMs === 0) {
      return Promise.reject(new BufferExhaustedError(requestedBytes, 0, bufferMemory, this.usedBytes));
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        record,
        partition,
        timestamp,
        callback,
        sticky,
        requestedBytes,
        resolve,
        reject,
        timer: undefined,
      };
      waiter.timer = this.clock.setTimer(maxBlockMs, () => this.giveUpWaiting(waiter));
      this.waiters.push(waiter);
      // Waiting appends make every batch ready: sending is the only way memory comes back.
      this.signal();
    });
  }

  /**
   * Appends a record and resolves with where it was written once its batch is acknowledged.
   * One promise per record: for many records, prefer `append` with a callback.
   *
   * @example
   * ```ts
   * const { partition, offset } = await accumulator.send({ topic: 'orders', value }, partitions);
   * ```
   * @throws (as a rejection) what `append` throws, and the batch's final error.
   */
  send(record: ProducerRecord, partitions: TopicPartitions): Promise<RecordMetadata> {
    return new Promise<RecordMetadata>((resolve, reject) => {
      const callback: DeliveryCallback = (error, metadata) => {
        if (error !== null) reject(error);
        else resolve(metadata!);
      };
      this.append(record, partitions, callback).catch(reject);
    });
  }

  /**
   * Takes the ready batches whose leader is known: at most one per partition, and per node at most
   * `maxRequestBytes` (but always one). Batches that have waited `deliveryTimeoutMs` are failed
   * first. Taken batches are in flight until `complete` or `fail`. Call again after responses to
   * take what did not fit.
   *
   * @example
   * ```ts
   * const { batchesByNode } = accumulator.drain({ leaderOf, maxInFlightPerPartition: 1 });
   * ```
   */
  drain(options: DrainOptions): DrainResult {
    const now = this.clock.monotonicMs();
    const maxRequestBytes = options.maxRequestBytes ?? this.config.maxRequestSize;
    const maxInFlight = options.maxInFlightPerPartition ?? Number.POSITIVE_INFINITY;
    const maxSpan = options.maxUnresolvedSpanPerPartition ?? Number.POSITIVE_INFINITY;
    const batchesByNode = new Map<number, ProducerBatch[]>();
    const unknownLeaderTopics = new Set<string>();
    const requestBytes = new Map<number, number>();
    this.draining = true;
    try {
      this.expire(now);
      const queues = this.queues.all;
      const n = queues.length;
      // Start one partition further each time, so no partition always comes last in a full request.
      const start = n === 0 ? 0 : this.drainCursor % n;
      for (let i = 0; i < n; i++) {
        const queue = queues[(start + i) % n]!;
        const front = queue.batches[0];
        if (front === undefined || queue.inFlight >= maxInFlight || this.readyAtMs(front) > now) continue;
        if (
          front.ordinal < 0 &&
          queue.unresolved.length > 0 &&
          queue.nextOrdinal - queue.unresolved[0]! >= maxSpan
        )
          continue;
        if (options.canSend !== undefined && !options.canSend(queue.topic, queue.partition)) continue;
        const leader = options.leaderOf(queue.topic, queue.partition);
        if (leader < 0) {
          unknownLeaderTopics.add(queue.topic);
          continue;
        }
        if (options.isNodeReady !== undefined && !options.isNodeReady(leader)) continue;
        const size = front.sizeInBytes;
        const used = requestBytes.get(leader) ?? 0;
        if (used > 0 && used + size > maxRequestBytes) continue;
        this.take(queue);
        requestBytes.set(leader, used + size);
        const list = batchesByNode.get(leader);
        if (list === undefined) batchesByNode.set(leader, [front]);
        else list.push(front);
      }
      this.drainCursor = start + 1;
    } finally {
      this.draining = false;
      this.readySignalled = false;
    }
    this.scheduleNextDeadline(now);
    return { batchesByNode, unknownLeaderTopics };
  }

  /**
   * Reports a drained batch written at `baseOffset` (-1 with acks 0): each record's callback gets
   * offset `baseOffset + its index`, and its memory is freed for waiting appends. Returns false,
   * doing nothing, for a batch not in flight (already expired, aborted or completed).
   *
   * @example
   * ```ts
   * accumulator.complete(batch, response.baseOffset, response.logAppendTimeMs);
   * ```
   */
  complete(batch: ProducerBatch, baseOffset: number, logAppendTimeMs = -1): boolean {
    if (batch.state !== 'inFlight') return false;
    const queue = this.queues.of(batch);
    queue.inFlight--;
    this.release(batch);
    batch.succeed(baseOffset, logAppendTimeMs, this.onCallbackError);
    this.afterRelease(queue);
    return true;
  }

  /**
   * Reports a drained batch whose send failed. A retriable error (MillraceError with `retriable`)
   * puts it back at the front of its partition after an exponential, jittered backoff, unless
   * `retries` are used up or `deliveryTimeoutMs` has passed since its first append (then it fails
   * with a DeliveryTimeoutError whose cause is `error`); anything else fails its records with
   * `error`.
   *
   * @example
   * ```ts
   * accumulator.fail(batch, new NotLeaderOrFollowerError('orders-3'));
   * ```
   */
  fail(batch: ProducerBatch, error: Error): FailOutcome {
    if (batch.state !== 'inFlight') return 'ignored';
    const queue = this.queues.of(batch);
    queue.inFlight--;
    const now = this.clock.monotonicMs();
    const deadline = batch.createdMs + this.config.deliveryTimeoutMs;
    if (now >= deadline) {
      this.failForGood(batch, this.timeoutError(batch, now, error));
      this.afterRelease(queue);
      return 'failed';
    }
    const retriable = error instanceof MillraceError && error.retriable;
    if (!retriable || batch.retries >= this.config.retries) {
      this.failForGood(batch, error);
      this.afterRelease(queue);
      return 'failed';
    }
    const { retryBackoffMs: initial, retryBackoffMaxMs: max } = this.config;
    batch.retryAtMs = now + retryBackoffMs(batch.retries, initial, max, this.random);
    batch.retries++;
    batch.lastError = error;
    batch.state = 'queued';
    insertInCreationOrder(queue.batches, batch);
    if (batch.retryAtMs <= now) this.signal();
    else this.timer.schedule(Math.min(batch.retryAtMs, deadline));
    return 'retrying';
  }

  /**
   * Makes every batch ready now and resolves when all batches that exist at the call are done
   * (acknowledged or failed). Appends still waiting for memory are not waited for.
   *
   * @example
   * ```ts
   * await accumulator.flush();
   * ```
   */
  flush(): Promise<void> {
    if (this.incomplete.size === 0) return RESOLVED;
    const pending = [...this.incomplete].map((batch) => batch.whenDone());
    this.flushes++;
    this.signal();
    return Promise.all(pending).then(() => {
      this.flushes--;
    });
  }

  /**
   * Refuses further appends (and rejects those waiting for memory), makes every batch ready, and
   * resolves when all are done. The sender keeps draining until then.
   *
   * @example
   * ```ts
   * await accumulator.close();
   * ```
   */
  close(): Promise<void> {
    this.closed = true;
    this.rejectWaiters(
      new IllegalStateError('the producer was closed while the append waited for buffer memory'),
    );
    if (this.incomplete.size === 0) {
      this.timer.cancel();
      return RESOLVED;
    }
    const pending = [...this.incomplete].map((batch) => batch.whenDone());
    this.signal();
    return Promise.all(pending).then(() => {
      this.timer.cancel();
    });
  }

  /**
   * Fails every incomplete batch, in flight or not, with `error`, and every waiting append; refuses
   * further appends. A later `complete` or `fail` of an aborted batch is ignored.
   *
   * @example
   * ```ts
   * accumulator.abort(new IllegalStateError('producer closed with a zero timeout'));
   * ```
   */
  abort(error: Error = new IllegalStateError('the producer was aborted before the record was sent')): void {
    this.closed = true;
    this.rejectWaiters(error);
    for (const batch of [...this.incomplete]) {
      const pooled = batch.discard();
      if (pooled !== undefined) this.pool.give(pooled);
      this.failForGood(batch, error);
    }
    for (const queue of this.queues.all) {
      queue.batches.length = 0;
      queue.open = undefined;
      queue.inFlight = 0;
      queue.unresolved.length = 0;
    }
    this.timer.cancel();
  }

  /**
   * Whether an earlier batch of the same partition is still unresolved (queued for a retry or in
   * flight). With several batches in flight under idempotence, a batch refused as out of sequence
   * behind such a batch is only waiting for it, and is retried rather than failed.
   *
   * @example
   * ```ts
   * if (isOutOfSequence(err) && accumulator.hasEarlierIncomplete(batch)) accumulator.fail(batch, retriable(err));
   * ```
   */
  hasEarlierIncomplete(batch: ProducerBatch): boolean {
    for (const other of this.incomplete) {
      if (other.id < batch.id && other.partition === batch.partition && other.topic === batch.topic)
        return true;
    }
    return false;
  }

  /**
   * Fails every batch not in flight (queued, open or backing off) with `error`, keeping the
   * accumulator open: what aborting a transaction does to the records it has not sent yet. Batches
   * in flight are left to their responses.
   *
   * @example
   * ```ts
   * accumulator.abortUnsent(new TransactionAbortedError('the transaction was aborted'));
   * ```
   */
  abortUnsent(error: Error): void {
    for (const queue of this.queues.all) {
      for (const batch of queue.batches.splice(0)) {
        if (batch === queue.open) queue.open = undefined;
        const pooled = batch.discard();
        if (pooled !== undefined) this.pool.give(pooled);
        this.failForGood(batch, error);
      }
    }
    this.serveWaiters();
  }

  /** Chooses the partition and appends there, moving the sticky partition at a batch boundary. */
  private place(
    record: ProducerRecord,
    partitions: TopicPartitions,
    timestamp: number,
    callback: DeliveryCallback | undefined,
  ): number {
    const topic = record.topic;
    const explicit = record.partition;
    let sticky = false;
    let partition: number;
    // A valid explicit partition is the common case of a stream task's producer: skip the call.
    if (
      explicit !== undefined &&
      (explicit | 0) === explicit &&
      explicit >= 0 &&
      explicit < partitions.count
    ) {
      partition = explicit;
    } else {
      sticky = DefaultPartitioner.isSticky(record.key, explicit);
      partition = this.partitioner.partition(topic, record.key, explicit, partitions);
    }
    let status = this.appendTo(topic, partition, record, timestamp, callback, sticky);
    if (status === NEEDS_NEW_BATCH) {
      // KIP-480: a keyless record does not start a batch in the old sticky partition before the
      // partitioner has had the chance to move on; it may go to another partition's open batch.
      this.partitioner.onNewBatch(topic, partition, this.lastBatchFull, partitions);
      partition = this.partitioner.partition(topic, record.key, record.partition, partitions);
      status = this.appendTo(topic, partition, record, timestamp, callback, false);
    }
    this.lastPartition = partition;
    if (status === APPENDED && sticky) this.partitioner.onAppend(topic, partition, this.lastAppendedBytes);
    return status;
  }

  /** Appends to the partition's open batch, or opens one if memory allows (unless told not to). */
  private appendTo(
    topic: string,
    partition: number,
    record: ProducerRecord,
    timestamp: number,
    callback: DeliveryCallback | undefined,
    abortOnNewBatch: boolean,
  ): number {
    const queue = this.queues.get(topic, partition);
    const input = this.withTimestamp(record, timestamp);
    const open = queue.open;
    this.lastBatchFull = false;
    if (open !== undefined) {
      const builder = open.pooled!.builder;
      const before = builder.sizeInBytes;
      if (builder.append(input)) {
        open.appended(timestamp, callback);
        this.lastAppendedBytes = builder.sizeInBytes - before;
        return APPENDED;
      }
      // The batch is full: close it so it can go, and start the next.
      this.closeOpen(queue);
      this.lastBatchFull = true;
      this.signal();
    }
    if (abortOnNewBatch) return NEEDS_NEW_BATCH;
    return this.openBatch(queue, input, timestamp, callback);
  }

  private openBatch(
    queue: PartitionQueue,
    input: RecordInput,
    timestamp: number,
    callback: DeliveryCallback | undefined,
  ): number {
    const capacity = this.reservationFor(input);
    if (this.usedBytes + capacity > this.config.bufferMemory) return NEEDS_MEMORY;
    const pooled = this.pool.take(capacity);
    try {
      // Cannot return false: the capacity is an upper bound on this record's batch.
      if (!pooled.builder.append(input)) throw new IllegalStateError('a record did not fit its own batch');
    } catch (error) {
      this.pool.give(pooled);
      throw error;
    }
    const now = this.clock.monotonicMs();
    const batch = new ProducerBatch(queue.topic, queue.partition, this.nextBatchId++, now, capacity, pooled);
    batch.appended(timestamp, callback);
    this.lastAppendedBytes = pooled.builder.sizeInBytes;
    this.usedBytes += capacity;
    this.incomplete.add(batch);
    queue.batches.push(batch);
    queue.open = batch;
    if (this.config.batchSize === 0) {
      // Batching is off: every record is a batch of its own, ready at once.
      this.closeOpen(queue);
      this.signal();
    } else if (this.config.lingerMs === 0 || this.forcedReady()) {
      this.signal();
    } else {
      this.timer.schedule(now + this.config.lingerMs);
    }
    return APPENDED;
  }

  /** The memory a new batch for `record` reserves; refuses a record no batch could take. */
  private reservationFor(record: RecordInput): number {
    const needed = batchSizeUpperBound(record);
    const { maxRequestSize, bufferMemory, batchSize } = this.config;
    if (needed > maxRequestSize || needed > bufferMemory) {
      const [limit, name] =
        needed > maxRequestSize ? [maxRequestSize, 'maxRequestSize'] : [bufferMemory, 'bufferMemory'];
      throw new RecordTooLargeError(
        `a record needing up to ${needed} bytes in its batch exceeds ${name} ${limit}; ` +
          `send a smaller record or raise ${name}`,
      );
    }
    return Math.min(maxRequestSize, Math.max(batchSize, needed));
  }

  /** `record` itself when it carries `timestamp`, else the reused stamped copy. */
  private withTimestamp(record: ProducerRecord, timestamp: number): RecordInput {
    if (record.timestamp === timestamp) return record;
    const stamped = this.stamped;
    stamped.key = record.key;
    stamped.value = record.value;
    stamped.headers = record.headers;
    stamped.timestamp = timestamp;
    return stamped;
  }

  private closeOpen(queue: PartitionQueue): void {
    const batch = queue.open!;
    queue.open = undefined;
    batch.state = 'queued';
    const pooled = batch.close();
    if (pooled !== undefined) this.pool.give(pooled);
  }

  /** Moves the front batch of `queue` in flight. */
  private take(queue: PartitionQueue): void {
    const batch = queue.batches.shift()!;
    if (batch === queue.open) this.closeOpen(queue);
    batch.state = 'inFlight';
    batch.attempts++;
    queue.inFlight++;
    if (batch.ordinal < 0) {
      batch.ordinal = queue.nextOrdinal++;
      queue.unresolved.push(batch.ordinal);
    }
  }

  /** Whether every batch counts as ready regardless of linger. */
  private forcedReady(): boolean {
    return this.flushes > 0 || this.closed || this.waiters.length > 0;
  }

  /** When the front batch of a partition may be drained (at or before now: ready). */
  private readyAtMs(front: ProducerBatch): number {
    if (front.retries > 0) return front.retryAtMs;
    if (front.isClosed || this.forcedReady()) return Number.NEGATIVE_INFINITY;
    return front.createdMs + this.config.lingerMs;
  }

  /** Fails, for good, every queued batch that has waited deliveryTimeoutMs since its first append. */
  private expire(now: number): void {
    const limit = this.config.deliveryTimeoutMs;
    let released = false;
    for (const queue of this.queues.all) {
      const batches = queue.batches;
      // A partition's batches were created in order, so the front one is the oldest.
      while (batches.length > 0 && now - batches[0]!.createdMs >= limit) {
        const batch = batches.shift()!;
        if (batch === queue.open) {
          queue.open = undefined;
          const pooled = batch.discard();
          if (pooled !== undefined) this.pool.give(pooled);
        }
        this.failForGood(batch, this.timeoutError(batch, now, batch.lastError));
        released = true;
      }
    }
    if (released) this.serveWaiters();
  }

  private timeoutError(batch: ProducerBatch, now: number, cause: Error | undefined): DeliveryTimeoutError {
    return new DeliveryTimeoutError(
      batch.topic,
      batch.partition,
      batch.recordCount,
      now - batch.createdMs,
      this.config.deliveryTimeoutMs,
      cause === undefined ? undefined : { cause },
    );
  }

  private failForGood(batch: ProducerBatch, error: Error): void {
    this.release(batch);
    batch.failWith(error, this.onCallbackError);
    this.onBatchFailed?.(batch, error);
  }

  private release(batch: ProducerBatch): void {
    this.usedBytes -= batch.reservedBytes;
    this.incomplete.delete(batch);
    if (batch.ordinal >= 0) {
      const unresolved = this.queues.of(batch).unresolved;
      const at = unresolved.indexOf(batch.ordinal);
      if (at >= 0) unresolved.splice(at, 1);
    }
  }

  /** After a batch is done: serve waiting appends, and wake the sender if the partition can go on. */
  private afterRelease(queue: PartitionQueue): void {
    this.serveWaiters();
    const front = queue.batches[0];
    if (front !== undefined && this.readyAtMs(front) <= this.clock.monotonicMs()) this.signal();
  }

  /** Appends waiting records, first come first served, while memory lasts. */
  private serveWaiters(): void {
    if (this.servingWaiters) return;
    this.servingWaiters = true;
    try {
      const waiters = this.waiters;
      while (waiters.length > 0) {
        const waiter = waiters[0]!;
        let status: number;
        try {
          const topic = waiter.record.topic;
          status = this.appendTo(
            topic,
            waiter.partition,
            waiter.record,
            waiter.timestamp,
            waiter.callback,
            false,
          );
          if (status === APPENDED && waiter.sticky) {
            this.partitioner.onAppend(topic, waiter.partition, this.lastAppendedBytes);
          }
        } catch (error) {
          waiters.shift();
          waiter.timer?.cancel();
          waiter.reject(error);
          continue;
        }
        if (status !== APPENDED) break;
        waiters.shift();
        waiter.timer?.cancel();
        waiter.resolve();
      }
    } finally {
      this.servingWaiters = false;
    }
  }

  private giveUpWaiting(waiter: Waiter): void {
    const at = this.waiters.indexOf(waiter);
    if (at < 0) return;
    this.waiters.splice(at, 1);
    const { maxBlockMs, bufferMemory } = this.config;
    waiter.reject(new BufferExhaustedError(waiter.requestedBytes, maxBlockMs, bufferMemory, this.usedBytes));
    // The one that gave up may have been the one too big for the memory now free.
    if (at === 0) this.serveWaiters();
  }

  private rejectWaiters(error: Error): void {
    const waiters = this.waiters.splice(0);
    for (const waiter of waiters) {
      waiter.timer?.cancel();
      waiter.reject(error);
    }
  }

  private signal(): void {
    if (this.readySignalled || this.draining || this.onReady === undefined) return;
    this.readySignalled = true;
    this.onReady();
  }

  private checkOpen(): void {
    if (this.closed) throw new IllegalStateError('cannot append: the producer is closed');
  }

  /** The timer went off: expire what is due, wake the sender if anything is ready, re-arm. */
  private onTimer(): void {
    const now = this.clock.monotonicMs();
    this.expire(now);
    if (this.scheduleNextDeadline(now)) this.signal();
  }

  /**
   * Arms the timer for the earliest future event: a front batch's linger or backoff ending, or its
   * delivery timeout. Returns whether some front batch is ready now.
   */
  private scheduleNextDeadline(now: number): boolean {
    let next = Number.POSITIVE_INFINITY;
    let anyReady = false;
    const deliveryTimeoutMs = this.config.deliveryTimeoutMs;
    for (const queue of this.queues.all) {
      const front = queue.batches[0];
      if (front === undefined) continue;
      const readyAt = this.readyAtMs(front);
      if (readyAt <= now) anyReady = true;
      else if (readyAt < next) next = readyAt;
      const expiresAt = front.createdMs + deliveryTimeoutMs;
      if (expiresAt < next) next = expiresAt;
    }
    if (next < Number.POSITIVE_INFINITY) this.timer.schedule(next);
    return anyReady;
  }
}
