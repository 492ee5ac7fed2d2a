/**
 * The byte layout of Kafka's RecordBatch v2 (magic 2) header, and the checks that decide whether
 * bytes at a position form a whole, valid batch. The storage engine uses these directly: it never
 * decodes records to append, assign offsets or recover a segment.
 *
 * ```
 * baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8 | crc uint32 |
 * attributes int16 | lastOffsetDelta int32 | baseTimestamp int64 | maxTimestamp int64 |
 * producerId int64 | producerEpoch int16 | baseSequence int32 | recordsCount int32 | records…
 * ```
 * The CRC-32C covers attributes to the end, so baseOffset and partitionLeaderEpoch can be
 * rewritten without recomputing it.
 */
import {
  readInt16,
  readInt32,
  readInt64,
  readUint32,
  writeInt16,
  writeInt32,
  writeInt64,
} from '../../common/bytes.js';
import { crc32c } from '../../common/crc32c.js';

/** Byte offsets of the header fields. */
export const BatchField = {
  baseOffset: 0,
  batchLength: 8,
  partitionLeaderEpoch: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  baseTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordsCount: 57,
  records: 61,
} as const;

/** Size of the fixed header, up to the first record. */
export const BATCH_HEADER_BYTES = 61;
/** baseOffset and batchLength: the bytes before what batchLength counts. */
export const LOG_OVERHEAD_BYTES = 12;
/** The only magic millrace reads and writes. */
export const CURRENT_MAGIC = 2;

/** Attribute bits. */
export const BatchAttribute = {
  compressionMask: 0x07,
  timestampTypeLogAppend: 0x08,
  transactional: 0x10,
  control: 0x20,
  deleteHorizon: 0x40,
} as const;

/** The outcome of checking a batch's bytes; `Ok` is 0 so a caller can test for truthiness. */
export const BatchCheck = {
  Ok: 0,
  /** The bytes end before the batch does: a torn write, or simply the end of the data. */
  Truncated: 1,
  /** batchLength is smaller than the fixed header or larger than the allowed maximum. */
  BadLength: 2,
  BadMagic: 3,
  BadCrc: 4,
} as const;
/** One of the BatchCheck outcomes. */
export type BatchCheck = (typeof BatchCheck)[keyof typeof BatchCheck];

/**
 * Checks whether the bytes at `pos` (up to `end`) hold one whole, valid v2 batch: length, magic
 * and CRC-32C. Does not throw.
 *
 * @example
 * ```ts
 * if (checkBatchAt(buf, 0, buf.length, 1 << 20) !== BatchCheck.Ok) truncateHere();
 * ```
 */
export function checkBatchAt(buf: Uint8Array, pos: number, end: number, maxBatchBytes: number): BatchCheck {
  if (end - pos < LOG_OVERHEAD_BYTES) return BatchCheck.Truncated;
  const length = readInt32(buf, pos + BatchField.batchLength);
  if (length < BATCH_HEADER_BYTES - LOG_OVERHEAD_BYTES || length + LOG_OVERHEAD_BYTES > maxBatchBytes) {
    return BatchCheck.BadLength;
  }
  const size = length + LOG_OVERHEAD_BYTES;
  if (end - pos < BatchField.crc) return BatchCheck.Truncated;
  if (buf[pos + BatchField.magic] !== CURRENT_MAGIC) return BatchCheck.BadMagic;
  if (end - pos < size) return BatchCheck.Truncated;
  const stored = readUint32(buf, pos + BatchField.crc);
  const computed = crc32c(buf.subarray(pos + BatchField.attributes, pos + size));
  return stored === computed ? BatchCheck.Ok : BatchCheck.BadCrc;
}

/**
 * Describes a failed check in words, for error messages.
 *
 * @example
 * ```ts
 * throw new CorruptRecordError(`batch at byte ${pos}: ${describeBatchCheck(check, buf, pos)}`);
 * ```
 */
export function describeBatchCheck(check: BatchCheck, buf: Uint8Array, pos: number): string {
  switch (check) {
    case BatchCheck.Ok:
      return 'valid';
    case BatchCheck.Truncated:
      return 'the data ends before the batch does (truncated)';
    case BatchCheck.BadLength:
      return `batchLength ${readInt32(buf, pos + BatchField.batchLength)} is out of range`;
    case BatchCheck.BadMagic:
      return `magic ${buf[pos + BatchField.magic]} is not 2 (only RecordBatch v2 is supported)`;
    case BatchCheck.BadCrc: {
      const stored = readUint32(buf, pos + BatchField.crc);
      const size = batchSizeAt(buf, pos);
      const computed = crc32c(buf.subarray(pos + BatchField.attributes, pos + size));
      return `CRC-32C mismatch (stored 0x${stored.toString(16)}, computed 0x${computed.toString(16)})`;
    }
  }
}

/**
 * Total size in bytes of the batch at `pos`, from its batchLength field.
 *
 * @example
 * ```ts
 * const next = pos + batchSizeAt(buf, pos);
 * ```
 */
