import { describe, expect, it } from 'vitest';
import { NotEnoughReplicasError, NotLeaderOrFollowerError } from '../../../src/common/kafka-errors.js';
import { PartitionReplica } from '../../../src/log/broker/partition-replica.js';
import { buildRecordBatch } from '../../../src/log/format/record-batch-builder.js';
import { decodeRecords } from '../../../src/log/format/record-batch-decoder.js';
import { MemoryStorageFs } from '../../../src/log/storage/fs/memory-storage-fs.js';
import { SimulatedClock } from '../../../src/runtime/actor/simulated-clock.js';

const clock = new SimulatedClock(0);
const batch = (...values: string[]) =>
  buildRecordBatch(values.map((v) => ({ value: Buffer.from(v), timestamp: 1 })));
const values = (r: PartitionReplica) =>
  decodeRecords(r.log.read(0, 1 << 20).records).map((x) => Buffer.from(x.value!).toString());

function replica(brokerId: number, minInsyncReplicas = 1) {
  return PartitionReplica.open({
    brokerId,
    topic: 't',
    partition: 0,
    dir: `/b${brokerId}/t-0`,
    fs: new MemoryStorageFs(),
    clock,
    log: { flush: { everyAppend: true, intervalMs: 0 } },
    minInsyncReplicas,
    replicaLagTimeMaxMs: 1000,
  });
}

/** One round of replication: the follower fetches and applies, and syncs what it appended. */
async function replicate(leader: PartitionReplica, follower: PartitionReplica) {
  const result = leader.fetchAsLeader(follower.followerFetchParams(1 << 20));
  follower.applyFetchAsFollower(result);
  await follower.log.flush();
  await leader.log.flush();
  leader.onLocalFlush();
  return result;
}

describe('PartitionReplica', () => {
  it('advances the high watermark only to what every in-sync replica has synced', async () => {
    const a = replica(1);
    const b = replica(2);
    a.becomeLeader({ leaderEpoch: 0, isr: [1, 2], replicas: [1, 2] });
    b.becomeFollower({ leaderId: 1, leaderEpoch: 0, isr: [1, 2], replicas: [1, 2] });
    a.appendAsLeader(batch('x', 'y'), 'all');
    await a.log.flush();
    a.onLocalFlush();
    expect(a.highWatermark).toBe(0);
    await replicate(a, b); // b appends and syncs; its next fetch reports it
    expect(a.highWatermark).toBe(0);
    await replicate(a, b);
    expect(a.highWatermark).toBe(2);
    await replicate(a, b);
    expect(b.highWatermark).toBe(2);
    expect(values(b)).toEqual(['x', 'y']);
  });

  it('serves consumers only below the high watermark', async () => {
    const a = replica(1);
    a.becomeLeader({ leaderEpoch: 0, isr: [1, 2], replicas: [1, 2] });
    a.appendAsLeader(batch('x'), 1);
    const consumer = a.fetchAsLeader({ fetchOffset: 0, maxBytes: 1 << 20, replicaId: -1 });
    expect(consumer.records.length).toBe(0);
    expect(consumer.logEndOffset).toBe(1);
  });

  it('refuses acks=all below min.insync.replicas and any request when not the leader', () => {
    const a = replica(1, 2);
    a.becomeLeader({ leaderEpoch: 0, isr: [1], replicas: [1, 2] });
    expect(() => a.appendAsLeader(batch('x'), 'all')).toThrow(NotEnoughReplicasError);
    expect(a.logEndOffset).toBe(0);
    a.becomeFollower({ leaderId: 2, leaderEpoch: 1, isr: [2], replicas: [1, 2] });
    expect(() => a.appendAsLeader(batch('x'), 1)).toThrow(NotLeaderOrFollowerError);
  });

  it('truncates a diverged follower to the new leader at the epoch boundary (KIP-101)', async () => {
    const a = replica(1);
    const b = replica(2);
    a.becomeLeader({ leaderEpoch: 0, isr: [1, 2], replicas: [1, 2] });
    b.becomeFollower({ leaderId: 1, leaderEpoch: 0, isr: [1, 2], replicas: [1, 2] });
    a.appendAsLeader(batch('a0', 'a1'), 1);
    await replicate(a, b);
    // a writes two more that b never gets, then loses leadership to b.
    a.appendAsLeader(batch('a2', 'a3'), 1);
    b.becomeLeader({ leaderEpoch: 1, isr: [2], replicas: [1, 2] });
    b.appendAsLeader(batch('b2'), 1);
    a.becomeFollower({ leaderId: 2, leaderEpoch: 1, isr: [2], replicas: [1, 2] });
    const first = await replicate(b, a);
    expect(first.divergingEpoch).toEqual({ epoch: 0, endOffset: 2 });
    expect(a.logEndOffset).toBe(2);
    await replicate(b, a);
    expect(values(a)).toEqual(['a0', 'a1', 'b2']);
    expect(values(a)).toEqual(values(b));
  });

  it('proposes dropping a follower that lags past replica.lag.time.max.ms and re-adding it once caught up', async () => {
    const a = replica(1);
    const b = replica(2);
    a.becomeLeader({ leaderEpoch: 0, isr: [1, 2], replicas: [1, 2] });
    b.becomeFollower({ leaderId: 1, leaderEpoch: 0, isr: [1, 2], replicas: [1, 2] });
    a.appendAsLeader(batch('x'), 1);
    expect(a.isrToPropose()).toBeUndefined();
    clock.advance(1001);
    expect(a.isrToPropose()).toEqual([1]);
    a.applyCommittedIsr([1]);
    await replicate(a, b);
    await replicate(a, b);
    expect(a.isrToPropose()).toEqual([1, 2]);
  });
});
