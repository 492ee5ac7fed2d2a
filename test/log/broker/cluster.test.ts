import { describe, expect, it } from 'vitest';
import { NotEnoughReplicasError, TopicAlreadyExistsError } from '../../../src/common/kafka-errors.js';
import { buildRecordBatch } from '../../../src/log/format/record-batch-builder.js';
import { decodeRecords } from '../../../src/log/format/record-batch-decoder.js';
import { createTopicAndSettle, settle, simulatedCluster } from './cluster-fixtures.js';

const batch = (values: string[]) =>
  buildRecordBatch(values.map((v) => ({ value: Buffer.from(v), timestamp: 1 })));
const valuesOf = (bytes: Uint8Array) => decodeRecords(bytes).map((r) => Buffer.from(r.value!).toString());

describe('an embedded cluster', () => {
  it('replicates acks=all writes to all three brokers and serves them below the high watermark', async () => {
    const { sim, client } = simulatedCluster(1, 3);
    await sim.runFor(500);
    await createTopicAndSettle(sim, client, {
      name: 'events',
      partitions: 2,
      replicationFactor: 3,
      config: { minInsyncReplicas: 2 },
    });
    const a = await settle(sim, client.produce('events', 0, batch(['a', 'b']), 'all'));
    const b = await settle(sim, client.produce('events', 0, batch(['c']), 'all'));
    expect([a.baseOffset, a.lastOffset, b.baseOffset]).toEqual([0, 1, 2]);
    const fetched = await settle(sim, client.fetch('events', 0, 0));
    expect(valuesOf(fetched.records)).toEqual(['a', 'b', 'c']);
    expect(fetched.highWatermark).toBe(3);
    await expect(
      settle(sim, client.createTopic({ name: 'events', partitions: 1, replicationFactor: 1 })),
    ).rejects.toThrow(TopicAlreadyExistsError);
  });

  it('moves leadership when the leader dies, keeping every acknowledged record', async () => {
    const { sim, client, cluster } = simulatedCluster(2, 3);
    await sim.runFor(500);
    await createTopicAndSettle(sim, client, {
      name: 't',
      partitions: 1,
      replicationFactor: 3,
      config: { minInsyncReplicas: 2 },
    });
    for (let i = 0; i < 5; i++) await settle(sim, client.produce('t', 0, batch([`v${i}`]), 'all'));
    const before = await settle(sim, client.partition('t', 0, true));
    cluster.killBroker(before.leader);
    await sim.runFor(2000);
    const after = await settle(sim, client.partition('t', 0, true));
    expect(after.leader).not.toBe(before.leader);
    expect(after.leaderEpoch).toBeGreaterThan(before.leaderEpoch);
    await settle(sim, client.produce('t', 0, batch(['after']), 'all'));
    const fetched = await settle(sim, client.fetch('t', 0, 0));
    expect(valuesOf(fetched.records)).toEqual(['v0', 'v1', 'v2', 'v3', 'v4', 'after']);
  });

  it('refuses acks=all with NotEnoughReplicas when fewer than min.insync.replicas are in sync', async () => {
    const { sim, client, cluster } = simulatedCluster(3, 2);
    await sim.runFor(500);
    await createTopicAndSettle(sim, client, {
      name: 't',
      partitions: 1,
      replicationFactor: 2,
      config: { minInsyncReplicas: 2 },
    });
    const state = await settle(sim, client.partition('t', 0, true));
    const follower = state.replicas.find((r) => r !== state.leader)!;
    cluster.killBroker(follower);
    await sim.runFor(3000);
    await expect(settle(sim, client.produce('t', 0, batch(['x']), 'all'))).rejects.toThrow(
      NotEnoughReplicasError,
    );
    await settle(sim, client.produce('t', 0, batch(['y']), 1));
  });
});
