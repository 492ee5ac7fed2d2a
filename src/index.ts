/**
 * millrace's public API: named re-exports only (DESIGN.md §2). What is not exported here is
 * internal and may change without notice.
 */
export { assert } from './common/assert.js';
export {
  AssertionFailedError,
  ChangelogCorruptError,
  ConfigError,
  CorruptRecordError,
  IllegalStateError,
  InvalidRecordError,
  LogCorruptedError,
  MillraceError,
  type MillraceErrorOptions,
  OffsetOutOfRangeError,
  RecordTooLargeError,
  StateDirectoryOwnedError,
  StorageError,
  TopologyError,
  UnsupportedCompressionError,
} from './common/errors.js';
export * from './common/kafka-errors.js';
export {
  ConcurrentTransactionsError,
  InvalidProducerEpochError,
  InvalidProducerIdMappingError,
  InvalidTransactionTimeoutError,
  InvalidTxnStateError,
  OutOfOrderSequenceError,
  ProducerFencedError,
  TransactionAbortableError,
  TransactionCoordinatorFencedError,
  UnknownProducerIdError,
  UnstableOffsetCommitError,
} from './common/transaction-errors.js';
// The DSL's KeyValue has the state stores' shape; only the stores' name is exported.
export {
  type Branched,
  BranchedKStream,
  BufferConfig,
  type Cancellable,
  type Change,
  CogroupedKStream,
  type Consumed,
  type DefaultSerdes,
  type Duration,
  EmitStrategy,
  GlobalKTable,
  type Grouped,
  type Header,
  type Joined,
  JoinWindows,
  KGroupedStream,
  KGroupedTable,
  KStream,
  KTable,
  keyValue,
  type Materialized,
  type Named,
  type Processor,
  type ProcessorContext,
  type ProcessorSupplier,
  type Produced,
  type PunctuationType,
  type RecordMetadata as ProcessorRecordMetadata,
  SessionWindowedKStream,
  SessionWindows,
  SlidingWindows,
  type StoreDefinition,
  type StoreOptions,
  Stores,
  type StreamJoined,
  type StreamRecord,
  StreamsBuilder,
  type SubTopology,
  Suppressed,
  type TimestampExtractorDef,
  TimeWindowedKStream,
  TimeWindows,
  type TopicExtractor,
  type TopicExtractorContext,
  Topology,
  type TopologyNode,
  untilTimeLimit,
  untilWindowCloses,
  type ValueJoiner,
  type Window,
  WindowedSerdes,
  windowed,
} from './dsl/index.js';
export { type BrokerSettings, DEFAULT_BROKER_SETTINGS } from './log/broker/broker-settings.js';
export type { ClusterMetadata, PartitionState, TopicMetadata } from './log/broker/cluster-metadata.js';
export type { CreateTopicRequest } from './log/broker/controller-state.js';
export {
  createCluster,
  EmbeddedCluster,
  type EmbeddedClusterOptions,
} from './log/broker/embedded-cluster.js';
export { DEFAULT_TOPIC_CONFIG, type TopicConfig } from './log/broker/topic-config.js';
export { Admin, type ListedOffset, type OffsetSpec } from './log/client/admin.js';
export { Consumer } from './log/client/consumer/consumer.js';
export { type ConsumerConfig, DEFAULT_CONSUMER_CONFIG } from './log/client/consumer/consumer-config.js';
export type { ConsumerRecord, PolledRecords, TopicPartition } from './log/client/consumer/consumer-record.js';
export { EmbeddedLogClient, type EmbeddedLogClientOptions } from './log/client/embedded-log-client.js';
export {
  BufferExhaustedError,
  type ConsumerGroupMetadata,
  DEFAULT_PRODUCER_CONFIG,
  DeliveryTimeoutError,
  Producer,
  type ProducerConfig,
  type ProducerConfigInput,
  type ProducerRecord,
  partitionForKey,
  type RecordMetadata,
  type TransactionOffset,
  type TransactionState,
} from './log/client/producer/index.js';
export {
  buildControlBatch,
  buildRecordBatch,
  type CompressionType,
  type ControlBatchInput,
  type ControlRecord,
  decodeRecords,
  iterateBatches,
  parseControlRecord,
  type Record,
  RecordBatchBuilder,
  type RecordBatchBuilderOptions,
  RecordBatchView,
  type RecordHeader,
  type RecordInput,
  type TimestampType,
} from './log/format/index.js';
export { type MemoryFsFaults, MemoryStorageFs } from './log/storage/fs/memory-storage-fs.js';
export { NodeStorageFs } from './log/storage/fs/node-storage-fs.js';
export type { StorageFile, StorageFs } from './log/storage/fs/storage-fs.js';
export type { CompactionResult } from './log/storage/log-compactor.js';
export {
  DEFAULT_LOG_CONFIG,
  type FlushPolicy,
  type LogConfig,
  type LogConfigInput,
  resolveLogConfig,
} from './log/storage/log-config.js';
export type { RecoveryReport } from './log/storage/log-recovery.js';
export {
  type AppendInfo,
  PartitionLog,
  type PartitionLogOptions,
  type ReadOptions,
  type ReadResult,
} from './log/storage/partition-log.js';
export type { Clock, TimerHandle } from './runtime/actor/clock.js';
export {
  type ActorContext,
  type ActorEvent,
  type ActorId,
  type ActorInput,
  ActorSystem,
  type ActorSystemOptions,
  type InspectionEvent,
  type Inspector,
  type NetworkFaults,
  type NodeId,
  RpcClient,
  SimulatedNetwork,
  Simulation,
  type SimulationOptions,
  type SpawnSpec,
  TraceRecorder,
} from './runtime/actor/index.js';
export { MessagePortTransport } from './runtime/actor/message-port-transport.js';
export type { Random } from './runtime/actor/random.js';
export { RealClock, realClock } from './runtime/actor/real-clock.js';
export { RealRandom, realRandom } from './runtime/actor/real-random.js';
export { SeededRandom } from './runtime/actor/seeded-random.js';
export { SimulatedClock } from './runtime/actor/simulated-clock.js';
export {
  type AppDefinition,
  createStreamsApp,
  DeserializationError,
  DLQ_HEADERS,
  defineApp,
  type ErrorHandlerPolicy,
  InvalidTimestampError,
  type ObjectSinkCallback,
  ProcessingError,
  ProductionError,
  type RecordErrorPolicy,
  type SinkCallback,
  type StandbyUpdateEvent,
  type StandbyUpdateListener,
  StreamsApp,
  type StreamsAppOptions,
  type StreamsAppState,
  type StreamsConfig,
  StreamTask,
  type StreamTaskOptions,
  type StreamTaskState,
  type StreamThreadMetrics,
  type StreamThreadState,
  SuppressionBufferFullError,
  type TaskStatus,
  type ThreadHandle,
} from './runtime/streams/index.js';
export { StreamThreadFailedError } from './runtime/workers/worker-stream-thread.js';
export * from './serdes/index.js';
export * from './state-stores/index.js';
export {
  type RawTestRecord,
  TestInputTopic,
  TestOutputTopic,
  type TestRecord,
  TopologyTestDriver,
  type TopologyTestDriverOptions,
} from './testing/index.js';
