import { describe, expect, it } from 'vitest';
import { UnknownTopicOrPartitionError } from '../../../src/common/kafka-errors.js';
import { Admin } from '../../../src/log/client/admin.js';
import { buildRecordBatch } from '../../../src/log/format/record-batch-builder.js';
import { settle, simulatedCluster } from '../broker/cluster-fixtures.js';

describe('Admin', () => {
  it('creates, lists, describes and deletes topics, removing the replicas files', async () => {
    const { sim, client, disks } = simulatedCluster(21, 2);
    const admin = new Admin(client);
    await sim.runFor(300);
    await settle(
      sim,
      admin.createTopics([
        { name: 'a', partitions: 2, replicationFactor: 2 },
        { name: 'b', partitions: 1, replicationFactor: 1 },
      ]),
    );
    await sim.runFor(300);
    expect(await settle(sim, admin.listTopics())).toEqual(['a', 'b']);
    const [a] = await settle(sim, admin.describeTopics(['a']));
    expect(a!.partitions.map((p) => p.replicas.length)).toEqual([2, 2]);
    await settle(
      sim,
      client.produce('a', 0, buildRecordBatch([{ value: Buffer.from('x'), timestamp: 1 }]), 'all'),
    );
    const filesOfA = () => [...disks.values()].flatMap((fs) => fs.paths()).filter((p) => p.includes('/a-'));
    expect(filesOfA().length).toBeGreaterThan(0);
    await settle(sim, admin.deleteTopics(['a']));
    await sim.runFor(300);
    expect(await settle(sim, admin.listTopics())).toEqual(['b']);
    expect(filesOfA()).toEqual([]);
    await expect(settle(sim, admin.deleteTopics(['a']))).rejects.toThrow(UnknownTopicOrPartitionError);
  });

  it('lists the earliest, latest and by-timestamp offsets, seeing only what is below the high watermark', async () => {
    const { sim, client } = simulatedCluster(22, 1);
    const admin = new Admin(client);
    await sim.runFor(300);
    await settle(sim, admin.createTopics([{ name: 't', partitions: 1, replicationFactor: 1 }]));
    await sim.runFor(300);
    const records = [100, 200, 300].map((ts) => ({ value: Buffer.from(`v${ts}`), timestamp: ts }));
    await settle(sim, client.produce('t', 0, buildRecordBatch(records), 'all'));
    const listed = await settle(
      sim,
      admin.listOffsets([
        { topic: 't', partition: 0, spec: 'earliest' },
        { topic: 't', partition: 0, spec: 'latest' },
        { topic: 't', partition: 0, spec: { timestamp: 150 } },
        { topic: 't', partition: 0, spec: { timestamp: 999 } },
      ]),
    );
    expect(listed.map((l) => [l.offset, l.timestamp])).toEqual([
      [0, -1],
      [3, -1],
      [1, 200],
      [-1, -1],
    ]);
  });
});
