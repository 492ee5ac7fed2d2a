/**
 * Reads Kafka RecordBatch v2 bytes. A `RecordBatchView` checks a batch's framing (length, magic,
 * CRC-32C, attributes, counts) when it is made, reads header fields straight from the bytes, and
 * decodes records lazily, one per `next()`, so a reader that stops early, or only needs offsets and
 * timestamps from the header, pays for nothing more. Record keys, values and header values are
 * views into the batch bytes (or, for gzip, into the batch's decompressed records), never copies.
 *
 * Every structural problem is a CorruptRecordError that says where (the batch's byte position, the
 * record's ordinal and byte position) and what was wrong.
 */
import { readInt16, readInt32, readInt64 } from '../../common/bytes.js';
import { CorruptRecordError } from '../../common/errors.js';
import { ByteReader } from '../../common/varint.js';
import {
  BATCH_HEADER_BYTES,
  BatchAttribute,
  BatchCheck,
  BatchField,
  batchSizeAt,
  CURRENT_MAGIC,
  checkBatchAt,
  describeBatchCheck,
  LOG_OVERHEAD_BYTES,
} from './batch-layout.js';
import { compressionTypeOf, DEFAULT_MAX_DECOMPRESSED_BYTES, decompressRecords } from './compression.js';
import type { CompressionType, Record, RecordHeader, TimestampType } from './record.js';

/**
 * Builds a caller's record object straight from the decoded fields (see RecordIterator.nextAs).
 *
 * @example
 * ```ts
 * const make: RecordFactory<[number, Uint8Array | null]> = (offset, _ts, _key, value) => [offset, value];
 * ```
 */
export type RecordFactory<T> = (
  offset: number,
  timestamp: number,
  key: Uint8Array | null,
  value: Uint8Array | null,
  headers: readonly RecordHeader[],
) => T;

/**
 * Options of RecordBatchView, iterateBatches and decodeRecords.
 *
 * @example
 * ```ts
 * const view = new RecordBatchView(bytes, 0, { maxBatchBytes: 1024 * 1024 });
 * ```
 */
export interface RecordBatchDecoderOptions {
  /** A batch (header included) larger than this is refused as corrupt. Default: no limit. */
  maxBatchBytes?: number;
  /** A gzip batch inflating beyond this is refused as corrupt. Default 256 MiB. */
  maxDecompressedBytes?: number;
}

/**
 * Options of iterateBatches and decodeRecords.
 *
 * @example
 * ```ts
 * const records = decodeRecords(fetchResponseRecords, { allowPartialTail: true });
 * ```
 */
export interface IterateBatchesOptions extends RecordBatchDecoderOptions {
  /**
   * Stop quietly at a batch cut short by the end of the buffer, as a Kafka fetch response may end
   * mid-batch. Default false: a partial batch is a CorruptRecordError.
   */
  allowPartialTail?: boolean;
}

const NO_LIMIT = Number.MAX_SAFE_INTEGER;
const NO_HEADERS: readonly RecordHeader[] = Object.freeze([]);
/** The smallest record body: attributes, timestampDelta, offsetDelta, key, value, header count. */
const MIN_RECORD_BODY_BYTES = 6;
const MIN_RECORD_BYTES = MIN_RECORD_BODY_BYTES + 1;

/**
 * A validated batch at a position in a buffer: header fields as getters over the bytes, records
 * as a lazy iterator.
 *
 * @example
 * ```ts
 * const view = new RecordBatchView(bytes, 0);
 * console.log(view.baseOffset, view.recordsCount, view.isControl);
 * for (const record of view) handle(record);
 * ```
 * @throws CorruptRecordError when the bytes at `position` are not a whole, valid batch: too short,
 * a bad length, magic or CRC, an undefined compression code, or counts that cannot be right.
 */
export class RecordBatchView implements Iterable<Record> {
  /** The bytes the batch lies in (the whole input, not just this batch). */
  readonly buffer: Buffer;
  /** Where the batch starts in `buffer`. */
  readonly position: number;
  /** The batch's total size, from its batchLength plus the 12 bytes before it. */
  readonly sizeInBytes: number;
  /** The compression of the records section. */
  readonly compression: CompressionType;
  private readonly maxDecompressedBytes: number;
  private decompressed: Buffer | undefined;