export function batchSizeAt(buf: Uint8Array, pos: number): number {
  return readInt32(buf, pos + BatchField.batchLength) + LOG_OVERHEAD_BYTES;
}

/**
 * The base offset of the batch at `pos`.
 *
 * @example
 * ```ts
 * const base = batchBaseOffset(buf, pos);
 * ```
 */
export function batchBaseOffset(buf: Uint8Array, pos: number): number {
  return readInt64(buf, pos + BatchField.baseOffset);
}

/**
 * The last offset of the batch at `pos`: base offset plus lastOffsetDelta.
 *
 * @example
 * ```ts
 * const next = batchLastOffset(buf, pos) + 1;
 * ```
 */
export function batchLastOffset(buf: Uint8Array, pos: number): number {
  return readInt64(buf, pos + BatchField.baseOffset) + readInt32(buf, pos + BatchField.lastOffsetDelta);
}

/**
 * lastOffsetDelta of the batch at `pos`.
 *
 * @example
 * ```ts
 * const span = batchLastOffsetDelta(buf, pos) + 1;
 * ```
 */
export function batchLastOffsetDelta(buf: Uint8Array, pos: number): number {
  return readInt32(buf, pos + BatchField.lastOffsetDelta);
}

/**
 * recordsCount of the batch at `pos`.
 *
 * @example
 * ```ts
 * const count = batchRecordsCount(buf, pos);
 * ```
 */
export function batchRecordsCount(buf: Uint8Array, pos: number): number {
  return readInt32(buf, pos + BatchField.recordsCount);
}

/**
 * maxTimestamp of the batch at `pos`.
 *
 * @example
 * ```ts
 * const newest = batchMaxTimestamp(buf, pos);
 * ```
 */
export function batchMaxTimestamp(buf: Uint8Array, pos: number): number {
  return readInt64(buf, pos + BatchField.maxTimestamp);
}

/**
 * The attributes of the batch at `pos`.
 *
 * @example
 * ```ts
 * const isControl = (batchAttributes(buf, pos) & BatchAttribute.control) !== 0;
 * ```
 */
export function batchAttributes(buf: Uint8Array, pos: number): number {
  return readInt16(buf, pos + BatchField.attributes);
}

/**
 * The partition leader epoch stamped on the batch at `pos`.
 *
 * @example
 * ```ts
 * const epoch = batchPartitionLeaderEpoch(buf, pos);
 * ```
 */
export function batchPartitionLeaderEpoch(buf: Uint8Array, pos: number): number {
  return readInt32(buf, pos + BatchField.partitionLeaderEpoch);
}

/**
 * Rewrites the base offset of the batch at `pos` in place. The CRC does not cover it, so the
 * batch stays valid: this is how a leader assigns offsets without re-encoding.
 *
 * @example
 * ```ts
 * setBatchBaseOffset(batch, 0, logEndOffset);
 * ```
 */
export function setBatchBaseOffset(buf: Uint8Array, pos: number, baseOffset: number): void {
  writeInt64(buf, pos + BatchField.baseOffset, baseOffset);
}

/**
 * Rewrites the partition leader epoch of the batch at `pos` in place (also outside the CRC).
 *
 * @example
 * ```ts
 * setBatchPartitionLeaderEpoch(batch, 0, leaderEpoch);
 * ```
 */
export function setBatchPartitionLeaderEpoch(buf: Uint8Array, pos: number, epoch: number): void {
  writeInt32(buf, pos + BatchField.partitionLeaderEpoch, epoch);
}

/**
 * The producer fields of a batch header: who wrote it, which incarnation, where its records start
 * in the producer's sequence for the partition, and whether it belongs to a transaction.
 */
export interface BatchProducerState {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  isTransactional: boolean;
}

/**
 * Rewrites the producer fields and the transactional bit of the batch at `pos` in place and
 * recomputes its CRC (these fields are inside it). An idempotent producer stamps a batch when it
 * is first drained, because the sequence is only known then (batches may fill and close before the
 * producer id arrives), and again after an epoch bump resets its sequences.
 *
 * @example
 * ```ts
 * setBatchProducerState(batch.bytes, 0, { producerId: 7, producerEpoch: 0, baseSequence: 40, isTransactional: false });
 * ```
 */
export function setBatchProducerState(buf: Uint8Array, pos: number, state: BatchProducerState): void {
  writeInt64(buf, pos + BatchField.producerId, state.producerId);
  writeInt16(buf, pos + BatchField.producerEpoch, state.producerEpoch);
  writeInt32(buf, pos + BatchField.baseSequence, state.baseSequence);
  const attributes = readInt16(buf, pos + BatchField.attributes);
  const next = state.isTransactional
    ? attributes | BatchAttribute.transactional
    : attributes & ~BatchAttribute.transactional;
  writeInt16(buf, pos + BatchField.attributes, next);
  const end = pos + batchSizeAt(buf, pos);
  writeInt32(buf, pos + BatchField.crc, crc32c(buf.subarray(pos + BatchField.attributes, end)));
}
