/**
 * The transaction coordinator in a simulated three-broker cluster: the controller places
 * transactional ids on `__transaction_state`, brokers load and unload its partitions as
 * leadership moves, and the markers land in the partitions' logs.
 */
import { describe, expect, it } from 'vitest';
import { ProducerFencedError } from '../../../../src/common/transaction-errors.js';
import type { ClusterMetadata } from '../../../../src/log/broker/cluster-metadata.js';
import { partitionForGroup } from '../../../../src/log/coordinator/group-partition.js';
import { createTopicAndSettle, settle, simulatedCluster } from '../../broker/cluster-fixtures.js';
import { markersIn, TxnClusterClient, transactionalBatch } from './txn-cluster-fixtures.js';

const TXN = 'orders-app-0';

async function clusterWithOrders(seed: number, settings = {}) {
  const c = simulatedCluster(seed, 3, {}, settings);
  await c.sim.runFor(500);
  await createTopicAndSettle(c.sim, c.client, { name: 'orders', partitions: 2, replicationFactor: 3 });
  const txn = new TxnClusterClient(c.sim);
  // The first FindCoordinator creates __transaction_state; its leaders then load their partitions.
  await settle(c.sim, txn.coordinator(TXN));
  await c.sim.runFor(1000);
  return { ...c, txn };
}

/** The leader epoch of the id's `__transaction_state` partition: the coordinator epoch. */
async function coordinatorEpoch(c: Awaited<ReturnType<typeof clusterWithOrders>>): Promise<number> {
  const md: ClusterMetadata = await settle(c.sim, c.client.metadata(['__transaction_state']));
  const partitions = md.topics[0]!.partitions;
  return partitions[partitionForGroup(TXN, partitions.length)]!.leaderEpoch;
}

