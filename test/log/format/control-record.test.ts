import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, CorruptRecordError } from '../../../src/common/errors.js';
import { buildControlBatch, parseControlRecord } from '../../../src/log/format/control-record.js';
import { buildRecordBatch } from '../../../src/log/format/record-batch-builder.js';
import { RecordBatchView } from '../../../src/log/format/record-batch-decoder.js';
import { hex } from './format-test-helpers.js';

const safeNat = fc.bigInt({ min: 0n, max: BigInt(Number.MAX_SAFE_INTEGER) }).map(Number);

describe('control records', () => {
  it('COMMIT and ABORT markers round trip with any producer, epochs, offset and timestamp', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('COMMIT' as const, 'ABORT' as const),
        safeNat,
        fc.integer({ min: 0, max: 32767 }),
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        fc.bigInt({ min: -(2n ** 52n), max: 2n ** 52n }).map(Number),
        fc.bigInt({ min: 0n, max: 2n ** 52n }).map(Number),
        fc.integer({ min: -1, max: 2 ** 31 - 1 }),
        (type, producerId, producerEpoch, coordinatorEpoch, timestamp, baseOffset, partitionLeaderEpoch) => {
          const batch = buildControlBatch({
            type,
            producerId,
            producerEpoch,
            coordinatorEpoch,
            timestamp,
            baseOffset,
            partitionLeaderEpoch,
          });
          const view = new RecordBatchView(batch);
          expect({
            isControl: view.isControl,
            isTransactional: view.isTransactional,
            producerId: view.producerId,
            producerEpoch: view.producerEpoch,
            baseSequence: view.baseSequence,
            baseOffset: view.baseOffset,
            partitionLeaderEpoch: view.partitionLeaderEpoch,
            maxTimestamp: view.maxTimestamp,
            recordsCount: view.recordsCount,
          }).toEqual({
            isControl: true,
            isTransactional: true,
            producerId,
            producerEpoch,
            baseSequence: -1,
            baseOffset,
            partitionLeaderEpoch,
            maxTimestamp: timestamp,
            recordsCount: 1,
          });
          const records = [...view];
          expect(records.map((r) => [r.offset, r.timestamp])).toEqual([[baseOffset, timestamp]]);
          expect(parseControlRecord(records[0]!)).toEqual({
            type,
            rawType: type === 'COMMIT' ? 1 : 0,
            version: 0,
            coordinatorEpoch,
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('reports a control type it does not know (such as 2, leader change) as UNKNOWN with its number', () => {
    const batch = buildRecordBatch(
      [{ key: hex('0000 0002'), value: hex('0000 0001 00000003'), timestamp: 1 }],
      {
        isControl: true,
      },
    );
    const [record] = [...new RecordBatchView(batch)];
    expect(parseControlRecord(record!)).toEqual({ type: 'UNKNOWN', rawType: 2, version: 0 });
    expect(parseControlRecord({ key: hex('0000 7fff'), value: null })).toEqual({
      type: 'UNKNOWN',
      rawType: 0x7fff,
      version: 0,
    });
    expect(parseControlRecord({ key: hex('0000 ffff'), value: null })).toEqual({
      type: 'UNKNOWN',
      rawType: -1,
      version: 0,
    });
  });

  it('reads what it knows of a later key or value version and ignores the fields appended to it', () => {
    expect(parseControlRecord({ key: hex('0001 0000 abcd'), value: hex('0003 00000009 ffff') })).toEqual({
      type: 'ABORT',
      rawType: 0,
      version: 1,
      coordinatorEpoch: 9,
    });
  });

  it('refuses malformed control keys and marker values with a CorruptRecordError saying what is wrong', () => {
    const cases: [Parameters<typeof parseControlRecord>[0], string][] = [
      [{ key: null, value: hex('0000 00000001') }, 'control record key is null; expected at least 4'],
      [{ key: hex('0000 00'), value: hex('0000 00000001') }, 'control record key is 3 bytes'],
      [{ key: hex('ffff 0001'), value: hex('0000 00000001') }, 'control record key has negative version -1'],
      [{ key: hex('0000 0001 00'), value: hex('0000 00000001') }, 'control record key version 0 is 5 bytes'],
      [{ key: hex('0000 0001'), value: null }, 'COMMIT marker value is null'],
      [
        { key: hex('0000 0000'), value: hex('0000 000000') },
        'ABORT marker value is 5 bytes; expected at least 6',
      ],
      [
        { key: hex('0000 0001'), value: hex('8000 00000001') },
        'COMMIT marker value has negative version -32768',
      ],
      [{ key: hex('0000 0001'), value: hex('0000 00000001 00') }, 'COMMIT marker value version 0 is 7 bytes'],
    ];
    for (const [record, message] of cases) {
      expect(() => parseControlRecord(record)).toThrow(CorruptRecordError);
      expect(() => parseControlRecord(record)).toThrow(message);
    }
  });

  it('refuses to build a marker of another type or with an out-of-range field', () => {
    const base = { producerId: 1, producerEpoch: 0, coordinatorEpoch: 0, timestamp: 0 };
    expect(() => buildControlBatch({ ...base, type: 'PREPARE' as never })).toThrow(ConfigError);
    expect(() => buildControlBatch({ ...base, type: 'COMMIT', coordinatorEpoch: 2 ** 31 })).toThrow(
      /coordinatorEpoch/,
    );
    expect(() => buildControlBatch({ ...base, type: 'COMMIT', producerEpoch: 2 ** 15 })).toThrow(
      /producerEpoch/,
    );
    expect(() => buildControlBatch({ ...base, type: 'ABORT', timestamp: 0.5 })).toThrow(/timestamp/);
  });
});
