/**
 * One batch of records for one partition, from its first append until it is acknowledged or
 * fails for good. Its bytes are a RecordBatch v2 built by a pooled RecordBatchBuilder while it is
 * open, then copied once into a Buffer of its own when it closes (full, or drained to send): the
 * sender may hand those bytes over (the broker rewrites their base offset in place), and the
 * builder goes straight back to the pool.
 */
import { IllegalStateError } from '../../../common/errors.js';
import type { PooledBuilder } from './batch-builder-pool.js';
import type { DeliveryCallback, RecordMetadata } from './producer-types.js';

/**
 * Where a batch is: `open` (taking records), `queued` (closed or open, waiting to be drained, or
 * backing off before a retry), `inFlight` (drained, awaiting the sender's `complete` or `fail`),
 * `done`.
 *
 * @example
 * ```ts
 * if (batch.state === 'inFlight') accumulator.complete(batch, baseOffset);
 * ```
 */
export type ProducerBatchState = 'open' | 'queued' | 'inFlight' | 'done';

/**
 * A producer batch, as the sender sees it: where it goes, its bytes, and how often it was sent.
 * Everything that changes it goes through the RecordAccumulator.
 *
 * @example
 * ```ts
 * for (const batch of drained.batchesByNode.get(nodeId) ?? []) {
 *   request.add(batch.topic, batch.partition, batch.bytes);
 * }
 * ```
 */
export class ProducerBatch {
  readonly topic: string;
  readonly partition: number;
  /** The accumulator's creation counter: a partition's batches are always sent in this order. */
  readonly id: number;
  /** `clock.monotonicMs()` at the first append: linger and the delivery timeout count from here. */
  readonly createdMs: number;
  /** Buffer memory this batch holds until it is done. */
  readonly reservedBytes: number;
  /** @internal The builder while the batch is open. */
  pooled: PooledBuilder | undefined;
  /** @internal */
  state: ProducerBatchState = 'open';
  /** How many times the batch has been drained to send. */
  attempts = 0;
  /** @internal How many times it was put back to retry. */
  retries = 0;
  /** @internal Not drained again before this monotonic time (retry backoff). */
  retryAtMs = Number.NEGATIVE_INFINITY;
  /** @internal The error of the last failed send, kept as the cause of a delivery timeout. */
  lastError: Error | undefined;
  /** @internal The producer epoch the batch was stamped with; -1 until an idempotent producer stamps it. */
  producerEpoch = -1;
  /** @internal Its first record's sequence number in its partition; -1 until stamped. */
  baseSequence = -1;
  /** @internal Its place in its partition's send order, from its first send; -1 before. */
  ordinal = -1;
  private built: Buffer | undefined;
  private count = 0;
  // Delivery callbacks, with the index and timestamp of their record; allocated on first use, so
  // records appended without a callback cost nothing here.
  private callbacks: DeliveryCallback[] | undefined;
  private callbackIndexes: number[] | undefined;
  private callbackTimestamps: number[] | undefined;
  private doneListeners: (() => void)[] | undefined;

  constructor(
    topic: string,
    partition: number,
    id: number,
    createdMs: number,
    reservedBytes: number,
    pooled: PooledBuilder,
  ) {
    this.topic = topic;
    this.partition = partition;
    this.id = id;
    this.createdMs = createdMs;
    this.reservedBytes = reservedBytes;
    this.pooled = pooled;
  }

  /** The number of records in the batch. */
  get recordCount(): number {
    return this.count;
  }

  /** The batch's size in bytes: exact once closed, the builder's current size while open. */
  get sizeInBytes(): number {
    return this.built?.length ?? this.pooled?.builder.sizeInBytes ?? 0;
  }

  /** Whether the batch takes no more records (it is full, drained, or done). */
  get isClosed(): boolean {
    return this.pooled === undefined;
  }

