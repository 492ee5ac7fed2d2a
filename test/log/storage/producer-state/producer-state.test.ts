import { describe, expect, it } from 'vitest';
import { CorruptRecordError, InvalidRecordError } from '../../../../src/common/errors.js';
import {
  InvalidProducerEpochError,
  InvalidTxnStateError,
  OutOfOrderSequenceError,
  TransactionCoordinatorFencedError,
} from '../../../../src/common/transaction-errors.js';
import { BatchField } from '../../../../src/log/format/batch-layout.js';
import { buildControlBatch } from '../../../../src/log/format/control-record.js';
import { MemoryStorageFs } from '../../../../src/log/storage/fs/memory-storage-fs.js';
import { AbortedTransactionIndex } from '../../../../src/log/storage/producer-state/aborted-transaction-index.js';
import {
  decodeProducerSnapshot,
  encodeProducerSnapshot,
} from '../../../../src/log/storage/producer-state/producer-snapshot-codec.js';
import {
  lastSequenceOf,
  nextSequence,
  ProducerStateEntry,
} from '../../../../src/log/storage/producer-state/producer-state-entry.js';
import { ProducerStateManager } from '../../../../src/log/storage/producer-state/producer-state-manager.js';
import { SimulatedClock } from '../../../../src/runtime/actor/simulated-clock.js';
import { concat, DIR, openLog, producerBatch } from './producer-fixtures.js';

const MAX_INT32 = 0x7fffffff;

describe('producer sequences', () => {
  it('wrap from 2^31 - 1 to 0, as Kafka numbers them', () => {
    expect(lastSequenceOf(MAX_INT32 - 1, 2)).toBe(0);
    expect(lastSequenceOf(MAX_INT32, 0)).toBe(MAX_INT32);
    expect(lastSequenceOf(5, 4)).toBe(9);
    expect(nextSequence(MAX_INT32)).toBe(0);
    expect(nextSequence(9)).toBe(10);
  });

  it('accept a batch that wraps the sequence and the one that follows it at 0', () => {
    const m = ProducerStateManager.fromImage('t-0', {
      producers: [
        {
          producerId: 1,
          epoch: 0,
          coordinatorEpoch: -1,
          lastTimestamp: 0,
          currentTxnFirstOffset: -1,
          batches: [{ firstSeq: MAX_INT32 - 3, lastSeq: MAX_INT32 - 2, firstOffset: 0, lastOffset: 1 }],
        },
      ],
      completedTxns: [],
      aborted: [],
      lastTrackedOffset: 1,
    });
    expect(m.prepareLeaderAppend(producerBatch({ pid: 1, seq: MAX_INT32 - 1, count: 3 }), 2)).toBeUndefined();
    m.commitPrepared(0);
    expect(m.entry(1)!.lastSeq).toBe(0);
    expect(m.prepareLeaderAppend(producerBatch({ pid: 1, seq: 1 }), 5)).toBeUndefined();
  });
});

describe('ProducerStateEntry', () => {
  it('remembers the last five batches and finds a retry among them', () => {
    const e = new ProducerStateEntry(7, 0);
    for (let i = 0; i < 7; i++) e.addBatch(i * 10, i * 10 + 9, i * 100, i * 100 + 9);
    expect(e.batchCount).toBe(5);
    expect(e.batches().map((b) => b.firstSeq)).toEqual([20, 30, 40, 50, 60]);
    expect(e.findDuplicate(10, 19)).toBe(-1);
    const slot = e.findDuplicate(30, 39);
    expect([e.firstOffsetAt(slot), e.lastOffsetAt(slot)]).toEqual([300, 309]);
    expect(e.lastSeq).toBe(69);
    e.clearBatches();
    expect(e.lastSeq).toBe(-1);
  });
});

describe('AbortedTransactionIndex', () => {
  it('returns the transactions overlapping a range and forgets those below the log start', () => {
    const index = new AbortedTransactionIndex();
    index.add(1, 0, 10);
    index.add(2, 5, 30);
    index.add(3, 40, 41);
    expect(index.overlapping(11, 20)).toEqual([{ producerId: 2, firstOffset: 5 }]);
    expect(index.overlapping(0, 45).map((t) => t.producerId)).toEqual([1, 2, 3]);
    expect(index.overlapping(31, 40)).toEqual([]);
    index.trimBelow(11);
    expect(index.entries().map((t) => t.producerId)).toEqual([2, 3]);
  });
});

