/**
 * The Producer: records in, acknowledged offsets out. Records are partitioned and batched by the
 * RecordAccumulator; a sender drains ready batches to their partition leaders over the embedded
 * client, at most one batch in flight per partition (so retries keep order) and at most
 * maxInFlightRequestsPerConnection per broker, and reports each answer back to the accumulator,
 * which retries what is retriable and resolves or rejects each record's promise.
 */
import { IllegalStateError, MillraceError } from '../../../common/errors.js';
import { RequestTimedOutError, UnknownTopicOrPartitionError } from '../../../common/kafka-errors.js';
import type { Clock } from '../../../runtime/actor/clock.js';
import type { Random } from '../../../runtime/actor/random.js';
import type { ClusterMetadata } from '../../broker/cluster-metadata.js';
import type { EmbeddedLogClient } from '../embedded-log-client.js';
import { CoordinatorCaller } from './coordinator-caller.js';
import type { ProducerBatch } from './producer-batch.js';
import type { ProducerConfigInput } from './producer-config.js';
import type { DeliveryCallback, ProducerRecord, RecordMetadata, TopicPartitions } from './producer-types.js';
import { RecordAccumulator } from './record-accumulator.js';
import { TransactionManager, type TransactionState } from './transaction-manager.js';

const RESOLVED: Promise<void> = Promise.resolve();

/** How many batches per producer a partition leader remembers for duplicate detection. */
const LEADER_SEQUENCE_WINDOW = 5;

function isOutOfSequence(error: Error): boolean {
  return error instanceof MillraceError && error.code === 'OUT_OF_ORDER_SEQUENCE_NUMBER';
}

/**
 * A consumer group's identity as a transaction commits offsets for it (KIP-447): a member of an
 * older generation is fenced.
 *
 * @example
 * ```ts
 * await producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata()!);
 * ```
 */
export interface ConsumerGroupMetadata {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

/**
 * An offset to commit in a transaction: the next offset to consume from the partition.
 *
 * @example
 * ```ts
 * const offsets: TransactionOffset[] = [{ topic: 'orders', partition: 0, offset: last.offset + 1 }];
 * ```
 */
export interface TransactionOffset {
  topic: string;
  partition: number;
  offset: number;
  metadata?: string;
}

/**
 * A producer: idempotent by default (each partition's batches are numbered, so a retry is written
 * once), transactional with a `transactionalId`.
 *
 * @example
 * ```ts
 * const producer = new Producer(client, clock, random, { acks: 'all', lingerMs: 5 });
 * const { offset } = await producer.send({ topic: 'orders', key: Buffer.from('o-1'), value });
 * await producer.close();
 *
 * const txn = new Producer(client, clock, random, { transactionalId: 'copier-1' });
 * await txn.initTransactions();
 * txn.beginTransaction();
 * void txn.send({ topic: 'out', value });
 * await txn.sendOffsetsToTransaction([{ topic: 'in', partition: 0, offset: 42 }], consumer.groupMetadata()!);
 * await txn.commitTransaction();
 * ```
 */
export class Producer {
  private readonly client: EmbeddedLogClient;
  private readonly clock: Clock;
  private readonly accumulator: RecordAccumulator;
  private readonly transactions: TransactionManager;
  /** Per topic, from the latest metadata: what the partitioner needs, and each partition's leader. */
  private topics = new Map<string, { partitions: TopicPartitions; leaders: number[] }>();
  private metadataRefresh: Promise<boolean> | undefined;
  private readonly inFlightByNode = new Map<number, number>();
  private drainScheduled = false;
  /** Appends waiting for metadata or buffer memory. */
  private readonly appending = new Set<Promise<void>>();
  private closed = false;

  constructor(client: EmbeddedLogClient, clock: Clock, random: Random, config: ProducerConfigInput = {}) {
    this.client = client;
    this.clock = clock;
    this.accumulator = new RecordAccumulator({
      clock,
      random,
      config,
      onReady: () => this.scheduleDrain(),
      onBatchFailed: (batch, error) => this.transactions.onBatchFailed(batch, error),
    });
    const resolved = this.accumulator.config;
    this.transactions = new TransactionManager(
      resolved,
      new CoordinatorCaller(client, clock, resolved.retryBackoffMs, resolved.requestTimeoutMs),
      clock,
      {
        onChange: () => this.scheduleDrain(),
        onError: (error) => this.accumulator.abortUnsent(error),
        inFlightBatches: () => this.accumulator.inFlightBatches,
      },
    );
  }

  /** The transaction state of a transactional producer ('uninitialized' before initTransactions). */
  get transactionState(): TransactionState {
    return this.transactions.state;
  }

  /**
   * Registers the transactionalId: fences any earlier producer with the same id and aborts its
   * open transaction. Call once, before the first transaction.
   *
   * @throws IllegalStateError without a transactionalId; ProducerFencedError (fatal);
   *   RequestTimedOutError after maxBlockMs (retriable: call again).
   */
  initTransactions(): Promise<void> {
    return this.transactions.initTransactions();
  }

