import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidRecordError } from '../../../src/common/errors.js';
import { buildControlBatch } from '../../../src/log/format/control-record.js';
import { buildRecordBatch } from '../../../src/log/format/record-batch-builder.js';
import { iterateBatches } from '../../../src/log/format/record-batch-decoder.js';
import { batchOf, DIR, newLog, readAll, reopen } from './log-fixtures.js';

const RETENTION_MS = 60_000;
const config = {
  cleanupPolicy: 'compact' as const,
  segmentBytes: 2048,
  maxBatchBytes: 2048,
  deleteRetentionMs: RETENTION_MS,
  flush: { intervalMs: 0 },
};

type Input = { key: string; value: string | null }[];

/** The model: the latest record per key, in offset order; tombstones optionally dropped. */
function latestPerKey(records: (Input[number] & { offset: number })[], dropTombstones: boolean) {
  const last = new Map<string, number>();
  for (const r of records) last.set(r.key, r.offset);
  return records.filter((r) => last.get(r.key) === r.offset && !(dropTombstones && r.value === null));
}

const inputArb = fc.array(
  fc.array(
    fc.record({
      key: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'),
      value: fc.option(fc.string({ maxLength: 40 }), { freq: 4 }),
    }),
    { minLength: 1, maxLength: 8 },
  ),
  { minLength: 1, maxLength: 40 },
);

describe('compaction', () => {
  it('leaves the latest value per key in offset order, then drops tombstones after delete retention', async () => {
    await fc.assert(
      fc.asyncProperty(inputArb, fc.boolean(), async (batches, cleanClose) => {
        const { log, fs, clock } = newLog(config);
        const appended: (Input[number] & { offset: number })[] = [];
        for (const batch of batches) {
          const info = log.append(batchOf(batch.map((r) => ({ ...r, timestamp: clock.nowMs() }))));
          batch.forEach((r, i) => {
            appended.push({ ...r, offset: info.firstOffset + i });
          });
        }
        log.roll();
        const project = (rs: { offset: number; key?: string | null; value: string | null }[]) =>
          rs.map((r) => ({ offset: r.offset, key: r.key, value: r.value }));

        const first = await log.compact();
        expect(first.recordsRemoved).toBe(appended.length - latestPerKey(appended, false).length);
        expect(project(readAll(log))).toEqual(latestPerKey(appended, false));

        clock.advance(RETENTION_MS - 1);
        await log.compact();
        expect(project(readAll(log))).toEqual(latestPerKey(appended, false));

        clock.advance(1);
        await log.compact();
        const expected = latestPerKey(appended, true);
        expect(project(readAll(log))).toEqual(expected);
        expect(log.logEndOffset).toBe(appended.length);

        if (cleanClose) await log.close();
        else fs.crashLosingUnsynced();
        const again = reopen(fs, clock, config);
        expect(project(readAll(again))).toEqual(expected);
        again.append(batchOf([{ key: 'z', value: 'after', timestamp: clock.nowMs() }]));
        expect(again.logEndOffset).toBe(appended.length + 1);
      }),
      { numRuns: 150 },
    );
  });

  it('never touches the active segment', async () => {
    const { log } = newLog(config);
    for (let i = 0; i < 5; i++) log.append(batchOf([{ key: 'k', value: `v${i}`, timestamp: i }]));
    const result = await log.compact();
    expect(result.segmentsCleaned).toBe(0);
    expect(readAll(log).map((r) => r.value)).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);
  });

  it('keeps transaction markers', async () => {
    const { log } = newLog(config);
    log.append(batchOf([{ key: 'k', value: 'v0', timestamp: 1 }]));
    log.append(
      buildControlBatch({
        type: 'COMMIT',
        producerId: 1,
        producerEpoch: 0,
        coordinatorEpoch: 0,
        timestamp: 2,
      }),
    );
    log.append(batchOf([{ key: 'k', value: 'v1', timestamp: 3 }]));
    log.roll();
    await log.compact();
    const batches = [...iterateBatches(log.read(0, 1 << 20).records)];
    expect(batches.map((b) => [b.baseOffset, b.isControl])).toEqual([
      [1, true],
      [2, false],
    ]);
  });

  it('refuses records without a key on a compacted topic, writing nothing', () => {
    const { log } = newLog(config);
    expect(() =>
      log.append(
        batchOf([
          { key: 'a', value: 'x', timestamp: 1 },
          { value: 'no key', timestamp: 1 },
        ]),
      ),
    ).toThrow(InvalidRecordError);
    expect(log.logEndOffset).toBe(0);
  });

  it('is refused on a topic with cleanupPolicy delete', async () => {
    const { log } = newLog();
    await expect(log.compact()).rejects.toThrow(/cleanupPolicy 'delete'/);
  });
});

