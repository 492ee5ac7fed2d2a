/**
 * The configuration of one partition log, with Kafka's topic-level meanings and its defaults
 * where they suit an embedded log. Defaults live here and nowhere else.
 */
import { bool, intInRange, oneOf, rejectUnknownKeys } from '../../common/config.js';
import { ConfigError } from '../../common/errors.js';

/** When appended data is made durable with fdatasync. Any condition that is met triggers a flush. */
export interface FlushPolicy {
  /** Flush after every append (strongest; group commit shares one fdatasync among concurrent appends). */
  everyAppend: boolean;
  /** Flush at most this long after the first unflushed append; 0 turns the timer off. */
  intervalMs: number;
  /** Flush once this many bytes are unflushed; 0 turns the threshold off. */
  intervalBytes: number;
}

/** Configuration of a PartitionLog. */
export interface LogConfig {
  /** Roll the active segment when it would grow past this size (Kafka `segment.bytes`). */
  segmentBytes: number;
  /** Roll the active segment this long after its first batch's timestamp (Kafka `segment.ms`). */
  segmentMs: number;
  /** Add an offset-index and time-index entry every this many bytes (Kafka `index.interval.bytes`). */
  indexIntervalBytes: number;
  /** The largest batch accepted (Kafka `max.message.bytes`, counting the whole batch). */
  maxBatchBytes: number;
  /** Delete sealed segments whose newest record is older than this; -1 keeps them forever. */
  retentionMs: number;
  /** Delete the oldest sealed segments while the log is larger than this; -1 means no limit. */
  retentionBytes: number;
  /** `delete` (retention), `compact` (latest value per key), or both. */
  cleanupPolicy: 'delete' | 'compact' | 'compact,delete';
  /** How long a tombstone survives compaction, so readers can see the delete (Kafka `delete.retention.ms`). */
  deleteRetentionMs: number;
  /**
   * Check every CRC of what a read returns (a mismatch is reported, never served). Off by default,
   * as in Kafka: every reader checks the CRCs itself (a follower on append, a consumer's decoder),
   * so checking on the broker too would only compute them twice. Reads always check offset order,
   * which catches misplaced batches.
   */
  verifyCrcOnRead: boolean;
  /**
   * How often the recovery point (the offset below which everything is synced) is written to the
   * checkpoint file; 0 writes it after every sync. Kafka writes it every 60 s. Recovery treats a bad
   * batch below the checkpointed point as damage (reported) and above it as a torn tail
   * (truncated), so a shorter interval narrows what could be truncated, at one extra small sync
   * per interval.
   */
  checkpointIntervalMs: number;
  flush: FlushPolicy;
}

/** The defaults of every LogConfig key. */
export const DEFAULT_LOG_CONFIG: Readonly<LogConfig> = Object.freeze({
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 60 * 60 * 1000,
  indexIntervalBytes: 4096,
  maxBatchBytes: 1024 * 1024 + 1024 * 64,
  retentionMs: 7 * 24 * 60 * 60 * 1000,
  retentionBytes: -1,
  cleanupPolicy: 'delete',
  deleteRetentionMs: 24 * 60 * 60 * 1000,
  verifyCrcOnRead: false,
  checkpointIntervalMs: 1000,
  flush: Object.freeze({ everyAppend: false, intervalMs: 1000, intervalBytes: 0 }),
});

const MAX_INT32 = 2 ** 31 - 1;
const ONE_YEAR_MS = 365 * 24 * 60 * 60 * 1000;

/** A partial LogConfig as a user writes it; `flush` may be partial too. */
export type LogConfigInput = Partial<Omit<LogConfig, 'flush'>> & { flush?: Partial<FlushPolicy> };

/**
 * Fills in defaults and validates every key.
 *
 * @example
 * ```ts
 * const config = resolveLogConfig({ segmentBytes: 64 * 1024 * 1024, flush: { everyAppend: true } });
 * ```
 * @throws ConfigError naming the first bad key, its value and what is accepted.
 */
export function resolveLogConfig(input: LogConfigInput = {}): LogConfig {
  rejectUnknownKeys('LogConfig', input, Object.keys(DEFAULT_LOG_CONFIG));
  rejectUnknownKeys('LogConfig.flush', input.flush ?? {}, Object.keys(DEFAULT_LOG_CONFIG.flush));
  const c = { ...DEFAULT_LOG_CONFIG, ...input, flush: { ...DEFAULT_LOG_CONFIG.flush, ...input.flush } };
  // Small segments (tests, demos) should not need maxBatchBytes spelled out as well.
  if (input.maxBatchBytes === undefined && typeof c.segmentBytes === 'number') {
    c.maxBatchBytes = Math.min(DEFAULT_LOG_CONFIG.maxBatchBytes, c.segmentBytes);
  }
  const config: LogConfig = {
    segmentBytes: intInRange('segmentBytes', c.segmentBytes, 1024, MAX_INT32),
    segmentMs: intInRange('segmentMs', c.segmentMs, 1, Number.MAX_SAFE_INTEGER),
    indexIntervalBytes: intInRange('indexIntervalBytes', c.indexIntervalBytes, 0, MAX_INT32),
    maxBatchBytes: intInRange('maxBatchBytes', c.maxBatchBytes, 61, MAX_INT32),
    retentionMs: intInRange('retentionMs', c.retentionMs, -1, Number.MAX_SAFE_INTEGER),
    retentionBytes: intInRange('retentionBytes', c.retentionBytes, -1, Number.MAX_SAFE_INTEGER),
    cleanupPolicy: oneOf('cleanupPolicy', c.cleanupPolicy, ['delete', 'compact', 'compact,delete'] as const),
    deleteRetentionMs: intInRange('deleteRetentionMs', c.deleteRetentionMs, 0, 100 * ONE_YEAR_MS),
    verifyCrcOnRead: bool('verifyCrcOnRead', c.verifyCrcOnRead),
    checkpointIntervalMs: intInRange(
      'checkpointIntervalMs',
      c.checkpointIntervalMs,
      0,
      Number.MAX_SAFE_INTEGER,
    ),
    flush: {
      everyAppend: bool('flush.everyAppend', c.flush.everyAppend),
      intervalMs: intInRange('flush.intervalMs', c.flush.intervalMs, 0, Number.MAX_SAFE_INTEGER),
      intervalBytes: intInRange('flush.intervalBytes', c.flush.intervalBytes, 0, Number.MAX_SAFE_INTEGER),
    },
  };
  if (config.maxBatchBytes > config.segmentBytes) {
    throw new ConfigError(
      'maxBatchBytes',
      config.maxBatchBytes,
      `at most segmentBytes (${config.segmentBytes})`,
    );
  }
  return config;
}
