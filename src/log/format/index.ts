/**
 * Kafka's RecordBatch v2 codec: the header layout and checks, the record types, the batch builder
 * and decoder, compression, and control (transaction marker) records. Named re-exports only.
 */
export {
  BATCH_HEADER_BYTES,
  BatchAttribute,
  BatchCheck,
  BatchField,
  batchAttributes,
  batchBaseOffset,
  batchLastOffset,
  batchLastOffsetDelta,
  batchMaxTimestamp,
  batchPartitionLeaderEpoch,
  batchRecordsCount,
  batchSizeAt,
  CURRENT_MAGIC,
  checkBatchAt,
  describeBatchCheck,
  LOG_OVERHEAD_BYTES,
  setBatchBaseOffset,
  setBatchPartitionLeaderEpoch,
} from './batch-layout.js';
export {
  assertCompressionSupported,
  compressionTypeOf,
  compressRecords,
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  decompressRecords,
} from './compression.js';
export {
  buildControlBatch,
  type ControlBatchInput,
  type ControlRecord,
  parseControlRecord,
} from './control-record.js';
export {
  CompressionCode,
  type CompressionType,
  type Record,
  type RecordHeader,
  type RecordInput,
  type TimestampType,
} from './record.js';
export {
  buildRecordBatch,
  DEFAULT_RECORD_BATCH_BUILDER_OPTIONS,
  RecordBatchBuilder,
  type RecordBatchBuilderOptions,
} from './record-batch-builder.js';
export {
  decodeRecords,
  type IterateBatchesOptions,
  iterateBatches,
  type RecordBatchDecoderOptions,
  RecordBatchView,
  RecordIterator,
} from './record-batch-decoder.js';
