/**
 * Topic-level configuration, as Kafka names it (camelCase here), validated with defaults in one
 * place. Storage settings are handed to each replica's PartitionLog.
 */
import { bool, intInRange, oneOf, rejectUnknownKeys } from '../../common/config.js';
import type { LogConfigInput } from '../storage/log-config.js';

/** The configuration of a topic. */
export interface TopicConfig {
  retentionMs: number;
  retentionBytes: number;
  cleanupPolicy: 'delete' | 'compact' | 'compact,delete';
  /** acks=all needs at least this many replicas in sync (Kafka min.insync.replicas). */
  minInsyncReplicas: number;
  segmentBytes: number;
  /** Elect an out-of-sync replica when no in-sync one is alive (may lose data). */
  uncleanLeaderElection: boolean;
}

/** Kafka's defaults (segment size smaller, for an embedded broker). */
export const DEFAULT_TOPIC_CONFIG: Readonly<TopicConfig> = Object.freeze({
  retentionMs: 7 * 24 * 60 * 60 * 1000,
  retentionBytes: -1,
  cleanupPolicy: 'delete',
  minInsyncReplicas: 1,
  segmentBytes: 256 * 1024 * 1024,
  uncleanLeaderElection: false,
});

/**
 * Fills in defaults and validates a topic config.
 *
 * @example
 * ```ts
 * const config = resolveTopicConfig({ minInsyncReplicas: 2 });
 * ```
 * @throws ConfigError naming the bad key.
 */
export function resolveTopicConfig(input: Partial<TopicConfig> = {}): TopicConfig {
  rejectUnknownKeys('TopicConfig', input, Object.keys(DEFAULT_TOPIC_CONFIG));
  const c = { ...DEFAULT_TOPIC_CONFIG, ...input };
  return {
    retentionMs: intInRange('retentionMs', c.retentionMs, -1, Number.MAX_SAFE_INTEGER),
    retentionBytes: intInRange('retentionBytes', c.retentionBytes, -1, Number.MAX_SAFE_INTEGER),
    cleanupPolicy: oneOf('cleanupPolicy', c.cleanupPolicy, ['delete', 'compact', 'compact,delete'] as const),
    minInsyncReplicas: intInRange('minInsyncReplicas', c.minInsyncReplicas, 1, 1000),
    segmentBytes: intInRange('segmentBytes', c.segmentBytes, 1024, 2 ** 31 - 1),
    uncleanLeaderElection: bool('uncleanLeaderElection', c.uncleanLeaderElection),
  };
}

/**
 * The PartitionLog settings a topic config implies.
 *
 * @example
 * ```ts
 * PartitionLog.open({ dir, clock, config: logConfigOf(topicConfig) });
 * ```
 */
export function logConfigOf(config: TopicConfig): LogConfigInput {
  return {
    retentionMs: config.retentionMs,
    retentionBytes: config.retentionBytes,
    cleanupPolicy: config.cleanupPolicy,
    segmentBytes: config.segmentBytes,
    // Every append is synced (group commit shares the fdatasync): the high watermark counts only
    // synced data, so a lazy flush would delay every acks=all answer and every consumer.
    flush: { everyAppend: true, intervalMs: 0 },
  };
}
