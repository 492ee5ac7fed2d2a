/**
 * The transitions the transaction coordinator makes of its own accord, as pure functions: the
 * abort of a transaction open past its timeout (with an epoch bump that fences its producer, as
 * does the abort a new incarnation causes), the expiry of an idle transactional id, and the
 * completion of a transaction once its markers are written.
 */
import { InvalidTxnStateError } from '../../../common/transaction-errors.js';
import {
  isComplete,
  isPreparing,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  type TxnMetadata,
} from './txn-metadata.js';

/**
 * The abort the coordinator begins itself (a new incarnation, or a timeout): PrepareAbort with the
 * epoch bumped, so the producer that opened the transaction is fenced, and no previous epoch to
 * recognise as a retry (that producer's EndTxn must fail).
 *
 * @example
 * ```ts
 * const next = abortWithFence(meta, clock.nowMs());
 * ```
 */
export function abortWithFence(meta: TxnMetadata, nowMs: number): TxnMetadata {
  return {
    ...meta,
    state: 'PrepareAbort',
    producerEpoch: meta.producerEpoch + 1,
    lastProducerId: NO_PRODUCER_ID,
    lastProducerEpoch: NO_PRODUCER_EPOCH,
    nextProducerId: NO_PRODUCER_ID,
    lastUpdateMs: nowMs,
  };
}

/**
 * The abort of a transaction open longer than its timeout, or undefined if it is not.
 *
 * @example
 * ```ts
 * const aborting = decideTimeoutAbort(meta, clock.nowMs());
 * if (aborting !== undefined) store(aborting);
 * ```
 */
export function decideTimeoutAbort(meta: TxnMetadata | undefined, nowMs: number): TxnMetadata | undefined {
  if (meta?.state !== 'Ongoing' || meta.startMs + meta.timeoutMs >= nowMs) return undefined;
  return abortWithFence(meta, nowMs);
}

/**
 * Whether an idle transactional id has gone unused for `expirationMs` and is to be forgotten.
 *
 * @example
 * ```ts
 * if (isExpired(meta, clock.nowMs(), config.transactionalIdExpirationMs)) storeTombstone();
 * ```
 */
export function isExpired(meta: TxnMetadata, nowMs: number, expirationMs: number): boolean {
  const idle = meta.state === 'Empty' || isComplete(meta.state);
  return idle && meta.lastUpdateMs + expirationMs <= nowMs;
}

/**
 * Prepare* → Complete*, once every marker is written: the partitions are forgotten, and a producer
 * given a fresh id moves to it (the old id and the epoch it ended with stay recognisable).
 *
 * @example
 * ```ts
 * const done = completeTransaction(meta, clock.nowMs());
 * ```
 * @throws InvalidTxnStateError when the transaction is not in Prepare* (a bug in the caller).
 */
export function completeTransaction(meta: TxnMetadata, nowMs: number): TxnMetadata {
  if (!isPreparing(meta.state)) {
    throw new InvalidTxnStateError(`${meta.transactionalId} is ${meta.state}; only Prepare* can complete`);
  }
  const state = meta.state === 'PrepareCommit' ? 'CompleteCommit' : 'CompleteAbort';
  const done = { ...meta, state, partitions: [], startMs: -1, lastUpdateMs: nowMs } as const;
  if (meta.nextProducerId < 0) return done;
  return {
    ...done,
    producerId: meta.nextProducerId,
    producerEpoch: 0,
    lastProducerId: meta.producerId,
    nextProducerId: NO_PRODUCER_ID,
  };
}
