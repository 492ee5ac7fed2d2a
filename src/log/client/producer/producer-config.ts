/**
 * The producer's configuration: Kafka's producer settings under their Kafka names in camelCase
 * (`linger.ms` → `lingerMs`), with Kafka 4.x's defaults. Defaults live here and nowhere else.
 *
 * Durations are capped at 2^31 - 1 ms (about 24.8 days): a longer Node timer fires at once, so a
 * larger value would silently mean zero.
 */
import { bool, intInRange, oneOf, rejectUnknownKeys } from '../../../common/config.js';
import { ConfigError } from '../../../common/errors.js';

const MAX_INT32 = 2 ** 31 - 1;
/** The longest duration a Node timer honours. */
const MAX_DELAY_MS = 2 ** 31 - 1;
/** Kafka's most requests in flight with idempotence: the broker keeps five batches' sequences. */
const MAX_IDEMPOTENT_IN_FLIGHT = 5;
/** A batch header (61 bytes) and the smallest record (7): anything smaller can hold nothing. */
const MIN_REQUEST_BYTES = 68;

/**
 * How many replicas must confirm a write: `'all'` (the in-sync replicas), `1` (the leader) or `0`
 * (nobody: the producer does not wait, and offsets are reported as -1).
 *
 * @example
 * ```ts
 * const acks: Acks = 'all';
 * ```
 */
export type Acks = 'all' | 1 | 0;

/**
 * The codecs the producer can write. snappy, lz4 and zstd are not supported yet.
 *
 * @example
 * ```ts
 * const compressionType: ProducerCompressionType = 'gzip';
 * ```
 */
export type ProducerCompressionType = 'none' | 'gzip';

/**
 * A resolved producer configuration: every key present and valid.
 *
 * @example
 * ```ts
 * const config: ProducerConfig = resolveProducerConfig({ lingerMs: 10 });
 * ```
 */
export interface ProducerConfig {
  /** Names this producer in broker logs and metrics (`client.id`). */
  clientId: string;
  /** `acks`. Default `'all'`. */
  acks: Acks;
  /** How long a partial batch waits for more records before it is sent (`linger.ms`). Default 5. */
  lingerMs: number;
  /**
   * The size a batch fills to, header included, before it is sent (`batch.size`). A larger
   * record gets a batch of its own. 0 turns batching off: one record per batch. Default 16384.
   */
  batchSize: number;
  /** The bytes all unsent and unacknowledged batches may reserve together (`buffer.memory`). Default 32 MiB. */
  bufferMemory: number;
  /** How long an append waits for buffer memory before it fails (`max.block.ms`). Default 60000. */
  maxBlockMs: number;
  /** How many times a batch is re-sent after a retriable error (`retries`). Default 2^31 - 1. */
  retries: number;
  /** The first retry's backoff (`retry.backoff.ms`); later ones double, with ±20 % jitter. Default 100. */
  retryBackoffMs: number;
  /** The longest backoff between retries (`retry.backoff.max.ms`). Default 1000. */
  retryBackoffMaxMs: number;
  /**
   * The time from a batch's first append to its final success or failure, retries included
   * (`delivery.timeout.ms`); at least lingerMs + requestTimeoutMs. Default 120000.
   */
  deliveryTimeoutMs: number;
  /** How long the sender waits for a produce response before retrying (`request.timeout.ms`). Default 30000. */
  requestTimeoutMs: number;
  /** The largest produce request, and so the largest record (`max.request.size`). Default 1 MiB. */
  maxRequestSize: number;
  /** Unacknowledged requests per broker connection (`max.in.flight.requests.per.connection`). Default 5. */
  maxInFlightRequestsPerConnection: number;
  /** `compression.type`. Default `'none'`. */
  compressionType: ProducerCompressionType;
  /**
   * `enable.idempotence`: the producer gets a producer id and numbers each partition's batches, so
   * the leader writes a retried batch once and refuses gaps. Default true, silently false when
   * acks, retries or maxInFlightRequestsPerConnection are set to values it cannot work with.
   */
  enableIdempotence: boolean;
  /**
   * `transactional.id`: names the producer across restarts, so a new instance fences the old one
   * and aborts its open transaction; enables initTransactions and the transaction methods.
   * Requires idempotence. Default null (no transactions).
   */
  transactionalId: string | null;
  /**
   * `transaction.timeout.ms`: a transaction open longer is aborted by its coordinator (and this
   * producer fenced). Default 60000.
   */
  transactionTimeoutMs: number;
}

/**
 * The defaults of every ProducerConfig key (Kafka 4.x's).
 *
 * @example
 * ```ts
 * const linger = DEFAULT_PRODUCER_CONFIG.lingerMs; // 5
 * ```
 */
export const DEFAULT_PRODUCER_CONFIG: Readonly<ProducerConfig> = Object.freeze({
  clientId: 'millrace-producer',
  acks: 'all',
  lingerMs: 5,
  batchSize: 16 * 1024,
  bufferMemory: 32 * 1024 * 1024,
  maxBlockMs: 60_000,
  retries: MAX_INT32,
  retryBackoffMs: 100,
  retryBackoffMaxMs: 1000,
  deliveryTimeoutMs: 120_000,
  requestTimeoutMs: 30_000,
  maxRequestSize: 1024 * 1024,
  maxInFlightRequestsPerConnection: 5,
  compressionType: 'none',
  enableIdempotence: true,
  transactionalId: null,
  transactionTimeoutMs: 60_000,
});

/**
 * A partial ProducerConfig as a user writes it. `acks` also takes -1, Kafka's other spelling of
 * `'all'`.
 *
 * @example
 * ```ts
 * const input: ProducerConfigInput = { acks: -1, lingerMs: 20, compressionType: 'gzip' };
 * ```
 */
