/**
 * Frames records into one Kafka RecordBatch v2. Records are written straight into one growing
 * Buffer as they are appended (no intermediate objects), and the header and CRC-32C are filled in
 * by `build()`. A builder is meant to be reused with `reset()`, so on the hot path the buffer
 * grows geometrically a few times and then stays (DESIGN.md §3 rule 4).
 */
import { writeInt16, writeInt32, writeInt64 } from '../../common/bytes.js';
import { bool, intInRange, oneOf, rejectUnknownKeys } from '../../common/config.js';
import { crc32c } from '../../common/crc32c.js';
import { IllegalStateError, RecordTooLargeError } from '../../common/errors.js';
import { sizeOfVarint, sizeOfVarlong, writeVarint, writeVarlong } from '../../common/varint.js';
import {
  BATCH_HEADER_BYTES,
  BatchAttribute,
  BatchField,
  CURRENT_MAGIC,
  LOG_OVERHEAD_BYTES,
} from './batch-layout.js';
import { assertCompressionSupported, compressRecords } from './compression.js';
import { CompressionCode, type CompressionType, type RecordInput, type TimestampType } from './record.js';

/**
 * Options of a RecordBatchBuilder; every key is optional and defaults as documented.
 *
 * @example
 * ```ts
 * const options: RecordBatchBuilderOptions = { compression: 'gzip', maxBatchBytes: 256 * 1024 };
 * ```
 */
export interface RecordBatchBuilderOptions {
  /** Offset of the first record; a leader overwrites it on append. Default 0. */
  baseOffset?: number;
  /** Default -1 (unknown); a leader stamps its epoch on append. */
  partitionLeaderEpoch?: number;
  /** Idempotent/transactional producer id; -1 (default) for a plain producer. */
  producerId?: number;
  /** Default -1. */
  producerEpoch?: number;
  /** Sequence number of the first record; -1 (default) for a plain producer. */
  baseSequence?: number;
  /** Attribute bit 4. Default false. */
  isTransactional?: boolean;
  /** Attribute bit 5: a batch of control records (transaction markers). Default false. */
  isControl?: boolean;
  /** Codec of the records section. Default 'none'; snappy, lz4 and zstd are refused. */
  compression?: CompressionType;
  /** Attribute bit 3. Default 'CreateTime'. */
  timestampType?: TimestampType;
  /**
   * Hard limit on the whole batch, header included. Default 1 MiB. A gzip batch is limited by
   * its uncompressed size, so it never exceeds the limit either.
   */
  maxBatchBytes?: number;
  /**
   * When set, sets attribute bit 6 and stores this in baseTimestamp (record timestamps are then
   * deltas from it), as a compacted log does for batches holding tombstones. Default unset.
   */
  deleteHorizonMs?: number;
  /** Timestamp of records appended without one. Default 0: pass `clock.nowMs()`. */
  defaultTimestampMs?: number;
  /**
   * The batch's lastOffsetDelta when larger than the last record's offset delta: a compacted
   * batch keeps the offset span it was written with even when its last records are gone.
   * Default: the last record's offset delta.
   */
  lastOffsetDelta?: number;
}

type ResolvedOptions = Required<Omit<RecordBatchBuilderOptions, 'deleteHorizonMs' | 'lastOffsetDelta'>> & {
  deleteHorizonMs: number | undefined;
  lastOffsetDelta: number | undefined;
};

/**
 * The defaults of RecordBatchBuilderOptions, in one place.
 *
 * @example
 * ```ts
 * const limit = options.maxBatchBytes ?? DEFAULT_RECORD_BATCH_BUILDER_OPTIONS.maxBatchBytes;
 * ```
 */
export const DEFAULT_RECORD_BATCH_BUILDER_OPTIONS: Readonly<ResolvedOptions> = Object.freeze({
  baseOffset: 0,
  partitionLeaderEpoch: -1,
  producerId: -1,
  producerEpoch: -1,
  baseSequence: -1,
  isTransactional: false,
  isControl: false,
  compression: 'none',
  timestampType: 'CreateTime',
  maxBatchBytes: 1024 * 1024,
  deleteHorizonMs: undefined,
  defaultTimestampMs: 0,
  lastOffsetDelta: undefined,
});

