import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../src/common/errors.js';
import {
  DEFAULT_PRODUCER_CONFIG,
  resolveProducerConfig,
} from '../../../../src/log/client/producer/producer-config.js';

function configError(f: () => unknown): ConfigError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError, but nothing was thrown');
}

describe('resolveProducerConfig', () => {
  it("has Kafka 4.x's producer defaults", () => {
    expect(resolveProducerConfig()).toEqual({
      clientId: 'millrace-producer',
      acks: 'all',
      lingerMs: 5,
      batchSize: 16384,
      bufferMemory: 33554432,
      maxBlockMs: 60000,
      retries: 2147483647,
      retryBackoffMs: 100,
      retryBackoffMaxMs: 1000,
      deliveryTimeoutMs: 120000,
      requestTimeoutMs: 30000,
      maxRequestSize: 1048576,
      maxInFlightRequestsPerConnection: 5,
      compressionType: 'none',
      enableIdempotence: true,
      transactionalId: null,
      transactionTimeoutMs: 60_000,
    });
    expect(resolveProducerConfig()).toEqual(DEFAULT_PRODUCER_CONFIG);
  });

  it('keeps the values given and accepts -1 as acks all', () => {
    const c = resolveProducerConfig({ acks: -1, lingerMs: 0, batchSize: 0, compressionType: 'gzip' });
    expect(c.acks).toBe('all');
    expect(c.lingerMs).toBe(0);
    expect(c.batchSize).toBe(0);
    expect(c.compressionType).toBe('gzip');
    expect(resolveProducerConfig({ acks: 0 }).acks).toBe(0);
    expect(resolveProducerConfig({ acks: 1 }).acks).toBe(1);
  });

  it.each([
    ['lingerMs', -1, 'an integer from 0 to 2147483647'],
    ['lingerMs', 2 ** 31, 'an integer from 0 to 2147483647'],
    ['batchSize', 1.5, 'an integer from 0 to 2147483647'],
    ['bufferMemory', 0, 'an integer from 16384 to 9007199254740991'],
    ['maxBlockMs', '60000', 'an integer from 0 to 2147483647'],
    ['retries', -1, 'an integer from 0 to 2147483647'],
    ['maxRequestSize', 10, 'an integer from 68 to 2147483647'],
    ['maxInFlightRequestsPerConnection', 0, 'an integer from 1 to 2147483647'],
    ['compressionType', 'zstd', "one of 'none', 'gzip'"],
    ['acks', 2, "'all' (or -1), 1 or 0"],
    ['acks', '1', "'all' (or -1), 1 or 0"],
    ['enableIdempotence', 'yes', 'true or false'],
    ['clientId', 42, 'a string of at most 32767 characters'],
  ])('refuses %s = %j, naming the key and what is accepted', (key, value, expected) => {
    const error = configError(() => resolveProducerConfig({ [key]: value } as never));
    expect(error.key).toBe(key);
    expect(error.message).toContain(`expected ${expected}`);
  });

  it('refuses an unknown key such as a Kafka dotted name', () => {
    const error = configError(() => resolveProducerConfig({ 'linger.ms': 5 } as never));
    expect(error.key).toBe('linger.ms');
  });

  it('requires bufferMemory to hold at least one batch', () => {
    const error = configError(() => resolveProducerConfig({ batchSize: 65536, bufferMemory: 32768 }));
    expect(error.message).toContain('expected an integer from 65536');
  });

  it('raises an unset deliveryTimeoutMs to lingerMs + requestTimeoutMs but refuses an explicit smaller one', () => {
    expect(resolveProducerConfig({ lingerMs: 100_000, requestTimeoutMs: 30_000 }).deliveryTimeoutMs).toBe(
      130_000,
    );
    const error = configError(() =>
      resolveProducerConfig({ lingerMs: 100, requestTimeoutMs: 1000, deliveryTimeoutMs: 1099 }),
    );
    expect(error.key).toBe('deliveryTimeoutMs');
    expect(error.message).toContain('at least lingerMs + requestTimeoutMs (100 + 1000 = 1100)');
    expect(
      resolveProducerConfig({ lingerMs: 100, requestTimeoutMs: 1000, deliveryTimeoutMs: 1100 })
        .deliveryTimeoutMs,
    ).toBe(1100);
  });

  it('turns idempotence off when acks, retries or in-flight requests rule it out, unless it was asked for', () => {
    expect(resolveProducerConfig({ acks: 1 }).enableIdempotence).toBe(false);
    expect(resolveProducerConfig({ retries: 0 }).enableIdempotence).toBe(false);
    expect(resolveProducerConfig({ maxInFlightRequestsPerConnection: 6 }).enableIdempotence).toBe(false);
    expect(resolveProducerConfig({ enableIdempotence: false }).enableIdempotence).toBe(false);
    const error = configError(() => resolveProducerConfig({ acks: 1, enableIdempotence: true }));
    expect(error.message).toBe(
      "invalid config enableIdempotence = true: expected false, or true only with acks 'all' (acks is 1)",
    );
    expect(() => resolveProducerConfig({ retries: 0, enableIdempotence: true })).toThrow(/retries above 0/);
  });
});

describe('transactional producer config', () => {
  it('refuses a transactionalId with idempotence turned off, and an empty transactionalId', () => {
    expect(() => resolveProducerConfig({ transactionalId: 'app-1', enableIdempotence: false })).toThrow(
      /transactions need idempotence/,
    );
    expect(() => resolveProducerConfig({ transactionalId: '' })).toThrow(/non-empty string/);
    expect(resolveProducerConfig({ transactionalId: 'app-1' }).transactionalId).toBe('app-1');
  });
});
