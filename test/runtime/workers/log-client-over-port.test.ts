import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedCluster } from '../../../src/log/broker/embedded-cluster.js';
import { Consumer } from '../../../src/log/client/consumer/consumer.js';
import { EmbeddedLogClient } from '../../../src/log/client/embedded-log-client.js';
import { Producer } from '../../../src/log/client/producer/producer.js';
import { portPair } from '../actor/port-fixtures.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const GROUP_TIMINGS = { sessionTimeoutMs: 6000, heartbeatIntervalMs: 100, rebalanceTimeoutMs: 5000 };

describe('the embedded log client across a MessagePort', () => {
  it('runs metadata, produce, fetch, group and transaction calls with no class instance in any event', async () => {
    const pair = portPair();
    cleanups.push(() => pair.close());
    const dataDir = await mkdtemp(join(tmpdir(), 'millrace-port-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const cluster = EmbeddedCluster.start({ brokers: 1, dataDir, system: pair.main });
    cleanups.push(() => cluster.shutdown());
    await cluster.whenReady();

    // Everything below runs in the client's system: every request and answer crosses the port.
    const { client: system } = pair;
    const client = new EmbeddedLogClient(system, { node: 'client' });
    cleanups.push(() => client.close());
    await client.createTopic({ name: 'in', partitions: 1, replicationFactor: 1 });
    await client.createTopic({ name: 'out', partitions: 1, replicationFactor: 1 });
    expect((await client.metadata()).topics.map((t) => t.name)).toEqual(
      expect.arrayContaining(['in', 'out']),
    );

    const producer = new Producer(client, system.clock, system.random, { acks: 'all' });
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => producer.send({ topic: 'in', value: Buffer.from(`v${i}`) })),
    );
    await producer.close();

    const consumer = new Consumer(client, system.clock, {
      groupId: 'copier',
      autoOffsetReset: 'earliest',
      ...GROUP_TIMINGS,
    });
    consumer.subscribe(['in']);
    const input: string[] = [];
    for (let i = 0; i < 100 && input.length < 10; i++) {
      const polled = await consumer.poll(200);
      for (const records of polled.partitions.values())
        input.push(...records.map((r) => Buffer.from(r.value!).toString()));
    }
    expect(input).toHaveLength(10);

    const txn = new Producer(client, system.clock, system.random, { transactionalId: 'copier-1' });
    await txn.initTransactions();
    txn.beginTransaction();
    for (const v of input) void txn.send({ topic: 'out', value: Buffer.from(v.toUpperCase()) });
    await txn.sendOffsetsToTransaction(
      [{ topic: 'in', partition: 0, offset: 10 }],
      consumer.groupMetadata()!,
    );
    await txn.commitTransaction();
    await txn.close();

    // The offsets become visible once the coordinator has the COMMIT marker, just after EndTxn.
    let committed = await consumer.committed([{ topic: 'in', partition: 0 }]);
    for (let i = 0; i < 100 && [...committed.values()][0] !== 10; i++) {
      await new Promise<void>((resolve) => system.clock.setTimer(20, resolve));
      committed = await consumer.committed([{ topic: 'in', partition: 0 }]);
    }
    expect([...committed.values()]).toEqual([10]);
    await consumer.close();

    const reader = new Consumer(client, system.clock, {
      autoOffsetReset: 'earliest',
      isolationLevel: 'read_committed',
    });
    reader.assign([{ topic: 'out', partition: 0 }]);
    const output: string[] = [];
    for (let i = 0; i < 50 && output.length < 10; i++) {
      const polled = await reader.poll(200);
      for (const records of polled.partitions.values())
        output.push(...records.map((r) => Buffer.from(r.value!).toString()));
    }
    await reader.close();
    expect(output).toEqual(input.map((v) => v.toUpperCase()));
    expect(pair.lossy).toEqual([]);
  });
});
