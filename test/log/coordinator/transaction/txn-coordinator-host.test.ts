import { describe, expect, it } from 'vitest';
import {
  CoordinatorLoadInProgressError,
  CoordinatorNotAvailableError,
  NotCoordinatorError,
} from '../../../../src/common/kafka-errors.js';
import {
  ConcurrentTransactionsError,
  InvalidProducerIdMappingError,
  InvalidTransactionTimeoutError,
  InvalidTxnStateError,
  ProducerFencedError,
  TransactionCoordinatorFencedError,
} from '../../../../src/common/transaction-errors.js';
import { partitionForGroup } from '../../../../src/log/coordinator/group-partition.js';
import { replayTransactionState } from '../../../../src/log/coordinator/transaction/txn-state-records.js';
import { TXN, TxnHarness, track } from './txn-fixtures.js';

const ORDERS_0 = { topic: 'orders', partition: 0 };
const ORDERS_1 = { topic: 'orders', partition: 1 };
const PAYMENTS_0 = { topic: 'payments', partition: 0 };

describe('the transaction coordinator host', () => {
  it('gives a new transactional id a fresh producer id at epoch 0, stored so a new host finds it', async () => {
    const h = await new TxnHarness(1).start();
    const first = await h.run(h.init());
    expect(first).toEqual({ producerId: 0, producerEpoch: 0 });
    expect(await h.run(h.describe())).toMatchObject({
      transactionalId: TXN,
      state: 'Empty',
      producerId: 0,
      producerEpoch: 0,
      transactionTimeoutMs: 10_000,
      transactionStartMs: -1,
      partitions: [],
    });
    h.stopHost();
    await h.start([0], 1);
    expect(await h.run(h.describe())).toMatchObject({ state: 'Empty', producerId: 0, producerEpoch: 0 });
  });

  it('fences the previous producer when the same transactional id initialises again', async () => {
    const h = await new TxnHarness(2).start();
    const old = await h.run(h.init());
    const fresh = await h.run(h.init());
    expect(fresh).toEqual({ producerId: old.producerId, producerEpoch: 1 });
    await expect(h.run(h.add(old, [ORDERS_0]))).rejects.toThrow(ProducerFencedError);
    await h.run(h.add(fresh, [ORDERS_0]));
    expect((await h.run(h.describe())).state).toBe('Ongoing');
  });

  it('commits: EndTxn answers the bumped epoch, each leader gets a COMMIT marker with it, then CompleteCommit', async () => {
    const h = await new TxnHarness(3).start();
    const p = await h.run(h.init());
    await h.run(h.add(p, [ORDERS_1, ORDERS_0]));
    await h.run(h.add(p, [PAYMENTS_0, ORDERS_0]));
    await h.run(h.addOffsets(p, 'shipping'));
    const offsets = { topic: '__consumer_offsets', partition: partitionForGroup('shipping', 4) };
    const ongoing = await h.run(h.describe());
    expect(ongoing.state).toBe('Ongoing');
    expect(ongoing.transactionStartMs).toBeGreaterThan(0);
    expect(ongoing.partitions).toEqual([offsets, ORDERS_0, ORDERS_1, PAYMENTS_0]);

    const next = await h.run(h.end(p, true));
    expect(next).toEqual({ producerId: p.producerId, producerEpoch: 1 });
    const done = await h.until('CompleteCommit');
    expect(done).toMatchObject({ producerEpoch: 1, partitions: [], transactionStartMs: -1 });
    expect(h.written(p.producerId)).toEqual(
      [offsets, ORDERS_0, ORDERS_1, PAYMENTS_0].map((tp) => `${tp.topic}-${tp.partition}:COMMIT@1/0`).sort(),
    );
    // Markers went to each partition's leader.
    const toBroker = new Map(h.markers.map((m) => [`${m.request.topic}-${m.request.partition}`, m.broker]));
    expect(Object.fromEntries(toBroker)).toMatchObject({ 'orders-0': 1, 'orders-1': 2, 'payments-0': 2 });
    // The next transaction begins with the bumped epoch.
    await h.run(h.add(next, [ORDERS_0]));
    expect((await h.run(h.describe())).state).toBe('Ongoing');
  });

  it('writes markers through a silent broker and a leader change, and skips a deleted topic', async () => {
    const h = await new TxnHarness(4).start();
    const p = await h.run(h.init());
    await h.run(h.add(p, [ORDERS_0, ORDERS_1, PAYMENTS_0, { topic: 'gone', partition: 0 }]));
    h.setMarkerBehaviour(2, 'ignore');
    await h.run(h.end(p, false));
    await h.sim.runFor(3000);
    expect((await h.run(h.describe())).state).toBe('PrepareAbort');
    expect(h.txnActor()?.pendingMarkers()).toEqual([ORDERS_1, PAYMENTS_0]);
    // Broker 2 stays silent; its partitions get a new leader.
    h.leaders.set('orders', [1, 3, 3]);
    h.leaders.set('payments', [3]);
    await h.until('CompleteAbort');
    expect(h.written(p.producerId)).toEqual([
      'orders-0:ABORT@1/0',
      'orders-1:ABORT@1/0',
      'payments-0:ABORT@1/0',
    ]);
    expect(h.markers.filter((m) => m.answered && m.broker === 3).length).toBe(2);
  });

  it('answers a retried EndTxn again, refuses the other outcome, and acts on neither', async () => {
    const h = await new TxnHarness(5).start();
    const p = await h.run(h.init());
    await h.run(h.add(p, [ORDERS_0]));
    h.setMarkerBehaviour(1, 'ignore');
    const next = await h.run(h.end(p, true));
    expect(await h.run(h.end(p, true))).toEqual(next);
    await expect(h.run(h.end(p, false))).rejects.toThrow(InvalidTxnStateError);
    await expect(h.run(h.end(next, true))).rejects.toThrow(ConcurrentTransactionsError);
    h.setMarkerBehaviour(1, 'write');
    await h.until('CompleteCommit');
    expect(await h.run(h.end(p, true))).toEqual(next);
    await expect(h.run(h.end(p, false))).rejects.toThrow(InvalidTxnStateError);
    await expect(h.run(h.end(next, true))).rejects.toThrow(InvalidTxnStateError);
    expect(h.written(p.producerId)).toEqual(['orders-0:COMMIT@1/0']);
  });

  it('holds the next transaction’s AddPartitions until the markers are written, then applies it', async () => {
    const h = await new TxnHarness(15).start();
    const p = await h.run(h.init());
    await h.run(h.add(p, [ORDERS_0]));
    h.setMarkerBehaviour(1, 'ignore');
    const next = await h.run(h.end(p, true));
    let answered = false;
    const held = h.add(next, [ORDERS_1]).finally(() => {
      answered = true;
    });
    await h.sim.runFor(1000);
    expect(answered).toBe(false);
    expect((await h.run(h.describe())).state).toBe('PrepareCommit');
    h.setMarkerBehaviour(1, 'write');
    await h.run(held);
    expect(await h.run(h.describe())).toMatchObject({
      state: 'Ongoing',
      producerEpoch: next.producerEpoch,
      partitions: [ORDERS_1],
    });
    expect(h.written(p.producerId)).toEqual(['orders-0:COMMIT@1/0']);
  });

  it('never lets a delayed EndTxn of a transaction end the next one (KAFKA-17754)', async () => {
    const h = await new TxnHarness(6).start();
    const p0 = await h.run(h.init());
    await h.run(h.add(p0, [ORDERS_0]));
    const p1 = await h.run(h.end(p0, true));
    await h.until('CompleteCommit');
    await h.run(h.add(p1, [ORDERS_1]));
    // The first transaction's EndTxn, delayed in the network, arrives now.
    await expect(h.run(h.end(p0, false))).rejects.toThrow(ProducerFencedError);
    await expect(h.run(h.end(p0, true))).rejects.toThrow(ProducerFencedError);
    expect(await h.run(h.describe())).toMatchObject({
      state: 'Ongoing',
      producerEpoch: 1,
      partitions: [ORDERS_1],
    });
    expect(h.written(p0.producerId)).toEqual(['orders-0:COMMIT@1/0']);
  });

  it('aborts a transaction open past its timeout with a bumped epoch, fencing its producer', async () => {
    const h = await new TxnHarness(7).start();
    const p = await h.run(h.init(TXN, { transactionTimeoutMs: 5000 }));
    await h.run(h.add(p, [ORDERS_0]));
    await h.sim.runFor(4000);
    expect((await h.run(h.describe())).state).toBe('Ongoing');
    await h.sim.runFor(3000);
    expect(await h.until('CompleteAbort')).toMatchObject({ producerEpoch: 1 });
    expect(h.written(p.producerId)).toEqual(['orders-0:ABORT@1/0']);
    await expect(h.run(h.add(p, [ORDERS_0]))).rejects.toThrow(ProducerFencedError);
    await expect(h.run(h.end(p, true))).rejects.toThrow(ProducerFencedError);
    // A new incarnation carries on past the fence.
    expect(await h.run(h.init(TXN, { transactionTimeoutMs: 5000 }))).toEqual({
      producerId: p.producerId,
      producerEpoch: 2,
    });
  });

  it('aborts the open transaction of the previous incarnation before a new one starts', async () => {
    const h = await new TxnHarness(8).start();
    const old = await h.run(h.init());
    await h.run(h.add(old, [ORDERS_0, PAYMENTS_0]));
    h.setMarkerBehaviour(2, 'ignore');
    await expect(h.run(h.init())).rejects.toThrow(ConcurrentTransactionsError);
    expect((await h.run(h.describe())).state).toBe('PrepareAbort');
    await expect(h.run(h.init())).rejects.toThrow(ConcurrentTransactionsError);
    await expect(h.run(h.end(old, true))).rejects.toThrow(ProducerFencedError);
    h.setMarkerBehaviour(2, 'write');
    await h.until('CompleteAbort');
    expect(h.written(old.producerId)).toEqual(['orders-0:ABORT@1/0', 'payments-0:ABORT@1/0']);
    expect(await h.run(h.init())).toEqual({ producerId: old.producerId, producerEpoch: 2 });
  });

  it('resumes a transaction found in PrepareCommit when its partition is loaded again', async () => {
    const h = await new TxnHarness(9).start();
    const p = await h.run(h.init());
    await h.run(h.add(p, [ORDERS_0, ORDERS_1]));
    h.setMarkerBehaviour(1, 'ignore');
    h.setMarkerBehaviour(2, 'ignore');
    await h.run(h.end(p, true));
    await h.sim.runFor(1000);
    h.stopHost();
    h.setMarkerBehaviour(1, 'write');
    h.setMarkerBehaviour(2, 'write');
    await h.start([0], 5);
    await h.until('CompleteCommit');
    // Written by the new coordinator, with its epoch.
    expect(h.written(p.producerId)).toEqual(['orders-0:COMMIT@1/5', 'orders-1:COMMIT@1/5']);
  });

  it('answers NOT_COORDINATOR for partitions it does not lead and LOAD_IN_PROGRESS while loading', async () => {
    const h = new TxnHarness(10, { transactionStateTopicPartitions: 2 });
    const onePartition = ['a', 'b', 'c', 'd', 'e'].find((id) => partitionForGroup(id, 2) === 1)!;
    const zeroPartition = ['a', 'b', 'c', 'd', 'e'].find((id) => partitionForGroup(id, 2) === 0)!;
    let release!: () => void;
    h.holdReads = new Promise((resolve) => {
      release = resolve;
    });
    h.spawnHost();
    const loading = track(h.call({ type: 'coordinator.load', partition: 0, coordinatorEpoch: 0 }));
    await h.sim.runFor(50);
    await expect(h.run(h.init(zeroPartition))).rejects.toThrow(CoordinatorLoadInProgressError);
    await expect(h.run(h.init(onePartition))).rejects.toThrow(NotCoordinatorError);
    release();
    await h.sim.runUntil(() => loading.done, 1000);
    await h.run(h.init(zeroPartition));
    h.sim.system.send(undefined, 'broker-1/txn-coordinator', { type: 'coordinator.unload', partition: 0 });
    await h.sim.runFor(50);
    await expect(h.run(h.describe(zeroPartition))).rejects.toThrow(NotCoordinatorError);
  });

  it('on unload, answers waiting callers NOT_COORDINATOR and stops writing markers', async () => {
    const h = await new TxnHarness(11).start();
    const p = await h.run(h.init());
    await h.run(h.add(p, [ORDERS_0]));
    h.setMarkerBehaviour(1, 'ignore');
    await h.run(h.end(p, true));
    await h.sim.runFor(500);
    h.sim.system.send(undefined, 'broker-1/txn-coordinator', { type: 'coordinator.unload', partition: 0 });
    await h.sim.runFor(100);
    const sent = h.markers.length;
    await h.sim.runFor(10_000);
    expect(h.markers.length).toBe(sent);
    await expect(h.run(h.end(p, true))).rejects.toThrow(NotCoordinatorError);
  });

  it('forgets an idle transactional id with a tombstone; the id then starts afresh', async () => {
    const h = await new TxnHarness(12, { transactionalIdExpirationMs: 10_000 }).start();
    const first = await h.run(h.init());
    await h.sim.runFor(12_000);
    expect((await h.run(h.describe())).state).toBe('Dead');
    expect(replayTransactionState(await h.stateLogs[0]!.readAll()).has(TXN)).toBe(false);
    const second = await h.run(h.init());
    expect(second.producerId).not.toBe(first.producerId);
    expect(second.producerEpoch).toBe(0);
  });

  it('gives idempotent producers fresh ids, and the next epoch to one that asks (KIP-360)', async () => {
    const h = await new TxnHarness(13).start();
    const a = await h.run(h.init(null));
    const b = await h.run(h.init(null));
    expect(a.producerEpoch).toBe(0);
    expect(b.producerId).not.toBe(a.producerId);
    expect(await h.run(h.init(null, { producerId: a.producerId, producerEpoch: 3 }))).toEqual({
      producerId: a.producerId,
      producerEpoch: 4,
    });
    const exhausted = await h.run(h.init(null, { producerId: a.producerId, producerEpoch: 32766 }));
    expect(exhausted.producerId).not.toBe(a.producerId);
    expect(exhausted.producerEpoch).toBe(0);
  });

  it('answers COORDINATOR_LOAD_IN_PROGRESS while it has no producer ids, and serves once a block comes', async () => {
    const h = new TxnHarness(14);
    h.controllerAnswersIds = false;
    await h.start();
    await expect(h.run(h.init(null))).rejects.toThrow(CoordinatorLoadInProgressError);
    await expect(h.run(h.init())).rejects.toThrow(CoordinatorLoadInProgressError);
    h.controllerAnswersIds = true;
    // The request unanswered times out; the next need (or the periodic check) asks again.
    await h.sim.runFor(600);
    await expect(h.run(h.init(null))).rejects.toThrow(CoordinatorLoadInProgressError);
    await h.sim.runFor(100);
    expect(await h.run(h.init(null))).toEqual({ producerId: 0, producerEpoch: 0 });
  });

  it('refuses a transaction timeout above transactionMaxTimeoutMs and requests for unknown ids', async () => {
    const h = await new TxnHarness(15).start();
    await expect(h.run(h.init(TXN, { transactionTimeoutMs: 60_001 }))).rejects.toThrow(
      InvalidTransactionTimeoutError,
    );
    await expect(h.run(h.add({ producerId: 0, producerEpoch: 0 }, [ORDERS_0], 'nobody'))).rejects.toThrow(
      InvalidProducerIdMappingError,
    );
    expect((await h.run(h.describe('nobody'))).state).toBe('Dead');
  });

  it('answers a failed store with a retriable error and changes nothing', async () => {
    const h = await new TxnHarness(16).start();
    const p = await h.run(h.init());
    h.failAppends(true);
    await expect(h.run(h.add(p, [ORDERS_0]))).rejects.toThrow(CoordinatorNotAvailableError);
    expect((await h.run(h.describe())).state).toBe('Empty');
    h.failAppends(false);
    await h.run(h.add(p, [ORDERS_0]));
    expect((await h.run(h.describe())).state).toBe('Ongoing');
  });

  it('stops writing markers once a partition says a newer coordinator has the transaction', async () => {
    const h = await new TxnHarness(17).start();
    const p = await h.run(h.init());
    await h.run(h.add(p, [ORDERS_0]));
    h.setMarkerBehaviour(1, new TransactionCoordinatorFencedError('coordinator epoch 0 is older than 1'));
    await h.run(h.end(p, true));
    await h.sim.runFor(1000);
    const sent = h.markers.length;
    await h.sim.runFor(10_000);
    expect(h.markers.length).toBe(sent);
    expect((await h.run(h.describe())).state).toBe('PrepareCommit');
  });
});
