/**
 * A free list of RecordBatchBuilders, so a producer frames every batch into buffers it already
 * has (DESIGN.md §3 rule 4): a builder is taken when a batch opens and given back when the batch
 * is closed and its bytes copied out, so the number alive is the number of open batches.
 */
import { RecordBatchBuilder } from '../../format/record-batch-builder.js';
import type { ProducerCompressionType } from './producer-config.js';

/**
 * A builder and the batch limit it is set to, so the limit changes only when it must.
 *
 * @example
 * ```ts
 * const { builder, maxBatchBytes } = pool.take(16384);
 * ```
 */
export interface PooledBuilder {
  readonly builder: RecordBatchBuilder;
  maxBatchBytes: number;
}

/** Free builders kept beyond this are dropped: enough for the partitions a producer keeps busy. */
const MAX_FREE = 64;
/** Builders of batches up to this size are always worth keeping, whatever the batch size. */
const MIN_KEPT_BATCH_BYTES = 16 * 1024;

/**
 * Hands out empty builders with a given batch limit, reusing returned ones.
 *
 * @example
 * ```ts
 * const pool = new BatchBuilderPool('none', 16384);
 * const pooled = pool.take(16384);
 * pooled.builder.append({ value, timestamp });
 * pool.give(pooled);
 * ```
 */
export class BatchBuilderPool {
  private readonly compression: ProducerCompressionType;
  private readonly keptBatchBytes: number;
  private readonly free: PooledBuilder[] = [];

  /**
   * `batchSize` is the producer's: a builder that framed a larger batch (a record bigger than
   * batchSize) is dropped rather than kept, so the pool never pins an oversized buffer.
   */
  constructor(compression: ProducerCompressionType, batchSize: number) {
    this.compression = compression;
    this.keptBatchBytes = Math.max(batchSize, MIN_KEPT_BATCH_BYTES);
  }

  /**
   * An empty builder limited to `maxBatchBytes`.
   *
   * @example
   * ```ts
   * const pooled = pool.take(Math.max(batchSize, batchSizeUpperBound(record)));
   * ```
   */
  take(maxBatchBytes: number): PooledBuilder {
    const pooled = this.free.pop();
    if (pooled === undefined) {
      return {
        builder: new RecordBatchBuilder({ maxBatchBytes, compression: this.compression }),
        maxBatchBytes,
      };
    }
    // Resetting with options re-validates them: only pay for it when the limit differs.
    if (pooled.maxBatchBytes !== maxBatchBytes) {
      pooled.builder.reset({ maxBatchBytes });
      pooled.maxBatchBytes = maxBatchBytes;
    }
    return pooled;
  }

  /**
   * Takes back a builder whose batch has been copied out (or dropped).
   *
   * @example
   * ```ts
   * pool.give(pooled);
   * ```
   */
  give(pooled: PooledBuilder): void {
    if (pooled.maxBatchBytes > this.keptBatchBytes || this.free.length >= MAX_FREE) return;
    pooled.builder.reset();
    this.free.push(pooled);
  }
}