  /**
   * The RecordBatch v2 bytes to send, in a Buffer of their own. The same Buffer is sent again on a
   * retry, so a sender that transfers it to another thread must keep a copy until the batch is done.
   *
   * @throws IllegalStateError while the batch is still open (only drained batches reach a sender).
   */
  get bytes(): Buffer {
    if (this.built === undefined) {
      throw new IllegalStateError(`batch ${this.id} for ${this.topic}-${this.partition} is still open`);
    }
    return this.built;
  }

  /** @internal Notes an appended record and its delivery callback, if any. */
  appended(timestamp: number, callback: DeliveryCallback | undefined): void {
    if (callback !== undefined) {
      if (this.callbacks === undefined) {
        this.callbacks = [];
        this.callbackIndexes = [];
        this.callbackTimestamps = [];
      }
      this.callbacks.push(callback);
      this.callbackIndexes!.push(this.count);
      this.callbackTimestamps!.push(timestamp);
    }
    this.count++;
  }

  /**
   * @internal Builds and copies out the bytes; returns the builder for the pool (or undefined when
   * the batch had none left).
   */
  close(): PooledBuilder | undefined {
    const pooled = this.pooled;
    if (pooled === undefined) return undefined;
    const view = pooled.builder.buildView();
    // allocUnsafeSlow: a Buffer on its own ArrayBuffer (never a slice of Node's shared pool), so
    // the sender may transfer it without detaching anyone else's bytes.
    const bytes = Buffer.allocUnsafeSlow(view.length);
    view.copy(bytes);
    this.built = bytes;
    this.pooled = undefined;
    return pooled;
  }

  /** @internal Drops the builder without building (a batch that fails before it is sent). */
  discard(): PooledBuilder | undefined {
    const pooled = this.pooled;
    this.pooled = undefined;
    return pooled;
  }

  /** @internal Resolves every record's callback with its offset (-1 for all when `baseOffset` is -1). */
  succeed(baseOffset: number, logAppendTimeMs: number, onCallbackError: (error: unknown) => void): void {
    this.state = 'done';
    const callbacks = this.callbacks;
    if (callbacks !== undefined) {
      const indexes = this.callbackIndexes!;
      const timestamps = this.callbackTimestamps!;
      for (let i = 0; i < callbacks.length; i++) {
        const metadata: RecordMetadata = {
          topic: this.topic,
          partition: this.partition,
          offset: baseOffset < 0 ? -1 : baseOffset + indexes[i]!,
          timestamp: logAppendTimeMs >= 0 ? logAppendTimeMs : timestamps[i]!,
        };
        invoke(callbacks[i]!, null, metadata, onCallbackError);
      }
    }
    this.finish();
  }

  /** @internal Fails every record's callback with `error`. */
  failWith(error: Error, onCallbackError: (error: unknown) => void): void {
    this.state = 'done';
    const callbacks = this.callbacks;
    if (callbacks !== undefined) {
      for (let i = 0; i < callbacks.length; i++) invoke(callbacks[i]!, error, null, onCallbackError);
    }
    this.finish();
  }

  /** @internal Resolves once the batch is done (at once if it already is). */
  whenDone(): Promise<void> {
    if (this.state === 'done') return Promise.resolve();
    return new Promise((resolve) => {
      if (this.doneListeners === undefined) this.doneListeners = [];
      this.doneListeners.push(resolve);
    });
  }

  private finish(): void {
    // The callbacks have run; drop them so a done batch held by a sender pins nothing.
    this.callbacks = undefined;
    this.callbackIndexes = undefined;
    this.callbackTimestamps = undefined;
    const listeners = this.doneListeners;
    this.doneListeners = undefined;
    if (listeners !== undefined) for (const listener of listeners) listener();
  }
}

function invoke(
  callback: DeliveryCallback,
  error: Error | null,
  metadata: RecordMetadata | null,
  onCallbackError: (error: unknown) => void,
): void {
  // A throwing callback must not stop the others or leave the accumulator half-updated.
  try {
    callback(error, metadata);
  } catch (thrown) {
    onCallbackError(thrown);
  }
}
