import { describe, expect, it } from 'vitest';
import {
  InvalidProducerEpochError,
  OutOfOrderSequenceError,
} from '../../../src/common/transaction-errors.js';
import { PartitionReplica } from '../../../src/log/broker/partition-replica.js';
import { buildRecordBatch } from '../../../src/log/format/record-batch-builder.js';
import { iterateBatches } from '../../../src/log/format/record-batch-decoder.js';
import { MemoryStorageFs } from '../../../src/log/storage/fs/memory-storage-fs.js';
import { SeededRandom } from '../../../src/runtime/actor/seeded-random.js';
import { SimulatedClock } from '../../../src/runtime/actor/simulated-clock.js';
import { producerBatch } from '../storage/producer-state/producer-fixtures.js';

const clock = new SimulatedClock(0);
const plain = (value: string) => buildRecordBatch([{ value: Buffer.from(value), timestamp: 1 }]);

function replica(brokerId: number, fs = new MemoryStorageFs()) {
  return PartitionReplica.open({
    brokerId,
    topic: 't',
    partition: 0,
    dir: `/b${brokerId}/t-0`,
    fs,
    clock,
    log: { flush: { intervalMs: 0 } },
    minInsyncReplicas: 1,
    replicaLagTimeMaxMs: 1000,
  });
}

/** A leader alone in its ISR, whose high watermark follows what it has synced. */
function soleLeader(fs = new MemoryStorageFs()) {
  const r = replica(1, fs);
  r.becomeLeader({ leaderEpoch: 0, isr: [1], replicas: [1] });
  return r;
}

async function sync(r: PartitionReplica) {
  await r.log.flush();
  r.onLocalFlush();
}

/** One round of replication: the follower fetches and applies, and both sync. */
async function replicate(leader: PartitionReplica, follower: PartitionReplica) {
  follower.applyFetchAsFollower(leader.fetchAsLeader(follower.followerFetchParams(1 << 20)));
  await follower.log.flush();
  await sync(leader);
}

/** The producer state without the replica-local write times, producers sorted. */
function stateOf(r: PartitionReplica) {
  const image = r.producerState.manager.toImage();
  return {
    ...image,
    producers: image.producers
      .map(({ lastTimestamp: _, ...p }) => p)
      .sort((a, b) => a.producerId - b.producerId),
  };
}

const offsetsIn = (records: Uint8Array) =>
  [...iterateBatches(records)].map((b) => [b.baseOffset, b.lastOffset]);

