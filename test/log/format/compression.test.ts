import { describe, expect, it } from 'vitest';
import { CorruptRecordError, UnsupportedCompressionError } from '../../../src/common/errors.js';
import {
  assertCompressionSupported,
  compressionTypeOf,
  compressRecords,
  decompressRecords,
} from '../../../src/log/format/compression.js';
import { CompressionCode } from '../../../src/log/format/record.js';
import { RecordBatchBuilder } from '../../../src/log/format/record-batch-builder.js';

describe('compression of the records section', () => {
  it('maps attribute codes 0 to 4 to Kafka codec names and back', () => {
    expect([0, 1, 2, 3, 4].map(compressionTypeOf)).toEqual(['none', 'gzip', 'snappy', 'lz4', 'zstd']);
    for (const type of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const) {
      expect(compressionTypeOf(CompressionCode[type])).toBe(type);
    }
  });

  it('refuses codes 5 to 7 as corrupt', () => {
    for (const code of [5, 6, 7]) {
      expect(() => compressionTypeOf(code)).toThrow(CorruptRecordError);
      expect(() => decompressRecords(code, new Uint8Array(4))).toThrow(
        `compression code ${code} is not defined`,
      );
    }
  });

  it('round-trips gzip and passes none through without copying', () => {
    const records = Buffer.from('records '.repeat(100));
    const gz = compressRecords('gzip', records);
    expect(gz.length).toBeLessThan(records.length);
    expect(Buffer.from(decompressRecords(CompressionCode.gzip, gz)).equals(records)).toBe(true);
    expect(compressRecords('none', records)).toBe(records);
    expect(decompressRecords(CompressionCode.none, records)).toBe(records);
  });

  it('refuses snappy, lz4 and zstd when compressing, decompressing and building', () => {
    for (const type of ['snappy', 'lz4', 'zstd'] as const) {
      expect(() => assertCompressionSupported(type)).toThrow(UnsupportedCompressionError);
      expect(() => compressRecords(type, new Uint8Array(1))).toThrow(UnsupportedCompressionError);
      expect(() => decompressRecords(CompressionCode[type], new Uint8Array(1))).toThrow(
        UnsupportedCompressionError,
      );
      expect(() => new RecordBatchBuilder({ compression: type })).toThrow(UnsupportedCompressionError);
      expect(() => new RecordBatchBuilder().reset({ compression: type })).toThrow(
        `compression codec ${type} is not supported yet`,
      );
    }
  });

  it('refuses gzip output beyond maxOutputBytes', () => {
    const gz = compressRecords('gzip', Buffer.alloc(10_000));
    expect(decompressRecords(CompressionCode.gzip, gz, 10_000).length).toBe(10_000);
    expect(() => decompressRecords(CompressionCode.gzip, gz, 9_999)).toThrow(CorruptRecordError);
  });
});
