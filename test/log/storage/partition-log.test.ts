import { describe, expect, it } from 'vitest';
import {
  CorruptRecordError,
  OffsetOutOfRangeError,
  RecordTooLargeError,
} from '../../../src/common/errors.js';
import {
  BatchField,
  batchBaseOffset,
  batchPartitionLeaderEpoch,
} from '../../../src/log/format/batch-layout.js';
import { batchOf, newLog, readAll, recordsIn, reopen } from './log-fixtures.js';

const rec = (i: number, ts = 1000 + i) => ({ value: `v${i}`, timestamp: ts });

describe('PartitionLog append and read', () => {
  it('assigns consecutive offsets across batches by rewriting only the base offset', () => {
    const { log } = newLog();
    const a = log.append(batchOf([rec(0), rec(1), rec(2)]));
    const b = log.append(batchOf([rec(3)]), { leaderEpoch: 7 });
    expect(a).toMatchObject({ firstOffset: 0, lastOffset: 2, batches: 1 });
    expect(b).toMatchObject({ firstOffset: 3, lastOffset: 3 });
    expect(log.logEndOffset).toBe(4);
    const read = log.read(0, 1 << 20);
    expect(recordsIn(read.records).map((r) => [r.offset, r.value])).toEqual([
      [0, 'v0'],
      [1, 'v1'],
      [2, 'v2'],
      [3, 'v3'],
    ]);
    expect(read.nextOffset).toBe(4);
    const second = read.records.subarray(read.records.length - b.bytes);
    expect(batchBaseOffset(second, 0)).toBe(3);
    expect(batchPartitionLeaderEpoch(second, 0)).toBe(7);
  });

  it('returns at least one whole batch even when it is larger than maxBytes', () => {
    const { log } = newLog();
    log.append(batchOf([rec(0), rec(1)]));
    log.append(batchOf([rec(2)]));
    const r = log.read(0, 10);
    expect(recordsIn(r.records).map((x) => x.offset)).toEqual([0, 1]);
    expect(r.nextOffset).toBe(2);
  });

  it('returns the batch holding an offset from its middle, and nothing at the log end', () => {
    const { log } = newLog();
    log.append(batchOf([rec(0), rec(1), rec(2)]));
    const r = log.read(1, 1 << 20);
    expect(r.firstOffset).toBe(0);
    expect(log.read(3, 1 << 20).records.length).toBe(0);
  });

  it('refuses reads below the log start or past the log end with OffsetOutOfRangeError', () => {
    const { log } = newLog();
    log.append(batchOf([rec(0)]));
    expect(() => log.read(2, 100)).toThrow(OffsetOutOfRangeError);
    expect(() => log.read(-1, 100)).toThrow(OffsetOutOfRangeError);
  });

  it('stops at maxOffset so consumers never see past the high watermark', () => {
    const { log } = newLog();
    log.append(batchOf([rec(0), rec(1)]));
    log.append(batchOf([rec(2), rec(3)]));
    expect(readAll(log, 0, 1 << 20, 2).map((r) => r.offset)).toEqual([0, 1]);
    expect(readAll(log, 0, 1 << 20, 3).map((r) => r.offset)).toEqual([0, 1]);
  });

  it('refuses a batch with a bad CRC, length or magic and writes nothing', () => {
    const { log } = newLog();
    log.append(batchOf([rec(0)]));
    const good = batchOf([rec(1)]);
    const badCrc = Buffer.from(good);
    badCrc[badCrc.length - 1]! ^= 0xff;
    const badMagic = Buffer.from(good);
    badMagic[BatchField.magic] = 1;
    const badLength = Buffer.from(good);
    badLength.writeInt32BE(good.length + 100, BatchField.batchLength);
    for (const bad of [badCrc, badMagic, badLength, good.subarray(0, 30)]) {
      expect(() => log.append(Buffer.concat([batchOf([rec(9)]), bad]))).toThrow(CorruptRecordError);
    }
    expect(log.logEndOffset).toBe(1);
    expect(readAll(log).map((r) => r.value)).toEqual(['v0']);
  });

  it('refuses a batch over maxBatchBytes with RecordTooLargeError', () => {
    const { log } = newLog({ maxBatchBytes: 200, segmentBytes: 4096 });
    expect(() => log.append(batchOf([{ value: 'x'.repeat(500), timestamp: 1 }]))).toThrow(
      RecordTooLargeError,
    );
    expect(log.logEndOffset).toBe(0);
  });

  it('rolls segments by size and reads across them', () => {
    const { log } = newLog({ segmentBytes: 1024, maxBatchBytes: 1024 });
    for (let i = 0; i < 50; i++) log.append(batchOf([rec(i)]));
    expect(log.segmentCount).toBeGreaterThan(3);
    expect(readAll(log, 0, 300).map((r) => r.value)).toEqual(Array.from({ length: 50 }, (_, i) => `v${i}`));
  });

  it('rolls a segment by age on the injected clock', () => {
    const { log, clock } = newLog({ segmentMs: 60_000 });
    log.append(batchOf([rec(0, clock.nowMs())]));
    clock.advance(30_000);
    log.append(batchOf([rec(1, clock.nowMs())]));
    expect(log.segmentCount).toBe(1);
    clock.advance(30_000);
    log.append(batchOf([rec(2, clock.nowMs())]));
    expect(log.segmentBaseOffsets()).toEqual([0, 2]);
  });

  it('measures segment age on the clock, so old record timestamps do not roll a segment per append', () => {
    const { log, clock } = newLog({ segmentMs: 60_000 });
    for (let i = 0; i < 10; i++) log.append(batchOf([rec(i, 0)]));
    expect(log.segmentCount).toBe(1);
    clock.advance(60_000);
    log.append(batchOf([rec(10, 0)]));
    expect(log.segmentCount).toBe(2);
  });
});

