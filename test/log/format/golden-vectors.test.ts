/**
 * Golden byte vectors, written out by hand from the published RecordBatch v2 layout (one comment
 * per field), not copied from the builder. Varints are zig-zag: n ≥ 0 encodes as 2n, -1 as 01.
 * The CRC-32C in each literal is checked against an independent bitwise CRC in the test.
 */
import { describe, expect, it } from 'vitest';
import { buildControlBatch, parseControlRecord } from '../../../src/log/format/control-record.js';
import { buildRecordBatch } from '../../../src/log/format/record-batch-builder.js';
import { decodeRecords, RecordBatchView } from '../../../src/log/format/record-batch-decoder.js';
import { hex, hexOf, referenceCrc32c } from './format-test-helpers.js';

// (a) One record, key "k", value "v", timestamp 1000, baseOffset 0, no producer.
const ONE_RECORD = hex(`
  00 00 00 00 00 00 00 00   // baseOffset 0
  00 00 00 3a               // batchLength 58 (70 bytes in all, minus the 12 of baseOffset and batchLength)
  ff ff ff ff               // partitionLeaderEpoch -1
  02                        // magic 2
  71 6a 61 89               // crc: CRC-32C of everything from attributes to the end
  00 00                     // attributes: no compression, CreateTime, not transactional, not control
  00 00 00 00               // lastOffsetDelta 0
  00 00 00 00 00 00 03 e8   // baseTimestamp 1000
  00 00 00 00 00 00 03 e8   // maxTimestamp 1000
  ff ff ff ff ff ff ff ff   // producerId -1
  ff ff                     // producerEpoch -1
  ff ff ff ff               // baseSequence -1
  00 00 00 01               // recordsCount 1
  10                        // record length 8 (zig-zag 16)
  00                        //   attributes
  00                        //   timestampDelta 0
  00                        //   offsetDelta 0
  02 6b                     //   key length 1, "k"
  02 76                     //   value length 1, "v"
  00                        //   header count 0
`);

// (b) Two records from an idempotent producer at baseOffset 100: the first with a header, the
// second with a null key and a timestamp 10 ms before the first (a negative delta).
const TWO_RECORDS = hex(`
  00 00 00 00 00 00 00 64   // baseOffset 100
  00 00 00 46               // batchLength 70 (82 - 12)
  00 00 00 05               // partitionLeaderEpoch 5
  02                        // magic 2
  6b 17 d1 64               // crc
  00 00                     // attributes 0
  00 00 00 01               // lastOffsetDelta 1
  00 00 00 00 00 00 03 e8   // baseTimestamp 1000 (the first record's)
  00 00 00 00 00 00 03 e8   // maxTimestamp 1000 (the larger of 1000 and 990)
  00 00 00 00 00 00 00 2a   // producerId 42
  00 03                     // producerEpoch 3
  00 00 00 07               // baseSequence 7
  00 00 00 02               // recordsCount 2
  18                        // record 0: length 12
  00                        //   attributes
  00                        //   timestampDelta 0
  00                        //   offsetDelta 0
  02 61                     //   key "a"
  02 31                     //   value "1"
  02                        //   header count 1
  02 68                     //     header key "h"
  02 78                     //     header value "x"
  0e                        // record 1: length 7
  00                        //   attributes
  13                        //   timestampDelta -10 (zig-zag 19)
  02                        //   offsetDelta 1
  01                        //   key null (length -1)
  02 32                     //   value "2"
  00                        //   header count 0
`);

// (c) A COMMIT marker for producer 1234, epoch 1, coordinator epoch 7, at baseOffset 10.
const COMMIT_MARKER = hex(`
  00 00 00 00 00 00 00 0a   // baseOffset 10
  00 00 00 42               // batchLength 66 (78 - 12)
  00 00 00 00               // partitionLeaderEpoch 0
  02                        // magic 2
  c2 35 73 7c               // crc
  00 30                     // attributes: transactional (0x10) | control (0x20)
  00 00 00 00               // lastOffsetDelta 0
  00 00 00 00 00 00 07 d0   // baseTimestamp 2000
  00 00 00 00 00 00 07 d0   // maxTimestamp 2000
  00 00 00 00 00 00 04 d2   // producerId 1234
  00 01                     // producerEpoch 1
  ff ff ff ff               // baseSequence -1 (markers carry no sequence)
  00 00 00 01               // recordsCount 1
  20                        // record length 16
  00                        //   attributes
  00                        //   timestampDelta 0
  00                        //   offsetDelta 0
  08 00 00 00 01            //   key length 4: version 0 (int16), type 1 = COMMIT (int16)
  0c 00 00 00 00 00 07      //   value length 6: version 0 (int16), coordinatorEpoch 7 (int32)
  00                        //   header count 0
`);