describe('transactions on a simulated cluster', () => {
  it('initialises, fences an older incarnation and serves idempotent producers on any broker', async () => {
    const c = await clusterWithOrders(71);
    const first = await settle(c.sim, c.txn.init(TXN));
    expect(first.producerEpoch).toBe(0);
    const second = await settle(c.sim, c.txn.init(TXN));
    expect(second).toEqual({ producerId: first.producerId, producerEpoch: 1 });
    await expect(settle(c.sim, c.txn.add(TXN, first, [{ topic: 'orders', partition: 0 }]))).rejects.toThrow(
      ProducerFencedError,
    );
    const idempotent = await settle(c.sim, c.txn.init(null));
    expect(idempotent.producerEpoch).toBe(0);
    expect(idempotent.producerId).not.toBe(first.producerId);
    expect(await settle(c.sim, c.txn.describe(TXN))).toMatchObject({ state: 'Empty', producerEpoch: 1 });
  });

  it('commits a transaction: COMMIT markers with the bumped epoch land in every partition', async () => {
    const c = await clusterWithOrders(72);
    const p = await settle(c.sim, c.txn.init(TXN));
    const partitions = [
      { topic: 'orders', partition: 0 },
      { topic: 'orders', partition: 1 },
    ];
    await settle(c.sim, c.txn.add(TXN, p, partitions));
    expect(await settle(c.sim, c.txn.describe(TXN))).toMatchObject({ state: 'Ongoing', partitions });
    for (const { partition } of partitions) {
      await settle(
        c.sim,
        c.client.produce('orders', partition, transactionalBatch(p, 0, [`v${partition}`]), 'all'),
      );
    }
    const next = await settle(c.sim, c.txn.end(TXN, p, true));
    expect(next).toEqual({ producerId: p.producerId, producerEpoch: 1 });
    expect((await settle(c.sim, c.txn.until(TXN, 'CompleteCommit'))).state).toBe('CompleteCommit');
    const epoch = await coordinatorEpoch(c);
    for (const { partition } of partitions) {
      const markers = await settle(c.sim, markersIn(c.client, 'orders', partition));
      expect(markers).toEqual([
        expect.objectContaining({
          producerId: p.producerId,
          producerEpoch: 1,
          type: 'COMMIT',
          coordinatorEpoch: epoch,
        }),
      ]);
    }
  });

  it('aborts a transaction past its timeout, fencing the stalled producer', async () => {
    const c = await clusterWithOrders(73, { transactionAbortTimedOutCheckIntervalMs: 500 });
    const p = await settle(c.sim, c.txn.init(TXN, 2000));
    await settle(c.sim, c.txn.add(TXN, p, [{ topic: 'orders', partition: 1 }]));
    await settle(c.sim, c.client.produce('orders', 1, transactionalBatch(p, 0, ['stalled']), 'all'));
    await c.sim.runFor(3000);
    expect((await settle(c.sim, c.txn.until(TXN, 'CompleteAbort'))).producerEpoch).toBe(1);
    await expect(settle(c.sim, c.txn.end(TXN, p, true))).rejects.toThrow(ProducerFencedError);
    await expect(settle(c.sim, c.txn.add(TXN, p, [{ topic: 'orders', partition: 0 }]))).rejects.toThrow(
      ProducerFencedError,
    );
    const markers = await settle(c.sim, markersIn(c.client, 'orders', 1));
    expect(markers).toEqual([
      expect.objectContaining({ producerId: p.producerId, producerEpoch: 1, type: 'ABORT' }),
    ]);
  });

  it('survives the coordinator’s broker dying: the next leader loads the state and carries on', async () => {
    const c = await clusterWithOrders(74);
    const p = await settle(c.sim, c.txn.init(TXN));
    await settle(c.sim, c.txn.add(TXN, p, [{ topic: 'orders', partition: 0 }]));
    const before = await settle(c.sim, c.txn.coordinator(TXN));
    const epochBefore = await coordinatorEpoch(c);
    c.cluster.killBroker(before);
    await c.sim.runFor(3000);
    const after = await settle(c.sim, c.txn.coordinator(TXN));
    expect(after).not.toBe(before);
    expect(await coordinatorEpoch(c)).toBeGreaterThan(epochBefore);
    // The open transaction came through: same producer, same partitions.
    expect(await settle(c.sim, c.txn.describe(TXN))).toMatchObject({
      state: 'Ongoing',
      producerId: p.producerId,
      producerEpoch: 0,
      partitions: [{ topic: 'orders', partition: 0 }],
    });
    const next = await settle(c.sim, c.txn.end(TXN, p, false));
    expect(next).toEqual({ producerId: p.producerId, producerEpoch: 1 });
    // A retry of that EndTxn (its answer lost) is answered alike by the new coordinator.
    expect(await settle(c.sim, c.txn.end(TXN, p, false))).toEqual(next);
    expect((await settle(c.sim, c.txn.until(TXN, 'CompleteAbort'))).state).toBe('CompleteAbort');
    const markers = await settle(c.sim, markersIn(c.client, 'orders', 0));
    expect(markers).toEqual([
      expect.objectContaining({
        producerEpoch: 1,
        type: 'ABORT',
        coordinatorEpoch: await coordinatorEpoch(c),
      }),
    ]);
  });

  it('finishes a transaction caught in PrepareCommit by a coordinator crash once the partition is reloaded', async () => {
    const c = await clusterWithOrders(75);
    const p = await settle(c.sim, c.txn.init(TXN));
    await settle(c.sim, c.txn.add(TXN, p, [{ topic: 'orders', partition: 1 }]));
    const coordinator = await settle(c.sim, c.txn.coordinator(TXN));
    // The coordinator dies the moment PrepareCommit is stored: it never stores CompleteCommit.
    void c.txn.end(TXN, p, true).catch(() => undefined);
    const prefix = `broker-${coordinator}/txn-coordinator/txn/${TXN}#`;
    const phase = () =>
      c.sim.system
        .ids()
        .filter((id) => id.startsWith(prefix))
        .map((id) => c.sim.system.get(id)?.getSnapshot().value)[0];
    while (phase() !== 'prepareCommit') {
      if (!(await c.sim.step())) throw new Error('the simulation went idle before PrepareCommit');
    }
    c.cluster.killBroker(coordinator);
    await c.sim.runFor(3000);
    expect((await settle(c.sim, c.txn.until(TXN, 'CompleteCommit'))).state).toBe('CompleteCommit');
    const markers = await settle(c.sim, markersIn(c.client, 'orders', 1));
    expect(markers.filter((m) => m.type === 'COMMIT').length).toBeGreaterThanOrEqual(1);
    expect(markers.every((m) => m.type === 'COMMIT' && m.producerEpoch === 1)).toBe(true);
  });
});
