import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LogCorruptedError } from '../../../src/common/errors.js';
import { BatchField } from '../../../src/log/format/batch-layout.js';
import { MemoryStorageFs } from '../../../src/log/storage/fs/memory-storage-fs.js';
import { readCheckpoint } from '../../../src/log/storage/partition-checkpoint.js';
import { SimulatedClock } from '../../../src/runtime/actor/simulated-clock.js';
import { batchOf, DIR, newLog, readAll, reopen } from './log-fixtures.js';

/** Crash schedules per run; `SEEDS=10000 npx vitest run test/log/storage` runs more. */
const CRASH_RUNS = Number(process.env.SEEDS ?? 1000);
/** Lets the memory fs's already-resolved syncs and the writes chained on them run (no timers). */
async function drainMicrotasks() {
  for (let i = 0; i < 50; i++) await Promise.resolve();
}
const SEGMENT0 = `${DIR}/00000000000000000000.log`;
const rec = (i: number) => ({ value: `value-${i}`, timestamp: 5000 + i });
const values = (n: number) => Array.from({ length: n }, (_, i) => `value-${i}`);

/** A log with `synced` durable batches and one more batch appended but not synced. */
async function logWithUnsyncedTail(synced: number) {
  const { log, fs, clock } = newLog({ flush: { intervalMs: 0 } });
  for (let i = 0; i < synced; i++) log.append(batchOf([rec(i)]));
  await log.flush();
  const durableBytes = fs.contents(SEGMENT0).length;
  log.append(batchOf([rec(synced), rec(synced + 1)]));
  return { log, fs, clock, durableBytes, full: fs.contents(SEGMENT0) };
}

describe('recovery from a torn or garbage tail', () => {
  it('recovers to the last whole batch for a tear at every byte of the last batch', async () => {
    const { fs, clock, durableBytes, full } = await logWithUnsyncedTail(5);
    for (let cut = durableBytes; cut < full.length; cut++) {
      const image = fs.clone();
      image.setContents(SEGMENT0, full.subarray(0, cut));
      const log = reopen(image, clock);
      expect(log.logEndOffset, `tear at byte ${cut}`).toBe(5);
      expect(log.recovery.truncatedBytes).toBe(cut - durableBytes);
      expect(readAll(log).map((r) => r.value)).toEqual(values(5));
      log.append(batchOf([rec(5)]));
      expect(readAll(log).map((r) => r.value)).toEqual(values(6));
    }
  });

  it('truncates random garbage written after the synced data', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        fc.nat(4),
        async (garbage, synced) => {
          const { fs, clock, durableBytes, full } = await logWithUnsyncedTail(synced + 1);
          const image = fs.clone();
          const bytes = Buffer.concat([full.subarray(0, durableBytes), garbage]);
          image.setContents(SEGMENT0, bytes);
          const log = reopen(image, clock);
          expect(log.logEndOffset).toBe(synced + 1);
          expect(readAll(log).map((r) => r.value)).toEqual(values(synced + 1));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps whole unsynced batches that did reach the disk', async () => {
    const { fs, clock } = await logWithUnsyncedTail(3);
    const log = reopen(fs.clone(), clock);
    expect(log.logEndOffset).toBe(5);
    expect(log.recovery.truncatedBytes).toBe(0);
  });
});