describe('PartitionLog durability', () => {
  it('acknowledges durability only after a sync, sharing one sync among concurrent appends', async () => {
    const { log } = newLog({ flush: { everyAppend: true, intervalMs: 0 } });
    const a = log.append(batchOf([rec(0)]));
    const b = log.append(batchOf([rec(1)]));
    expect(log.recoveryPoint).toBe(0);
    await Promise.all([log.waitDurable(a.lastOffset), log.waitDurable(b.lastOffset)]);
    expect(log.recoveryPoint).toBe(2);
  });

  it('flushes on the interval timer of the injected clock', async () => {
    const { log, clock } = newLog({ flush: { intervalMs: 100 } });
    const a = log.append(batchOf([rec(0)]));
    let durable = false;
    const p = log.waitDurable(a.lastOffset).then(() => {
      durable = true;
    });
    await Promise.resolve();
    expect(durable).toBe(false);
    clock.advance(100);
    await p;
    expect(durable).toBe(true);
  });

  it('flushes once the unflushed bytes pass intervalBytes', async () => {
    const { log } = newLog({ flush: { intervalMs: 0, intervalBytes: 200 } });
    log.append(batchOf([rec(0)]));
    await Promise.resolve();
    expect(log.recoveryPoint).toBe(0);
    const b = log.append(batchOf([{ value: 'x'.repeat(200), timestamp: 1 }]));
    await log.waitDurable(b.lastOffset);
    expect(log.recoveryPoint).toBe(2);
  });

  it('keeps everything across a clean close and reopen without scanning', async () => {
    const { log, fs, clock } = newLog({ segmentBytes: 1024, maxBatchBytes: 1024 });
    for (let i = 0; i < 30; i++) log.append(batchOf([rec(i)]));
    await log.close();
    const again = reopen(fs, clock, { segmentBytes: 1024, maxBatchBytes: 1024 });
    expect(again.recovery.cleanShutdown).toBe(true);
    expect(again.recovery.segmentsScanned).toBe(0);
    expect(again.logEndOffset).toBe(30);
    expect(readAll(again).map((r) => r.value)).toEqual(Array.from({ length: 30 }, (_, i) => `v${i}`));
  });
});

