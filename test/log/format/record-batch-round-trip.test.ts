import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BatchCheck, checkBatchAt, setBatchBaseOffset } from '../../../src/log/format/batch-layout.js';
import type { Record, RecordInput } from '../../../src/log/format/record.js';
import {
  buildRecordBatch,
  type RecordBatchBuilderOptions,
} from '../../../src/log/format/record-batch-builder.js';
import {
  decodeRecords,
  iterateBatches,
  RecordBatchView,
} from '../../../src/log/format/record-batch-decoder.js';
import { hexOf } from './format-test-helpers.js';

const bigIntAsNumber = (min: number, max: number) =>
  fc.bigInt({ min: BigInt(min), max: BigInt(max) }).map((n) => Number(n));

const bytes = fc.oneof(
  fc.constant(null),
  fc.constant(new Uint8Array(0)),
  fc.uint8Array({ maxLength: 40 }),
  fc.uint8Array({ minLength: 100, maxLength: 400 }),
);
const headerKey = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }));
const headers = fc.array(fc.record({ key: headerKey, value: bytes }), { maxLength: 4 });

// Timestamps spread over ±2^50 around a first timestamp anywhere in ±2^50, so deltas are often
// negative and sometimes need most of the varlong width (the builder allows |delta| < 2^52).
const timestampOffset = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }),
  bigIntAsNumber(-(2 ** 50), 2 ** 50),
  fc.constant(undefined),
);

const recordInputs = fc
  .tuple(
    bigIntAsNumber(-(2 ** 50), 2 ** 50),
    fc.array(
      fc.record(
        { key: bytes, value: bytes, timestampOffset, headers },
        { requiredKeys: ['timestampOffset'] },
      ),
      { minLength: 1, maxLength: 30 },
    ),
  )
  .map(([first, specs]) =>
    specs.map(({ timestampOffset: delta, ...rest }): RecordInput => {
      const record: RecordInput = { ...rest };
      if (delta !== undefined) record.timestamp = first + delta;
      return record;
    }),
  );

const builderOptions: fc.Arbitrary<RecordBatchBuilderOptions> = fc.record(
  {
    baseOffset: bigIntAsNumber(0, Number.MAX_SAFE_INTEGER - 2 ** 31),
    partitionLeaderEpoch: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
    producerId: fc.oneof(fc.constant(-1), bigIntAsNumber(0, Number.MAX_SAFE_INTEGER)),
    producerEpoch: fc.integer({ min: -1, max: 32767 }),
    baseSequence: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
    isTransactional: fc.boolean(),
    isControl: fc.boolean(),
    compression: fc.constantFrom('none' as const, 'gzip' as const),
    timestampType: fc.constantFrom('CreateTime' as const, 'LogAppendTime' as const),
    deleteHorizonMs: bigIntAsNumber(-(2 ** 50), 2 ** 50),
    defaultTimestampMs: bigIntAsNumber(-(2 ** 50), 2 ** 50),
  },
  { requiredKeys: ['compression'] },
);

/** What decoding `inputs` built with `options` must give, as plain data. */
function expectedRecords(inputs: RecordInput[], options: RecordBatchBuilderOptions, baseOffset: number) {
  const timestamps = inputs.map((r) => r.timestamp ?? options.defaultTimestampMs ?? 0);
  const maxTimestamp = Math.max(...timestamps);
  return inputs.map((r, i) => ({
    offset: baseOffset + i,
    timestamp: options.timestampType === 'LogAppendTime' ? maxTimestamp : timestamps[i],
    key: hexOf(r.key),
    value: hexOf(r.value),
    headers: (r.headers ?? []).map((h) => ({ key: h.key, value: hexOf(h.value) })),
  }));
}

function plain(records: Record[]) {
  return records.map((r) => ({
    offset: r.offset,
    timestamp: r.timestamp,
    key: hexOf(r.key),
    value: hexOf(r.value),
    headers: r.headers.map((h) => ({ key: h.key, value: hexOf(h.value) })),
  }));
}

describe('RecordBatch v2 round trip', () => {
  it('any records with any producer fields and flags decode to exactly what was appended', () => {
    fc.assert(
      fc.property(recordInputs, builderOptions, (inputs, options) => {
        const batch = buildRecordBatch(inputs, { ...options, maxBatchBytes: 2 ** 31 - 1 });
        const view = new RecordBatchView(batch);
        const baseOffset = options.baseOffset ?? 0;
        const timestamps = inputs.map((r) => r.timestamp ?? options.defaultTimestampMs ?? 0);

        expect(view.sizeInBytes).toBe(batch.length);
        expect(view.baseOffset).toBe(baseOffset);
        expect(view.lastOffset).toBe(baseOffset + inputs.length - 1);
        expect(view.recordsCount).toBe(inputs.length);
        expect(view.partitionLeaderEpoch).toBe(options.partitionLeaderEpoch ?? -1);
        expect(view.producerId).toBe(options.producerId ?? -1);
        expect(view.producerEpoch).toBe(options.producerEpoch ?? -1);
        expect(view.baseSequence).toBe(options.baseSequence ?? -1);
        expect(view.isTransactional).toBe(options.isTransactional ?? false);
        expect(view.isControl).toBe(options.isControl ?? false);
        expect(view.timestampType).toBe(options.timestampType ?? 'CreateTime');
        expect(view.maxTimestamp).toBe(Math.max(...timestamps));
        expect(view.hasDeleteHorizon).toBe(options.deleteHorizonMs !== undefined);
        expect(view.deleteHorizonMs).toBe(options.deleteHorizonMs);
        expect(view.baseTimestamp).toBe(options.deleteHorizonMs ?? timestamps[0]);
        if (options.compression === 'gzip' && view.compression === 'none') {
          // The builder only skips gzip when it would not have made the batch smaller.
          expect(61 + gzipSync(batch.subarray(61)).length).toBeGreaterThanOrEqual(batch.length);
        } else {
          expect(view.compression).toBe(options.compression);
        }

        expect(plain([...view])).toEqual(expectedRecords(inputs, options, baseOffset));
      }),
      { numRuns: 300 },
    );
  });

  it('rewriting baseOffset in place keeps the CRC valid and shifts every offset', () => {
    fc.assert(
      fc.property(
        recordInputs,
        builderOptions,
        bigIntAsNumber(0, Number.MAX_SAFE_INTEGER - 2 ** 31),
        (inputs, options, newBase) => {
          const batch = buildRecordBatch(inputs, { ...options, maxBatchBytes: 2 ** 31 - 1 });
          setBatchBaseOffset(batch, 0, newBase);
          expect(checkBatchAt(batch, 0, batch.length, batch.length)).toBe(BatchCheck.Ok);
          expect(decodeRecords(batch).map((r) => r.offset)).toEqual(inputs.map((_, i) => newBase + i));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('concatenated batches decode in order, each record at its own batch base plus index', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(recordInputs, builderOptions), { minLength: 1, maxLength: 5 }),
        (batches) => {
          const built = batches.map(([inputs, options]) => buildRecordBatch(inputs, options));
          const all = Buffer.concat(built);
          expect([...iterateBatches(all)].map((v) => v.sizeInBytes)).toEqual(built.map((b) => b.length));
          const expected = batches.flatMap(([inputs, options]) =>
            expectedRecords(inputs, options, options.baseOffset ?? 0),
          );
          expect(plain(decodeRecords(all))).toEqual(expected);
        },
      ),
      { numRuns: 100 },
    );
  });
});
