import { describe, expect, it } from 'vitest';
import { InvalidSessionTimeoutError } from '../../../src/common/kafka-errors.js';
import { Consumer } from '../../../src/log/client/consumer/consumer.js';
import { tpKey } from '../../../src/log/client/consumer/consumer-record.js';
import { buildRecordBatch } from '../../../src/log/format/record-batch-builder.js';
import { createTopicAndSettle, settle, simulatedCluster } from '../broker/cluster-fixtures.js';

const GROUP_TIMINGS = {
  sessionTimeoutMs: 6000,
  heartbeatIntervalMs: 300,
  rebalanceTimeoutMs: 5000,
  retryBackoffMs: 100,
};

describe('a consumer group on an embedded cluster', () => {
  it('splits the partitions among three members and resumes from committed offsets after a restart', async () => {
    const { sim, client } = simulatedCluster(31, 3);
    await sim.runFor(500);
    await createTopicAndSettle(sim, client, { name: 'events', partitions: 6, replicationFactor: 2 });
    const produce = async (round: string) => {
      for (let p = 0; p < 6; p++) {
        const records = Array.from({ length: 5 }, (_, i) => ({
          value: Buffer.from(`${round}-${p}-${i}`),
          timestamp: 1,
        }));
        await settle(sim, client.produce('events', p, buildRecordBatch(records), 'all'));
      }
    };
    await produce('first');

    const startGroup = (assignor: 'range' | 'cooperative-sticky') =>
      Array.from({ length: 3 }, (_, i) => {
        const c = new Consumer(client, sim.clock, {
          groupId: 'billing',
          clientId: `c${i}`,
          autoOffsetReset: 'earliest',
          assignor,
          ...GROUP_TIMINGS,
        });
        c.subscribe(['events']);
        return c;
      });
    const consumeAll = async (consumers: Consumer[], expected: number) => {
      const seen: string[] = [];
      for (let round = 0; round < 200 && seen.length < expected; round++) {
        for (const c of consumers) {
          const polled = await settle(sim, c.poll(50));
          for (const records of polled.partitions.values())
            seen.push(...records.map((r) => Buffer.from(r.value!).toString()));
        }
      }
      return seen;
    };

    const group = startGroup('cooperative-sticky');
    const firstRound = await consumeAll(group, 30);
    expect(firstRound.sort()).toEqual(
      Array.from({ length: 30 }, (_, k) => `first-${Math.floor(k / 5)}-${k % 5}`).sort(),
    );
    // A stable group: each member owns two partitions, no partition twice.
    await sim.runFor(2000);
    const owned = group.map((c) => c.assignment().map(tpKey));
    expect(owned.map((o) => o.length)).toEqual([2, 2, 2]);
    expect(new Set(owned.flat()).size).toBe(6);
    for (const c of group) await settle(sim, c.commitSync());
    for (const c of group) await settle(sim, c.close());

    await produce('second');
    const again = startGroup('range');
    const secondRound = await consumeAll(again, 30);
    // Only what came after the committed offsets: nothing from the first round again.
    expect(secondRound.every((v) => v.startsWith('second-'))).toBe(true);
    expect(secondRound.length).toBe(30);
  });

  it('reports a refusal no retry can fix, such as a session timeout the broker does not allow, from poll', async () => {
    const { sim, client } = simulatedCluster(32, 1);
    await sim.runFor(500);
    await settle(sim, client.createTopic({ name: 'events', partitions: 1, replicationFactor: 1 }));
    const c = new Consumer(client, sim.clock, { groupId: 'g', ...GROUP_TIMINGS, sessionTimeoutMs: 10 });
    c.subscribe(['events']);
    await sim.runFor(2000);
    await expect(settle(sim, c.poll(10))).rejects.toThrow(InvalidSessionTimeoutError);
  });
});
