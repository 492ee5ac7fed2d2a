/**
 * Replica actors (the machine and its ReplicaService) serving idempotent produce, transaction
 * markers and read_committed reads, in a seeded simulation with two replicas and no broker in
 * front: requests go straight to the replica actors.
 */
import { describe, expect, it } from 'vitest';
import { NotLeaderOrFollowerError } from '../../../src/common/kafka-errors.js';
import {
  InvalidProducerEpochError,
  OutOfOrderSequenceError,
  TransactionCoordinatorFencedError,
} from '../../../src/common/transaction-errors.js';
import { type PartitionState, replicaActorId } from '../../../src/log/broker/cluster-metadata.js';
import type { FetchResult, IsolationLevel } from '../../../src/log/broker/partition-replica.js';
import { partitionReplicaMachine } from '../../../src/log/broker/partition-replica-machine.js';
import type { ProduceResult, WriteTxnMarkerResult } from '../../../src/log/broker/replica-requests.js';
import { resolveTopicConfig } from '../../../src/log/broker/topic-config.js';
import { iterateBatches } from '../../../src/log/format/record-batch-decoder.js';
import { MemoryStorageFs } from '../../../src/log/storage/fs/memory-storage-fs.js';
import type { ProducerStateSettings } from '../../../src/log/storage/producer-state/partition-producer-state.js';
import { RpcClient, Simulation } from '../../../src/runtime/actor/index.js';
import { producerBatch } from '../storage/producer-state/producer-fixtures.js';
import { settle } from './cluster-fixtures.js';

const TOPIC = 't';
const STATE: PartitionState = {
  topic: TOPIC,
  partition: 0,
  replicas: [1, 2],
  leader: 1,
  leaderEpoch: 0,
  isr: [1, 2],
  partitionEpoch: 0,
};

function start(seed: number, producerState: ProducerStateSettings = {}) {
  const sim = new Simulation({ seed });
  const disks = new Map<number, MemoryStorageFs>();
  const rpc = new RpcClient(sim.system, 'client');
  const id = (brokerId: number) => replicaActorId(brokerId, TOPIC, 0);
  const spawn = (brokerId: number) => {
    disks.set(brokerId, new MemoryStorageFs());
    sim.system.spawn({
      id: id(brokerId),
      logic: partitionReplicaMachine,
      input: {
        brokerId,
        topic: TOPIC,
        partition: 0,
        dir: `/b${brokerId}/${TOPIC}-0`,
        fs: disks.get(brokerId)!,
        config: resolveTopicConfig({ minInsyncReplicas: 2 }),
        replicaLagTimeMaxMs: 10_000,
        replication: {
          fetchMaxBytes: 1 << 20,
          fetchMaxWaitMs: 100,
          requestTimeoutMs: 500,
          tickMs: 50,
          retentionCheckIntervalMs: 60_000,
          cleanerIntervalMs: 60_000,
        },
        producerState,
      },
    });
    sim.system.send(undefined, id(brokerId), { type: 'replica.state', state: STATE });
  };
  const call = <T>(brokerId: number, request: { type: string; [field: string]: unknown }) =>
    rpc.call<T>(id(brokerId), { topic: TOPIC, partition: 0, ...request }, 20_000);
  const produce = (records: Buffer, brokerId = 1) =>
    call<ProduceResult>(brokerId, { type: 'produce.request', records, acks: 'all', timeoutMs: 10_000 });
  const marker = (
    m: { producerId: number; producerEpoch: number; coordinatorEpoch: number; marker: 'COMMIT' | 'ABORT' },
    brokerId = 1,
  ) => call<WriteTxnMarkerResult>(brokerId, { type: 'txnMarker.request', ...m, timeoutMs: 10_000 });
  const fetch = (fetchOffset: number, isolationLevel: IsolationLevel, maxWaitMs = 0) =>
    call<FetchResult>(1, {
      type: 'fetch.request',
      fetchOffset,
      maxBytes: 1 << 20,
      replicaId: -1,
      maxWaitMs,
      isolationLevel,
    });
  const latest = (isolationLevel: IsolationLevel) =>
    call<{ offset: number }>(1, { type: 'listOffsets.request', timestamp: -1, isolationLevel }).then(
      (r) => r.offset,
    );
  return { sim, disks, spawn, call, produce, marker, fetch, latest };
}

/** Tracks when a promise settles, in virtual time. */
function track<T>(sim: Simulation, promise: Promise<T>) {
  const t: { done: boolean; atMs: number; value?: T; error?: unknown } = { done: false, atMs: -1 };
  promise.then(
    (value) => Object.assign(t, { done: true, atMs: sim.clock.nowMs(), value }),
    (error: unknown) => Object.assign(t, { done: true, atMs: sim.clock.nowMs(), error }),
  );
  return t;
}

const offsetsIn = (records: Uint8Array) =>
  [...iterateBatches(records)].map((b) => [b.baseOffset, b.lastOffset]);

