/**
 * The broker-independent core of the producer: Kafka's murmur2 key partitioning and sticky
 * partitioning, the record accumulator (batching, linger, buffer memory with back-pressure,
 * retries, delivery timeouts) and the producer's config. Named re-exports of the public surface
 * only; the builder pool, deadline timer, partition queues and size estimate stay internal.
 */
export type {
  DrainOptions,
  DrainResult,
  FailOutcome,
  RecordAccumulatorOptions,
} from './accumulator-types.js';
export { murmur2, partitionForKey, toPositive } from './murmur2.js';
export { DefaultPartitioner } from './partitioner.js';
export { type ConsumerGroupMetadata, Producer, type TransactionOffset } from './producer.js';
export { ProducerBatch, type ProducerBatchState } from './producer-batch.js';
export {
  type Acks,
  DEFAULT_PRODUCER_CONFIG,
  type ProducerCompressionType,
  type ProducerConfig,
  type ProducerConfigInput,
  resolveProducerConfig,
} from './producer-config.js';
export { BufferExhaustedError, DeliveryTimeoutError } from './producer-errors.js';
export type { DeliveryCallback, ProducerRecord, RecordMetadata, TopicPartitions } from './producer-types.js';
export { RecordAccumulator } from './record-accumulator.js';
export type { TransactionState } from './transaction-manager.js';
