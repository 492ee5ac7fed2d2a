/**
 * The Producer: records in, acknowledged offsets out. Records are partitioned and batched by the
 * RecordAccumulator; a sender drains ready batches to their partition leaders over the embedded
 * client, at most one batch in flight per partition (so retries keep order) and at most
 * maxInFlightRequestsPerConnection per broker, and reports each answer back to the accumulator,
 * which retries what is retriable and resolves or rejects each record's promise.
 */
import { IllegalStateError } from '../../../common/errors.js';
import { UnknownTopicOrPartitionError } from '../../../common/kafka-errors.js';
import type { Clock } from '../../../runtime/actor/clock.js';
import type { Random } from '../../../runtime/actor/random.js';
import type { ClusterMetadata } from '../../broker/cluster-metadata.js';
import type { EmbeddedLogClient } from '../embedded-log-client.js';
import type { ProducerBatch } from './producer-batch.js';
import type { ProducerConfigInput } from './producer-config.js';
import type { DeliveryCallback, ProducerRecord, RecordMetadata, TopicPartitions } from './producer-types.js';
import { RecordAccumulator } from './record-accumulator.js';

/**
 * A producer.
 *
 * @example
 * ```ts
 * const producer = new Producer(client, clock, random, { acks: 'all', lingerMs: 5 });
 * const { offset } = await producer.send({ topic: 'orders', key: Buffer.from('o-1'), value });
 * await producer.close();
 * ```
 */
export class Producer {
  private readonly client: EmbeddedLogClient;
  private readonly accumulator: RecordAccumulator;
  /** Per topic, from the latest metadata: what the partitioner needs, and each partition's leader. */
  private topics = new Map<string, { partitions: TopicPartitions; leaders: number[] }>();
  private metadataRefresh: Promise<void> | undefined;
  private readonly inFlightByNode = new Map<number, number>();
  private drainScheduled = false;
  private closed = false;

  constructor(client: EmbeddedLogClient, clock: Clock, random: Random, config: ProducerConfigInput = {}) {
    this.client = client;
    this.accumulator = new RecordAccumulator({
      clock,
      random,
      config,
      onReady: () => this.scheduleDrain(),
    });
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
  async send(record: ProducerRecord): Promise<RecordMetadata> {
    const partitions = this.partitionsOf(record.topic) ?? (await this.refreshAndGet(record.topic));
    return this.accumulator.send(record, partitions);
  }

  /**
   * Appends a record without a promise per record (the fast path): `callback` is told the outcome.
   * Resolves once the record is in a batch, which may wait for buffer memory (back-pressure).
   */
  async append(record: ProducerRecord, callback?: DeliveryCallback): Promise<void> {
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
    const partitions = this.partitionsOf(record.topic);
    return partitions !== undefined && this.accumulator.tryAppend(record, partitions, callback);
  }

  /** Sends everything buffered now; resolves when all of it is acknowledged or failed. */
  flush(): Promise<void> {
    const done = this.accumulator.flush();
    this.scheduleDrain();
    return done;
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

  private async refreshAndGet(topic: string): Promise<TopicPartitions> {
    await this.refreshMetadata();
    const partitions = this.partitionsOf(topic);
    if (partitions === undefined) throw new UnknownTopicOrPartitionError(`topic ${topic} does not exist`);
    return partitions;
  }

  private refreshMetadata(): Promise<void> {
    this.metadataRefresh ??= this.client
      .metadata()
      .then(
        (md) => this.setMetadata(md),
        () => undefined,
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
    const maxInFlight = this.config.maxInFlightRequestsPerConnection;
    const drained = this.accumulator.drain({
      leaderOf: (topic, partition) => this.topics.get(topic)?.leaders[partition] ?? -1,
      isNodeReady: (node) => (this.inFlightByNode.get(node) ?? 0) < maxInFlight,
      // Idempotence (sequence numbers) is what keeps order with several batches in flight; until
      // it is implemented an idempotent producer sends one batch per partition at a time. Without
      // it, up to maxInFlightRequestsPerConnection go out, and a retry may reorder, as in Kafka.
      maxInFlightPerPartition: this.config.enableIdempotence ? 1 : maxInFlight,
    });
    if (drained.unknownLeaderTopics.size > 0) void this.refreshMetadata();
    for (const [node, batches] of drained.batchesByNode) {
      for (const batch of batches) this.sendBatch(node, batch);
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
        this.accumulator.fail(batch, error);
        settled();
      },
    );
  }
}