describe('damage to synced data is reported, never hidden', () => {
  it('fails to open with LogCorruptedError for a bit flip in synced data after a crash', async () => {
    const { log, fs, clock } = newLog({ flush: { intervalMs: 0 } });
    for (let i = 0; i < 10; i++) log.append(batchOf([rec(i)]));
    await log.flush();
    await log.checkpoint();
    const bytes = fs.contents(SEGMENT0);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x10;
    fs.setContents(SEGMENT0, bytes);
    expect(() => reopen(fs, clock)).toThrow(LogCorruptedError);
    // Nothing was truncated by the failed open.
    expect(fs.contents(SEGMENT0)).toEqual(bytes);
  });

  it('truncates at the damage only when repair is asked for, and says so', async () => {
    const { log, fs, clock } = newLog({ flush: { intervalMs: 0 } });
    const sizes: number[] = [];
    for (let i = 0; i < 10; i++) sizes.push(log.append(batchOf([rec(i)])).bytes);
    await log.flush();
    await log.checkpoint();
    const bytes = fs.contents(SEGMENT0);
    const fourth = sizes.slice(0, 4).reduce((a, b) => a + b, 0);
    bytes[fourth + 70]! ^= 0x01;
    fs.setContents(SEGMENT0, bytes);
    const repaired = reopen(fs, clock, {}, true);
    expect(repaired.recovery.repairedCorruptionAt).toBe(4);
    expect(repaired.logEndOffset).toBe(4);
    expect(readAll(repaired).map((r) => r.value)).toEqual(values(4));
  });

  it('treats damage past the last checkpointed recovery point as a torn tail, as Kafka does', async () => {
    const { log, fs, clock } = newLog({ flush: { intervalMs: 0 }, checkpointIntervalMs: 60_000 });
    for (let i = 0; i < 4; i++) log.append(batchOf([rec(i)]));
    await log.flush();
    await log.checkpoint();
    const sizes: number[] = [];
    for (let i = 4; i < 8; i++) sizes.push(log.append(batchOf([rec(i)])).bytes);
    await log.flush(); // synced, but the checkpoint still says 4 until the interval passes
    const bytes = fs.contents(SEGMENT0);
    bytes[bytes.length - sizes[3]! - sizes[2]! + 70]! ^= 0x01;
    fs.setContents(SEGMENT0, bytes);
    const again = reopen(fs, clock);
    expect(again.logEndOffset).toBe(6);
    expect(again.recovery.truncatedBytes).toBe(sizes[2]! + sizes[3]!);
  });

  it('writes the recovery point on the checkpoint interval of the injected clock', async () => {
    const { log, fs, clock } = newLog({ flush: { intervalMs: 0 }, checkpointIntervalMs: 1000 });
    for (let i = 0; i < 4; i++) log.append(batchOf([rec(i)]));
    await log.flush();
    await drainMicrotasks();
    expect(readCheckpoint(fs, DIR)?.recoveryPoint).toBe(0);
    clock.advance(999);
    await drainMicrotasks();
    expect(readCheckpoint(fs, DIR)?.recoveryPoint).toBe(0);
    clock.advance(1);
    await drainMicrotasks();
    expect(readCheckpoint(fs, DIR)?.recoveryPoint).toBe(4);
  });

  it('refuses to serve a flipped bit in a cleanly closed log at read time', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.integer({ min: 0, max: 7 }), async (where, bit) => {
        const { log, fs, clock } = newLog();
        for (let i = 0; i < 6; i++) log.append(batchOf([rec(i)]));
        await log.close();
        const bytes = fs.contents(SEGMENT0);
        // The partition leader epoch (bytes 12-15 of a batch) is outside the CRC by design; pick
        // any other byte.
        let pos = where % bytes.length;
        const batchSize = bytes.length / 6;
        const inBatch = pos % batchSize;
        if (inBatch >= BatchField.partitionLeaderEpoch && inBatch < BatchField.magic) pos += 4;
        bytes[pos]! ^= 1 << bit;
        fs.setContents(SEGMENT0, bytes);
        let detected = false;
        try {
          const again = reopen(fs, clock);
          const got = readAll(again, 0, 1 << 20).map((r) => r.value);
          detected = got.length !== 6;
        } catch (err) {
          detected = err instanceof LogCorruptedError || (err as Error).name === 'CorruptRecordError';
        }
        expect(detected, `flip of bit ${bit} at byte ${pos}`).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('detects a valid batch written at the wrong place (misdirected write)', async () => {
    const { log, fs, clock } = newLog({ flush: { intervalMs: 0 } });
    const sizes: number[] = [];
    for (let i = 0; i < 4; i++) sizes.push(log.append(batchOf([rec(i)])).bytes);
    await log.flush();
    await log.checkpoint();
    const bytes = fs.contents(SEGMENT0);
    // Overwrite batch 2 with a copy of batch 0: a valid CRC, but offset 0 where 2 belongs.
    const at = sizes[0]! + sizes[1]!;
    bytes.copyWithin(at, 0, sizes[0]!);
    fs.setContents(SEGMENT0, bytes);
    expect(() => reopen(fs, clock)).toThrow(/out of order/);
  });
});

describe('side files are rebuilt from the log', () => {
  const config = { segmentBytes: 1024, maxBatchBytes: 1024, indexIntervalBytes: 100 };

  async function closedLog() {
    const { log, fs, clock } = newLog(config);
    for (let i = 0; i < 60; i++) log.append(batchOf([rec(i)]));
    await log.close();
    return { fs, clock };
  }

  const damages: [string, (b: Uint8Array) => Uint8Array][] = [
    ['empty', () => new Uint8Array(0)],
    ['half-written', (b) => b.subarray(0, Math.floor(b.length / 2))],
    ['garbage', (b) => b.map((_, i) => (i * 131 + 7) & 0xff)],
    ['one flipped bit', (b) => b.map((x, i) => (i === 5 ? x ^ 1 : x))],
  ];

  for (const [what, damage] of damages) {
    it(`rebuilds ${what} index and time index files, and reads stay identical`, async () => {
      const { fs, clock } = await closedLog();
      const expected = readAll(reopen(fs.clone(), clock, config), 0, 1);
      for (const path of fs.paths().filter((p) => p.endsWith('.index') || p.endsWith('.timeindex'))) {
        fs.setContents(path, damage(fs.contents(path)));
      }
      const log = reopen(fs, clock, config);
      expect(log.recovery.indexesRebuilt).toBe(log.segmentCount);
      for (let offset = 0; offset < 60; offset++) {
        expect(readAll(log, offset, 1)[0]).toEqual(expected[offset]);
      }
    });
  }

  it('rebuilds missing index files and a missing checkpoint', async () => {
    const { fs, clock } = await closedLog();
    for (const path of fs.paths().filter((p) => !p.endsWith('.log'))) fs.remove(path);
    const log = reopen(fs, clock, config);
    expect(log.recovery.indexesRebuilt).toBe(log.segmentCount);
    expect(readAll(log).map((r) => r.value)).toEqual(values(60));
  });

  it('rebuilds an index that belongs to another segment (stale)', async () => {
    const { fs, clock } = await closedLog();
    const [first, second] = fs.paths().filter((p) => p.endsWith('.index'));
    fs.setContents(second!, fs.contents(first!));
    const log = reopen(fs, clock, config);
    expect(log.recovery.indexesRebuilt).toBeGreaterThanOrEqual(1);
    expect(readAll(log).map((r) => r.value)).toEqual(values(60));
  });

  it('removes leftover temp files from a crash during a roll or checkpoint', async () => {
    const { fs, clock } = await closedLog();
    fs.setContents(`${DIR}/00000000000000000000.index.tmp`, new Uint8Array([1, 2, 3]));
    fs.setContents(`${DIR}/partition.checkpoint.tmp`, new Uint8Array([9]));
    const log = reopen(fs, clock, config);
    expect(log.recovery.leftoversRemoved).toBe(2);
    expect(fs.paths().some((p) => p.endsWith('.tmp'))).toBe(false);
    expect(readAll(log).map((r) => r.value)).toEqual(values(60));
  });

  it('recovers from a crash in the middle of a roll: new empty segment, old one unsealed', async () => {
    const { log, fs, clock } = newLog(config);
    for (let i = 0; i < 5; i++) log.append(batchOf([rec(i)]));
    log.roll();
    // Crash before the flush that seals the old segment: no index, nothing synced by the log.
    const image = fs.clone();
    for (const p of image.paths().filter((p) => p.endsWith('index') || p.endsWith('.checkpoint')))
      image.remove(p);
    const again = reopen(image, clock, config);
    expect(again.logEndOffset).toBe(5);
    expect(readAll(again).map((r) => r.value)).toEqual(values(5));
  });
});

describe('crashes that lose, tear or reorder unsynced writes', () => {
  it('keeps every acknowledged record bit-identical, and nothing that was never written', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.array(fc.record({ size: fc.integer({ min: 1, max: 4 }), ack: fc.boolean(), roll: fc.boolean() }), {
          minLength: 1,
          maxLength: 25,
        }),
        async (seed, steps) => {
          const { SeededRandom } = await import('../../../src/runtime/actor/seeded-random.js');
          const fs = new MemoryStorageFs();
          const clock = new SimulatedClock(0);
          const config = { segmentBytes: 2048, maxBatchBytes: 2048, flush: { intervalMs: 0 } };
          const log = reopen(fs, clock, config);
          const written: string[] = [];
          let acked = 0;
          for (const step of steps) {
            const batch = Array.from({ length: step.size }, (_, j) => rec(written.length + j));
            const info = log.append(batchOf(batch));
            written.push(...batch.map((r) => r.value));
            if (step.roll) log.roll();
            if (step.ack) {
              await log.flush();
              acked = info.lastOffset + 1;
            }
          }
          fs.crash(new SeededRandom(seed));
          const recovered = reopen(fs, clock, config);
          const got = readAll(recovered).map((r) => r.value);
          expect(got.length, `seed ${seed}`).toBeGreaterThanOrEqual(acked);
          expect(got, `seed ${seed}`).toEqual(written.slice(0, got.length));
          expect(recovered.logEndOffset).toBe(got.length);
        },
      ),
      { numRuns: CRASH_RUNS },
    );
  });
});