describe('PartitionLog truncation, retention and log start', () => {
  it('truncates whole batches from an offset and appends after the new end', () => {
    const { log } = newLog();
    log.append(batchOf([rec(0), rec(1)]));
    log.append(batchOf([rec(2), rec(3)]));
    log.append(batchOf([rec(4)]));
    expect(log.truncateTo(3)).toBe(2);
    log.append(batchOf([rec(99)]));
    expect(readAll(log).map((r) => [r.offset, r.value])).toEqual([
      [0, 'v0'],
      [1, 'v1'],
      [2, 'v99'],
    ]);
  });

  it('truncates across segments', () => {
    const { log } = newLog({ segmentBytes: 1024, maxBatchBytes: 1024 });
    for (let i = 0; i < 40; i++) log.append(batchOf([rec(i)]));
    const segments = log.segmentCount;
    log.truncateTo(5);
    expect(log.segmentCount).toBeLessThan(segments);
    expect(log.logEndOffset).toBe(5);
    expect(readAll(log).map((r) => r.offset)).toEqual([0, 1, 2, 3, 4]);
  });

  it('deletes sealed segments older than retentionMs on the injected clock, never the active one', () => {
    const { log, clock } = newLog({ segmentBytes: 1024, maxBatchBytes: 1024, retentionMs: 10_000 });
    for (let i = 0; i < 20; i++) log.append(batchOf([rec(i, clock.nowMs())]));
    clock.advance(5_000);
    for (let i = 20; i < 40; i++) log.append(batchOf([rec(i, clock.nowMs())]));
    expect(log.applyRetention()).toBe(0);
    clock.advance(6_000);
    const before = log.segmentCount;
    const deleted = log.applyRetention();
    expect(deleted).toBeGreaterThan(0);
    expect(log.segmentCount).toBe(before - deleted);
    const first = readAll(log)[0]!;
    expect(first.timestamp).toBeGreaterThanOrEqual(clock.nowMs() - 11_000);
    expect(log.logStartOffset).toBe(first.offset);
    clock.advance(100_000);
    log.applyRetention();
    expect(log.segmentCount).toBe(1);
  });

  it('deletes the oldest segments while the log is larger than retentionBytes', () => {
    const { log } = newLog({
      segmentBytes: 1024,
      maxBatchBytes: 1024,
      retentionBytes: 2048,
      retentionMs: -1,
    });
    for (let i = 0; i < 100; i++) log.append(batchOf([rec(i)]));
    log.applyRetention();
    expect(log.sizeBytes - 1024).toBeLessThan(2048);
    expect(log.sizeBytes).toBeGreaterThanOrEqual(1024);
    expect(readAll(log).at(-1)!.offset).toBe(99);
  });

  it('deletes a segment that a running sync still uses without breaking the sync', async () => {
    const { log, clock } = newLog({
      segmentBytes: 1024,
      maxBatchBytes: 1024,
      retentionMs: 1000,
      flush: { intervalMs: 0 },
    });
    for (let i = 0; i < 20; i++) log.append(batchOf([rec(i, clock.nowMs())]));
    const flushed = log.flush();
    clock.advance(5000);
    log.append(batchOf([rec(20, clock.nowMs())]));
    expect(log.applyRetention()).toBeGreaterThan(0);
    await flushed;
    await log.flush();
    expect(log.recoveryPoint).toBe(21);
    expect(readAll(log).at(-1)!.value).toBe('v20');
  });

  it('advances the log start offset and refuses reads below it', () => {
    const { log } = newLog({ segmentBytes: 1024, maxBatchBytes: 1024 });
    for (let i = 0; i < 40; i++) log.append(batchOf([rec(i)]));
    log.advanceLogStartOffset(25);
    expect(log.logStartOffset).toBe(25);
    expect(() => log.read(24, 100)).toThrow(OffsetOutOfRangeError);
    expect(log.segmentBaseOffsets()[0]).toBeLessThanOrEqual(25);
    expect(readAll(log).map((r) => r.offset)[0]).toBe(25);
  });
});
