/**
 * Where a store's changelog lives: the topic `<applicationId>-<storeName>-changelog`, one partition
 * per task (the task's input partition), and the topic configuration each store kind needs.
 */
import { ConfigError } from '../../common/errors.js';

/** Kafka's limit on a topic name, and the characters it allows. */
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

/**
 * The changelog topic of a store.
 *
 * @example
 * ```ts
 * changelogTopicName('orders-app', 'counts'); // 'orders-app-counts-changelog'
 * ```
 * @throws ConfigError when the name is not a valid topic name (characters other than ASCII
 * letters, digits, '.', '_' and '-', or longer than 249).
 */
export function changelogTopicName(applicationId: string, storeName: string): string {
  const topic = `${applicationId}-${storeName}-changelog`;
  if (!TOPIC_NAME.test(topic)) {
    throw new ConfigError(
      'applicationId/storeName',
      topic,
      'names that form a topic name of at most 249 ASCII letters, digits, ".", "_" and "-"',
    );
  }
  return topic;
}

/**
 * The id under which a store records the offset of one changelog partition (the key of its
 * ChangelogOffsets).
 *
 * @example
 * ```ts
 * changelogPartitionId('orders-app-counts-changelog', 3); // 'orders-app-counts-changelog/3'
 * ```
 */
export function changelogPartitionId(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}

/**
 * The kinds of store, as far as their changelog topic is concerned.
 *
 * @example
 * ```ts
 * const kind: ChangelogStoreKind = 'window';
 * ```
 */
export type ChangelogStoreKind = 'keyValue' | 'timestampedKeyValue' | 'versioned' | 'window' | 'session';

/**
 * The topic settings of a changelog (a subset of the broker's TopicConfig, so it can be passed as
 * the `config` of a createTopic request).
 *
 * @example
 * ```ts
 * await client.createTopic({ name, partitions, replicationFactor: 3, config: changelogTopicConfig('window', 86_400_000) });
 * ```
 */
export interface ChangelogTopicConfig {
  cleanupPolicy: 'compact' | 'compact,delete';
  /** With `compact,delete`: how long records stay (the store's retention plus a margin). */
  retentionMs?: number;
}

/**
 * Extra retention of a windowed changelog beyond the store's, as Kafka Streams'
 * `windowstore.changelog.additional.retention.ms` (one day): a restore must not miss records that
 * are still live in the store only because the store's stream time lags the wall clock.
 *
 * @example
 * ```ts
 * const retentionMs = storeRetentionMs + CHANGELOG_ADDITIONAL_RETENTION_MS;
 * ```
 */
export const CHANGELOG_ADDITIONAL_RETENTION_MS = 24 * 60 * 60 * 1000;

/**
 * The changelog topic configuration of a store kind. Key-value stores (plain, timestamped,
 * versioned) keep the latest record per key: `compact`. Window and session stores carry the window
 * in the key, so old windows never get a newer record that would compact them away: `compact,delete`
 * with the store's retention plus CHANGELOG_ADDITIONAL_RETENTION_MS removes them.
 *
 * @example
 * ```ts
 * changelogTopicConfig('keyValue'); // { cleanupPolicy: 'compact' }
 * changelogTopicConfig('session', 3_600_000); // { cleanupPolicy: 'compact,delete', retentionMs: 90_000_000 }
 * ```
 * @throws ConfigError when a window or session store's retention is missing or negative.
 */
export function changelogTopicConfig(
  kind: ChangelogStoreKind,
  storeRetentionMs?: number,
): ChangelogTopicConfig {
  if (kind !== 'window' && kind !== 'session') return { cleanupPolicy: 'compact' };
  if (storeRetentionMs === undefined || !Number.isSafeInteger(storeRetentionMs) || storeRetentionMs < 0) {
    throw new ConfigError(
      'storeRetentionMs',
      storeRetentionMs,
      `a retention in ms (>= 0) for a ${kind} store`,
    );
  }
  return {
    cleanupPolicy: 'compact,delete',
    retentionMs: Math.min(Number.MAX_SAFE_INTEGER, storeRetentionMs + CHANGELOG_ADDITIONAL_RETENTION_MS),
  };
}
