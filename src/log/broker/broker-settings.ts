/**
 * Timing settings of an embedded cluster's brokers and controller, with defaults in one place.
 * Kafka's defaults are tuned for networks between machines; an embedded cluster in one process can
 * notice failures sooner.
 */
import { intInRange, rejectUnknownKeys } from '../../common/config.js';
import { ConfigError } from '../../common/errors.js';

/** Timing settings. */
export interface BrokerSettings {
  /** How often a broker heartbeats the controller (Kafka broker.heartbeat.interval.ms). */
  heartbeatIntervalMs: number;
  /** A broker silent this long is fenced (Kafka broker.session.timeout.ms). */
  sessionTimeoutMs: number;
  /** A follower behind for this long leaves the ISR (Kafka replica.lag.time.max.ms). */
  replicaLagTimeMaxMs: number;
  /** How long a leader holds a follower's fetch waiting for data (replica.fetch.wait.max.ms). */
  replicaFetchWaitMaxMs: number;
  /** Bytes a follower fetches at once (replica.fetch.max.bytes). */
  replicaFetchMaxBytes: number;
  /** A broker-to-broker request with no answer this long is sent again. */
  requestTimeoutMs: number;
  /** How often replicas check their ISR and fetch loops. */
  replicaTickMs: number;
  /** How often each replica applies retention (Kafka log.retention.check.interval.ms). */
  logRetentionCheckIntervalMs: number;
  /** How often a compacted topic's replica is compacted (Kafka's cleaner backoff, roughly). */
  logCleanerIntervalMs: number;
  /** Partitions of `__consumer_offsets`, created on the first FindCoordinator (Kafka: 50). */
  offsetsTopicPartitions: number;
  /** Its replication factor, capped at the live brokers (Kafka: 3). */
  offsetsTopicReplicationFactor: number;
  /**
   * How long the first rebalance of an empty group waits for more members before it completes,
   * extended by as much again (up to the rebalance timeout) while new members keep joining (Kafka
   * group.initial.rebalance.delay.ms, 3000 there). Only a group going from empty to
   * preparingRebalance waits; later rebalances complete once the known members have rejoined.
   */
  groupInitialRebalanceDelayMs: number;
  /**
   * Partitions of `__transaction_state`, created on the first FindCoordinator for a transactional
   * id (Kafka transaction.state.log.num.partitions: 50).
   */
  transactionStateTopicPartitions: number;
  /** Its replication factor, capped at the live brokers (Kafka: 3). */
  transactionStateTopicReplicationFactor: number;
  /** The longest transaction timeout a producer may ask for (Kafka transaction.max.timeout.ms). */
  transactionMaxTimeoutMs: number;
  /**
   * How often open transactions are checked against their timeouts, and idle transactional ids
   * against their expiry (Kafka transaction.abort.timed.out.transaction.cleanup.interval.ms).
   */
  transactionAbortTimedOutCheckIntervalMs: number;
  /** A transactional id unused this long is forgotten (Kafka transactional.id.expiration.ms: 7 days). */
  transactionalIdExpirationMs: number;
  /**
   * A partition forgets a producer that has not written for this long and has no transaction
   * open (Kafka producer.id.expiration.ms: 1 day); its retries after that are refused.
   */
  producerIdExpirationMs: number;
}

/** The defaults. */
export const DEFAULT_BROKER_SETTINGS: Readonly<BrokerSettings> = Object.freeze({
  heartbeatIntervalMs: 500,
  sessionTimeoutMs: 3000,
  replicaLagTimeMaxMs: 10_000,
  replicaFetchWaitMaxMs: 500,
  replicaFetchMaxBytes: 1024 * 1024,
  requestTimeoutMs: 5000,
  replicaTickMs: 100,
  logRetentionCheckIntervalMs: 300_000,
  logCleanerIntervalMs: 15_000,
  offsetsTopicPartitions: 8,
  offsetsTopicReplicationFactor: 3,
  // Kafka waits 3 s so that the instances of an application, started on many machines at about
  // the same time, form their first generation together instead of one rebalance each. Here the
  // broker is usually embedded in the application: its threads start within milliseconds of one
  // another (worker threads within a few hundred), and each join during the delay extends it by
  // as much again, so a short delay still gathers them into one generation, while a restarting
  // application (after kill -9, say) is not held up for seconds before it can run. 0 (as Kafka
  // Streams' own tests use) would give a multi-threaded application one rebalance per thread.
  groupInitialRebalanceDelayMs: 300,
  transactionStateTopicPartitions: 8,
  transactionStateTopicReplicationFactor: 3,
  transactionMaxTimeoutMs: 900_000,
  transactionAbortTimedOutCheckIntervalMs: 10_000,
  transactionalIdExpirationMs: 604_800_000,
  producerIdExpirationMs: 86_400_000,
});

