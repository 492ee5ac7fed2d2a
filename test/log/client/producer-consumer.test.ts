import { describe, expect, it } from 'vitest';
import { UnknownTopicOrPartitionError } from '../../../src/common/kafka-errors.js';
import { Consumer } from '../../../src/log/client/consumer/consumer.js';
import { partitionForKey } from '../../../src/log/client/producer/murmur2.js';
import { Producer } from '../../../src/log/client/producer/producer.js';
import { createTopicAndSettle, settle, simulatedCluster } from '../broker/cluster-fixtures.js';

describe('Producer and Consumer on an embedded cluster', () => {
  it('partitions by murmur2 of the key, acknowledges with acks=all through a leader failover, and everything is consumed in order', async () => {
    const { sim, client, cluster } = simulatedCluster(11, 3);
    await sim.runFor(300);
    await createTopicAndSettle(sim, client, {
      name: 'orders',
      partitions: 3,
      replicationFactor: 3,
      config: { minInsyncReplicas: 2 },
    });
    const producer = new Producer(client, sim.clock, sim.random, {
      acks: 'all',
      lingerMs: 5,
      deliveryTimeoutMs: 30_000,
      requestTimeoutMs: 1000,
    });
    const sends: Promise<{ partition: number; offset: number }>[] = [];
    const keys = Array.from({ length: 300 }, (_, i) => `customer-${i % 17}`);
    keys.forEach((key, i) => {
      sends.push(producer.send({ topic: 'orders', key: Buffer.from(key), value: Buffer.from(`order-${i}`) }));
      if (i === 150) {
        // Kill the leader of partition 0 half way.
        void client.partition('orders', 0, true).then((p) => cluster.killBroker(p.leader));
      }
    });
    const acked = await settle(sim, Promise.all(sends), 60_000);
    acked.forEach((m, i) => {
      expect(m.partition).toBe(partitionForKey(Buffer.from(keys[i]!), 3));
    });

    const consumer = new Consumer(client, sim.clock, { autoOffsetReset: 'earliest', maxPollRecords: 1000 });
    consumer.assign([0, 1, 2].map((partition) => ({ topic: 'orders', partition })));
    const seen = new Map<number, string[]>();
    for (let i = 0; i < 50 && [...seen.values()].flat().length < 300; i++) {
      const polled = await settle(sim, consumer.poll(500));
      for (const records of polled.partitions.values()) {
        for (const r of records)
          seen.set(r.partition, [...(seen.get(r.partition) ?? []), Buffer.from(r.value!).toString()]);
      }
    }
    // Every acknowledged record is at its acknowledged offset; within a partition, in send order.
    for (let p = 0; p < 3; p++) {
      const expected = keys.map((_, i) => i).filter((i) => acked[i]!.partition === p);
      const got = seen.get(p) ?? [];
      for (const i of expected) expect(got[acked[i]!.offset]).toBe(`order-${i}`);
    }
    await settle(sim, producer.close());
  });

  it('rejects a send to a topic that does not exist', async () => {
    const { sim, client } = simulatedCluster(12, 1);
    await sim.runFor(300);
    const producer = new Producer(client, sim.clock, sim.random);
    await expect(settle(sim, producer.send({ topic: 'nope', value: Buffer.from('x') }))).rejects.toThrow(
      UnknownTopicOrPartitionError,
    );
  });
});