describe('producer snapshots', () => {
  it('round-trip the state, and a flipped bit anywhere makes the file untrusted', () => {
    const image = {
      producers: [
        {
          producerId: 9,
          epoch: 3,
          coordinatorEpoch: 2,
          lastTimestamp: 1234,
          currentTxnFirstOffset: 17,
          batches: [{ firstSeq: 0, lastSeq: 4, firstOffset: 17, lastOffset: 21 }],
        },
      ],
      completedTxns: [{ producerId: 4, firstOffset: 1, lastOffset: 9 }],
      aborted: [{ producerId: 4, firstOffset: 1, lastOffset: 9 }],
      lastTrackedOffset: 21,
    };
    const bytes = encodeProducerSnapshot(22, image);
    expect(decodeProducerSnapshot(bytes)).toEqual({ offset: 22, image });
    for (let i = 0; i < bytes.length; i += 7) {
      const damaged = Buffer.from(bytes);
      damaged[i]! ^= 0x10;
      expect(decodeProducerSnapshot(damaged)).toBeUndefined();
    }
    expect(decodeProducerSnapshot(bytes.subarray(0, bytes.length - 1))).toBeUndefined();
  });
});

describe('a leader append checked against the producer state', () => {
  const setup = () => openLog(new MemoryStorageFs(), new SimulatedClock(0));

  it('writes a retry of any of the last five batches nowhere and answers with the original offsets', () => {
    const { log, state } = setup();
    for (let i = 0; i < 5; i++) state.appendAsLeader(producerBatch({ pid: 1, seq: i * 2, count: 2 }), 0);
    const retry = state.appendAsLeader(producerBatch({ pid: 1, seq: 2, count: 2 }), 0);
    expect(retry).toMatchObject({ duplicate: true, firstOffset: 2, lastOffset: 3 });
    expect(log.logEndOffset).toBe(10);
  });

  it('refuses a gap, a stale epoch and a first batch that does not start at 0, writing nothing', () => {
    const { log, state } = setup();
    expect(() => state.appendAsLeader(producerBatch({ pid: 1, seq: 3 }), 0)).toThrow(OutOfOrderSequenceError);
    state.appendAsLeader(producerBatch({ pid: 1, epoch: 2, seq: 0, count: 3 }), 0);
    expect(() => state.appendAsLeader(producerBatch({ pid: 1, epoch: 2, seq: 4 }), 0)).toThrow(/expected 3/);
    expect(() => state.appendAsLeader(producerBatch({ pid: 1, epoch: 1, seq: 3 }), 0)).toThrow(
      InvalidProducerEpochError,
    );
    expect(() => state.appendAsLeader(producerBatch({ pid: 1, epoch: 3, seq: 3 }), 0)).toThrow(
      OutOfOrderSequenceError,
    );
    expect(log.logEndOffset).toBe(3);
    state.appendAsLeader(producerBatch({ pid: 1, epoch: 3, seq: 0 }), 0);
    expect(log.logEndOffset).toBe(4);
  });

  it('checks the batches of one request in turn and writes all or none of them', () => {
    const { log, state } = setup();
    const two = concat(producerBatch({ pid: 1, seq: 0, count: 2 }), producerBatch({ pid: 1, seq: 2 }));
    expect(state.appendAsLeader(two, 0)).toMatchObject({ firstOffset: 0, lastOffset: 2, duplicate: false });
    const broken = concat(producerBatch({ pid: 1, seq: 3 }), producerBatch({ pid: 1, seq: 9 }));
    expect(() => state.appendAsLeader(broken, 0)).toThrow(OutOfOrderSequenceError);
    expect(log.logEndOffset).toBe(3);
    expect(state.manager.entry(1)!.lastSeq).toBe(2);
    const mixed = concat(producerBatch({ pid: 1, seq: 2 }), producerBatch({ pid: 1, seq: 3 }));
    expect(() => state.appendAsLeader(mixed, 0)).toThrow(/mixes retried batches with new ones/);
  });

  it('refuses control batches from producers and reports damage rather than a sequence error', () => {
    const { state } = setup();
    const marker = buildControlBatch({
      type: 'COMMIT',
      producerId: 1,
      producerEpoch: 0,
      coordinatorEpoch: 0,
      timestamp: 1,
    });
    expect(() => state.appendAsLeader(marker, 0)).toThrow(InvalidRecordError);
    const damaged = producerBatch({ pid: 1, seq: 5 });
    damaged[BatchField.records + 2]! ^= 0xff;
    expect(() => state.appendAsLeader(damaged, 0)).toThrow(CorruptRecordError);
  });

  it('refuses a non-transactional batch while the producer has a transaction open', () => {
    const { state } = setup();
    state.appendAsLeader(producerBatch({ pid: 1, seq: 0, txn: true }), 0);
    expect(() => state.appendAsLeader(producerBatch({ pid: 1, seq: 1 }), 0)).toThrow(InvalidTxnStateError);
  });

  it('fences markers of an older producer epoch or an older coordinator', () => {
    const { state } = setup();
    state.appendAsLeader(producerBatch({ pid: 1, epoch: 2, seq: 0, txn: true }), 0);
    const marker = { producerId: 1, producerEpoch: 3, coordinatorEpoch: 5, marker: 'COMMIT' as const };
    state.appendMarkerAsLeader(marker, 0);
    expect(() => state.appendMarkerAsLeader({ ...marker, producerEpoch: 2 }, 0)).toThrow(
      InvalidProducerEpochError,
    );
    expect(() => state.appendMarkerAsLeader({ ...marker, coordinatorEpoch: 4 }, 0)).toThrow(
      TransactionCoordinatorFencedError,
    );
    // A retried marker is written again but completes nothing.
    state.appendMarkerAsLeader(marker, 0);
    expect(state.manager.toImage().completedTxns).toEqual([{ producerId: 1, firstOffset: 0, lastOffset: 1 }]);
  });
});

