/**
 * A transactional producer that commits offsets every transaction (a stream thread) adds the
 * group's offsets partition early, with the transaction's first partitions, and then does not add
 * it again at sendOffsetsToTransaction: one AddOffsetsToTxn per transaction, none on the commit's
 * path. The offsets still commit with the transaction.
 */
import { describe, expect, it } from 'vitest';
import { Consumer } from '../../../../src/log/client/consumer/consumer.js';
import { Producer } from '../../../../src/log/client/producer/producer.js';
import type { InspectionEvent } from '../../../../src/runtime/actor/index.js';
import { createTopicAndSettle, settle, simulatedCluster } from '../../broker/cluster-fixtures.js';

describe('offsets in a transaction', () => {
  it('adds the group once per transaction and commits the offsets with it', async () => {
    const { sim, client } = simulatedCluster(31, 1);
    await sim.runFor(300);
    for (const name of ['in', 'out'])
      await createTopicAndSettle(sim, client, { name, partitions: 1, replicationFactor: 1 });
    const consumer = new Consumer(client, sim.clock, { groupId: 'copy', isolationLevel: 'read_committed' });
    consumer.subscribe(['in']);
    await settle(sim, consumer.poll(5000));
    await sim.runFor(4000);
    const group = consumer.groupMetadata()!;

    let addOffsets = 0;
    const record = sim.trace.record.bind(sim.trace);
    sim.trace.record = (e: InspectionEvent) => {
      if (e.kind === 'send' && e.event === 'txn.addOffsets' && e.from === 'client/client') addOffsets++;
      record(e);
    };
    const producer = new Producer(client, sim.clock, sim.random, {
      transactionalId: 'copy-0',
      requestTimeoutMs: 1000,
    });
    await settle(sim, producer.initTransactions());
    const transactions = 5;
    for (let t = 1; t <= transactions; t++) {
      producer.beginTransaction();
      await settle(sim, producer.send({ topic: 'out', partition: 0, value: Buffer.from(`t${t}`) }));
      await settle(sim, producer.sendOffsetsToTransaction([{ topic: 'in', partition: 0, offset: t }], group));
      await settle(sim, producer.commitTransaction());
    }
    // The first transaction learns the group at sendOffsetsToTransaction; each later one adds it
    // early, once.
    expect(addOffsets).toBe(transactions);
    const committed = await settle(sim, consumer.committed([{ topic: 'in', partition: 0 }]));
    expect(committed.get('in-0')).toBe(transactions);
  });
});