export type ProducerConfigInput = Partial<Omit<ProducerConfig, 'acks'>> & { acks?: Acks | -1 };

/**
 * Fills in defaults and validates every key, with Kafka's cross-checks: deliveryTimeoutMs at least
 * lingerMs + requestTimeoutMs (raised to it when not given), bufferMemory at least batchSize, and
 * idempotence only with acks 'all', retries and at most five requests in flight (turned off when
 * not asked for explicitly, refused when it was).
 *
 * @example
 * ```ts
 * const config = resolveProducerConfig({ lingerMs: 20, batchSize: 64 * 1024 });
 * ```
 * @throws ConfigError naming the first bad key, its value and what is accepted.
 */
export function resolveProducerConfig(input: ProducerConfigInput = {}): ProducerConfig {
  rejectUnknownKeys('ProducerConfig', input, Object.keys(DEFAULT_PRODUCER_CONFIG));
  const c = { ...DEFAULT_PRODUCER_CONFIG, ...input };
  if (typeof c.clientId !== 'string' || c.clientId.length > 0x7fff) {
    throw new ConfigError('clientId', c.clientId, 'a string of at most 32767 characters');
  }
  const acks = resolveAcks(c.acks);
  const lingerMs = intInRange('lingerMs', c.lingerMs, 0, MAX_DELAY_MS);
  const requestTimeoutMs = intInRange('requestTimeoutMs', c.requestTimeoutMs, 0, MAX_DELAY_MS);
  const batchSize = intInRange('batchSize', c.batchSize, 0, MAX_INT32);
  const retries = intInRange('retries', c.retries, 0, MAX_INT32);
  const maxInFlight = intInRange(
    'maxInFlightRequestsPerConnection',
    c.maxInFlightRequestsPerConnection,
    1,
    MAX_INT32,
  );
  const config: ProducerConfig = {
    clientId: c.clientId,
    acks,
    lingerMs,
    batchSize,
    bufferMemory: intInRange('bufferMemory', c.bufferMemory, Math.max(1, batchSize), Number.MAX_SAFE_INTEGER),
    maxBlockMs: intInRange('maxBlockMs', c.maxBlockMs, 0, MAX_DELAY_MS),
    retries,
    retryBackoffMs: intInRange('retryBackoffMs', c.retryBackoffMs, 0, MAX_DELAY_MS),
    retryBackoffMaxMs: intInRange('retryBackoffMaxMs', c.retryBackoffMaxMs, 0, MAX_DELAY_MS),
    deliveryTimeoutMs: resolveDeliveryTimeout(input.deliveryTimeoutMs, lingerMs, requestTimeoutMs),
    requestTimeoutMs,
    maxRequestSize: intInRange('maxRequestSize', c.maxRequestSize, MIN_REQUEST_BYTES, MAX_INT32),
    maxInFlightRequestsPerConnection: maxInFlight,
    compressionType: oneOf('compressionType', c.compressionType, ['none', 'gzip'] as const),
    enableIdempotence: resolveIdempotence(input.enableIdempotence, acks, retries, maxInFlight),
    transactionalId: resolveTransactionalId(c.transactionalId),
    transactionTimeoutMs: intInRange('transactionTimeoutMs', c.transactionTimeoutMs, 1, MAX_DELAY_MS),
  };
  if (config.transactionalId !== null && !config.enableIdempotence) {
    throw new ConfigError(
      'enableIdempotence',
      false,
      `true when transactionalId is set (${config.transactionalId}): transactions need idempotence`,
    );
  }
  return config;
}

function resolveTransactionalId(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== 'string' || value.length === 0 || value.length > 0x7fff) {
    throw new ConfigError(
      'transactionalId',
      value,
      'null, or a non-empty string of at most 32767 characters',
    );
  }
  return value;
}

function resolveAcks(value: unknown): Acks {
  if (value === 'all' || value === -1) return 'all';
  if (value === 1 || value === 0) return value;
  throw new ConfigError('acks', value, "'all' (or -1), 1 or 0");
}

function resolveDeliveryTimeout(given: unknown, lingerMs: number, requestTimeoutMs: number): number {
  const least = lingerMs + requestTimeoutMs;
  // Kafka raises an unset delivery timeout to fit the other two, but refuses an explicit one that
  // does not: a batch must be allowed to linger and then wait out one whole request.
  if (given === undefined)
    return Math.min(MAX_DELAY_MS, Math.max(DEFAULT_PRODUCER_CONFIG.deliveryTimeoutMs, least));
  const value = intInRange('deliveryTimeoutMs', given, 0, MAX_DELAY_MS);
  if (value < least) {
    throw new ConfigError(
      'deliveryTimeoutMs',
      value,
      `at least lingerMs + requestTimeoutMs (${lingerMs} + ${requestTimeoutMs} = ${least})`,
    );
  }
  return value;
}

function resolveIdempotence(given: unknown, acks: Acks, retries: number, maxInFlight: number): boolean {
  const conflict =
    acks !== 'all'
      ? `acks 'all' (acks is ${acks})`
      : retries === 0
        ? 'retries above 0'
        : maxInFlight > MAX_IDEMPOTENT_IN_FLIGHT
          ? `maxInFlightRequestsPerConnection at most ${MAX_IDEMPOTENT_IN_FLIGHT} (it is ${maxInFlight})`
          : undefined;
  if (given === undefined) return conflict === undefined;
  const enabled = bool('enableIdempotence', given);
  if (enabled && conflict !== undefined) {
    throw new ConfigError('enableIdempotence', true, `false, or true only with ${conflict}`);
  }
  return enabled;
}