  constructor(bytes: Uint8Array, position = 0, options: RecordBatchDecoderOptions = {}) {
    const buffer = asBuffer(bytes);
    this.buffer = buffer;
    this.position = position;
    this.maxDecompressedBytes = options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
    const check = checkBatchAt(buffer, position, buffer.length, options.maxBatchBytes ?? NO_LIMIT);
    if (check !== BatchCheck.Ok) {
      let detail = describeBatchCheck(check, buffer, position);
      if (check === BatchCheck.Truncated) detail += truncationDetail(buffer, position);
      throw new CorruptRecordError(`batch at byte ${position}: ${detail}`);
    }
    this.sizeInBytes = batchSizeAt(buffer, position);
    const attributes = readInt16(buffer, position + BatchField.attributes);
    try {
      this.compression = compressionTypeOf(attributes & BatchAttribute.compressionMask);
    } catch (cause) {
      throw new CorruptRecordError(`batch at byte ${position}: ${(cause as Error).message}`, { cause });
    }
    const count = this.recordsCount;
    const lastOffsetDelta = this.lastOffsetDelta;
    if (count < 0) throw this.corrupt(`recordsCount ${count} is negative`);
    if (lastOffsetDelta < 0) throw this.corrupt(`lastOffsetDelta ${lastOffsetDelta} is negative`);
    if (count > lastOffsetDelta + 1) {
      throw this.corrupt(
        `recordsCount ${count} is more than the ${lastOffsetDelta + 1} offsets the batch spans`,
      );
    }
    const recordsBytes = this.sizeInBytes - BATCH_HEADER_BYTES;
    if (this.compression === 'none' && count * MIN_RECORD_BYTES > recordsBytes) {
      throw this.corrupt(`recordsCount ${count} cannot fit in ${recordsBytes} bytes of records`);
    }
  }

  /** Offset of the first record (possibly removed by compaction). */
  get baseOffset(): number {
    return readInt64(this.buffer, this.position + BatchField.baseOffset);
  }

  /** Offset of the last record the batch was written with: baseOffset + lastOffsetDelta. */
  get lastOffset(): number {
    return this.baseOffset + this.lastOffsetDelta;
  }

  get lastOffsetDelta(): number {
    return readInt32(this.buffer, this.position + BatchField.lastOffsetDelta);
  }

  get partitionLeaderEpoch(): number {
    return readInt32(this.buffer, this.position + BatchField.partitionLeaderEpoch);
  }

  /** The raw attributes int16. */
  get attributes(): number {
    return readInt16(this.buffer, this.position + BatchField.attributes);
  }

  get timestampType(): TimestampType {
    return this.attributes & BatchAttribute.timestampTypeLogAppend ? 'LogAppendTime' : 'CreateTime';
  }

  get isTransactional(): boolean {
    return (this.attributes & BatchAttribute.transactional) !== 0;
  }

  get isControl(): boolean {
    return (this.attributes & BatchAttribute.control) !== 0;
  }

  get hasDeleteHorizon(): boolean {
    return (this.attributes & BatchAttribute.deleteHorizon) !== 0;
  }

  /** The delete horizon (stored in baseTimestamp) when attribute bit 6 is set, else undefined. */
  get deleteHorizonMs(): number | undefined {
    return this.hasDeleteHorizon ? this.baseTimestamp : undefined;
  }

  get baseTimestamp(): number {
    return readInt64(this.buffer, this.position + BatchField.baseTimestamp);
  }

  get maxTimestamp(): number {
    return readInt64(this.buffer, this.position + BatchField.maxTimestamp);
  }

  get producerId(): number {
    return readInt64(this.buffer, this.position + BatchField.producerId);
  }

  get producerEpoch(): number {
    return readInt16(this.buffer, this.position + BatchField.producerEpoch);
  }

  get baseSequence(): number {
    return readInt32(this.buffer, this.position + BatchField.baseSequence);
  }

  get recordsCount(): number {
    return readInt32(this.buffer, this.position + BatchField.recordsCount);
  }

  /** The batch's own bytes (a view, no copy), e.g. to append to a segment as they are. */
  get bytes(): Buffer {
    return this.buffer.subarray(this.position, this.position + this.sizeInBytes);
  }

