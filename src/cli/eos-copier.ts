/**
 * The exactly-once copier of `millrace eos-demo`: a read_committed consumer in a group and a
 * transactional producer. Each poll becomes one transaction holding the copied records and the
 * consumed offsets, so a record is in the output exactly when its offset is committed. A
 * transaction that fails with an abortable error (a leader or coordinator moved, a rebalance) is
 * aborted and the consumer rewinds to the group's committed offsets, so nothing is lost or doubled.
 */
import { MillraceError } from '../common/errors.js';
import { Consumer } from '../log/client/consumer/consumer.js';
import type { EmbeddedLogClient } from '../log/client/embedded-log-client.js';
import { Producer } from '../log/client/producer/producer.js';
import type { Clock } from '../runtime/actor/clock.js';
import type { Random } from '../runtime/actor/random.js';
import { retrying } from './retrying.js';

/**
 * What to copy, and how.
 *
 * @example
 * ```ts
 * const options: CopierOptions = { from: 'input', to: 'output', partitions: 3, groupId: 'eos-demo', transactionalId: 'eos-demo-copier', txnRecords: 1000 };
 * ```
 */
export interface CopierOptions {
  from: string;
  to: string;
  /** Partitions of both topics: record at input-p goes to output-p. */
  partitions: number;
  groupId: string;
  transactionalId: string;
  /** About this many records per transaction: the most one poll returns. */
  txnRecords: number;
  /** Told after each commit how many records have been committed so far. */
  onCommit?: (copied: number) => void;
}

/**
 * How a copy went.
 *
 * @example
 * ```ts
 * const { copied, commits, aborts } = await copier.copyUntil(ends, 60_000);
 * ```
 */
export interface CopyOutcome {
  copied: number;
  commits: number;
  aborts: number;
  /** The last abortable error, for the report. */
  lastAbortReason: string | undefined;
}

/**
 * The copy made no progress for too long: the cluster could not commit a transaction.
 *
 * @example
 * ```ts
 * throw new CopyStalledError(30_000, [100, 98, 100], [100, 100, 100]);
 * ```
 */
export class CopyStalledError extends MillraceError {
  constructor(stallMs: number, committed: readonly number[], ends: readonly number[]) {
    super(
      'COPY_STALLED',
      `the copy made no progress for ${stallMs} ms (committed offsets ${committed.join(', ')} of ${ends.join(', ')}); ` +
        'the cluster did not commit a transaction in that time',
      false,
    );
  }
}

/** How long a poll waits for records. */
const POLL_MS = 200;

/**
 * Copies one topic to another, exactly once.
 *
 * @example
 * ```ts
 * const copier = new TransactionalCopier(client, realClock, realRandom, options);
 * const outcome = await copier.copyUntil([100_000, 100_000, 100_000], 30_000);
 * await copier.close();
 * ```
 */
export class TransactionalCopier {
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  private readonly clock: Clock;
  private readonly options: CopierOptions;
  /** The offsets committed by our transactions so far, per input partition. */
  private readonly committedOffsets: number[];
  private readonly outcome: CopyOutcome = { copied: 0, commits: 0, aborts: 0, lastAbortReason: undefined };

  constructor(client: EmbeddedLogClient, clock: Clock, random: Random, options: CopierOptions) {
    this.clock = clock;
    this.options = options;
    this.committedOffsets = Array.from({ length: options.partitions }, () => 0);
    this.consumer = new Consumer(client, clock, {
      groupId: options.groupId,
      isolationLevel: 'read_committed',
      autoOffsetReset: 'earliest',
      maxPollRecords: options.txnRecords,
      // An answer of a killed broker never comes: short waits let the copier move on sooner.
      requestTimeoutMs: 2000,
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: 1000,
    });
    this.producer = new Producer(client, clock, random, {
      transactionalId: options.transactionalId,
      transactionTimeoutMs: 30_000,
      requestTimeoutMs: 2000,
      deliveryTimeoutMs: 30_000,
      maxBlockMs: 30_000,
      lingerMs: 5,
      batchSize: 256 * 1024,
    });
  }

