/**
 * Kafka's protocol errors of idempotent and transactional producing (KIP-98, KIP-447, KIP-890),
 * with Kafka's codes and retriable flags. Which of them a producer treats as fatal and which as
 * abortable is the producer's business (transaction-manager.ts); here they only say what happened.
 */
import { KafkaProtocolError } from './kafka-protocol-error.js';

/**
 * A batch's sequence number is not the next one the partition expects for its producer: an
 * earlier batch is missing. Nothing was written.
 *
 * @example
 * ```ts
 * throw new OutOfOrderSequenceError('orders-0: producer 7 expected sequence 10, got 15');
 * ```
 */
export class OutOfOrderSequenceError extends KafkaProtocolError {
  static readonly errorCode = 45;
  constructor(message: string) {
    super(
      45,
      'OUT_OF_ORDER_SEQUENCE_NUMBER',
      `${message}; the producer must reset its sequences (new epoch)`,
      false,
    );
  }
}

/**
 * The request carries an older producer epoch than the one the broker knows: a newer incarnation
 * of the producer exists, or the transaction it belonged to is over (KIP-890).
 *
 * @example
 * ```ts
 * throw new InvalidProducerEpochError('orders-0: producer 7 epoch 3 is older than 4');
 * ```
 */
export class InvalidProducerEpochError extends KafkaProtocolError {
  static readonly errorCode = 47;
  constructor(message: string) {
    super(47, 'INVALID_PRODUCER_EPOCH', `${message}; abort the transaction, or start a new producer`, false);
  }
}

/**
 * The transaction is not in a state that allows the request (an EndTxn with nothing begun, a
 * commit after the coordinator aborted it …).
 *
 * @example
 * ```ts
 * throw new InvalidTxnStateError('transactional id app-1 is PrepareAbort; cannot commit');
 * ```
 */
export class InvalidTxnStateError extends KafkaProtocolError {
  static readonly errorCode = 48;
  constructor(message: string) {
    super(48, 'INVALID_TXN_STATE', message, false);
  }
}

/**
 * The producer id does not belong to the transactional id (it was reassigned or expired).
 *
 * @example
 * ```ts
 * throw new InvalidProducerIdMappingError('app-1 has producer id 9, not 7');
 * ```
 */
export class InvalidProducerIdMappingError extends KafkaProtocolError {
  static readonly errorCode = 49;
  constructor(message: string) {
    super(49, 'INVALID_PRODUCER_ID_MAPPING', `${message}; call initTransactions again`, false);
  }
}

/**
 * transaction.timeout.ms is outside what the broker allows (transaction.max.timeout.ms).
 *
 * @example
 * ```ts
 * throw new InvalidTransactionTimeoutError('timeout 3600000 ms exceeds transaction.max.timeout.ms 900000');
 * ```
 */
export class InvalidTransactionTimeoutError extends KafkaProtocolError {
  static readonly errorCode = 50;
  constructor(message: string) {
    super(50, 'INVALID_TRANSACTION_TIMEOUT', `${message}; lower transactionTimeoutMs`, false);
  }
}

/**
 * The previous transaction of this producer is still being completed (its markers are being
 * written): retry after a short backoff.
 *
 * @example
 * ```ts
 * throw new ConcurrentTransactionsError('app-1 is still completing its last transaction');
 * ```
 */
export class ConcurrentTransactionsError extends KafkaProtocolError {
  static readonly errorCode = 51;
  constructor(message: string) {
    super(51, 'CONCURRENT_TRANSACTIONS', `${message}; retry after a backoff`, true);
  }
}

/**
 * A transaction marker came from a coordinator older than the one the partition knows.
 *
 * @example
 * ```ts
 * throw new TransactionCoordinatorFencedError('coordinator epoch 3 is older than 4');
 * ```
 */
export class TransactionCoordinatorFencedError extends KafkaProtocolError {
  static readonly errorCode = 52;
  constructor(message: string) {
    super(52, 'TRANSACTION_COORDINATOR_FENCED', message, false);
  }
}

/**
 * The broker has no state for the producer id (it expired, or the log that held it was removed).
 *
 * @example
 * ```ts
 * throw new UnknownProducerIdError('orders-0 has no state for producer 7');
 * ```
 */
export class UnknownProducerIdError extends KafkaProtocolError {
  static readonly errorCode = 59;
  constructor(message: string) {
    super(59, 'UNKNOWN_PRODUCER_ID', `${message}; the producer must reset its sequences`, false);
  }
}

/**
 * Offsets of the partition are part of a transaction that has not completed yet: retry shortly.
 *
 * @example
 * ```ts
 * throw new UnstableOffsetCommitError('app: orders-0 has a pending transactional commit');
 * ```
 */
export class UnstableOffsetCommitError extends KafkaProtocolError {
  static readonly errorCode = 88;
  constructor(message: string) {
    super(88, 'UNSTABLE_OFFSET_COMMIT', `${message}; retry after the transaction completes`, true);
  }
}

/**
 * A newer producer with the same transactional.id exists, or the coordinator aborted this one's
 * transaction on timeout: this producer instance is a zombie and must be closed.
 *
 * @example
 * ```ts
 * throw new ProducerFencedError('app-1: epoch 3 was fenced by epoch 4');
 * ```
 */
export class ProducerFencedError extends KafkaProtocolError {
  static readonly errorCode = 90;
  constructor(message: string) {
    super(90, 'PRODUCER_FENCED', `${message}; close this producer and create a new one`, false);
  }
}

/**
 * The transaction cannot complete but the producer is healthy: abort it and begin a new one
 * (KIP-890).
 *
 * @example
 * ```ts
 * throw new TransactionAbortableError('orders-0 refused a produce of an earlier transaction');
 * ```
 */
export class TransactionAbortableError extends KafkaProtocolError {
  static readonly errorCode = 120;
  constructor(message: string) {
    super(120, 'TRANSACTION_ABORTABLE', `${message}; abort the transaction and retry it`, false);
  }
}

/**
 * Every class here, for the wire-code registry in kafka-errors.ts.
 *
 * @example
 * ```ts
 * const byCode = new Map(TRANSACTION_ERRORS.map((cls) => [cls.errorCode, cls]));
 * ```
 */
export const TRANSACTION_ERRORS = [
  OutOfOrderSequenceError,
  InvalidProducerEpochError,
  InvalidTxnStateError,
  InvalidProducerIdMappingError,
  InvalidTransactionTimeoutError,
  ConcurrentTransactionsError,
  TransactionCoordinatorFencedError,
  UnknownProducerIdError,
  UnstableOffsetCommitError,
  ProducerFencedError,
  TransactionAbortableError,
] as const;
