/**
 * Zombies are fenced (DESIGN.md §7): by producer epoch when a new instance with the same
 * transactional id starts or the coordinator aborts a transaction that outlived its timeout, and
 * by group generation when a consumer-group member of an old generation commits offsets in a
 * transaction (KIP-447).
 */
import { describe, expect, it } from 'vitest';
import { MillraceError } from '../../../../src/common/errors.js';
import { ProducerFencedError, TransactionAbortableError } from '../../../../src/common/transaction-errors.js';
import { Consumer } from '../../../../src/log/client/consumer/consumer.js';
import { Producer } from '../../../../src/log/client/producer/producer.js';
import { readPartition } from '../../../simulation/exactly-once/read-partition.js';
import { createTopicAndSettle, settle, simulatedCluster } from '../../broker/cluster-fixtures.js';

async function cluster(seed: number) {
  const c = simulatedCluster(seed, 3);
  await c.sim.runFor(300);
  await createTopicAndSettle(c.sim, c.client, {
    name: 'out',
    partitions: 2,
    replicationFactor: 3,
    config: { minInsyncReplicas: 2 },
  });
  return c;
}

const value = (s: string) => Buffer.from(s);

describe('zombie producers and members', () => {
  it('fences the old instance when a new one initialises the same transactional id, and never shows its writes', async () => {
    const { sim, client } = await cluster(21);
    const old = new Producer(client, sim.clock, sim.random, {
      transactionalId: 'copier',
      requestTimeoutMs: 1000,
    });
    await settle(sim, old.initTransactions());
    old.beginTransaction();
    await settle(sim, old.send({ topic: 'out', partition: 0, value: value('zombie') }));

    const fresh = new Producer(client, sim.clock, sim.random, {
      transactionalId: 'copier',
      requestTimeoutMs: 1000,
    });
    await settle(sim, fresh.initTransactions());
    await expect(settle(sim, old.commitTransaction())).rejects.toBeInstanceOf(MillraceError);
    expect(old.transactionState).toBe('fatalError');

    fresh.beginTransaction();
    await settle(sim, fresh.send({ topic: 'out', partition: 0, value: value('fresh') }));
    await settle(sim, fresh.commitTransaction());
    await sim.runFor(1000);
    const visible = await readPartition(sim, client, 'out', 0, 'read_committed');
    expect(visible.map((r) => r.value)).toEqual(['fresh']);
  });

  it('aborts a transaction that outlives its timeout: the stalled producer cannot commit and its writes stay invisible', async () => {
    const { sim, client } = await cluster(22);
    const stalled = new Producer(client, sim.clock, sim.random, {
      transactionalId: 'slow',
      transactionTimeoutMs: 1000,
      requestTimeoutMs: 1000,
    });
    await settle(sim, stalled.initTransactions());
    stalled.beginTransaction();
    await settle(sim, stalled.send({ topic: 'out', partition: 1, value: value('stalled') }));
    // The producer stalls (a long GC pause, say) well past its transaction timeout.
    await sim.runFor(30_000);
    await expect(settle(sim, stalled.commitTransaction())).rejects.toBeInstanceOf(MillraceError);
    await expect(settle(sim, stalled.abortTransaction())).rejects.toBeInstanceOf(ProducerFencedError);
    const visible = await readPartition(sim, client, 'out', 1, 'read_committed');
    expect(visible).toEqual([]);
    // Nothing hangs: the last stable offset caught up with the high watermark.
    const hw = await settle(sim, client.listOffset('out', 1, -1));
    const lso = await settle(sim, client.listOffset('out', 1, -1, 'read_committed'));
    expect(lso.offset).toBe(hw.offset);
    expect(hw.offset).toBeGreaterThan(0);
  });

  it('refuses a transaction’s offsets from a group member of an old generation', async () => {
    const { sim, client } = await cluster(23);
    await createTopicAndSettle(sim, client, { name: 'in', partitions: 2, replicationFactor: 3 });
    const first = new Consumer(client, sim.clock, { groupId: 'copy', isolationLevel: 'read_committed' });
    first.subscribe(['in']);
    await settle(sim, first.poll(5000));
    await sim.runFor(4000);
    const stale = first.groupMetadata()!;
    expect(stale.generationId).toBeGreaterThan(0);
    // A second member joins: the group moves to a new generation.
    const second = new Consumer(client, sim.clock, { groupId: 'copy', isolationLevel: 'read_committed' });
    second.subscribe(['in']);
    for (let i = 0; i < 20 && first.groupMetadata()!.generationId === stale.generationId; i++) {
      await settle(sim, Promise.all([first.poll(500), second.poll(500)]));
    }
    expect(first.groupMetadata()!.generationId).toBeGreaterThan(stale.generationId);

    const producer = new Producer(client, sim.clock, sim.random, {
      transactionalId: 'copy-0',
      requestTimeoutMs: 1000,
    });
    await settle(sim, producer.initTransactions());
    producer.beginTransaction();
    await settle(sim, producer.send({ topic: 'out', partition: 0, value: value('x') }));
    await expect(
      settle(sim, producer.sendOffsetsToTransaction([{ topic: 'in', partition: 0, offset: 1 }], stale)),
    ).rejects.toBeInstanceOf(TransactionAbortableError);
    await settle(sim, producer.abortTransaction());
    expect(producer.transactionState).toBe('ready');
    const committed = await settle(sim, first.committed([{ topic: 'in', partition: 0 }]));
    expect(committed.get('in-0') ?? -1).toBe(-1);
  });
});
