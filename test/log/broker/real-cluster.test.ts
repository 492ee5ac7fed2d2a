import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCluster } from '../../../src/log/broker/embedded-cluster.js';
import { EmbeddedLogClient } from '../../../src/log/client/embedded-log-client.js';
import { buildRecordBatch } from '../../../src/log/format/record-batch-builder.js';
import { decodeRecords } from '../../../src/log/format/record-batch-decoder.js';

describe('createCluster on the real clock and disk', () => {
  it('starts three brokers, replicates a topic and serves what was produced, then again after a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'millrace-cluster-'));
    try {
      const cluster = createCluster({
        brokers: 3,
        dataDir,
        settings: { heartbeatIntervalMs: 50, sessionTimeoutMs: 2000 },
      });
      await cluster.whenReady();
      const client = new EmbeddedLogClient(cluster.system, { node: 'app', requestTimeoutMs: 5000 });
      await client.createTopic({
        name: 'orders',
        partitions: 2,
        replicationFactor: 3,
        config: { minInsyncReplicas: 2 },
      });
      const values = Array.from({ length: 100 }, (_, i) => `order-${i}`);
      let produced = false;
      for (let attempt = 0; !produced; attempt++) {
        try {
          await client.produce(
            'orders',
            1,
            buildRecordBatch(values.map((v) => ({ value: Buffer.from(v), timestamp: 1 }))),
            'all',
            5000,
          );
          produced = true;
        } catch (err) {
          // Replicas are still taking up their roles right after creation.
          if (attempt > 50) throw err;
          await new Promise<void>((resolve) => cluster.system.clock.setTimer(20, resolve));
        }
      }
      const fetched = await client.fetch('orders', 1, 0);
      expect(decodeRecords(fetched.records).map((r) => Buffer.from(r.value!).toString())).toEqual(values);
      client.close();
      cluster.stop();

      // The same data directory again: topics, partition states and records are all still there.
      const again = createCluster({
        brokers: 3,
        dataDir,
        settings: { heartbeatIntervalMs: 50, sessionTimeoutMs: 2000 },
      });
      await again.whenReady();
      const reader = new EmbeddedLogClient(again.system, { node: 'app', requestTimeoutMs: 5000 });
      let read: string[] = [];
      for (let attempt = 0; read.length < values.length; attempt++) {
        try {
          const r = await reader.fetch('orders', 1, 0);
          read = decodeRecords(r.records).map((x) => Buffer.from(x.value!).toString());
        } catch (err) {
          if (attempt > 100) throw err;
        }
        if (read.length < values.length)
          await new Promise<void>((resolve) => again.system.clock.setTimer(20, resolve));
      }
      expect(read).toEqual(values);
      reader.close();
      again.stop();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
