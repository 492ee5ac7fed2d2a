import { describe, expect, it } from 'vitest';
import { Consumer } from '../../../src/log/client/consumer/consumer.js';
import { buildRecordBatch } from '../../../src/log/format/record-batch-builder.js';
import { createTopicAndSettle, settle, simulatedCluster } from '../broker/cluster-fixtures.js';

const TIMINGS = {
  sessionTimeoutMs: 6000,
  heartbeatIntervalMs: 300,
  rebalanceTimeoutMs: 5000,
  retryBackoffMs: 100,
};

describe('committed offsets and coordinator failover', () => {
  it('keeps a group’s committed offsets when its coordinator broker dies and another takes over', async () => {
    const { sim, client, cluster } = simulatedCluster(61, 3);
    await sim.runFor(500);
    await createTopicAndSettle(sim, client, { name: 'orders', partitions: 1, replicationFactor: 3 });
    const records = (from: number, n: number) =>
      buildRecordBatch(
        Array.from({ length: n }, (_, i) => ({ value: Buffer.from(`o${from + i}`), timestamp: 1 })),
      );
    await settle(sim, client.produce('orders', 0, records(0, 10), 'all'));

    const first = new Consumer(client, sim.clock, {
      groupId: 'shipping',
      autoOffsetReset: 'earliest',
      ...TIMINGS,
    });
    first.subscribe(['orders']);
    let consumed = 0;
    for (let i = 0; i < 100 && consumed < 10; i++) consumed += (await settle(sim, first.poll(50))).count;
    expect(consumed).toBe(10);
    await settle(sim, first.commitSync());
    await settle(sim, first.close());

    const coordinator = await settle(sim, client.findCoordinator('shipping'));
    cluster.killBroker(coordinator);
    await sim.runFor(3000);
    const moved = await settle(sim, client.findCoordinator('shipping'));
    expect(moved).not.toBe(coordinator);

    await settle(sim, client.produce('orders', 0, records(10, 5), 'all'));
    const second = new Consumer(client, sim.clock, {
      groupId: 'shipping',
      autoOffsetReset: 'earliest',
      ...TIMINGS,
    });
    second.subscribe(['orders']);
    const seen: string[] = [];
    for (let i = 0; i < 200 && seen.length < 5; i++) {
      const polled = await settle(sim, second.poll(50));
      for (const rs of polled.partitions.values())
        seen.push(...rs.map((r) => Buffer.from(r.value!).toString()));
    }
    // It resumes at the committed offset 10 on the new coordinator: nothing from before again.
    expect(seen).toEqual(['o10', 'o11', 'o12', 'o13', 'o14']);
  });
});