  /**
   * Begins a transaction: sends until commitTransaction or abortTransaction belong to it.
   *
   * @throws IllegalStateError unless initialised with no transaction open; the transaction's
   *   error after a failure (abort first).
   */
  beginTransaction(): void {
    this.transactions.beginTransaction();
  }

  /**
   * Commits consumed offsets as part of the transaction, checked against the consumer's group
   * generation (a member of an old generation is refused).
   *
   * @throws TransactionAbortableError (abort, then retry the work); ProducerFencedError (fatal).
   */
  sendOffsetsToTransaction(
    offsets: readonly TransactionOffset[],
    group: ConsumerGroupMetadata,
  ): Promise<void> {
    return this.transactions.sendOffsetsToTransaction(offsets, group);
  }

  /**
   * Sends everything buffered and commits the transaction: its records and offsets become
   * visible to read_committed consumers together.
   *
   * @throws TransactionAbortableError when a send of the transaction failed (call
   *   abortTransaction, then redo the work); ProducerFencedError (fatal: close the producer);
   *   RequestTimedOutError (retriable: call commitTransaction again).
   */
  commitTransaction(): Promise<void> {
    return this.transactions.commitTransaction(() => this.flush());
  }

  /**
   * Aborts the transaction: unsent records fail with TransactionAbortableError, and what was
   * written is never shown to read_committed consumers.
   *
   * @throws ProducerFencedError (fatal); RequestTimedOutError (retriable: call again).
   */
  abortTransaction(): Promise<void> {
    return this.transactions.abortTransaction(() => this.flush());
  }

  /** The producer's resolved configuration. */
  get config() {
    return this.accumulator.config;
  }

  /**
   * Sends a record; resolves with its offset once acknowledged (per `acks`), or rejects with the
   * error that ended its delivery (after retries, or DeliveryTimeoutError).
   *
   * @throws (rejects) UnknownTopicOrPartitionError for a topic that does not exist.
   */
  send(record: ProducerRecord): Promise<RecordMetadata> {
    return new Promise<RecordMetadata>((resolve, reject) => {
      this.append(record, (error, metadata) => {
        if (error !== null) reject(error);
        else resolve(metadata!);
      }).catch(reject);
    });
  }

  /**
   * Appends a record without a promise per record (the fast path): `callback` is told the outcome.
   * Resolves once the record is in a batch, which may wait for metadata or buffer memory
   * (back-pressure); flush and commitTransaction wait for such appends, so a record sent before
   * a commit is part of the transaction even if it had to wait.
   */
  append(record: ProducerRecord, callback?: DeliveryCallback): Promise<void> {
    try {
      this.transactions.checkCanAppend();
      const partitions = this.partitionsOf(record.topic);
      if (partitions !== undefined && this.accumulator.tryAppend(record, partitions, callback))
        return RESOLVED;
    } catch (err) {
      return Promise.reject(err);
    }
    const waiting = this.appendWaiting(record, callback);
    this.appending.add(waiting);
    const done = () => this.appending.delete(waiting);
    waiting.then(done, done);
    return waiting;
  }

  private async appendWaiting(record: ProducerRecord, callback?: DeliveryCallback): Promise<void> {
    const partitions = this.partitionsOf(record.topic) ?? (await this.refreshAndGet(record.topic));
    if (!this.accumulator.tryAppend(record, partitions, callback))
      await this.accumulator.append(record, partitions, callback);
  }

  /**
   * The synchronous fast path: appends the record and returns true, or returns false (appending
   * nothing) when the topic's metadata is not known yet or buffer memory is full — then use
   * `append`, which waits. No promise is made per record.
   */
  tryAppend(record: ProducerRecord, callback?: DeliveryCallback): boolean {
    this.transactions.checkCanAppend();
    const partitions = this.partitionsOf(record.topic);
    return partitions !== undefined && this.accumulator.tryAppend(record, partitions, callback);
  }

  /** Sends everything buffered now; resolves when all of it is acknowledged or failed. */
  async flush(): Promise<void> {
    // Appends still waiting for metadata or memory belong to what is flushed.
    while (this.appending.size > 0) await Promise.allSettled([...this.appending]);
    const done = this.accumulator.flush();
    this.scheduleDrain();
    await done;
  }

  /** Flushes and stops; later sends fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const done = this.accumulator.close();
    this.scheduleDrain();
    await done;
  }

  private partitionsOf(topic: string): TopicPartitions | undefined {
    return this.topics.get(topic)?.partitions;
  }

  /** Derives the per-topic view once per metadata refresh, not once per record. */
  private setMetadata(md: ClusterMetadata): void {
    this.topics = new Map(
      md.topics.map((t) => [
        t.name,
        {
          partitions: {
            count: t.partitions.length,
            available: t.partitions.filter((p) => p.leader >= 0).map((p) => p.partition),
          },
          leaders: t.partitions.map((p) => p.leader),
        },
      ]),
    );
  }