const OPTION_KEYS = Object.keys(DEFAULT_RECORD_BATCH_BUILDER_OPTIONS);
const MAX_INT32 = 0x7fffffff;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** The smallest possible record: length, attributes, deltas, null key and value, no headers. */
const MIN_RECORD_BYTES = 7;
/** |timestampDelta| bound: the decoder refuses zig-zag varlongs beyond the safe-integer range. */
const MAX_TIMESTAMP_DELTA = 2 ** 52;
/** Below this length a byte loop beats `Uint8Array#set`, whose call overhead dominates. */
const SMALL_COPY_BYTES = 16;
const INITIAL_CAPACITY_BYTES = 16 * 1024;

/**
 * Builds one RecordBatch v2 from appended records.
 *
 * `append` returns false, appending nothing, when the record would push the batch past
 * `maxBatchBytes`: build this batch and start the next. A record too large to fit even in an
 * empty batch throws RecordTooLargeError instead, since no batch could ever take it.
 *
 * @example
 * ```ts
 * const builder = new RecordBatchBuilder({ producerId: 7, producerEpoch: 0, baseSequence: 0 });
 * for (const value of values) {
 *   if (!builder.append({ value, timestamp: clock.nowMs() })) {
 *     send(builder.build());
 *     builder.reset();
 *     builder.append({ value, timestamp: clock.nowMs() });
 *   }
 * }
 * if (builder.recordCount > 0) send(builder.build());
 * ```
 * @throws ConfigError for an unknown or out-of-range option; UnsupportedCompressionError for
 * snappy, lz4 and zstd.
 */
export class RecordBatchBuilder {
  private options: ResolvedOptions;
  private buf: Buffer;
  /** Write position: the end of the last appended record. */
  private pos = BATCH_HEADER_BYTES;
  private count = 0;
  /** Offset delta of the last appended record (-1 when empty). */
  private lastDelta = -1;
  private baseTimestamp = 0;
  private maxTimestamp = 0;
  // Results of the last measure(), so append() does not compute them twice.
  private measuredTimestamp = 0;
  private measuredDelta = 0;
  private measuredBodyBytes = 0;
  /** Whether the last finish() returned a view of `buf` (so build() must copy it). */
  private finishedInPlace = false;
  /** UTF-8 lengths of the measured record's header keys; reused, never reallocated per record. */
  private readonly headerKeyBytes: number[] = [];

  constructor(options: RecordBatchBuilderOptions = {}) {
    this.options = resolveOptions(options);
    this.buf = Buffer.allocUnsafe(Math.min(INITIAL_CAPACITY_BYTES, this.options.maxBatchBytes));
  }

  /** The number of records appended since construction or the last reset. */
  get recordCount(): number {
    return this.count;
  }

  /**
   * The size of the batch `build()` would return now: exact for 'none'; for 'gzip' the
   * uncompressed size, an upper bound, since a batch that gzip would grow is written uncompressed.
   */
  get sizeInBytes(): number {
    return this.pos;
  }