  /**
   * A fresh iterator that decodes the records one at a time. A gzip batch is inflated once, on
   * the first call, and the result kept for later calls.
   *
   * @example
   * ```ts
   * const records = view.records();
   * for (let r = records.nextRecord(); r !== undefined; r = records.nextRecord()) handle(r);
   * ```
   * @throws UnsupportedCompressionError for snappy, lz4 and zstd; CorruptRecordError for gzip data
   * that does not inflate, or a baseOffset that would put records beyond the safe-integer range.
   */
  records(): RecordIterator {
    const baseOffset = this.baseOffset;
    const lastOffsetDelta = this.lastOffsetDelta;
    if (baseOffset + lastOffsetDelta > Number.MAX_SAFE_INTEGER) {
      throw this.corrupt(`baseOffset ${baseOffset} + lastOffsetDelta ${lastOffsetDelta} is beyond 2^53 - 1`);
    }
    const start = this.position + BATCH_HEADER_BYTES;
    const end = this.position + this.sizeInBytes;
    let data = this.buffer;
    let dataStart = start;
    let dataEnd = end;
    let where = `batch at byte ${this.position}`;
    if (this.compression !== 'none') {
      if (this.decompressed === undefined) {
        const inflated = this.inflate(start, end);
        this.decompressed = asBuffer(inflated);
        if (this.recordsCount * MIN_RECORD_BYTES > inflated.length) {
          throw this.corrupt(
            `recordsCount ${this.recordsCount} cannot fit in ${inflated.length} bytes of records`,
          );
        }
      }
      data = this.decompressed;
      dataStart = 0;
      dataEnd = data.length;
      where += ' (byte positions in its decompressed records)';
    }
    return new RecordIterator(data, dataStart, dataEnd, {
      where,
      count: this.recordsCount,
      baseOffset,
      lastOffsetDelta,
      baseTimestamp: this.baseTimestamp,
      logAppendTime: this.timestampType === 'LogAppendTime' ? this.maxTimestamp : undefined,
    });
  }

  /**
   * Decodes every record without keeping any, so a broker can refuse a malformed batch before
   * appending it.
   *
   * @example
   * ```ts
   * new RecordBatchView(produced).validate();
   * ```
   * @throws CorruptRecordError or UnsupportedCompressionError as `records()` and iteration do.
   */
  validate(): void {
    this.records().skipAll();
  }

  [Symbol.iterator](): RecordIterator {
    return this.records();
  }

  private inflate(start: number, end: number): Uint8Array {
    try {
      return decompressRecords(
        this.attributes & BatchAttribute.compressionMask,
        this.buffer.subarray(start, end),
        this.maxDecompressedBytes,
      );
    } catch (error) {
      if (!(error instanceof CorruptRecordError)) throw error;
      throw this.corrupt(error.message, error);
    }
  }

  private corrupt(detail: string, cause?: unknown): CorruptRecordError {
    return new CorruptRecordError(`batch at byte ${this.position}: ${detail}`, { cause });
  }
}

/** What a RecordIterator needs to know about its batch. */
interface BatchContext {
  /** Prefix of error messages, locating the batch. */
  where: string;
  count: number;
  baseOffset: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  /** For LogAppendTime batches, the timestamp of every record (the batch's maxTimestamp). */
  logAppendTime: number | undefined;
}

/**
 * Decodes a batch's records one at a time, checking each as it goes and, at the last record, that
 * the records exactly fill the batch. Obtain one from `RecordBatchView.records()`.
 *
 * @example
 * ```ts
 * for (const record of view.records()) sum += record.value?.length ?? 0;
 * ```
 * @throws CorruptRecordError from `next()` when a record is malformed, naming it and its position.
 */
export class RecordIterator implements IterableIterator<Record> {
  private readonly reader: ByteReader;
  private readonly data: Buffer;
  private readonly end: number;
  private readonly context: BatchContext;
  private index = 0;
  private previousOffsetDelta = -1;
  private make: RecordFactory<unknown> | undefined;

  constructor(data: Buffer, start: number, end: number, context: BatchContext) {
    this.data = data;
    this.end = end;
    this.reader = new ByteReader(data, start, end);
    this.context = context;
  }

  /** The next record, or undefined after the last; cheaper than `next()` in a hot loop. */
  nextRecord(): Record | undefined {
    return this.index < this.context.count ? this.decode(true) : undefined;
  }

