import { describe, expect, it } from 'vitest';
import { CorruptRecordError, UnsupportedCompressionError } from '../../../src/common/errors.js';
import { RecordBatchBuilder } from '../../../src/log/format/record-batch-builder.js';
import { decodeRecords, RecordBatchView } from '../../../src/log/format/record-batch-decoder.js';
import { assembleBatch, hex, patchBatch } from './format-test-helpers.js';

const text = (s: string) => Buffer.from(s, 'utf8');

/** A small batch with every kind of field: keys, a null key, a header, two timestamps. */
function smallBatch(): Buffer {
  const builder = new RecordBatchBuilder({ baseOffset: 5, producerId: 9, producerEpoch: 1, baseSequence: 3 });
  builder.append({
    key: text('k1'),
    value: text('v1'),
    timestamp: 100,
    headers: [{ key: 'h', value: text('x') }],
  });
  builder.append({ key: null, value: text('v2'), timestamp: 90 });
  return builder.build();
}

/** Header fields for hand-assembled batches of `count` records. */
const header = (count: number, lastOffsetDelta = count - 1) => ({
  lastOffsetDelta,
  baseTimestamp: 1000,
  maxTimestamp: 1000,
  recordsCount: count,
});

/** A well-formed record: offsetDelta `delta` (< 64), key "k", a value of `valueBytes` (< 50) 0x76s. */
function record(delta: number, valueBytes = 1): Buffer {
  const byte = (n: number) => n.toString(16).padStart(2, '0');
  const value = '76 '.repeat(valueBytes);
  return hex(
    `${byte((7 + valueBytes) * 2)} 00 00 ${byte(delta * 2)} 02 6b ${byte(valueBytes * 2)} ${value} 00`,
  );
}