  /**
   * Appends a record. Returns false, appending nothing, if the batch is not empty and the record
   * would push it past maxBatchBytes.
   *
   * @example
   * ```ts
   * const appended = builder.append({ key: null, value: Buffer.from('v'), timestamp: 1000 });
   * ```
   * @throws RecordTooLargeError when the batch is empty and the record alone exceeds maxBatchBytes;
   * RangeError when the timestamp is not a safe integer or lies more than 2^52 ms from the batch's
   * base timestamp.
   */
  append(record: RecordInput, offsetDelta: number = this.lastDelta + 1): boolean {
    if (!Number.isInteger(offsetDelta) || offsetDelta <= this.lastDelta || offsetDelta > 0x7fffffff) {
      throw new RangeError(
        `offset delta ${offsetDelta} must be an integer above the previous one (${this.lastDelta})`,
      );
    }
    const total = this.measure(record, offsetDelta);
    const end = this.pos + total;
    if (end > this.options.maxBatchBytes) {
      if (this.count > 0) return false;
      throw new RecordTooLargeError(
        `a record of ${total} bytes does not fit in a batch of at most maxBatchBytes ` +
          `${this.options.maxBatchBytes} (the header takes ${BATCH_HEADER_BYTES}); ` +
          'send a smaller record or raise maxBatchBytes',
      );
    }
    if (end > this.buf.length) this.grow(end);
    const buf = this.buf;
    let pos = writeVarint(buf, this.pos, this.measuredBodyBytes);
    // Record attributes: Kafka defines no bits, so they are always written as zero.
    buf[pos++] = 0;
    pos = writeVarlong(buf, pos, this.measuredDelta);
    pos = writeVarint(buf, pos, offsetDelta);
    pos = writeNullableBytes(buf, pos, record.key);
    pos = writeNullableBytes(buf, pos, record.value);
    const headers = record.headers;
    if (headers === undefined || headers.length === 0) {
      buf[pos++] = 0;
    } else {
      pos = writeVarint(buf, pos, headers.length);
      const keyBytes = this.headerKeyBytes;
      for (let i = 0; i < headers.length; i++) {
        const header = headers[i]!;
        pos = writeVarint(buf, pos, keyBytes[i]!);
        pos += buf.write(header.key, pos, keyBytes[i]!, 'utf8');
        pos = writeNullableBytes(buf, pos, header.value);
      }
    }
    this.pos = pos;
    const timestamp = this.measuredTimestamp;
    if (this.count === 0) {
      this.baseTimestamp = timestamp - this.measuredDelta;
      this.maxTimestamp = timestamp;
    } else if (timestamp > this.maxTimestamp) {
      this.maxTimestamp = timestamp;
    }
    this.count++;
    this.lastDelta = offsetDelta;
    return true;
  }

  /**
   * Whether `append(record)` would append it now (false both when the batch is full and when the
   * record could never fit).
   *
   * @example
   * ```ts
   * if (!builder.hasRoomFor(record)) flush();
   * ```
   * @throws RangeError for a timestamp that append would refuse.
   */
  hasRoomFor(record: RecordInput): boolean {
    return this.pos + this.measure(record, this.lastDelta + 1) <= this.options.maxBatchBytes;
  }

  /**
   * Returns the batch as a new Buffer of exactly its length, with lastOffsetDelta, the timestamps
   * and the CRC-32C filled in. The builder is unchanged: more records may still be appended, or
   * `reset()` starts the next batch in the same internal buffer.
   *
   * @example
   * ```ts
   * const batch = builder.build();
   * ```
   * @throws IllegalStateError when no record has been appended.
   */
  build(): Buffer {
    const batch = this.finish();
    if (!this.finishedInPlace) return batch;
    const out = Buffer.allocUnsafe(batch.length);
    batch.copy(out);
    return out;
  }

  /**
   * Like `build()`, but for an uncompressed batch returns a view of the builder's internal buffer
   * instead of a copy: no allocation, no copy. The view is valid only until the next `append`,
   * `reset` or build, so use it synchronously (write it to a segment or socket buffer, or copy it).
   *
   * @example
   * ```ts
   * fs.writeSync(fd, builder.buildView());
   * builder.reset({ baseOffset: nextOffset });
   * ```
   * @throws IllegalStateError when no record has been appended.
   */
  buildView(): Buffer {
    return this.finish();
  }

  /** Fills in the header and CRC; returns the internal buffer's bytes, or a new compressed batch. */
  private finish(): Buffer {
    if (this.count === 0) {
      throw new IllegalStateError('cannot build a record batch with no records; append one first');
    }
    const { compression } = this.options;
    const size = this.pos;
    if (compression !== 'none') {
      const compressed = compressRecords(compression, this.buf.subarray(BATCH_HEADER_BYTES, size));
      // Incompressible records would make the batch bigger than maxBatchBytes allows; written
      // uncompressed instead, they keep sizeInBytes an upper bound and every reader still copes.
      if (BATCH_HEADER_BYTES + compressed.length < size) {
        const out = Buffer.allocUnsafe(BATCH_HEADER_BYTES + compressed.length);
        out.set(compressed, BATCH_HEADER_BYTES);
        this.writeHeader(out, out.length, CompressionCode[compression]);
        this.finishedInPlace = false;
        return out;
      }
    }
    this.writeHeader(this.buf, size, CompressionCode.none);
    this.finishedInPlace = true;
    return this.buf.subarray(0, size);
  }