  /**
   * Copies until the group's committed offsets reach `ends` (per input partition), and returns
   * what it did.
   *
   * @throws CopyStalledError when nothing commits for `stallMs`; ProducerFencedError or another
   *   fatal producer error.
   */
  async copyUntil(ends: readonly number[], stallMs: number): Promise<CopyOutcome> {
    await this.producer.initTransactions();
    this.consumer.subscribe([this.options.from]);
    let lastProgressMs = this.clock.monotonicMs();
    for (;;) {
      if (this.reached(ends) && (await this.groupReached(ends))) return { ...this.outcome };
      if (this.clock.monotonicMs() - lastProgressMs > stallMs) {
        throw new CopyStalledError(stallMs, this.committedOffsets, ends);
      }
      const polled = await this.consumer.poll(POLL_MS);
      if (polled.count === 0) continue;
      if (await this.copyInOneTransaction(polled.partitions)) {
        lastProgressMs = this.clock.monotonicMs();
        this.options.onCommit?.(this.outcome.copied);
      }
    }
  }

  /** Closes the consumer (leaving the group) and the producer. */
  async close(): Promise<void> {
    await this.consumer.close();
    await this.producer.close();
  }

  /** One transaction: the records and their offsets. Returns whether it committed. */
  private async copyInOneTransaction(
    partitions: ReadonlyMap<
      string,
      readonly { partition: number; offset: number; key: Uint8Array | null; value: Uint8Array | null }[]
    >,
  ): Promise<boolean> {
    const { from, to } = this.options;
    this.producer.beginTransaction();
    const offsets: { topic: string; partition: number; offset: number }[] = [];
    let count = 0;
    try {
      for (const records of partitions.values()) {
        for (const r of records) {
          const record = { topic: to, partition: r.partition, key: r.key, value: r.value };
          if (!this.producer.tryAppend(record)) await this.producer.append(record);
        }
        count += records.length;
        offsets.push({ topic: from, partition: records[0]!.partition, offset: records.at(-1)!.offset + 1 });
      }
      await this.producer.sendOffsetsToTransaction(offsets, this.consumer.groupMetadata()!);
      await this.commit();
    } catch (err) {
      if (!(err instanceof MillraceError) || this.producer.transactionState === 'fatalError') throw err;
      await this.abortAndRewind(err);
      return false;
    }
    for (const o of offsets) this.committedOffsets[o.partition] = o.offset;
    this.outcome.copied += count;
    this.outcome.commits++;
    return true;
  }

  /** commitTransaction, tried again after a timeout: the coordinator recognises the repeat. */
  private async commit(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.producer.commitTransaction();
        return;
      } catch (err) {
        const again =
          err instanceof MillraceError &&
          err.retriable &&
          this.producer.transactionState === 'inTransaction' &&
          attempt < 5;
        if (!again) throw err;
      }
    }
  }

  /** Aborts the transaction and rewinds every assigned partition to the group's committed offset. */
  private async abortAndRewind(cause: MillraceError): Promise<void> {
    this.outcome.aborts++;
    this.outcome.lastAbortReason = cause.message;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.producer.abortTransaction();
        break;
      } catch (err) {
        // A timed-out abort is tried again; anything else ends the copy.
        if (!(err instanceof MillraceError) || !err.retriable || attempt >= 5) throw err;
      }
    }
    const assigned = this.consumer.assignment();
    const committed = await retrying(this.clock, () => this.consumer.committed(assigned));
    for (const tp of assigned) {
      const offset = committed.get(`${tp.topic}-${tp.partition}`) ?? -1;
      if (offset >= 0) this.consumer.seek(tp, offset);
      else await this.consumer.seekToBeginning([tp]);
    }
  }

  private reached(ends: readonly number[]): boolean {
    return ends.every((end, p) => this.committedOffsets[p]! >= end);
  }

  /** Whether the group's committed offsets, as the coordinator has them, reach `ends`. */
  private async groupReached(ends: readonly number[]): Promise<boolean> {
    const tps = ends.map((_, partition) => ({ topic: this.options.from, partition }));
    const committed = await retrying(this.clock, () => this.consumer.committed(tps));
    return ends.every((end, p) => (committed.get(`${this.options.from}-${p}`) ?? -1) >= end);
  }
}
