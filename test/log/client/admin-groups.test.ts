import { describe, expect, it } from 'vitest';
import { NonEmptyGroupError } from '../../../src/common/kafka-errors.js';
import { Admin } from '../../../src/log/client/admin.js';
import { Consumer } from '../../../src/log/client/consumer/consumer.js';
import { buildRecordBatch } from '../../../src/log/format/record-batch-builder.js';
import { createTopicAndSettle, settle, simulatedCluster } from '../broker/cluster-fixtures.js';

const batch = (n: number) =>
  buildRecordBatch(Array.from({ length: n }, (_, i) => ({ value: Buffer.from(`v${i}`), timestamp: 1 })));

describe('Admin on consumer groups', () => {
  it('lists and describes a group, reports its lag, and deletes it once empty', async () => {
    const { sim, client } = simulatedCluster(41, 2);
    const admin = new Admin(client);
    await sim.runFor(500);
    await createTopicAndSettle(sim, client, { name: 't', partitions: 2, replicationFactor: 2 });
    await settle(sim, client.produce('t', 0, batch(4), 'all'));
    await settle(sim, client.produce('t', 1, batch(3), 'all'));
    const consumer = new Consumer(client, sim.clock, {
      groupId: 'audit',
      autoOffsetReset: 'earliest',
      sessionTimeoutMs: 6000,
      heartbeatIntervalMs: 300,
      rebalanceTimeoutMs: 5000,
    });
    consumer.subscribe(['t']);
    let consumed = 0;
    for (let i = 0; i < 100 && consumed < 7; i++) consumed += (await settle(sim, consumer.poll(50))).count;
    expect(consumed).toBe(7);
    await settle(sim, consumer.commitSync());
    const described = await settle(sim, admin.describeGroup('audit'));
    expect(described.state).toBe('Stable');
    expect(described.members.length).toBe(1);
    expect((await settle(sim, admin.groupLag('audit', ['t']))).map((l) => l.lag)).toEqual([0, 0]);
    await settle(sim, client.produce('t', 1, batch(5), 'all'));
    expect(
      (await settle(sim, admin.groupLag('audit', ['t']))).map((l) => [
        l.partition,
        l.committedOffset,
        l.highWatermark,
        l.lag,
      ]),
    ).toEqual([
      [0, 4, 4, 0],
      [1, 3, 8, 5],
    ]);
    await expect(settle(sim, admin.deleteGroup('audit'))).rejects.toThrow(NonEmptyGroupError);
    await settle(sim, consumer.close());
    await sim.runFor(500);
    expect((await settle(sim, admin.listGroups())).map((g) => [g.groupId, g.state])).toEqual([
      ['audit', 'Empty'],
    ]);
    await settle(sim, admin.deleteGroup('audit'));
    expect((await settle(sim, admin.listGroups())).map((g) => g.groupId)).not.toContain('audit');
  });
});