describe('disk failures stop the log (fail-stop)', () => {
  it('rejects durability waits and later appends after a failed fsync, acknowledging nothing', async () => {
    const { log, fs } = newLog({ flush: { everyAppend: true, intervalMs: 0 } });
    await log.waitDurable(log.append(batchOf([rec(0)])).lastOffset);
    fs.faults = { failSyncOn: '.log' };
    const info = log.append(batchOf([rec(1)]));
    await expect(log.waitDurable(info.lastOffset)).rejects.toMatchObject({ code: 'KAFKA_STORAGE_ERROR' });
    expect(log.recoveryPoint).toBe(1);
    expect(() => log.append(batchOf([rec(2)]))).toThrow(/stopped/);
    expect(() => log.read(0, 100)).toThrow(/stopped/);
  });

  it('stops on ENOSPC during a write, and the reopened log holds what was whole', async () => {
    const { log, fs, clock } = newLog({ flush: { everyAppend: true, intervalMs: 0 } });
    await log.waitDurable(log.append(batchOf([rec(0)])).lastOffset);
    fs.faults = { capacityBytes: fs.totalBytes() + 10 };
    expect(() => log.append(batchOf([rec(1)]))).toThrow(
      expect.objectContaining({ code: 'KAFKA_STORAGE_ERROR' }),
    );
    fs.faults = {};
    const again = reopen(fs, clock);
    expect(readAll(again).map((r) => r.value)).toEqual(values(1));
  });
});