  /**
   * Waits for the topic's metadata, as Kafka's send blocks for it: a refresh that fails (the
   * controller did not answer) is tried again until maxBlockMs; only an answer without the topic
   * means it does not exist.
   */
  private async refreshAndGet(topic: string): Promise<TopicPartitions> {
    const deadline = this.clock.nowMs() + this.config.maxBlockMs;
    for (;;) {
      const answered = await this.refreshMetadata();
      const partitions = this.partitionsOf(topic);
      if (partitions !== undefined) return partitions;
      if (answered) throw new UnknownTopicOrPartitionError(`topic ${topic} does not exist`);
      if (this.clock.nowMs() >= deadline) {
        throw new RequestTimedOutError(
          `no metadata for topic ${topic} within maxBlockMs ${this.config.maxBlockMs}`,
        );
      }
      await new Promise<void>((resolve) => this.clock.setTimer(this.config.retryBackoffMs, resolve));
    }
  }

  /** Refreshes the metadata; resolves true if the controller answered. */
  private refreshMetadata(): Promise<boolean> {
    this.metadataRefresh ??= this.client
      .metadata()
      .then(
        (md) => {
          this.setMetadata(md);
          return true;
        },
        () => false,
      )
      .finally(() => {
        this.metadataRefresh = undefined;
        this.scheduleDrain();
      });
    return this.metadataRefresh;
  }

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    // A microtask lets a loop of appends fill batches before they are taken.
    queueMicrotask(() => {
      this.drainScheduled = false;
      this.drain();
    });
  }

  private drain(): void {
    const transactions = this.transactions;
    // An idempotent producer sends nothing before it has its producer id (or while its epoch is
    // being bumped); the manager fetches it and wakes the sender.
    if (!transactions.readyToSend()) return;
    const maxInFlight = this.config.maxInFlightRequestsPerConnection;
    const drained = this.accumulator.drain({
      leaderOf: (topic, partition) => this.topics.get(topic)?.leaders[partition] ?? -1,
      isNodeReady: (node) => (this.inFlightByNode.get(node) ?? 0) < maxInFlight,
      // Up to maxInFlightRequestsPerConnection batches per partition (at most 5 with idempotence,
      // the leader's window of remembered batches). With idempotence a retried batch is written
      // once and in order: the leader acknowledges a duplicate and refuses the batches behind a
      // missing one, which come back and are resent after it. Without idempotence a retry may
      // reorder, as in Kafka.
      maxInFlightPerPartition: maxInFlight,
      ...(this.config.enableIdempotence ? { maxUnresolvedSpanPerPartition: LEADER_SEQUENCE_WINDOW } : {}),
      ...(transactions.transactionalId === null
        ? {}
        : { canSend: (topic: string, partition: number) => transactions.canSend(topic, partition) }),
    });
    transactions.addPendingPartitions();
    if (drained.unknownLeaderTopics.size > 0) void this.refreshMetadata();
    for (const [node, batches] of drained.batchesByNode) {
      for (const batch of batches) {
        transactions.stamp(batch);
        this.sendBatch(node, batch);
      }
    }
  }

  private sendBatch(node: number, batch: ProducerBatch): void {
    const acks = this.config.acks;
    this.inFlightByNode.set(node, (this.inFlightByNode.get(node) ?? 0) + 1);
    const settled = () => {
      this.inFlightByNode.set(node, (this.inFlightByNode.get(node) ?? 1) - 1);
      this.scheduleDrain();
    };
    const request = this.client.produce(
      batch.topic,
      batch.partition,
      batch.bytes,
      acks,
      this.config.requestTimeoutMs,
    );
    if (acks === 0) {
      // Nobody waits for the broker with acks=0: the record counts as sent.
      request.catch(() => undefined);
      this.accumulator.complete(batch, -1);
      settled();
      return;
    }
    request.then(
      (result) => {
        this.accumulator.complete(batch, result.baseOffset);
        settled();
      },
      (err: unknown) => {
        const error = err instanceof Error ? err : new IllegalStateError(String(err));
        // A leader change (or any retriable error) needs fresh metadata before the retry.
        void this.refreshMetadata();
        if (isOutOfSequence(error) && this.accumulator.hasEarlierIncomplete(batch)) {
          // Refused only because an earlier batch of the partition failed and will be resent
          // first: this one follows it.
          this.accumulator.fail(
            batch,
            new MillraceError(
              'PRODUCER_SEQUENCE_WAIT',
              `${error.message}; resending after the batch before it`,
              true,
              {
                cause: error,
              },
            ),
          );
        } else if (this.transactions.onProduceError(batch, error) === 'retryAfterBump') {
          // Resent with the bumped epoch and a fresh sequence once the bump is done.
          this.accumulator.fail(
            batch,
            new MillraceError(
              'PRODUCER_SEQUENCE_RESET',
              `${error.message}; resending after an epoch bump`,
              true,
              {
                cause: error,
              },
            ),
          );
        } else this.accumulator.fail(batch, error);
        settled();
      },
    );
  }
}