function decodeError(bytes: Uint8Array): unknown {
  try {
    decodeRecords(bytes);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('decoding corrupt or unsupported batches', () => {
  it('detects every single-byte change inside the length, magic, CRC and CRC-covered bytes', () => {
    const batch = smallBatch();
    expect(decodeRecords(batch).length).toBe(2);
    const outsideCrc = new Set([0, 1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15]); // baseOffset, partitionLeaderEpoch
    let checked = 0;
    for (let pos = 0; pos < batch.length; pos++) {
      if (outsideCrc.has(pos)) continue;
      for (let xor = 1; xor < 256; xor++) {
        const bad = Buffer.from(batch);
        bad[pos]! ^= xor;
        const error = decodeError(bad);
        if (!(error instanceof CorruptRecordError)) {
          throw new Error(`byte ${pos} ^ ${xor} was not detected: ${String(error)}`);
        }
        checked++;
      }
    }
    expect(checked).toBe((batch.length - outsideCrc.size) * 255);
  });

  it('lets baseOffset and partitionLeaderEpoch change without a CRC error, as the format intends', () => {
    const bad = Buffer.from(smallBatch());
    bad[7]! ^= 0x10;
    bad[15]! ^= 0x01;
    const view = new RecordBatchView(bad);
    expect([view.baseOffset, view.partitionLeaderEpoch]).toEqual([5 ^ 0x10, -1 ^ 0x01]);
    expect([...view].map((r) => r.offset)).toEqual([5 ^ 0x10, (5 ^ 0x10) + 1]);
  });

  it('refuses a batch truncated at every length, and skips it as a partial tail when allowed', () => {
    const batch = smallBatch();
    for (let length = 1; length < batch.length; length++) {
      const cut = batch.subarray(0, length);
      expect(() => decodeRecords(cut)).toThrow(CorruptRecordError);
      expect(() => decodeRecords(cut)).toThrow(/truncated/);
      expect(decodeRecords(cut, { allowPartialTail: true })).toEqual([]);
    }
    expect(decodeRecords(batch.subarray(0, 0))).toEqual([]);
  });

  it('names where a truncated batch starts and how many bytes it lacks', () => {
    const batch = smallBatch();
    const two = Buffer.concat([batch, batch.subarray(0, 40)]);
    expect(() => decodeRecords(two)).toThrow(
      `batch at byte ${batch.length}: the data ends before the batch does (truncated) ` +
        `(batchLength says ${batch.length} bytes in all, 40 are there)`,
    );
    expect(decodeRecords(two, { allowPartialTail: true }).map((r) => r.offset)).toEqual([5, 6]);
  });

  it('refuses a magic other than 2', () => {
    for (const magic of [0, 1, 3]) {
      const bad = patchBatch(smallBatch(), (v) => v.setInt8(16, magic));
      expect(() => new RecordBatchView(bad)).toThrow(`batch at byte 0: magic ${magic} is not 2`);
      expect(() => decodeRecords(bad, { allowPartialTail: true })).toThrow(CorruptRecordError);
    }
  });

  it('refuses a batch longer than maxBatchBytes', () => {
    const batch = smallBatch();
    expect(() => new RecordBatchView(batch, 0, { maxBatchBytes: batch.length - 1 })).toThrow(/out of range/);
    expect(new RecordBatchView(batch, 0, { maxBatchBytes: batch.length }).recordsCount).toBe(2);
  });

  it('refuses a recordsCount that is negative or more than lastOffsetDelta allows', () => {
    const batch = smallBatch();
    const negative = patchBatch(batch, (v) => v.setInt32(57, -1));
    expect(() => new RecordBatchView(negative)).toThrow('batch at byte 0: recordsCount -1 is negative');
    const tooMany = patchBatch(batch, (v) => v.setInt32(57, 3));
    expect(() => new RecordBatchView(tooMany)).toThrow(
      'recordsCount 3 is more than the 2 offsets the batch spans',
    );
    const huge = patchBatch(batch, (v) => {
      v.setInt32(57, 1000);
      v.setInt32(23, 5000);
    });
    expect(() => new RecordBatchView(huge)).toThrow(/recordsCount 1000 cannot fit in \d+ bytes of records/);
  });

  it('refuses a batch holding fewer records than its recordsCount, naming the missing one', () => {
    const bad = assembleBatch(header(3), Buffer.concat([record(0, 20), record(1, 20)]));
    expect(bad.length).toBe(61 + 2 * 28);
    expect(() => decodeRecords(bad)).toThrow(
      'batch at byte 0: record 3 of 3 (at byte 117): the records end at byte 117, but recordsCount says ' +
        'there are 3 (found 2)',
    );
  });

  it('refuses a batch holding more records than its recordsCount', () => {
    const bad = assembleBatch(header(1, 1), Buffer.concat([record(0), record(1)]));
    expect(() => decodeRecords(bad)).toThrow(
      'batch at byte 0: record 1 of 1 (at byte 61): 9 bytes remain after the last of recordsCount 1 records',
    );
  });

  it('refuses a record whose length varint disagrees with its fields', () => {
    // Length 9 for an 8-byte record, padded so the batch itself is the right size.
    const tooLong = assembleBatch(header(1), hex('12 00 00 00 02 6b 02 76 00 00'));
    expect(() => decodeRecords(tooLong)).toThrow(
      /record 1 of 1 .*record length says 9 bytes but its fields take 8/,
    );
    // Length 7 for the same record: the header count lies outside the record.
    const tooShort = assembleBatch(header(1), hex('0e 00 00 00 02 6b 02 76 00'));
    expect(() => decodeRecords(tooShort)).toThrow(/record 1 of 1 \(at byte 61\): read past the end/);
    const negative = assembleBatch(header(1), hex('05 00 00 00 02 6b 02 76 00'));
    expect(() => decodeRecords(negative)).toThrow(/record length -3 is less than the minimum 6/);
    const pastEnd = assembleBatch(header(1), hex('20 00 00 00 02 6b 02 76 00'));
    expect(() => decodeRecords(pastEnd)).toThrow(/record length 16 runs past the batch end \(8 bytes left\)/);
  });

  it('refuses field lengths below -1 or past the record end, saying which field of which record', () => {
    const cases: [string, RegExp][] = [
      ['10 00 00 00 03 6b 02 76 00', /record 2 of 2 .*key length -2 is negative/],
      ['10 00 00 00 02 6b 09 76 00', /record 2 of 2 .*value length -5 is negative/],
      [
        '10 00 00 00 88 0e 02 76 00',
        /record 2 of 2 .*key length 900 is past the record end \(3 bytes left\)/,
      ],
      ['10 00 00 00 02 6b 02 76 01', /record 2 of 2 .*header count -1 cannot fit/],
      ['10 00 00 00 02 6b 02 76 0a', /record 2 of 2 .*header count 5 cannot fit in the 0 bytes/],
      ['10 00 00 00 02 6b 02 76 02 01 01', /header 0 key length -1 is negative .*header keys are never null/],
      ['10 00 00 00 02 6b 02 76 02 00 05', /header 0 value length -3 is negative/],
    ];
    for (const [second, message] of cases) {
      const body = hex(second);
      body[0] = (body.length - 1) * 2; // fix up the record length to what is there
      const bad = assembleBatch(header(2), Buffer.concat([record(0), body.fill(2, 3, 4)]));
      expect(() => decodeRecords(bad), second).toThrow(message);
    }
  });

  it('refuses offset deltas that go backwards or beyond lastOffsetDelta', () => {
    const backwards = assembleBatch(header(2), Buffer.concat([record(1), record(0)]));
    expect(() => decodeRecords(backwards)).toThrow(/record 2 of 2 .*offsetDelta 0 is not after the previous/);
    const beyond = assembleBatch(header(1, 0), record(1));
    expect(() => decodeRecords(beyond)).toThrow(/offsetDelta 1 .*within lastOffsetDelta 0/);
    // Gaps are fine: compaction removes records but keeps the survivors' offsets.
    const gaps = assembleBatch({ ...header(2, 5), baseOffset: 10 }, Buffer.concat([record(2), record(5)]));
    expect(decodeRecords(gaps).map((r) => r.offset)).toEqual([12, 15]);
  });

  it('refuses record timestamps and offsets that would pass 2^53 - 1', () => {
    const nearMax = Number.MAX_SAFE_INTEGER - 5;
    const late = assembleBatch(
      { ...header(1), baseTimestamp: nearMax, maxTimestamp: nearMax },
      hex('10 00 14 00 02 6b 02 76 00'), // timestampDelta 10
    );
    expect(() => decodeRecords(late)).toThrow(
      /record 1 of 1 .*timestamp delta 10 puts the timestamp beyond 2\^53 - 1/,
    );
    const farOffset = assembleBatch(
      { ...header(2), baseOffset: Number.MAX_SAFE_INTEGER },
      Buffer.concat([record(0), record(1)]),
    );
    expect(() => decodeRecords(farOffset)).toThrow(
      /baseOffset 9007199254740991 \+ lastOffsetDelta 1 is beyond/,
    );
  });

  it('reads snappy, lz4 and zstd batch headers but refuses their records as unsupported', () => {
    for (const [code, name] of [
      [2, 'snappy'],
      [3, 'lz4'],
      [4, 'zstd'],
    ] as const) {
      const batch = patchBatch(smallBatch(), (v) => v.setInt16(21, code));
      const view = new RecordBatchView(batch);
      expect([view.compression, view.baseOffset, view.recordsCount]).toEqual([name, 5, 2]);
      expect(() => view.records()).toThrow(UnsupportedCompressionError);
      expect(() => decodeRecords(batch)).toThrow(`compression codec ${name} is not supported yet`);
    }
  });

  it('refuses the undefined compression codes 5 to 7 as corrupt', () => {
    for (const code of [5, 6, 7]) {
      const batch = patchBatch(smallBatch(), (v) => v.setInt16(21, code | 0x10));
      expect(() => new RecordBatchView(batch)).toThrow(CorruptRecordError);
      expect(() => new RecordBatchView(batch)).toThrow(
        `batch at byte 0: compression code ${code} is not defined`,
      );
    }
  });

  it('refuses gzip records that do not inflate, or inflate past maxDecompressedBytes', () => {
    const notGzip = patchBatch(smallBatch(), (v) => v.setInt16(21, 1));
    expect(() => decodeRecords(notGzip)).toThrow(/batch at byte 0: gzip records do not inflate/);
    const builder = new RecordBatchBuilder({ compression: 'gzip' });
    for (let i = 0; i < 100; i++) builder.append({ value: Buffer.alloc(1000) });
    const gzipped = builder.build();
    expect(decodeRecords(gzipped).length).toBe(100);
    expect(() => decodeRecords(gzipped, { maxDecompressedBytes: 50_000 })).toThrow(CorruptRecordError);
  });

  it('reports byte positions in the decompressed records for a bad gzip batch record', () => {
    const builder = new RecordBatchBuilder({ compression: 'gzip' });
    for (let i = 0; i < 50; i++) builder.append({ value: Buffer.alloc(20) });
    const gzipped = builder.build();
    // recordsCount 51 with lastOffsetDelta 50: one record short once inflated.
    const bad = patchBatch(gzipped, (v) => {
      v.setInt32(57, 51);
      v.setInt32(23, 50);
    });
    expect(() => decodeRecords(bad)).toThrow(
      /batch at byte 0 \(byte positions in its decompressed records\): record 51 of 51 \(at byte 1350\): the records end at byte 1350/,
    );
  });

  it('ends the iteration after a corrupt record instead of guessing where the next one starts', () => {
    const bad = assembleBatch(header(2), Buffer.concat([record(0), hex('10 00 00 02 03 6b 02 76 00')]));
    const records = new RecordBatchView(bad).records();
    expect(records.nextRecord()?.offset).toBe(0);
    expect(() => records.nextRecord()).toThrow(CorruptRecordError);
    expect(records.nextRecord()).toBeUndefined();
    expect(() => new RecordBatchView(bad).validate()).toThrow(/key length -2/);
  });
});