describe('the producer state on disk', () => {
  it('expires idle producers without an open transaction after producerIdExpirationMs', () => {
    const clock = new SimulatedClock(0);
    const settings = { producerIdExpirationMs: 1000, expirationCheckIntervalMs: 100 };
    const { state } = openLog(new MemoryStorageFs(), clock, {}, settings);
    state.appendAsLeader(producerBatch({ pid: 1, seq: 0 }), 0);
    state.appendAsLeader(producerBatch({ pid: 2, seq: 0, txn: true }), 0);
    clock.advance(999);
    state.maintain(0);
    expect(state.manager.producerCount).toBe(2);
    clock.advance(101);
    state.maintain(0);
    expect(state.manager.entry(1)).toBeUndefined();
    expect(state.manager.entry(2)).toBeDefined();
  });

  it('snapshots at a segment roll, keeps the newest few, and drops snapshots above the log end on open', async () => {
    const fs = new MemoryStorageFs();
    const clock = new SimulatedClock(0);
    const { log, state } = openLog(fs, clock, { segmentBytes: 1024, flush: { intervalMs: 0 } });
    for (let i = 0; i < 40; i++) {
      state.appendAsLeader(producerBatch({ pid: 1, seq: i * 3, count: 3 }), 0);
      state.maintain(0);
    }
    expect(log.segmentCount).toBeGreaterThan(3);
    const offsets = state.snapshots.offsets();
    expect(offsets.length).toBeGreaterThanOrEqual(2);
    expect(offsets.length).toBeLessThanOrEqual(3);
    await log.flush();
    state.takeSnapshot();
    // The tail since the last flush and snapshot is lost: the snapshot at the old end must go.
    state.appendAsLeader(producerBatch({ pid: 1, seq: 120 }), 0);
    state.takeSnapshot();
    fs.crashLosingUnsynced();
    const reopened = openLog(fs, clock, { segmentBytes: 1024 });
    expect(reopened.log.logEndOffset).toBe(120);
    expect(reopened.state.snapshots.offsets().at(-1)).toBe(120);
    expect(reopened.state.manager.entry(1)!.lastSeq).toBe(119);
    expect(fs.paths().filter((p) => p.startsWith(DIR) && p.endsWith('.snapshot')).length).toBeLessThanOrEqual(
      3,
    );
  });
});