describe('a crash during compaction leaves the old segment or the new one', () => {
  async function logReadyToCompact() {
    const { log, fs, clock } = newLog(config);
    for (let i = 0; i < 30; i++) log.append(batchOf([{ key: `k${i % 3}`, value: `v${i}`, timestamp: i }]));
    log.roll();
    await log.flush();
    const before = readAll(log).map((r) => r.value);
    return { log, fs, clock, before };
  }

  it('keeps the old segment when the crash comes before the swap (a leftover .cleaned file)', async () => {
    const { log, fs, clock, before } = await logReadyToCompact();
    fs.faults = { failRenameOn: '.cleaned' };
    await expect(log.compact()).rejects.toThrow();
    fs.faults = {};
    fs.setContents(`${DIR}/00000000000000000000.log.cleaned`, new Uint8Array([1, 2, 3]));
    fs.crashLosingUnsynced();
    const again = reopen(fs, clock, config);
    expect(again.recovery.leftoversRemoved).toBeGreaterThanOrEqual(1);
    expect(readAll(again).map((r) => r.value)).toEqual(before);
  });

  it('keeps the new segment when the crash comes after the swap, rebuilding its index', async () => {
    const { log, fs, clock } = await logReadyToCompact();
    fs.faults = { failOpenOn: '.index.tmp' };
    await expect(log.compact()).rejects.toThrow();
    fs.faults = {};
    fs.crashLosingUnsynced();
    const again = reopen(fs, clock, config);
    expect(again.recovery.indexesRebuilt).toBeGreaterThanOrEqual(1);
    expect(readAll(again).map((r) => r.value)).toEqual(['v27', 'v28', 'v29']);
  });
});

describe('compaction of transactional data', () => {
  it('drops an aborted transaction’s records, so they never supersede the committed value of their key', async () => {
    const { log, clock } = newLog(config);
    log.append(batchOf([{ key: 'k', value: 'committed', timestamp: clock.nowMs() }]));
    const aborted = buildRecordBatch(
      [{ key: Buffer.from('k'), value: Buffer.from('aborted'), timestamp: clock.nowMs() }],
      {
        producerId: 9,
        producerEpoch: 0,
        baseSequence: 0,
        isTransactional: true,
      },
    );
    const at = log.append(aborted).firstOffset;
    const marker = log.append(
      buildControlBatch({
        type: 'ABORT',
        producerId: 9,
        producerEpoch: 0,
        coordinatorEpoch: 0,
        timestamp: clock.nowMs(),
      }),
    ).firstOffset;
    log.roll();
    const result = await log.compact({
      isAborted: (producerId, offset) => producerId === 9 && offset >= at && offset < marker,
    });
    expect(result.recordsRemoved).toBe(1);
    expect(
      readAll(log)
        .filter((r) => r.key === 'k')
        .map((r) => r.value),
    ).toEqual(['committed']);
    // Without the aborted index the aborted write would have won.
    const { log: plain, clock: c2 } = newLog(config);
    plain.append(batchOf([{ key: 'k', value: 'committed', timestamp: c2.nowMs() }]));
    plain.append(Buffer.from(aborted));
    plain.roll();
    await plain.compact();
    expect(
      readAll(plain)
        .filter((r) => r.key === 'k')
        .map((r) => r.value),
    ).toEqual(['aborted']);
  });
});
