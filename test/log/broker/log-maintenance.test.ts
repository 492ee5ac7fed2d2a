import { describe, expect, it } from 'vitest';
import { buildRecordBatch } from '../../../src/log/format/record-batch-builder.js';
import { decodeRecords } from '../../../src/log/format/record-batch-decoder.js';
import { createTopicAndSettle, settle, simulatedCluster } from './cluster-fixtures.js';

describe('brokers maintain their logs on the clock', () => {
  it('applies retention by time to every replica, moving the log start forward', async () => {
    const { sim, client } = simulatedCluster(51, 2);
    await sim.runFor(300);
    await createTopicAndSettle(sim, client, {
      name: 't',
      partitions: 1,
      replicationFactor: 2,
      config: { retentionMs: 5000, segmentBytes: 2048 },
    });
    for (let i = 0; i < 40; i++) {
      const value = Buffer.from(`v${i}`.padEnd(100, '.'));
      await settle(
        sim,
        client.produce('t', 0, buildRecordBatch([{ value, timestamp: sim.clock.nowMs() }]), 'all'),
      );
    }
    expect((await settle(sim, client.listOffset('t', 0, -2))).offset).toBe(0);
    await sim.runFor(6000);
    const earliest = (await settle(sim, client.listOffset('t', 0, -2))).offset;
    expect(earliest).toBeGreaterThan(0);
    // The active segment is never deleted: the newest records are still there.
    const fetched = await settle(sim, client.fetch('t', 0, earliest));
    expect(decodeRecords(fetched.records).at(-1)!.offset).toBe(39);
  });

  it('compacts a compacted topic below the high watermark, keeping the latest value per key', async () => {
    const { sim, client } = simulatedCluster(52, 1);
    await sim.runFor(300);
    await createTopicAndSettle(sim, client, {
      name: 'c',
      partitions: 1,
      replicationFactor: 1,
      config: { cleanupPolicy: 'compact', segmentBytes: 1024 },
    });
    for (let i = 0; i < 60; i++) {
      const record = {
        key: Buffer.from(`k${i % 3}`),
        value: Buffer.from(`v${i}`.padEnd(60, '.')),
        timestamp: sim.clock.nowMs(),
      };
      await settle(sim, client.produce('c', 0, buildRecordBatch([record]), 'all'));
    }
    await sim.runFor(2000);
    const all = [];
    // Segments compacted to nothing are gone, so the log may now start later than 0.
    let offset = (await settle(sim, client.listOffset('c', 0, -2))).offset;
    for (;;) {
      const r = await settle(sim, client.fetch('c', 0, offset));
      const records = decodeRecords(r.records).filter((x) => x.offset >= offset);
      if (records.length === 0) break;
      all.push(...records);
      offset = records.at(-1)!.offset + 1;
    }
    expect(all.length).toBeLessThan(60);
    // The last value of each key survives at its offset.
    for (const k of [0, 1, 2]) {
      const last = 57 + k;
      expect(all.find((r) => r.offset === last)).toBeDefined();
    }
  });
});
