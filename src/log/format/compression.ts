/**
 * Compression of a batch's records section (everything after the 61-byte header). Kafka
 * compresses the records as one block, so a reader decompresses once per batch, then decodes the
 * records from the result. millrace supports `none` and `gzip` (node:zlib, no native add-on);
 * snappy, lz4 and zstd are recognised by code and refused with UnsupportedCompressionError so a
 * real Kafka client's batch gets a clear "not supported" rather than a corrupt-data error.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { CorruptRecordError, UnsupportedCompressionError } from '../../common/errors.js';
import { CompressionCode, type CompressionType } from './record.js';

const TYPES_BY_CODE: readonly CompressionType[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/**
 * The default cap on the size of one batch's decompressed records: large enough for any batch a
 * sane producer writes, small enough that a tiny "zip bomb" cannot exhaust memory.
 *
 * @example
 * ```ts
 * decompressRecords(code, bytes, DEFAULT_MAX_DECOMPRESSED_BYTES);
 * ```
 */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 256 * 1024 * 1024;

/**
 * The compression type for an attribute code (the low three bits of a batch's attributes).
 *
 * @example
 * ```ts
 * compressionTypeOf(attributes & BatchAttribute.compressionMask); // 'gzip'
 * ```
 * @throws CorruptRecordError for codes 5–7, which no Kafka version defines.
 */
export function compressionTypeOf(code: number): CompressionType {
  const type = TYPES_BY_CODE[code];
  if (type === undefined) {
    throw new CorruptRecordError(
      `compression code ${code} is not defined (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd)`,
    );
  }
  return type;
}

/**
 * Checks that millrace can read and write `type`, so a builder fails at construction rather than
 * after the caller has framed a batch's worth of records.
 *
 * @example
 * ```ts
 * assertCompressionSupported(options.compression);
 * ```
 * @throws UnsupportedCompressionError for snappy, lz4 and zstd.
 */
export function assertCompressionSupported(type: CompressionType): void {
  if (type !== 'none' && type !== 'gzip') throw new UnsupportedCompressionError(type);
}

/**
 * Compresses a records section.
 *
 * @example
 * ```ts
 * const compressed = compressRecords('gzip', recordsBytes);
 * ```
 * @throws UnsupportedCompressionError for snappy, lz4 and zstd.
 */
export function compressRecords(type: CompressionType, records: Uint8Array): Uint8Array {
  assertCompressionSupported(type);
  return type === 'gzip' ? gzipSync(records) : records;
}

/**
 * Decompresses a records section whose batch has attribute code `code`. For `none` it returns the
 * input itself (no copy).
 *
 * @example
 * ```ts
 * const records = decompressRecords(CompressionCode.gzip, batch.subarray(61));
 * ```
 * @throws UnsupportedCompressionError for snappy, lz4 and zstd; CorruptRecordError for codes 5–7,
 * for gzip data that does not inflate, and for output beyond `maxOutputBytes`.
 */
export function decompressRecords(
  code: number,
  records: Uint8Array,
  maxOutputBytes = DEFAULT_MAX_DECOMPRESSED_BYTES,
): Uint8Array {
  const type = compressionTypeOf(code);
  if (code === CompressionCode.none) return records;
  assertCompressionSupported(type);
  try {
    return gunzipSync(records, { maxOutputLength: maxOutputBytes });
  } catch (cause) {
    throw new CorruptRecordError(`gzip records do not inflate: ${(cause as Error).message}`, { cause });
  }
}