  /**
   * Empties the builder for the next batch, keeping its buffer. Options given replace the current
   * ones key by key (others stay); a key given as undefined returns to its default.
   *
   * @example
   * ```ts
   * builder.reset({ baseSequence: nextSequence });
   * ```
   * @throws ConfigError or UnsupportedCompressionError as the constructor does.
   */
  reset(options?: RecordBatchBuilderOptions): void {
    if (options !== undefined) {
      rejectUnknownKeys('RecordBatchBuilderOptions', options, OPTION_KEYS);
      this.options = resolveOptions({ ...this.options, ...options });
    }
    this.pos = BATCH_HEADER_BYTES;
    this.count = 0;
    this.lastDelta = -1;
  }

  /** Computes the record's encoded size (length prefix included) and keeps the pieces for append. */
  private measure(record: RecordInput, offsetDelta: number): number {
    const timestamp = record.timestamp ?? this.options.defaultTimestampMs;
    const base = this.count > 0 ? this.baseTimestamp : (this.options.deleteHorizonMs ?? timestamp);
    const delta = timestamp - base;
    if (!Number.isSafeInteger(timestamp) || delta > MAX_TIMESTAMP_DELTA - 1 || delta < -MAX_TIMESTAMP_DELTA) {
      throw new RangeError(
        `record timestamp ${timestamp} must be a safe integer within 2^52 ms of the batch's base timestamp ${base}`,
      );
    }
    let body = 1 + sizeOfVarlong(delta) + sizeOfVarint(offsetDelta);
    const key = record.key;
    body += key == null ? 1 : sizeOfVarint(key.length) + key.length;
    const value = record.value;
    body += value == null ? 1 : sizeOfVarint(value.length) + value.length;
    const headers = record.headers;
    if (headers === undefined || headers.length === 0) {
      body += 1;
    } else {
      body += sizeOfVarint(headers.length);
      const keyBytes = this.headerKeyBytes;
      for (let i = 0; i < headers.length; i++) {
        const header = headers[i]!;
        const headerKeyBytes = Buffer.byteLength(header.key, 'utf8');
        keyBytes[i] = headerKeyBytes;
        body += sizeOfVarint(headerKeyBytes) + headerKeyBytes;
        const headerValue = header.value;
        body += headerValue == null ? 1 : sizeOfVarint(headerValue.length) + headerValue.length;
      }
    }
    this.measuredTimestamp = timestamp;
    this.measuredDelta = delta;
    this.measuredBodyBytes = body;
    return sizeOfVarint(body) + body;
  }

