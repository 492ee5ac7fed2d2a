import { describe, expect, it } from 'vitest';
import { ConfigError, IllegalStateError, RecordTooLargeError } from '../../../src/common/errors.js';
import type { RecordInput } from '../../../src/log/format/record.js';
import { buildRecordBatch, RecordBatchBuilder } from '../../../src/log/format/record-batch-builder.js';
import { decodeRecords, RecordBatchView } from '../../../src/log/format/record-batch-decoder.js';
import { hexOf } from './format-test-helpers.js';

/** Deterministic incompressible bytes (xorshift32), so the test does not depend on luck. */
function pseudoRandomBytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const value = (n: number, fill = 0x61) => Buffer.alloc(n, fill);
/** Encoded size of a record with a null key, a value of `n` < 64 bytes, delta 0, no headers. */
const smallRecordBytes = (n: number) => 1 + (1 + 1 + 1 + 1 + 1 + n + 1);

describe('RecordBatchBuilder', () => {
  it('reports the exact size of an uncompressed batch as records are appended', () => {
    const builder = new RecordBatchBuilder();
    expect(builder.sizeInBytes).toBe(61);
    const sizes: number[] = [];
    for (let i = 0; i < 300; i++) {
      builder.append({
        key: value(i % 7),
        value: value(i * 3),
        timestamp: 1000 - i * 1000,
        headers: [{ key: 'é', value: null }],
      });
      sizes.push(builder.sizeInBytes);
      expect(builder.build().length).toBe(builder.sizeInBytes);
    }
    expect(builder.recordCount).toBe(300);
    expect(new Set(sizes).size).toBe(300);
  });

  it('returns false and appends nothing when a record would push the batch past maxBatchBytes', () => {
    const maxBatchBytes = 61 + 2 * smallRecordBytes(10);
    const builder = new RecordBatchBuilder({ maxBatchBytes });
    expect(builder.append({ value: value(10, 1), timestamp: 1 })).toBe(true);
    expect(builder.hasRoomFor({ value: value(10, 2), timestamp: 2 })).toBe(true);
    expect(builder.append({ value: value(10, 2), timestamp: 2 })).toBe(true);
    expect(builder.sizeInBytes).toBe(maxBatchBytes);
    expect(builder.hasRoomFor({ value: null })).toBe(false);
    expect(builder.append({ value: null, timestamp: 3 })).toBe(false);
    expect(builder.recordCount).toBe(2);
    expect(builder.sizeInBytes).toBe(maxBatchBytes);
    const batch = builder.build();
    expect(batch.length).toBe(maxBatchBytes);
    expect(decodeRecords(batch).map((r) => [r.offset, r.timestamp, hexOf(r.value)])).toEqual([
      [0, 1, value(10, 1).toString('hex')],
      [1, 2, value(10, 2).toString('hex')],
    ]);
  });

  it('accepts a first record that exactly fills maxBatchBytes', () => {
    const builder = new RecordBatchBuilder({ maxBatchBytes: 61 + smallRecordBytes(20) });
    expect(builder.append({ value: value(20) })).toBe(true);
    expect(builder.build().length).toBe(61 + smallRecordBytes(20));
  });

  it('throws RecordTooLargeError for a first record that no batch within maxBatchBytes could hold', () => {
    const builder = new RecordBatchBuilder({ maxBatchBytes: 61 + smallRecordBytes(20) });
    expect(builder.hasRoomFor({ value: value(21) })).toBe(false);
    expect(() => builder.append({ value: value(21) })).toThrow(RecordTooLargeError);
    expect(() => builder.append({ value: value(21) })).toThrow(/maxBatchBytes 88/);
    expect(builder.recordCount).toBe(0);
    expect(builder.append({ value: value(20) })).toBe(true);
  });

  it('grows its buffer to hold a megabyte batch and still frames every record', () => {
    const builder = new RecordBatchBuilder();
    let appended = 0;
    while (builder.append({ key: value(8, appended & 0xff), value: value(100), timestamp: appended }))
      appended++;
    expect(appended).toBeGreaterThan(8000);
    expect(builder.sizeInBytes).toBeLessThanOrEqual(1024 * 1024);
    const records = decodeRecords(builder.build());
    expect(records.length).toBe(appended);
    expect(records.every((r, i) => r.offset === i && r.timestamp === i && r.key![0] === (i & 0xff))).toBe(
      true,
    );
  });

  it('build returns a copy that later appends and resets do not disturb', () => {
    const builder = new RecordBatchBuilder();
    builder.append({ value: value(3, 0x31), timestamp: 5 });
    const first = builder.build();
    const before = Buffer.from(first);
    builder.append({ value: value(3, 0x32), timestamp: 6 });
    builder.reset();
    builder.append({ value: value(3, 0x33), timestamp: 7 });
    builder.build();
    expect(first.equals(before)).toBe(true);
    expect(decodeRecords(first).map((r) => hexOf(r.value))).toEqual(['313131']);
  });

  it('buildView returns the same bytes as build without copying them', () => {
    const builder = new RecordBatchBuilder({ baseOffset: 9 });
    builder.append({ value: value(30), timestamp: 5 });
    const view = builder.buildView();
    expect(view.equals(builder.build())).toBe(true);
    builder.reset();
    builder.append({ value: value(30, 0x7a), timestamp: 5 });
    // The view aliases the internal buffer, so the next batch's record shows through it.
    expect(view.includes(0x7a)).toBe(true);
  });

  it('reset starts an empty batch, keeping options not given and restoring ones given as undefined', () => {
    const builder = new RecordBatchBuilder({
      producerId: 7,
      producerEpoch: 2,
      baseSequence: 0,
      baseOffset: 3,
    });
    builder.append({ value: value(1), timestamp: 1 });
    builder.append({ value: value(1), timestamp: 2 });
    builder.reset({ baseSequence: 2, baseOffset: undefined });
    expect(builder.recordCount).toBe(0);
    expect(builder.sizeInBytes).toBe(61);
    builder.append({ value: value(1, 0x62), timestamp: 3 });
    const view = new RecordBatchView(builder.build());
    expect([
      view.producerId,
      view.producerEpoch,
      view.baseSequence,
      view.baseOffset,
      view.recordsCount,
    ]).toEqual([7, 2, 2, 0, 1]);
    expect([...view].map((r) => [r.offset, r.timestamp])).toEqual([[0, 3]]);
  });

  it('refuses to build an empty batch', () => {
    const builder = new RecordBatchBuilder();
    expect(() => builder.build()).toThrow(IllegalStateError);
    expect(() => buildRecordBatch([])).toThrow(IllegalStateError);
  });

  it('gives records without a timestamp the defaultTimestampMs', () => {
    const records = decodeRecords(buildRecordBatch([{}, { timestamp: 5 }, {}], { defaultTimestampMs: 1234 }));
    expect(records.map((r) => [r.timestamp, r.key, r.value])).toEqual([
      [1234, null, null],
      [5, null, null],
      [1234, null, null],
    ]);
  });

  it('accepts timestamp deltas up to 2^52 - 1 either way and refuses larger ones or unsafe timestamps', () => {
    const base = 2 ** 50;
    const ok = buildRecordBatch([
      { timestamp: base },
      { timestamp: base + 2 ** 52 - 1 },
      { timestamp: base - 2 ** 52 },
    ]);
    expect(decodeRecords(ok).map((r) => r.timestamp)).toEqual([base, base + 2 ** 52 - 1, base - 2 ** 52]);
    const builder = new RecordBatchBuilder();
    builder.append({ timestamp: base });
    expect(() => builder.append({ timestamp: base + 2 ** 52 })).toThrow(RangeError);
    expect(() => builder.append({ timestamp: base - 2 ** 52 - 1 })).toThrow(RangeError);
    expect(() => builder.append({ timestamp: 1.5 })).toThrow(RangeError);
    expect(() => builder.append({ timestamp: Number.NaN })).toThrow(RangeError);
    expect(builder.recordCount).toBe(1);
  });

  it('stores a delete horizon in baseTimestamp with attribute bit 6 and keeps record timestamps', () => {
    const batch = buildRecordBatch([{ timestamp: 500 }, { timestamp: 400 }], { deleteHorizonMs: 10_000 });
    const view = new RecordBatchView(batch);
    expect(view.attributes & 0x40).toBe(0x40);
    expect([view.baseTimestamp, view.deleteHorizonMs, view.maxTimestamp]).toEqual([10_000, 10_000, 500]);
    expect([...view].map((r) => r.timestamp)).toEqual([500, 400]);
  });

  it('gives every record of a LogAppendTime batch the batch maxTimestamp', () => {
    const batch = buildRecordBatch([{ timestamp: 7 }, { timestamp: 9 }, { timestamp: 8 }], {
      timestampType: 'LogAppendTime',
    });
    const view = new RecordBatchView(batch);
    expect(view.attributes & 0x08).toBe(0x08);
    expect([...view].map((r) => r.timestamp)).toEqual([9, 9, 9]);
  });

  it('gzips compressible records into a smaller batch that decodes to the same records', () => {
    const records: RecordInput[] = Array.from({ length: 200 }, (_, i) => ({
      key: Buffer.from(`key-${i % 10}`),
      value: Buffer.from(`{"user":"user-${i % 10}","action":"click"}`),
      timestamp: 1_700_000_000_000 + i,
    }));
    const plain = buildRecordBatch(records);
    const gzipped = buildRecordBatch(records, { compression: 'gzip' });
    const view = new RecordBatchView(gzipped);
    expect(view.compression).toBe('gzip');
    expect(view.attributes & 0x07).toBe(1);
    expect(gzipped.length).toBeLessThan(plain.length / 4);
    const strip = (b: Buffer) =>
      decodeRecords(b).map((r) => [r.offset, r.timestamp, hexOf(r.key), hexOf(r.value)]);
    expect(strip(gzipped)).toEqual(strip(plain));
  });

  it('writes incompressible records uncompressed rather than exceed maxBatchBytes with gzip', () => {
    const maxBatchBytes = 4096;
    const builder = new RecordBatchBuilder({ compression: 'gzip', maxBatchBytes });
    const noise = pseudoRandomBytes(maxBatchBytes, 42);
    for (let i = 0; builder.append({ value: noise.subarray(i * 250, i * 250 + 250) }); i++);
    expect(builder.sizeInBytes).toBeGreaterThan(maxBatchBytes - 300);
    const batch = builder.build();
    expect(batch.length).toBeLessThanOrEqual(maxBatchBytes);
    expect(new RecordBatchView(batch).compression).toBe('none');
    expect(decodeRecords(batch).length).toBe(builder.recordCount);
  });

  it('buildRecordBatch refuses records that do not fit in one batch', () => {
    const records = Array.from({ length: 10 }, () => ({ value: value(40) }));
    expect(() => buildRecordBatch(records, { maxBatchBytes: 200 })).toThrow(RecordTooLargeError);
    expect(() => buildRecordBatch(records, { maxBatchBytes: 200 })).toThrow(/record 2 is the first/);
  });

  it('refuses unknown and out-of-range options with a ConfigError naming the key', () => {
    const bad: [object, RegExp][] = [
      [{ maxBatchSize: 10 }, /maxBatchSize/],
      [{ producerEpoch: 40_000 }, /producerEpoch/],
      [{ baseSequence: -2 }, /baseSequence/],
      [{ maxBatchBytes: 60 }, /maxBatchBytes/],
      [{ baseOffset: -1 }, /baseOffset/],
      [{ compression: 'brotli' }, /compression/],
      [{ timestampType: 'NoTime' }, /timestampType/],
      [{ isControl: 1 }, /isControl/],
    ];
    for (const [options, message] of bad) {
      expect(() => new RecordBatchBuilder(options as never)).toThrow(ConfigError);
      expect(() => new RecordBatchBuilder(options as never)).toThrow(message);
      expect(() => new RecordBatchBuilder().reset(options as never)).toThrow(message);
    }
  });
});
