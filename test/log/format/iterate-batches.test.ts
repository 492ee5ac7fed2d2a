import { describe, expect, it } from 'vitest';
import { CorruptRecordError } from '../../../src/common/errors.js';
import { buildControlBatch } from '../../../src/log/format/control-record.js';
import { buildRecordBatch } from '../../../src/log/format/record-batch-builder.js';
import {
  decodeRecords,
  iterateBatches,
  RecordBatchView,
} from '../../../src/log/format/record-batch-decoder.js';
import { hexOf } from './format-test-helpers.js';

const value = (s: string) => Buffer.from(s);

function threeBatches(): Buffer[] {
  return [
    buildRecordBatch(
      [
        { value: value('a'), timestamp: 1 },
        { value: value('b'), timestamp: 2 },
      ],
      { baseOffset: 0 },
    ),
    buildControlBatch({ type: 'ABORT', producerId: 3, producerEpoch: 0, coordinatorEpoch: 1, timestamp: 3 }),
    buildRecordBatch([{ value: value('c'), timestamp: 4 }], { baseOffset: 3, compression: 'gzip' }),
  ];
}

describe('iterateBatches and decodeRecords', () => {
  it('yield one view per batch, at its position, with its header fields', () => {
    const batches = threeBatches();
    const all = Buffer.concat(batches);
    const views = [...iterateBatches(all)];
    expect(views.map((v) => [v.position, v.sizeInBytes, v.isControl])).toEqual([
      [0, batches[0]!.length, false],
      [batches[0]!.length, batches[1]!.length, true],
      [batches[0]!.length + batches[1]!.length, batches[2]!.length, false],
    ]);
    expect(views.map((v) => v.bytes.equals(batches[views.indexOf(v)]!))).toEqual([true, true, true]);
  });

  it('decodeRecords returns every record of every batch, control records included', () => {
    const records = decodeRecords(new Uint8Array(Buffer.concat(threeBatches())));
    expect(records.map((r) => [r.offset, r.timestamp, hexOf(r.value)])).toEqual([
      [0, 1, '61'],
      [1, 2, '62'],
      [0, 3, '000000000001'],
      [3, 4, '63'],
    ]);
  });

  it('stops before a partial last batch only when allowPartialTail is set', () => {
    const batches = threeBatches();
    const all = Buffer.concat(batches);
    const cut = all.subarray(0, all.length - 1);
    expect(() => [...iterateBatches(cut)]).toThrow(CorruptRecordError);
    expect([...iterateBatches(cut, { allowPartialTail: true })].length).toBe(2);
    const withShortHeader = all.subarray(0, batches[0]!.length + 5);
    expect([...iterateBatches(withShortHeader, { allowPartialTail: true })].length).toBe(1);
  });

  it('still refuses a corrupt batch in the middle when a partial tail is allowed', () => {
    const batches = threeBatches();
    const all = Buffer.concat(batches);
    all[batches[0]!.length + 30]! ^= 1;
    const views = iterateBatches(all, { allowPartialTail: true });
    expect(views.next().value?.baseOffset).toBe(0);
    expect(() => views.next()).toThrow(`batch at byte ${batches[0]!.length}: CRC-32C mismatch`);
  });

  it('decodes records of a gzip batch lazily, inflating once however often they are iterated', () => {
    const batch = buildRecordBatch(
      Array.from({ length: 20 }, (_, i) => ({ value: value(`record ${i} record ${i}`), timestamp: i })),
      { compression: 'gzip' },
    );
    const view = new RecordBatchView(batch);
    expect(view.compression).toBe('gzip');
    const first = view.records().nextRecord()!;
    const again = view.records().nextRecord()!;
    // Both views point into the same inflated buffer: it was decompressed only once.
    expect(first.value!.buffer).toBe(again.value!.buffer);
    expect([...view].length).toBe(20);
  });

  it('validate checks every record of a batch without decoding them into objects', () => {
    const batch = buildRecordBatch([{ value: value('a') }, { value: value('b') }]);
    expect(() => new RecordBatchView(batch).validate()).not.toThrow();
    const records = new RecordBatchView(batch).records();
    records.skipAll();
    expect(records.nextRecord()).toBeUndefined();
  });
});
