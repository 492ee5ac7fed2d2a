import { describe, expect, it } from 'vitest';
import { OffsetOutOfRangeError } from '../../../src/common/errors.js';
import { Consumer } from '../../../src/log/client/consumer/consumer.js';
import type { PolledRecords } from '../../../src/log/client/consumer/consumer-record.js';
import { buildRecordBatch } from '../../../src/log/format/record-batch-builder.js';
import { createTopicAndSettle, settle, simulatedCluster } from '../broker/cluster-fixtures.js';

const batch = (values: string[]) =>
  buildRecordBatch(values.map((v) => ({ value: Buffer.from(v), timestamp: 1 })));
const valuesOf = (polled: PolledRecords) =>
  [...polled.partitions.values()]
    .flat()
    .map((r) => `${r.partition}:${r.offset}:${Buffer.from(r.value!).toString()}`);

async function setup() {
  const { sim, client } = simulatedCluster(5, 1);
  await sim.runFor(300);
  await createTopicAndSettle(sim, client, { name: 't', partitions: 2, replicationFactor: 1 }, 300);
  await settle(sim, client.produce('t', 0, batch(['a', 'b', 'c']), 1));
  await settle(sim, client.produce('t', 1, batch(['x']), 1));
  await sim.runFor(100);
  return { sim, client };
}

describe('Consumer', () => {
  it('reads assigned partitions from the earliest offset, in order per partition, maxPollRecords at a time', async () => {
    const { sim, client } = await setup();
    const consumer = new Consumer(client, sim.clock, { autoOffsetReset: 'earliest', maxPollRecords: 2 });
    consumer.assign([
      { topic: 't', partition: 0 },
      { topic: 't', partition: 1 },
    ]);
    const seen: string[] = [];
    for (let i = 0; i < 5 && seen.length < 4; i++)
      seen.push(...valuesOf(await settle(sim, consumer.poll(1000))));
    expect(seen.filter((s) => s.startsWith('0:'))).toEqual(['0:0:a', '0:1:b', '0:2:c']);
    expect(seen.filter((s) => s.startsWith('1:'))).toEqual(['1:0:x']);
    expect(consumer.position({ topic: 't', partition: 0 })).toBe(3);
  });

  it('seeks, pauses and resumes, and waits on the clock when there is nothing new', async () => {
    const { sim, client } = await setup();
    const consumer = new Consumer(client, sim.clock, { autoOffsetReset: 'latest' });
    const p0 = { topic: 't', partition: 0 };
    consumer.assign([p0]);
    const started = sim.clock.nowMs();
    expect((await settle(sim, consumer.poll(200))).count).toBe(0);
    expect(sim.clock.nowMs() - started).toBeGreaterThanOrEqual(200);
    consumer.seek(p0, 1);
    expect(valuesOf(await settle(sim, consumer.poll(1000)))).toEqual(['0:1:b', '0:2:c']);
    consumer.pause([p0]);
    await settle(sim, client.produce('t', 0, batch(['d']), 1));
    expect((await settle(sim, consumer.poll(300))).count).toBe(0);
    consumer.resume([p0]);
    expect(valuesOf(await settle(sim, consumer.poll(1000)))).toEqual(['0:3:d']);
  });

  it('refuses to guess a position when autoOffsetReset is none', async () => {
    const { sim, client } = await setup();
    const consumer = new Consumer(client, sim.clock, { autoOffsetReset: 'none' });
    consumer.assign([{ topic: 't', partition: 0 }]);
    await expect(settle(sim, consumer.poll(100))).rejects.toThrow(OffsetOutOfRangeError);
  });
});
