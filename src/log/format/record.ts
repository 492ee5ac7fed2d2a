/**
 * The record types of Kafka's RecordBatch v2, as millrace hands them to callers: what a decoder
 * yields (`Record`) and what a builder takes (`RecordInput`). They are plain data so they cross
 * worker boundaries and serialise without ceremony.
 */

/**
 * One header of a record. Kafka allows repeated keys, so headers are a list, not a map; a header
 * key is never null on the wire, but a value may be.
 *
 * @example
 * ```ts
 * const header: RecordHeader = { key: 'trace-id', value: Buffer.from('abc') };
 * ```
 */
export interface RecordHeader {
  /** The header's name, UTF-8 on the wire. */
  key: string;
  /** The header's bytes, or null. */
  value: Uint8Array | null;
}

/**
 * A record as decoded from a batch. `key`, `value` and header values are views into the batch
 * bytes (no copy), so they stay valid only as long as the caller keeps those bytes unchanged.
 *
 * @example
 * ```ts
 * for (const record of view) console.log(record.offset, record.value?.length);
 * ```
 */
export interface Record {
  /** The record's offset in its partition: the batch's baseOffset plus the record's offsetDelta. */
  offset: number;
  /** Milliseconds since the epoch (create time or, for LogAppendTime batches, the append time). */
  timestamp: number;
  /** The key bytes; null is distinct from an empty key. */
  key: Uint8Array | null;
  /** The value bytes; null (a tombstone) is distinct from an empty value. */
  value: Uint8Array | null;
  /** The headers in wire order (a shared empty array when there are none: do not mutate). */
  readonly headers: readonly RecordHeader[];
}

/**
 * A record to append to a batch. Omitted key or value means null; an omitted timestamp takes the
 * builder's `defaultTimestampMs` (the builder cannot read a clock itself, DESIGN.md §4).
 *
 * @example
 * ```ts
 * builder.append({ key: Buffer.from('user-1'), value: Buffer.from('{}'), timestamp: clock.nowMs() });
 * ```
 */
export interface RecordInput {
  key?: Uint8Array | null;
  value?: Uint8Array | null;
  /** Milliseconds since the epoch; must be a safe integer. */
  timestamp?: number;
  headers?: readonly RecordHeader[];
}

/**
 * Whose clock a batch's timestamps come from: the producer's (`CreateTime`) or the broker's at
 * append (`LogAppendTime`, attribute bit 3).
 *
 * @example
 * ```ts
 * const type: TimestampType = view.timestampType;
 * ```
 */
export type TimestampType = 'CreateTime' | 'LogAppendTime';

/**
 * The compression codecs of attribute bits 0–2. millrace reads and writes `none` and `gzip`; the
 * others are recognised so they can be refused by name rather than as garbage.
 *
 * @example
 * ```ts
 * const compression: CompressionType = 'gzip';
 * ```
 */
export type CompressionType = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

/**
 * The attribute code of each compression codec, as Kafka numbers them.
 *
 * @example
 * ```ts
 * const attributes = CompressionCode.gzip | BatchAttribute.transactional;
 * ```
 */
export const CompressionCode = {
  none: 0,
  gzip: 1,
  snappy: 2,
  lz4: 3,
  zstd: 4,
} as const satisfies { [K in CompressionType]: number };
