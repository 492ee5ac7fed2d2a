/**
 * The configuration of a streams application, validated up front with Kafka Streams' defaults:
 * commit.interval.ms is 100 under exactly-once and 30 000 otherwise; an application id must make
 * legal topic names (it prefixes every internal topic and names the consumer group).
 */

import { intInRange, oneOf, rejectUnknownKeys } from '../../common/config.js';
import { ConfigError } from '../../common/errors.js';
import { resolveStreamsAssignorConfig } from './assignment/streams-assignor-config.js';

/**
 * A streams application's settings.
 *
 * @example
 * ```ts
 * const config = resolveStreamsConfig({ applicationId: 'clicks', stateDir: '/var/lib/clicks' });
 * config.commitIntervalMs; // 100
 * ```
 */
export interface StreamsConfig {
  /** Names the group, the transactional ids and the internal topics (`<applicationId>-…`). */
  applicationId: string;
  numStreamThreads: number;
  processingGuarantee: 'exactly_once_v2' | 'at_least_once';
  /** How often tasks commit; 100 ms under exactly-once, 30 s otherwise, unless given. */
  commitIntervalMs: number;
  /** Where persistent stores live: `<stateDir>/<applicationId>/<taskId>/<store>`. */
  stateDir: string;
  /** Standby replicas per stateful task, on other instances (num.standby.replicas). Default 0. */
  numStandbyReplicas: number;
  /**
   * Records an instance's state may be behind and still take a task over at once
   * (acceptable.recovery.lag, default 10 000); further behind, it first warms up.
   */
  acceptableRecoveryLag: number;
  /** Warmup replicas at once across the application (max.warmup.replicas, default 2). */
  maxWarmupReplicas: number;
  /** How soon after a rebalance with warmups to look again (probing.rebalance.interval.ms, default 10 min). */
  probingRebalanceIntervalMs: number;
  /** Replication factor of the internal topics the application creates. */
  replicationFactor: number;
  /** Records per poll and per processing round. */
  maxPollRecords: number;
  /** How long a poll waits for records. */
  pollMs: number;
  /**
   * A record whose key or value cannot be deserialized: fail the thread, skip it, or skip it and
   * write its bytes to a dead-letter topic with error headers.
   */
  deserializationExceptionHandler: RecordErrorPolicy;
  /** A record a user function throws on: as above. */
  processingExceptionHandler: RecordErrorPolicy;
  /**
   * An output the serializer refuses, or the producer (larger than maxRequestSize): fail the
   * thread, drop the output, or drop it and write the input record to a dead-letter topic
   * (Kafka's production.exception.handler).
   */
  productionExceptionHandler: RecordErrorPolicy;
  /**
   * A thread that fails (an error no record handler took): start a replacement thread, or stop the
   * whole client (state `error`), as Kafka's StreamsUncaughtExceptionHandler.
   */
  uncaughtExceptionHandler: 'replace-thread' | 'shutdown-client';
}

const TOPIC_PART = /^[a-zA-Z0-9._-]{1,200}$/;

/**
 * Fills defaults and checks every field.
 *
 * @example
 * ```ts
 * resolveStreamsConfig({ applicationId: 'wordcount', stateDir: './state', processingGuarantee: 'at_least_once' });
 * ```
 * @throws ConfigError naming the field, the value and what is expected.
 */