describe('a partition replica with idempotent and transactional producers', () => {
  it('acknowledges a retried batch with its original offsets and writes it only once', async () => {
    const r = soleLeader();
    r.appendAsLeader(plain('x'), 'all');
    const first = r.appendAsLeader(producerBatch({ pid: 1, seq: 0, count: 3 }), 'all');
    const retry = r.appendAsLeader(producerBatch({ pid: 1, seq: 0, count: 3 }), 'all');
    expect([first.firstOffset, first.lastOffset, first.duplicate]).toEqual([1, 3, false]);
    expect([retry.firstOffset, retry.lastOffset, retry.duplicate]).toEqual([1, 3, true]);
    expect(r.logEndOffset).toBe(4);
  });

  it('refuses a sequence gap and a stale epoch without writing', () => {
    const r = soleLeader();
    r.appendAsLeader(producerBatch({ pid: 1, epoch: 1, seq: 0, count: 2 }), 1);
    expect(() => r.appendAsLeader(producerBatch({ pid: 1, epoch: 1, seq: 3 }), 1)).toThrow(
      OutOfOrderSequenceError,
    );
    expect(() => r.appendAsLeader(producerBatch({ pid: 1, epoch: 0, seq: 2 }), 1)).toThrow(
      InvalidProducerEpochError,
    );
    expect(r.logEndOffset).toBe(2);
  });

  it('fences a delayed produce of the old epoch once a marker has bumped it (KIP-890)', () => {
    const r = soleLeader();
    r.appendAsLeader(producerBatch({ pid: 1, epoch: 0, seq: 0, txn: true }), 'all');
    r.appendTxnMarkerAsLeader({ producerId: 1, producerEpoch: 1, coordinatorEpoch: 0, marker: 'COMMIT' });
    expect(() => r.appendAsLeader(producerBatch({ pid: 1, epoch: 0, seq: 1, txn: true }), 'all')).toThrow(
      InvalidProducerEpochError,
    );
    expect(() => r.appendAsLeader(producerBatch({ pid: 1, epoch: 1, seq: 1, txn: true }), 'all')).toThrow(
      OutOfOrderSequenceError,
    );
    expect(r.appendAsLeader(producerBatch({ pid: 1, epoch: 1, seq: 0, txn: true }), 'all').firstOffset).toBe(
      2,
    );
  });

  it('holds the last stable offset at an open transaction until its marker is below the high watermark', async () => {
    const r = soleLeader();
    r.appendAsLeader(plain('a'), 1);
    r.appendAsLeader(producerBatch({ pid: 7, seq: 0, count: 2, txn: true }), 1);
    r.appendAsLeader(plain('b'), 1);
    await sync(r);
    expect([r.highWatermark, r.lastStableOffset]).toEqual([4, 1]);
    r.appendTxnMarkerAsLeader({ producerId: 7, producerEpoch: 0, coordinatorEpoch: 0, marker: 'COMMIT' });
    expect(r.lastStableOffset).toBe(1);
    await sync(r);
    expect([r.highWatermark, r.lastStableOffset]).toEqual([5, 5]);
  });

  it('serves read_committed fetches below the last stable offset, listing the aborted transactions', async () => {
    const r = soleLeader();
    r.appendAsLeader(plain('a'), 1);
    r.appendAsLeader(producerBatch({ pid: 7, seq: 0, count: 2, txn: true }), 1);
    r.appendAsLeader(producerBatch({ pid: 8, seq: 0, txn: true }), 1);
    await sync(r);
    const open = r.fetchAsLeader({
      fetchOffset: 0,
      maxBytes: 1 << 20,
      replicaId: -1,
      isolationLevel: 'read_committed',
    });
    expect(offsetsIn(open.records)).toEqual([[0, 0]]);
    expect([open.lastStableOffset, open.highWatermark]).toEqual([1, 4]);
    expect(open.abortedTransactions).toEqual([]);
    r.appendTxnMarkerAsLeader({ producerId: 7, producerEpoch: 0, coordinatorEpoch: 0, marker: 'ABORT' });
    r.appendTxnMarkerAsLeader({ producerId: 8, producerEpoch: 0, coordinatorEpoch: 0, marker: 'COMMIT' });
    await sync(r);
    const done = r.fetchAsLeader({
      fetchOffset: 0,
      maxBytes: 1 << 20,
      replicaId: -1,
      isolationLevel: 'read_committed',
    });
    expect(offsetsIn(done.records)).toEqual([
      [0, 0],
      [1, 2],
      [3, 3],
      [4, 4],
      [5, 5],
    ]);
    expect(done.abortedTransactions).toEqual([{ producerId: 7, firstOffset: 1 }]);
    const past = r.fetchAsLeader({
      fetchOffset: 5,
      maxBytes: 1 << 20,
      replicaId: -1,
      isolationLevel: 'read_committed',
    });
    expect(past.abortedTransactions).toEqual([]);
    const uncommitted = r.fetchAsLeader({ fetchOffset: 0, maxBytes: 1 << 20, replicaId: -1 });
    expect(uncommitted.abortedTransactions).toBeUndefined();
    expect(uncommitted.lastStableOffset).toBe(6);
  });

  it('keeps its producer state across a clean restart and across a crash, by snapshot and replay', async () => {
    for (const ending of ['clean close', 'crash without snapshot', 'crash after a snapshot'] as const) {
      const fs = new MemoryStorageFs();
      let r = soleLeader(fs);
      r.appendAsLeader(producerBatch({ pid: 1, seq: 0, count: 2 }), 1);
      r.appendAsLeader(producerBatch({ pid: 2, seq: 0, txn: true }), 1);
      if (ending === 'crash after a snapshot') r.producerState.takeSnapshot();
      r.appendTxnMarkerAsLeader({ producerId: 2, producerEpoch: 0, coordinatorEpoch: 1, marker: 'ABORT' });
      r.appendAsLeader(producerBatch({ pid: 3, seq: 0, txn: true }), 1);
      await sync(r);
      const before = stateOf(r);
      if (ending === 'clean close') await r.close();
      else fs.crash(new SeededRandom(3));
      r = soleLeader(fs);
      expect(stateOf(r), ending).toEqual(before);
      await sync(r);
      expect(r.lastStableOffset, ending).toBe(4);
      const retry = r.appendAsLeader(producerBatch({ pid: 1, seq: 0, count: 2 }), 1);
      expect([retry.duplicate, retry.firstOffset, retry.lastOffset], ending).toEqual([true, 0, 1]);
    }
  });

  it('gives a follower the same producer state, so a retry after failover is acknowledged without a second write', async () => {
    const a = replica(1);
    const b = replica(2);
    a.becomeLeader({ leaderEpoch: 0, isr: [1, 2], replicas: [1, 2] });
    b.becomeFollower({ leaderId: 1, leaderEpoch: 0, isr: [1, 2], replicas: [1, 2] });
    a.appendAsLeader(producerBatch({ pid: 1, seq: 0, count: 2 }), 'all');
    a.appendAsLeader(producerBatch({ pid: 2, seq: 0, txn: true }), 'all');
    a.appendTxnMarkerAsLeader({ producerId: 2, producerEpoch: 0, coordinatorEpoch: 0, marker: 'ABORT' });
    await replicate(a, b);
    await replicate(a, b);
    expect(stateOf(b)).toEqual(stateOf(a));
    b.becomeLeader({ leaderEpoch: 1, isr: [2], replicas: [1, 2] });
    const retry = b.appendAsLeader(producerBatch({ pid: 1, seq: 0, count: 2 }), 'all');
    expect([retry.duplicate, retry.firstOffset, retry.lastOffset]).toEqual([true, 0, 1]);
    expect(b.logEndOffset).toBe(4);
    const fetched = b.fetchAsLeader({
      fetchOffset: 0,
      maxBytes: 1 << 20,
      replicaId: -1,
      isolationLevel: 'read_committed',
    });
    expect(fetched.abortedTransactions).toEqual([{ producerId: 2, firstOffset: 2 }]);
  });

  it('restores the producer state as of the new log end when a follower truncates (KIP-101)', async () => {
    const a = replica(1);
    const b = replica(2);
    a.becomeLeader({ leaderEpoch: 0, isr: [1, 2], replicas: [1, 2] });
    b.becomeFollower({ leaderId: 1, leaderEpoch: 0, isr: [1, 2], replicas: [1, 2] });
    a.appendAsLeader(producerBatch({ pid: 1, seq: 0 }), 1);
    await replicate(a, b);
    a.producerState.takeSnapshot();
    // Written on a only, then lost when b takes over.
    a.appendAsLeader(producerBatch({ pid: 1, seq: 1, count: 2 }), 1);
    a.appendAsLeader(producerBatch({ pid: 2, seq: 0, txn: true }), 1);
    a.producerState.takeSnapshot();
    b.becomeLeader({ leaderEpoch: 1, isr: [2], replicas: [1, 2] });
    b.appendAsLeader(producerBatch({ pid: 1, seq: 1 }), 1);
    a.becomeFollower({ leaderId: 2, leaderEpoch: 1, isr: [2], replicas: [1, 2] });
    await replicate(b, a);
    expect(a.logEndOffset).toBe(1);
    expect(a.producerState.manager.entry(1)!.lastSeq).toBe(0);
    expect(a.producerState.manager.entry(2)).toBeUndefined();
    expect(a.producerState.snapshots.offsets()).toEqual([1]);
    await replicate(b, a);
    expect(stateOf(a)).toEqual(stateOf(b));
    expect(a.producerState.manager.entry(1)!.lastSeq).toBe(1);
  });
});
