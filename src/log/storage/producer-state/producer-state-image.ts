/**
 * The producer state of a partition as plain data: what a snapshot file holds, and what tests
 * compare against a model.
 */
import type { TxnRange } from './aborted-transaction-index.js';
import type { ProducerBatchMetadata } from './producer-state-entry.js';

/**
 * One producer's state as plain data.
 *
 * @example
 * ```ts
 * const p: ProducerEntryImage = { producerId: 7, epoch: 0, coordinatorEpoch: -1, lastTimestamp: 0,
 *   currentTxnFirstOffset: -1, batches: [{ firstSeq: 0, lastSeq: 4, firstOffset: 0, lastOffset: 4 }] };
 * ```
 */
export interface ProducerEntryImage {
  producerId: number;
  epoch: number;
  coordinatorEpoch: number;
  lastTimestamp: number;
  /** -1 when no transaction is open. */
  currentTxnFirstOffset: number;
  /** Oldest first, at most five. */
  batches: ProducerBatchMetadata[];
}

/**
 * A partition's producer state as plain data.
 *
 * @example
 * ```ts
 * const empty: ProducerStateImage = { producers: [], completedTxns: [], aborted: [], lastTrackedOffset: -1 };
 * ```
 */
export interface ProducerStateImage {
  producers: ProducerEntryImage[];
  /** Completed transactions whose markers may not yet be below the high watermark, in marker order. */
  completedTxns: TxnRange[];
  /** The aborted-transaction index, in marker order. */
  aborted: TxnRange[];
  /** The last offset of any producer's batch or marker, -1 if none. */
  lastTrackedOffset: number;
}