describe('replica actors with idempotent and transactional producers', () => {
  it('answers a retried acks=all produce with the original offsets, only once the high watermark passes them', async () => {
    const c = start(11);
    c.spawn(1);
    await c.sim.runFor(100);
    const original = track(c.sim, c.produce(producerBatch({ pid: 5, seq: 0, count: 2 })));
    const retry = track(c.sim, c.produce(producerBatch({ pid: 5, seq: 0, count: 2 })));
    // The follower is not there yet: the high watermark cannot pass the batch.
    await c.sim.runFor(1000);
    expect([original.done, retry.done]).toEqual([false, false]);
    c.spawn(2);
    await c.sim.runUntil(() => original.done && retry.done, 10_000);
    expect(original.value).toMatchObject({ baseOffset: 0, lastOffset: 1 });
    expect(retry.value).toMatchObject({ baseOffset: 0, lastOffset: 1 });
    const fetched = await settle(c.sim, c.fetch(0, 'read_uncommitted'));
    expect(offsetsIn(fetched.records)).toEqual([[0, 1]]);
    expect(fetched.highWatermark).toBe(2);
  });

  it('writes transaction markers once the high watermark passes them, and answers refusals with typed errors', async () => {
    const c = start(12);
    c.spawn(1);
    c.spawn(2);
    await c.sim.runFor(200);
    await settle(c.sim, c.produce(producerBatch({ pid: 7, epoch: 0, seq: 0, txn: true })));
    expect(await settle(c.sim, c.latest('read_committed'))).toBe(0);
    expect(await settle(c.sim, c.latest('read_uncommitted'))).toBe(1);
    const commit = { producerId: 7, producerEpoch: 1, coordinatorEpoch: 2, marker: 'COMMIT' as const };
    expect(await settle(c.sim, c.marker(commit))).toEqual({ offset: 1 });
    expect(await settle(c.sim, c.latest('read_committed'))).toBe(2);
    await expect(
      settle(c.sim, c.produce(producerBatch({ pid: 7, epoch: 0, seq: 1, txn: true }))),
    ).rejects.toThrow(InvalidProducerEpochError);
    await expect(settle(c.sim, c.marker({ ...commit, coordinatorEpoch: 1 }))).rejects.toThrow(
      TransactionCoordinatorFencedError,
    );
    await expect(settle(c.sim, c.marker(commit, 2))).rejects.toThrow(NotLeaderOrFollowerError);
    // A clean close leaves a snapshot at the log end: the next open replays nothing.
    await settle(c.sim, c.call(1, { type: 'replica.close' }));
    expect(c.disks.get(1)!.paths()).toContain(`/b1/${TOPIC}-0/00000000000000000002.snapshot`);
  });

  it('answers a parked read_committed fetch as soon as a marker moves the last stable offset', async () => {
    const c = start(13);
    c.spawn(1);
    c.spawn(2);
    await c.sim.runFor(200);
    await settle(c.sim, c.produce(producerBatch({ pid: 7, seq: 0, count: 3, txn: true })));
    const sentAt = c.sim.clock.nowMs();
    const parked = track(c.sim, c.fetch(0, 'read_committed', 5000));
    await c.sim.runFor(500);
    expect(parked.done).toBe(false);
    const abort = { producerId: 7, producerEpoch: 0, coordinatorEpoch: 0, marker: 'ABORT' as const };
    await settle(c.sim, c.marker(abort));
    await c.sim.runUntil(() => parked.done, 5000);
    expect(parked.atMs).toBeLessThan(sentAt + 5000);
    const result = parked.value!;
    expect(offsetsIn(result.records)).toEqual([
      [0, 2],
      [3, 3],
    ]);
    expect(result.abortedTransactions).toEqual([{ producerId: 7, firstOffset: 0 }]);
    expect(result.lastStableOffset).toBe(4);
  });

  it('snapshots the producer state on its tick, on leader and follower, and expires idle producers', async () => {
    const c = start(14, {
      snapshotIntervalMs: 500,
      producerIdExpirationMs: 2000,
      expirationCheckIntervalMs: 100,
    });
    c.spawn(1);
    c.spawn(2);
    await c.sim.runFor(200);
    await settle(c.sim, c.produce(producerBatch({ pid: 5, seq: 0, count: 2 })));
    await c.sim.runFor(600);
    for (const b of [1, 2])
      expect(c.disks.get(b)!.paths()).toContain(`/b${b}/${TOPIC}-0/00000000000000000002.snapshot`);
    await settle(c.sim, c.produce(producerBatch({ pid: 5, seq: 2 })));
    await c.sim.runFor(2200);
    // Forgotten: its next batch must start a new sequence.
    await expect(settle(c.sim, c.produce(producerBatch({ pid: 5, seq: 3 })))).rejects.toThrow(
      OutOfOrderSequenceError,
    );
    await settle(c.sim, c.produce(producerBatch({ pid: 5, seq: 0 })));
  });
});
