/**
 * StreamsConfig: Kafka Streams' defaults (commit interval 100 ms under exactly-once, 30 s
 * otherwise; no standbys; acceptable recovery lag 10 000; 2 warmups; probing every 10 minutes;
 * handlers that fail), and a ConfigError naming the field and what it expects for anything else.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/common/errors.js';
import { resolveStreamsConfig } from '../../../src/runtime/streams/streams-config.js';

const base = { applicationId: 'clicks', stateDir: '/tmp/state' };

describe('StreamsConfig', () => {
  it('fills Kafka Streams’ defaults', () => {
    const eos = resolveStreamsConfig(base);
    expect(eos).toMatchObject({
      processingGuarantee: 'exactly_once_v2',
      commitIntervalMs: 100,
      numStreamThreads: 1,
      numStandbyReplicas: 0,
      acceptableRecoveryLag: 10_000,
      maxWarmupReplicas: 2,
      probingRebalanceIntervalMs: 600_000,
      deserializationExceptionHandler: 'log-and-fail',
      processingExceptionHandler: 'log-and-fail',
      productionExceptionHandler: 'log-and-fail',
    });
    expect(resolveStreamsConfig({ ...base, processingGuarantee: 'at_least_once' }).commitIntervalMs).toBe(
      30_000,
    );
  });

  it('takes standbys, warmup settings and every handler policy', () => {
    const c = resolveStreamsConfig({
      ...base,
      numStandbyReplicas: 2,
      acceptableRecoveryLag: 0,
      maxWarmupReplicas: 5,
      probingRebalanceIntervalMs: 1000,
      productionExceptionHandler: { deadLetterTopic: 'clicks-dlq' },
      processingExceptionHandler: 'log-and-continue',
    });
    expect(c).toMatchObject({
      numStandbyReplicas: 2,
      acceptableRecoveryLag: 0,
      maxWarmupReplicas: 5,
      probingRebalanceIntervalMs: 1000,
      productionExceptionHandler: { deadLetterTopic: 'clicks-dlq' },
      processingExceptionHandler: 'log-and-continue',
    });
  });

  it.each([
    [{ numStandbyReplicas: -1 }, /numStandbyReplicas/],
    [{ maxWarmupReplicas: 0 }, /maxWarmupReplicas/],
    [{ probingRebalanceIntervalMs: 0 }, /probingRebalanceIntervalMs/],
    [{ productionExceptionHandler: 'retry' }, /productionExceptionHandler/],
    [
      { productionExceptionHandler: { deadLetterTopic: 'bad topic' } },
      /productionExceptionHandler\.deadLetterTopic/,
    ],
    [{ commitIntervalMs: 0 }, /commitIntervalMs/],
    [{ numStandbyReplica: 1 }, /numStandbyReplica/],
  ])('refuses %o with a ConfigError naming it', (bad, field) => {
    const attempt = () => resolveStreamsConfig({ ...base, ...(bad as object) });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(field);
  });
});