  /** Grows the buffer to at least `needed` bytes, doubling so growth is rare, never per record. */
  private grow(needed: number): void {
    const capacity = Math.max(needed, Math.min(this.buf.length * 2, this.options.maxBatchBytes));
    const next = Buffer.allocUnsafe(capacity);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Writes the header fields into `target` (whose records are in place) and then the CRC. */
  private writeHeader(target: Buffer, size: number, compressionCode: number): void {
    const o = this.options;
    let attributes = compressionCode;
    if (o.timestampType === 'LogAppendTime') attributes |= BatchAttribute.timestampTypeLogAppend;
    if (o.isTransactional) attributes |= BatchAttribute.transactional;
    if (o.isControl) attributes |= BatchAttribute.control;
    if (o.deleteHorizonMs !== undefined) attributes |= BatchAttribute.deleteHorizon;
    writeInt64(target, BatchField.baseOffset, o.baseOffset);
    writeInt32(target, BatchField.batchLength, size - LOG_OVERHEAD_BYTES);
    writeInt32(target, BatchField.partitionLeaderEpoch, o.partitionLeaderEpoch);
    target[BatchField.magic] = CURRENT_MAGIC;
    writeInt16(target, BatchField.attributes, attributes);
    writeInt32(target, BatchField.lastOffsetDelta, Math.max(this.lastDelta, o.lastOffsetDelta ?? -1));
    writeInt64(target, BatchField.baseTimestamp, this.baseTimestamp);
    writeInt64(target, BatchField.maxTimestamp, this.maxTimestamp);
    writeInt64(target, BatchField.producerId, o.producerId);
    writeInt16(target, BatchField.producerEpoch, o.producerEpoch);
    writeInt32(target, BatchField.baseSequence, o.baseSequence);
    writeInt32(target, BatchField.recordsCount, this.count);
    writeInt32(target, BatchField.crc, crc32c(target.subarray(BatchField.attributes, size)));
  }
}

/**
 * Builds one batch holding all of `records`.
 *
 * @example
 * ```ts
 * const batch = buildRecordBatch([{ key: Buffer.from('k'), value: Buffer.from('v'), timestamp: 1000 }]);
 * ```
 * @throws RecordTooLargeError when the records do not fit in `maxBatchBytes` together;
 * IllegalStateError when `records` is empty; ConfigError for bad options.
 */
export function buildRecordBatch(
  records: readonly RecordInput[],
  options: RecordBatchBuilderOptions = {},
): Buffer {
  const builder = new RecordBatchBuilder(options);
  for (let i = 0; i < records.length; i++) {
    if (!builder.append(records[i]!)) {
      throw new RecordTooLargeError(
        `${records.length} records do not fit in one batch of at most maxBatchBytes ` +
          `${options.maxBatchBytes ?? DEFAULT_RECORD_BATCH_BUILDER_OPTIONS.maxBatchBytes} (record ${i} is the ` +
          'first that does not); split them or raise maxBatchBytes',
      );
    }
  }
  return builder.build();
}

/** Writes a varint length (-1 for null) and the bytes. */
function writeNullableBytes(buf: Buffer, pos: number, bytes: Uint8Array | null | undefined): number {
  if (bytes == null) {
    buf[pos] = 1; // zig-zag -1
    return pos + 1;
  }
  const length = bytes.length;
  pos = writeVarint(buf, pos, length);
  if (length < SMALL_COPY_BYTES) {
    for (let i = 0; i < length; i++) buf[pos + i] = bytes[i]!;
  } else {
    buf.set(bytes, pos);
  }
  return pos + length;
}

function resolveOptions(options: RecordBatchBuilderOptions): ResolvedOptions {
  rejectUnknownKeys('RecordBatchBuilderOptions', options, OPTION_KEYS);
  const d = DEFAULT_RECORD_BATCH_BUILDER_OPTIONS;
  const compression = oneOf('compression', options.compression ?? d.compression, [
    'none',
    'gzip',
    'snappy',
    'lz4',
    'zstd',
  ] as const);
  assertCompressionSupported(compression);
  const deleteHorizonMs = options.deleteHorizonMs;
  return {
    baseOffset: intInRange('baseOffset', options.baseOffset ?? d.baseOffset, 0, MAX_SAFE),
    partitionLeaderEpoch: intInRange(
      'partitionLeaderEpoch',
      options.partitionLeaderEpoch ?? d.partitionLeaderEpoch,
      -1,
      MAX_INT32,
    ),
    producerId: intInRange('producerId', options.producerId ?? d.producerId, -1, MAX_SAFE),
    producerEpoch: intInRange('producerEpoch', options.producerEpoch ?? d.producerEpoch, -1, 0x7fff),
    baseSequence: intInRange('baseSequence', options.baseSequence ?? d.baseSequence, -1, MAX_INT32),
    isTransactional: bool('isTransactional', options.isTransactional ?? d.isTransactional),
    isControl: bool('isControl', options.isControl ?? d.isControl),
    compression,
    timestampType: oneOf('timestampType', options.timestampType ?? d.timestampType, [
      'CreateTime',
      'LogAppendTime',
    ] as const),
    maxBatchBytes: intInRange(
      'maxBatchBytes',
      options.maxBatchBytes ?? d.maxBatchBytes,
      BATCH_HEADER_BYTES + MIN_RECORD_BYTES,
      MAX_INT32,
    ),
    deleteHorizonMs:
      deleteHorizonMs === undefined
        ? undefined
        : intInRange('deleteHorizonMs', deleteHorizonMs, -MAX_SAFE, MAX_SAFE),
    defaultTimestampMs: intInRange(
      'defaultTimestampMs',
      options.defaultTimestampMs ?? d.defaultTimestampMs,
      -MAX_SAFE,
      MAX_SAFE,
    ),
    lastOffsetDelta:
      options.lastOffsetDelta === undefined
        ? undefined
        : intInRange('lastOffsetDelta', options.lastOffsetDelta, 0, MAX_INT32),
  };
}