export function resolveStreamsConfig(
  input: Partial<StreamsConfig> & { applicationId: string; stateDir: string },
): StreamsConfig {
  rejectUnknownKeys('StreamsConfig', input, [
    'applicationId',
    'numStreamThreads',
    'processingGuarantee',
    'commitIntervalMs',
    'stateDir',
    'numStandbyReplicas',
    'acceptableRecoveryLag',
    'maxWarmupReplicas',
    'probingRebalanceIntervalMs',
    'replicationFactor',
    'maxPollRecords',
    'pollMs',
    'deserializationExceptionHandler',
    'processingExceptionHandler',
    'productionExceptionHandler',
    'uncaughtExceptionHandler',
  ]);
  if (typeof input.applicationId !== 'string' || !TOPIC_PART.test(input.applicationId)) {
    throw new ConfigError(
      'applicationId',
      input.applicationId,
      "1 to 200 ASCII letters, digits, '.', '_' or '-' (it prefixes topic names)",
    );
  }
  if (typeof input.stateDir !== 'string' || input.stateDir.length === 0) {
    throw new ConfigError('stateDir', input.stateDir, 'a directory path');
  }
  const processingGuarantee = oneOf('processingGuarantee', input.processingGuarantee ?? 'exactly_once_v2', [
    'exactly_once_v2',
    'at_least_once',
  ]);
  const eos = processingGuarantee === 'exactly_once_v2';
  return {
    applicationId: input.applicationId,
    stateDir: input.stateDir,
    processingGuarantee,
    numStreamThreads: intInRange('numStreamThreads', input.numStreamThreads ?? 1, 1, 64),
    commitIntervalMs: intInRange(
      'commitIntervalMs',
      input.commitIntervalMs ?? (eos ? 100 : 30_000),
      1,
      86_400_000,
    ),
    ...taskPlacement(input),
    replicationFactor: intInRange('replicationFactor', input.replicationFactor ?? 1, 1, 16),
    maxPollRecords: intInRange('maxPollRecords', input.maxPollRecords ?? 1000, 1, 1_000_000),
    pollMs: intInRange('pollMs', input.pollMs ?? 100, 0, 60_000),
    deserializationExceptionHandler: recordErrorPolicy(
      'deserializationExceptionHandler',
      input.deserializationExceptionHandler,
    ),
    processingExceptionHandler: recordErrorPolicy(
      'processingExceptionHandler',
      input.processingExceptionHandler,
    ),
    productionExceptionHandler: recordErrorPolicy(
      'productionExceptionHandler',
      input.productionExceptionHandler,
    ),
    uncaughtExceptionHandler: oneOf(
      'uncaughtExceptionHandler',
      input.uncaughtExceptionHandler ?? 'shutdown-client',
      ['replace-thread', 'shutdown-client'],
    ),
  };
}

/**
 * What to do with a record that cannot be handled.
 *
 * @example
 * ```ts
 * const policy: RecordErrorPolicy = { deadLetterTopic: 'page-views-dlq' };
 * ```
 */
export type RecordErrorPolicy = 'log-and-fail' | 'log-and-continue' | { readonly deadLetterTopic: string };

function recordErrorPolicy(key: string, value: unknown): RecordErrorPolicy {
  if (value === undefined) return 'log-and-fail';
  if (typeof value === 'object' && value !== null) {
    const topic = (value as { deadLetterTopic?: unknown }).deadLetterTopic;
    if (typeof topic !== 'string' || !TOPIC_PART.test(topic)) {
      throw new ConfigError(`${key}.deadLetterTopic`, topic, 'a topic name');
    }
    return { deadLetterTopic: topic };
  }
  return oneOf<'log-and-fail' | 'log-and-continue'>(key, value, ['log-and-fail', 'log-and-continue']);
}

/**
 * The StreamTask policy of a configured one.
 *
 * @example
 * ```ts
 * taskPolicy('log-and-fail'); // 'fail'
 * ```
 * @throws nothing.
 */
export function taskPolicy(
  policy: RecordErrorPolicy,
): 'fail' | 'log-and-continue' | { readonly deadLetterTopic: string } {
  return policy === 'log-and-fail' ? 'fail' : policy;
}

/** The assignor's settings, checked by its own resolver (one set of rules for both). */
function taskPlacement(
  input: Partial<StreamsConfig>,
): Pick<
  StreamsConfig,
  'numStandbyReplicas' | 'acceptableRecoveryLag' | 'maxWarmupReplicas' | 'probingRebalanceIntervalMs'
> {
  const c = resolveStreamsAssignorConfig({
    ...(input.numStandbyReplicas === undefined ? {} : { numStandbyReplicas: input.numStandbyReplicas }),
    ...(input.acceptableRecoveryLag === undefined
      ? {}
      : { acceptableRecoveryLag: input.acceptableRecoveryLag }),
    ...(input.maxWarmupReplicas === undefined ? {} : { maxWarmupReplicas: input.maxWarmupReplicas }),
    ...(input.probingRebalanceIntervalMs === undefined
      ? {}
      : { probingRebalanceIntervalMs: input.probingRebalanceIntervalMs }),
  });
  return {
    numStandbyReplicas: c.numStandbyReplicas,
    acceptableRecoveryLag: c.acceptableRecoveryLag,
    maxWarmupReplicas: c.maxWarmupReplicas,
    probingRebalanceIntervalMs: c.probingRebalanceIntervalMs,
  };
}
