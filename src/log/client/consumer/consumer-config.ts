/**
 * Consumer configuration with Kafka's names (camelCase) and defaults, validated in one place.
 */
import { intInRange, oneOf, rejectUnknownKeys } from '../../../common/config.js';
import { ConfigError } from '../../../common/errors.js';
import type { PartitionAssignor } from '../assignors/partition-assignor.js';

/** A consumer's configuration. */
export interface ConsumerConfig {
  /** The group to join for subscribe() and committed offsets; empty for assign()-only use. */
  groupId: string;
  clientId: string;
  /** At most this many records per poll (Kafka max.poll.records). */
  maxPollRecords: number;
  /** Bytes asked for per partition per fetch (max.partition.fetch.bytes). */
  maxPartitionFetchBytes: number;
  /** How long a leader may hold a fetch waiting for data (fetch.max.wait.ms). */
  fetchMaxWaitMs: number;
  /** Where to start without a committed offset, or after OffsetOutOfRange (auto.offset.reset). */
  autoOffsetReset: 'earliest' | 'latest' | 'none';
  /** read_committed arrives with transactions. */
  isolationLevel: 'read_uncommitted' | 'read_committed';
  /** Back-off after a failed fetch (retry.backoff.ms). */
  retryBackoffMs: number;
  requestTimeoutMs: number;
  /** Static membership (group.instance.id); null for a dynamic member. */
  groupInstanceId: string | null;
  /**
   * The assignor: 'range', 'roundrobin' or 'cooperative-sticky' (partition.assignment.strategy),
   * or an application's own PartitionAssignor (Kafka Streams plugs its assignor in this way).
   */
  assignor: 'range' | 'roundrobin' | 'cooperative-sticky' | PartitionAssignor;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  /** How long the group waits for members to rejoin in a rebalance (max.poll.interval.ms). */
  rebalanceTimeoutMs: number;
}

/** The defaults (Kafka's, where Kafka has one). */
export const DEFAULT_CONSUMER_CONFIG: Readonly<ConsumerConfig> = Object.freeze({
  groupId: '',
  clientId: 'millrace-consumer',
  maxPollRecords: 500,
  maxPartitionFetchBytes: 1024 * 1024,
  fetchMaxWaitMs: 500,
  autoOffsetReset: 'latest',
  isolationLevel: 'read_uncommitted',
  retryBackoffMs: 100,
  requestTimeoutMs: 30_000,
  groupInstanceId: null,
  assignor: 'cooperative-sticky',
  sessionTimeoutMs: 45_000,
  heartbeatIntervalMs: 3000,
  rebalanceTimeoutMs: 300_000,
});

/**
 * Fills in and validates a consumer config.
 *
 * @example
 * ```ts
 * const config = resolveConsumerConfig({ groupId: 'billing', autoOffsetReset: 'earliest' });
 * ```
 * @throws ConfigError naming the bad key.
 */
export function resolveConsumerConfig(input: Partial<ConsumerConfig> = {}): ConsumerConfig {
  rejectUnknownKeys('ConsumerConfig', input, Object.keys(DEFAULT_CONSUMER_CONFIG));
  const c = { ...DEFAULT_CONSUMER_CONFIG, ...input };
  if (typeof c.groupId !== 'string') throw new ConfigError('groupId', c.groupId, 'a string');
  if (typeof c.clientId !== 'string' || c.clientId.length === 0)
    throw new ConfigError('clientId', c.clientId, 'a non-empty string');
  const max = Number.MAX_SAFE_INTEGER;
  return {
    groupId: c.groupId,
    clientId: c.clientId,
    maxPollRecords: intInRange('maxPollRecords', c.maxPollRecords, 1, max),
    maxPartitionFetchBytes: intInRange('maxPartitionFetchBytes', c.maxPartitionFetchBytes, 1, 2 ** 31 - 1),
    fetchMaxWaitMs: intInRange('fetchMaxWaitMs', c.fetchMaxWaitMs, 0, max),
    autoOffsetReset: oneOf('autoOffsetReset', c.autoOffsetReset, ['earliest', 'latest', 'none'] as const),
    isolationLevel: oneOf('isolationLevel', c.isolationLevel, [
      'read_uncommitted',
      'read_committed',
    ] as const),
    retryBackoffMs: intInRange('retryBackoffMs', c.retryBackoffMs, 0, max),
    requestTimeoutMs: intInRange('requestTimeoutMs', c.requestTimeoutMs, 1, max),
    groupInstanceId: groupInstanceIdOf(c.groupInstanceId),
    assignor: assignorOf(c.assignor),
    sessionTimeoutMs: intInRange('sessionTimeoutMs', c.sessionTimeoutMs, 1, max),
    heartbeatIntervalMs: intInRange('heartbeatIntervalMs', c.heartbeatIntervalMs, 1, max),
    rebalanceTimeoutMs: intInRange('rebalanceTimeoutMs', c.rebalanceTimeoutMs, 1, max),
  };
}

function assignorOf(value: unknown): ConsumerConfig['assignor'] {
  const custom = value as PartitionAssignor | null;
  if (typeof custom === 'object' && custom !== null) {
    if (typeof custom.name === 'string' && custom.name.length > 0 && typeof custom.assign === 'function')
      return custom;
    throw new ConfigError('assignor', value, 'a PartitionAssignor with a name and an assign function');
  }
  return oneOf('assignor', value, ['range', 'roundrobin', 'cooperative-sticky'] as const);
}

function groupInstanceIdOf(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== 'string' || value.length === 0)
    throw new ConfigError('groupInstanceId', value, 'null or a non-empty string');
  return value;
}
