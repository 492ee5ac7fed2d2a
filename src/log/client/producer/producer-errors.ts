/**
 * The producer's own errors: the two ways a record can run out of time before it is sent. Both are
 * retriable in the MillraceError sense (the same send may succeed later, once the cluster keeps up),
 * as Kafka's TimeoutException is.
 */
import { MillraceError, type MillraceErrorOptions } from '../../../common/errors.js';

/**
 * An append waited `maxBlockMs` for buffer memory and none came free: records are being produced
 * faster than the cluster takes them. Nothing was appended. Retry later, raise `bufferMemory` or
 * `maxBlockMs`, or slow down (Kafka's BufferExhaustedException).
 *
 * @example
 * ```ts
 * throw new BufferExhaustedError(16384, 60000, 33554432, 33554432);
 * ```
 */
export class BufferExhaustedError extends MillraceError {
  /** The bytes the append needed (a new batch's reservation). */
  readonly requestedBytes: number;

  constructor(requestedBytes: number, maxBlockMs: number, bufferMemory: number, usedBytes: number) {
    super(
      'BUFFER_EXHAUSTED',
      `could not reserve ${requestedBytes} bytes of buffer memory within maxBlockMs ${maxBlockMs} ` +
        `(bufferMemory ${bufferMemory}, ${usedBytes} held by unsent and unacknowledged batches): ` +
        'records are appended faster than they are sent; retry later, slow down, or raise bufferMemory ' +
        'or maxBlockMs',
      true,
    );
    this.requestedBytes = requestedBytes;
  }
}

/**
 * A batch was not acknowledged within `deliveryTimeoutMs` of its first append: it waited too long
 * for a leader, for its turn, or through too many retries. Its records were not written (or, if a
 * send was in flight, possibly were, as with any timeout). `cause` is the last send's error, if any.
 *
 * @example
 * ```ts
 * throw new DeliveryTimeoutError('orders', 3, 120, 120_004, 120_000);
 * ```
 */
export class DeliveryTimeoutError extends MillraceError {
  readonly topic: string;
  readonly partition: number;

  constructor(
    topic: string,
    partition: number,
    recordCount: number,
    elapsedMs: number,
    deliveryTimeoutMs: number,
    options?: MillraceErrorOptions,
  ) {
    super(
      'DELIVERY_TIMEOUT',
      `expiring ${recordCount} record(s) for ${topic}-${partition}: ${Math.round(elapsedMs)} ms have passed ` +
        `since the batch was created, past deliveryTimeoutMs ${deliveryTimeoutMs}` +
        (options?.cause instanceof Error ? ` (last error: ${options.cause.message})` : '') +
        '; check that the partition has a leader, or raise deliveryTimeoutMs',
      true,
      options,
    );
    this.topic = topic;
    this.partition = partition;
  }
}