  /**
   * The next record built by `make` instead of as a Record, or undefined after the last: a caller
   * that wraps records (a consumer adding topic and partition) allocates one object, not two.
   *
   * @example
   * ```ts
   * const r = records.nextAs((offset, timestamp, key, value, headers) => ({ topic, offset, key, value }));
   * ```
   */
  nextAs<T>(make: RecordFactory<T>): T | undefined {
    if (this.index >= this.context.count) return undefined;
    this.make = make as RecordFactory<unknown>;
    try {
      return this.decode(true) as unknown as T;
    } finally {
      this.make = undefined;
    }
  }

  next(): IteratorResult<Record, undefined> {
    const record = this.nextRecord();
    return record === undefined ? { done: true, value: undefined } : { done: false, value: record };
  }

  /** Checks the remaining records without building them. */
  skipAll(): void {
    while (this.index < this.context.count) this.decode(false);
  }

  [Symbol.iterator](): RecordIterator {
    return this;
  }

  /** Decodes (or, when `build` is false, only checks) the record at the reader's position. */
  private decode(build: true): Record;
  private decode(build: false): undefined;
  private decode(build: boolean): Record | undefined {
    const r = this.reader;
    const start = r.pos;
    const { count } = this.context;
    const ordinal = this.index + 1;
    try {
      if (start >= this.end) {
        throw new CorruptRecordError(
          `the records end at byte ${this.end}, but recordsCount says there are ${count} (found ${this.index})`,
        );
      }
      const length = r.readVarint();
      if (length < MIN_RECORD_BODY_BYTES) {
        throw new CorruptRecordError(
          `record length ${length} is less than the minimum ${MIN_RECORD_BODY_BYTES}`,
        );
      }
      const bodyStart = r.pos;
      const recordEnd = bodyStart + length;
      if (recordEnd > this.end) {
        throw new CorruptRecordError(
          `record length ${length} runs past the batch end (${this.end - bodyStart} bytes left)`,
        );
      }
      // Confine reads to this record, so a bad field length cannot read into the next record.
      r.end = recordEnd;
      r.readInt8(); // record attributes: Kafka defines no bits; ignored, as Kafka does
      const timestampDelta = r.readVarlong();
      const offsetDelta = r.readVarint();
      if (offsetDelta <= this.previousOffsetDelta || offsetDelta > this.context.lastOffsetDelta) {
        throw new CorruptRecordError(
          `offsetDelta ${offsetDelta} is not after the previous record's (${this.previousOffsetDelta}) ` +
            `and within lastOffsetDelta ${this.context.lastOffsetDelta}`,
        );
      }
      const key = readNullableBytes(r, 'key', build);
      const value = readNullableBytes(r, 'value', build);
      const headerCount = r.readVarint();
      if (headerCount < 0 || headerCount * 2 > recordEnd - r.pos) {
        throw new CorruptRecordError(
          `header count ${headerCount} cannot fit in the ${recordEnd - r.pos} bytes left in the record`,
        );
      }
      // Most records have no headers: share one empty array rather than allocate one per record.
      const headers: RecordHeader[] = headerCount === 0 ? (NO_HEADERS as RecordHeader[]) : [];
      for (let h = 0; h < headerCount; h++) {
        const keyLength = r.readVarint();
        if (keyLength < 0 || keyLength > recordEnd - r.pos) {
          throw new CorruptRecordError(
            `header ${h} key length ${keyLength} is negative or runs past the record end ` +
              `(${recordEnd - r.pos} bytes left; header keys are never null)`,
          );
        }
        const headerKey = build ? this.data.toString('utf8', r.pos, r.pos + keyLength) : '';
        r.pos += keyLength;
        const headerValue = readNullableBytes(r, `header ${h} value`, build);
        if (build) headers.push({ key: headerKey, value: headerValue });
      }
      if (r.pos !== recordEnd) {
        throw new CorruptRecordError(
          `record length says ${length} bytes but its fields take ${r.pos - bodyStart}`,
        );
      }
      r.end = this.end;
      this.previousOffsetDelta = offsetDelta;
      this.index++;
      if (this.index === count && r.pos !== this.end) {
        throw new CorruptRecordError(
          `${this.end - r.pos} bytes remain after the last of recordsCount ${count} records ` +
            '(recordsCount too low, or trailing garbage)',
        );
      }
      if (!build) return undefined;
      const { logAppendTime } = this.context;
      const timestamp = logAppendTime ?? this.context.baseTimestamp + timestampDelta;
      if (timestamp > Number.MAX_SAFE_INTEGER || timestamp < -Number.MAX_SAFE_INTEGER) {
        throw new CorruptRecordError(`timestamp delta ${timestampDelta} puts the timestamp beyond 2^53 - 1`);
      }
      const offset = this.context.baseOffset + offsetDelta;
      if (this.make !== undefined) return this.make(offset, timestamp, key, value, headers) as Record;
      return { offset, timestamp, key, value, headers };
    } catch (error) {
      if (!(error instanceof CorruptRecordError)) throw error;
      // A broken record leaves no reliable position to continue from: end the iteration.
      this.index = count;
      throw new CorruptRecordError(
        `${this.context.where}: record ${ordinal} of ${count} (at byte ${start}): ${error.message}`,
        { cause: error },
      );
    }
  }
}

