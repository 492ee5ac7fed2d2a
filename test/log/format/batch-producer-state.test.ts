import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BatchCheck, checkBatchAt, setBatchProducerState } from '../../../src/log/format/batch-layout.js';
import { buildRecordBatch } from '../../../src/log/format/record-batch-builder.js';
import { RecordBatchView } from '../../../src/log/format/record-batch-decoder.js';

describe('setBatchProducerState', () => {
  it('restamps producer id, epoch, sequence and the transactional bit, leaving a batch that passes its CRC', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.integer({ min: 0, max: 0x7fff }),
        fc.integer({ min: 0, max: 0x7fffffff }),
        fc.boolean(),
        fc.array(fc.uint8Array({ maxLength: 30 }), { minLength: 1, maxLength: 5 }),
        (producerId, producerEpoch, baseSequence, isTransactional, values) => {
          const bytes = buildRecordBatch(values.map((v) => ({ value: Buffer.from(v), timestamp: 7 })));
          setBatchProducerState(bytes, 0, { producerId, producerEpoch, baseSequence, isTransactional });
          expect(checkBatchAt(bytes, 0, bytes.length, 1 << 20)).toBe(BatchCheck.Ok);
          const view = new RecordBatchView(bytes, 0);
          expect([view.producerId, view.producerEpoch, view.baseSequence, view.isTransactional]).toEqual([
            producerId,
            producerEpoch,
            baseSequence,
            isTransactional,
          ]);
          expect([...view].map((r) => Buffer.from(r.value!))).toEqual(values.map((v) => Buffer.from(v)));
        },
      ),
    );
  });

  it('leaves a batch whose CRC fails if the fields are changed without it', () => {
    const bytes = buildRecordBatch([{ value: Buffer.from('x'), timestamp: 1 }]);
    setBatchProducerState(bytes, 0, {
      producerId: 1,
      producerEpoch: 0,
      baseSequence: 0,
      isTransactional: false,
    });
    bytes[53] = (bytes[53]! + 1) & 0xff; // baseSequence's first byte, inside the CRC
    expect(checkBatchAt(bytes, 0, bytes.length, 1 << 20)).toBe(BatchCheck.BadCrc);
  });
});