const text = (s: string) => Buffer.from(s, 'utf8');

function storedCrc(batch: Buffer): number {
  return batch.readUInt32BE(17);
}

describe('golden RecordBatch v2 vectors', () => {
  it('carry CRC-32Cs that an independent bitwise CRC reproduces from the bytes after the crc field', () => {
    expect(referenceCrc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    for (const batch of [ONE_RECORD, TWO_RECORDS, COMMIT_MARKER]) {
      expect(storedCrc(batch)).toBe(referenceCrc32c(batch.subarray(21)));
      expect(batch.readInt32BE(8)).toBe(batch.length - 12);
    }
  });

  it('the builder writes a one-record batch byte for byte as the spec says', () => {
    const built = buildRecordBatch([{ key: text('k'), value: text('v'), timestamp: 1000 }]);
    expect(built.toString('hex')).toBe(ONE_RECORD.toString('hex'));
  });

  it('the decoder reads the one-record vector', () => {
    const view = new RecordBatchView(ONE_RECORD);
    expect([view.baseOffset, view.producerId, view.producerEpoch, view.baseSequence]).toEqual([
      0, -1, -1, -1,
    ]);
    const records = [...view].map((r) => ({ ...r, key: hexOf(r.key), value: hexOf(r.value) }));
    expect(records).toEqual([{ offset: 0, timestamp: 1000, key: '6b', value: '76', headers: [] }]);
  });

  it('the builder writes a two-record batch with a header, a null key and a negative delta byte for byte', () => {
    const built = buildRecordBatch(
      [
        { key: text('a'), value: text('1'), timestamp: 1000, headers: [{ key: 'h', value: text('x') }] },
        { key: null, value: text('2'), timestamp: 990 },
      ],
      { baseOffset: 100, partitionLeaderEpoch: 5, producerId: 42, producerEpoch: 3, baseSequence: 7 },
    );
    expect(built.toString('hex')).toBe(TWO_RECORDS.toString('hex'));
  });

  it('the decoder reads the two-record vector', () => {
    const view = new RecordBatchView(TWO_RECORDS);
    expect({
      baseOffset: view.baseOffset,
      lastOffset: view.lastOffset,
      partitionLeaderEpoch: view.partitionLeaderEpoch,
      producerId: view.producerId,
      producerEpoch: view.producerEpoch,
      baseSequence: view.baseSequence,
      maxTimestamp: view.maxTimestamp,
    }).toEqual({
      baseOffset: 100,
      lastOffset: 101,
      partitionLeaderEpoch: 5,
      producerId: 42,
      producerEpoch: 3,
      baseSequence: 7,
      maxTimestamp: 1000,
    });
    const records = decodeRecords(TWO_RECORDS).map((r) => ({
      ...r,
      key: hexOf(r.key),
      value: hexOf(r.value),
      headers: r.headers.map((h) => ({ key: h.key, value: hexOf(h.value) })),
    }));
    expect(records).toEqual([
      { offset: 100, timestamp: 1000, key: '61', value: '31', headers: [{ key: 'h', value: '78' }] },
      { offset: 101, timestamp: 990, key: null, value: '32', headers: [] },
    ]);
  });

  it('buildControlBatch writes a COMMIT marker byte for byte as the spec says', () => {
    const built = buildControlBatch({
      type: 'COMMIT',
      producerId: 1234,
      producerEpoch: 1,
      coordinatorEpoch: 7,
      timestamp: 2000,
      baseOffset: 10,
      partitionLeaderEpoch: 0,
    });
    expect(built.toString('hex')).toBe(COMMIT_MARKER.toString('hex'));
  });

  it('the decoder reads the COMMIT marker vector as a transactional control batch', () => {
    const view = new RecordBatchView(COMMIT_MARKER);
    expect([view.isControl, view.isTransactional, view.producerId, view.producerEpoch]).toEqual([
      true,
      true,
      1234,
      1,
    ]);
    const [record, ...rest] = [...view];
    expect(rest).toEqual([]);
    expect(record?.offset).toBe(10);
    expect(parseControlRecord(record!)).toEqual({
      type: 'COMMIT',
      rawType: 1,
      version: 0,
      coordinatorEpoch: 7,
    });
  });
});