/**
 * Yields a view of each batch in `bytes`, a concatenation of batches (a segment slice or a fetch
 * response's records), checking each as it goes.
 *
 * @example
 * ```ts
 * for (const view of iterateBatches(fetched, { allowPartialTail: true })) {
 *   for (const record of view) handle(record);
 * }
 * ```
 * @throws CorruptRecordError for an invalid batch, and for a batch cut short by the end of `bytes`
 * unless `allowPartialTail` is set.
 */
export function* iterateBatches(
  bytes: Uint8Array,
  options: IterateBatchesOptions = {},
): Generator<RecordBatchView, void, undefined> {
  const buffer = asBuffer(bytes);
  const maxBatchBytes = options.maxBatchBytes ?? NO_LIMIT;
  let pos = 0;
  while (pos < buffer.length) {
    if (options.allowPartialTail && isPartialTail(buffer, pos, maxBatchBytes)) return;
    const view = new RecordBatchView(buffer, pos, options);
    yield view;
    pos += view.sizeInBytes;
  }
}

/**
 * Decodes every record of every batch in `bytes` into one array, offsets being baseOffset plus
 * offsetDelta. Control records are included; check `RecordBatchView.isControl` via
 * `iterateBatches` to tell them apart.
 *
 * @example
 * ```ts
 * const records = decodeRecords(buildRecordBatch([{ value: Buffer.from('v') }]));
 * ```
 * @throws CorruptRecordError or UnsupportedCompressionError as iterateBatches and iteration do.
 */
export function decodeRecords(bytes: Uint8Array, options: IterateBatchesOptions = {}): Record[] {
  const out: Record[] = [];
  for (const view of iterateBatches(bytes, options)) {
    const records = view.records();
    for (let record = records.nextRecord(); record !== undefined; record = records.nextRecord()) {
      out.push(record);
    }
  }
  return out;
}

/** Reads a varint length (-1 = null) and that many bytes, as a view when `build` is set. */
function readNullableBytes(r: ByteReader, what: string, build: boolean): Buffer | null {
  const length = r.readVarint();
  if (length === -1) return null;
  if (length < -1 || length > r.end - r.pos) {
    throw new CorruptRecordError(
      `${what} length ${length} is ${length < 0 ? 'negative' : 'past the record end'} ` +
        `(${r.end - r.pos} bytes left)`,
    );
  }
  const start = r.pos;
  r.pos += length;
  return build ? (r.buf as Buffer).subarray(start, start + length) : null;
}

/**
 * Whether the bytes at `pos` are the start of a batch that the buffer's end cuts short, as opposed
 * to a complete or an invalid one. Mirrors the order of checkBatchAt's checks without the CRC.
 */
function isPartialTail(buffer: Buffer, pos: number, maxBatchBytes: number): boolean {
  const available = buffer.length - pos;
  if (available < LOG_OVERHEAD_BYTES) return true;
  const length = readInt32(buffer, pos + BatchField.batchLength);
  const badLength =
    length < BATCH_HEADER_BYTES - LOG_OVERHEAD_BYTES || length + LOG_OVERHEAD_BYTES > maxBatchBytes;
  if (badLength) return false;
  if (available <= BatchField.magic) return true;
  if (buffer[pos + BatchField.magic] !== CURRENT_MAGIC) return false;
  return available < length + LOG_OVERHEAD_BYTES;
}

function truncationDetail(buffer: Buffer, pos: number): string {
  const available = buffer.length - pos;
  if (available < LOG_OVERHEAD_BYTES) {
    return ` (${available} bytes, fewer than the 12 of baseOffset and batchLength)`;
  }
  return ` (batchLength says ${batchSizeAt(buffer, pos)} bytes in all, ${available} are there)`;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