/**
 * Fills in and validates broker settings.
 *
 * @example
 * ```ts
 * const settings = resolveBrokerSettings({ sessionTimeoutMs: 1000 });
 * ```
 * @throws ConfigError for a bad key or value, or a heartbeat interval not below the session timeout.
 */
export function resolveBrokerSettings(input: Partial<BrokerSettings> = {}): BrokerSettings {
  rejectUnknownKeys('BrokerSettings', input, Object.keys(DEFAULT_BROKER_SETTINGS));
  const s = { ...DEFAULT_BROKER_SETTINGS, ...input };
  const max = Number.MAX_SAFE_INTEGER;
  const settings: BrokerSettings = {
    heartbeatIntervalMs: intInRange('heartbeatIntervalMs', s.heartbeatIntervalMs, 1, max),
    sessionTimeoutMs: intInRange('sessionTimeoutMs', s.sessionTimeoutMs, 1, max),
    replicaLagTimeMaxMs: intInRange('replicaLagTimeMaxMs', s.replicaLagTimeMaxMs, 1, max),
    replicaFetchWaitMaxMs: intInRange('replicaFetchWaitMaxMs', s.replicaFetchWaitMaxMs, 0, max),
    replicaFetchMaxBytes: intInRange('replicaFetchMaxBytes', s.replicaFetchMaxBytes, 1024, 2 ** 31 - 1),
    requestTimeoutMs: intInRange('requestTimeoutMs', s.requestTimeoutMs, 1, max),
    replicaTickMs: intInRange('replicaTickMs', s.replicaTickMs, 1, max),
    logRetentionCheckIntervalMs: intInRange(
      'logRetentionCheckIntervalMs',
      s.logRetentionCheckIntervalMs,
      1,
      max,
    ),
    logCleanerIntervalMs: intInRange('logCleanerIntervalMs', s.logCleanerIntervalMs, 1, max),
    offsetsTopicPartitions: intInRange('offsetsTopicPartitions', s.offsetsTopicPartitions, 1, 10_000),
    offsetsTopicReplicationFactor: intInRange(
      'offsetsTopicReplicationFactor',
      s.offsetsTopicReplicationFactor,
      1,
      100,
    ),
    groupInitialRebalanceDelayMs: intInRange(
      'groupInitialRebalanceDelayMs',
      s.groupInitialRebalanceDelayMs,
      0,
      2 ** 31 - 1,
    ),
    transactionStateTopicPartitions: intInRange(
      'transactionStateTopicPartitions',
      s.transactionStateTopicPartitions,
      1,
      10_000,
    ),
    transactionStateTopicReplicationFactor: intInRange(
      'transactionStateTopicReplicationFactor',
      s.transactionStateTopicReplicationFactor,
      1,
      100,
    ),
    // Kafka keeps the transaction timings in int32 fields.
    transactionMaxTimeoutMs: intInRange('transactionMaxTimeoutMs', s.transactionMaxTimeoutMs, 1, 2 ** 31 - 1),
    transactionAbortTimedOutCheckIntervalMs: intInRange(
      'transactionAbortTimedOutCheckIntervalMs',
      s.transactionAbortTimedOutCheckIntervalMs,
      1,
      2 ** 31 - 1,
    ),
    transactionalIdExpirationMs: intInRange(
      'transactionalIdExpirationMs',
      s.transactionalIdExpirationMs,
      1,
      2 ** 31 - 1,
    ),
    producerIdExpirationMs: intInRange('producerIdExpirationMs', s.producerIdExpirationMs, 1, 2 ** 31 - 1),
  };
  if (settings.heartbeatIntervalMs >= settings.sessionTimeoutMs) {
    throw new ConfigError(
      'heartbeatIntervalMs',
      settings.heartbeatIntervalMs,
      `less than sessionTimeoutMs (${settings.sessionTimeoutMs})`,
    );
  }
  return settings;
}
