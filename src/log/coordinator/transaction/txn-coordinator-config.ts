/**
 * The configuration of the transaction coordinator, with Kafka's broker settings of the same
 * meaning and Kafka's defaults. Defaults live here and nowhere else; the broker passes its own
 * settings (broker-settings.ts) through.
 */
import { intInRange, rejectUnknownKeys } from '../../../common/config.js';

/**
 * Configuration of a transaction coordinator host and the transactional ids it runs.
 *
 * @example
 * ```ts
 * const config: TransactionCoordinatorConfig = resolveTransactionCoordinatorConfig({ transactionStateTopicPartitions: 1 });
 * ```
 */
export interface TransactionCoordinatorConfig {
  /** Partitions of `__transaction_state` (Kafka `transaction.state.log.num.partitions`). */
  transactionStateTopicPartitions: number;
  /** Partitions of `__consumer_offsets`, to place AddOffsetsToTxn's group (Kafka `offsets.topic.num.partitions`). */
  offsetsTopicPartitions: number;
  /** The longest transaction timeout a producer may ask for (Kafka `transaction.max.timeout.ms`). */
  transactionMaxTimeoutMs: number;
  /**
   * How often open transactions are checked against their timeouts (Kafka
   * `transaction.abort.timed.out.transaction.cleanup.interval.ms`); idle ids are checked too.
   */
  transactionAbortTimedOutCheckIntervalMs: number;
  /** A transactional id unused this long is forgotten (Kafka `transactional.id.expiration.ms`). */
  transactionalIdExpirationMs: number;
  /** How long a transaction marker or a controller request may go unanswered before it is sent again. */
  requestTimeoutMs: number;
}

/**
 * The defaults of every TransactionCoordinatorConfig key: Kafka's, except the request timeout,
 * which is the embedded broker's.
 *
 * @example
 * ```ts
 * const maxMs = DEFAULT_TRANSACTION_COORDINATOR_CONFIG.transactionMaxTimeoutMs; // 900000
 * ```
 */
export const DEFAULT_TRANSACTION_COORDINATOR_CONFIG: Readonly<TransactionCoordinatorConfig> = Object.freeze({
  transactionStateTopicPartitions: 50,
  offsetsTopicPartitions: 50,
  transactionMaxTimeoutMs: 900_000,
  transactionAbortTimedOutCheckIntervalMs: 10_000,
  transactionalIdExpirationMs: 604_800_000,
  requestTimeoutMs: 5000,
});

const MAX_INT32 = 2 ** 31 - 1;

/**
 * Fills in defaults and validates every key.
 *
 * @example
 * ```ts
 * const config = resolveTransactionCoordinatorConfig({ transactionMaxTimeoutMs: 60_000 });
 * ```
 * @throws ConfigError naming the first bad key, its value and what is accepted.
 */
export function resolveTransactionCoordinatorConfig(
  input: Partial<TransactionCoordinatorConfig> = {},
): TransactionCoordinatorConfig {
  rejectUnknownKeys(
    'TransactionCoordinatorConfig',
    input,
    Object.keys(DEFAULT_TRANSACTION_COORDINATOR_CONFIG),
  );
  const c = { ...DEFAULT_TRANSACTION_COORDINATOR_CONFIG, ...input };
  return {
    transactionStateTopicPartitions: intInRange(
      'transactionStateTopicPartitions',
      c.transactionStateTopicPartitions,
      1,
      100_000,
    ),
    offsetsTopicPartitions: intInRange('offsetsTopicPartitions', c.offsetsTopicPartitions, 1, 100_000),
    // Kafka keeps these in int32 fields.
    transactionMaxTimeoutMs: intInRange('transactionMaxTimeoutMs', c.transactionMaxTimeoutMs, 1, MAX_INT32),
    transactionAbortTimedOutCheckIntervalMs: intInRange(
      'transactionAbortTimedOutCheckIntervalMs',
      c.transactionAbortTimedOutCheckIntervalMs,
      1,
      MAX_INT32,
    ),
    transactionalIdExpirationMs: intInRange(
      'transactionalIdExpirationMs',
      c.transactionalIdExpirationMs,
      1,
      MAX_INT32,
    ),
    requestTimeoutMs: intInRange('requestTimeoutMs', c.requestTimeoutMs, 1, MAX_INT32),
  };
}
