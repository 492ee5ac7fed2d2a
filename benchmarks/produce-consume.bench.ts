/**
 * produce-consume: the embedded broker end to end in one process, on the real clock and disk.
 * Produce 100-byte records with the Producer (acks=1, RF 1) and consume them with a Consumer,
 * records/s each way; then RF 3 with acks=all on 3 brokers, as a ratio to RF 1 in the same run.
 *
 * The high watermark counts only synced data (see partition-replica.ts), so every figure here
 * includes fdatasync (group commit) on every replica: stricter than Kafka, which acknowledges
 * replicated but unsynced data.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createCluster } from '../src/log/broker/embedded-cluster.js';
import { Consumer } from '../src/log/client/consumer/consumer.js';
import { EmbeddedLogClient } from '../src/log/client/embedded-log-client.js';
import { Producer } from '../src/log/client/producer/producer.js';
import { realRandom } from '../src/runtime/actor/real-random.js';
import { createTopicAndWaitForLeaders, runChild } from './cluster-setup.js';
import { type Benchmark, type Figure, nowMs, perSec, progress, withTempDir } from './harness.js';

const RECORDS = Number(process.env.RECORDS ?? 10_000_000);
const RECORD_BYTES = 100;
const PARTITIONS = 4;

interface RunResult {
  produceMs: number;
  consumeMs: number;
  joinMs: number;
}

/** Writes back every dirty page first, so a run does not pay for the previous run's writes. */
function settleDisk(): void {
  execFileSync('sync');
}

async function run(
  dataDir: string,
  brokers: number,
  replicationFactor: number,
  acks: 1 | 'all',
  records: number,
): Promise<RunResult> {
  const cluster = createCluster({ brokers, dataDir });
  await cluster.whenReady();
  const client = new EmbeddedLogClient(cluster.system, { node: 'bench' });
  await createTopicAndWaitForLeaders(client, cluster.system.clock, {
    name: 'bench',
    partitions: PARTITIONS,
    replicationFactor,
    config: { minInsyncReplicas: Math.min(2, replicationFactor) },
  });
  const producer = new Producer(client, cluster.system.clock, realRandom, {
    acks,
    lingerMs: 5,
    batchSize: 1024 * 1024,
    bufferMemory: 256 * 1024 * 1024,
    maxRequestSize: 2 * 1024 * 1024,
  });
  const value = Buffer.alloc(RECORD_BYTES, 0x61);
  let failed = 0;
  const onDone = (err: Error | null) => {
    if (err !== null) failed++;
  };
  const t0 = nowMs();
  for (let i = 0; i < records; i++) {
    // Keyless records go to sticky partitions, batch by batch.
    const record = { topic: 'bench', value, timestamp: i };
    if (!producer.tryAppend(record, onDone)) await producer.append(record, onDone);
  }
  await producer.flush();
  const produceMs = nowMs() - t0;
  if (failed > 0) throw new Error(`${failed} records failed to produce`);

  const consumer = new Consumer(client, cluster.system.clock, {
    groupId: 'bench-group',
    autoOffsetReset: 'earliest',
    maxPollRecords: 100_000,
    maxPartitionFetchBytes: 4 * 1024 * 1024,
    fetchMaxWaitMs: 100,
  });
  consumer.subscribe(['bench']);
  // Joining the group (with its initial rebalance delay, 3 s as in Kafka) is timed apart, as
  // Kafka's consumer perf test reports rebalance time apart from fetch time.
  const joinStart = nowMs();
  let consumed = 0;
  let t1 = 0;
  while (consumed < records) {
    const polled = await consumer.poll(1000);
    if (polled.count > 0 && t1 === 0) t1 = nowMs();
    if (polled.count === 0 && nowMs() - joinStart > 120_000)
      throw new Error(`consumed only ${consumed} of ${records}`);
    consumed += polled.count;
  }
  const consumeMs = nowMs() - t1;
  const joinMs = t1 - joinStart;
  await consumer.close();
  await producer.close();
  client.close();
  await cluster.shutdown();
  return { produceMs, consumeMs, joinMs };
}

/**
 * Runs one configuration in a fresh Node process, so neither run inherits the other's heap, page
 * cache or timers (the second run in one process measured up to 40 % slower).
 */
function runIsolated(
  dataDir: string,
  brokers: number,
  replicationFactor: number,
  acks: 1 | 'all',
  records: number,
): RunResult {
  return runChild<RunResult>(import.meta.url, [
    dataDir,
    String(brokers),
    String(replicationFactor),
    String(acks),
    String(records),
  ]);
}

if (process.argv[2] === 'child') {
  const [dataDir, brokers, rf, acks, records] = process.argv.slice(3);
  const result = await run(
    dataDir!,
    Number(brokers),
    Number(rf),
    acks === 'all' ? 'all' : 1,
    Number(records),
  );
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

const benchmark: Benchmark = {
  name: 'produce-consume',
  async run(): Promise<Figure[]> {
    return withTempDir('millrace-produce-consume-', async (dir) => {
      progress(
        `RF 1, acks=1: ${RECORDS.toLocaleString()} records of ${RECORD_BYTES} B over ${PARTITIONS} partitions`,
      );
      settleDisk();
      const rf1 = runIsolated(`${dir}/rf1`, 1, 1, 1, RECORDS);
      const rf3Records = Math.floor(RECORDS / 2);
      progress(`RF 3, acks=all, 3 brokers: ${rf3Records.toLocaleString()} records`);
      // The first run's gigabyte is removed and written back first: on this VM's disk, syncs right
      // after a large write run much slower, which would be charged to the second run.
      rmSync(`${dir}/rf1`, { recursive: true, force: true });
      settleDisk();
      const rf3 = runIsolated(`${dir}/rf3`, 3, 3, 'all', rf3Records);
      const produceRf1 = perSec(RECORDS, rf1.produceMs);
      const produceRf3 = perSec(rf3Records, rf3.produceMs);
      return [
        {
          metric: 'produce-rf1',
          unit: 'records/s',
          value: produceRf1,
          goal: 2_000_000,
          note: `Producer.append, acks=1, lingerMs 5, batchSize 1 MiB, ${PARTITIONS} partitions, synced by group commit`,
        },
        {
          metric: 'consume-rf1',
          unit: 'records/s',
          value: perSec(RECORDS, rf1.consumeMs),
          goal: 2_000_000,
          note: `Consumer.subscribe in a group, poll, records decoded; timed from the first records (joining took ${Math.round(rf1.joinMs)} ms, mostly the 3 s initial rebalance delay)`,
        },
        {
          metric: 'produce-rf3-acks-all',
          unit: 'records/s',
          value: produceRf3,
          baseline: produceRf1,
          ratio: produceRf3 / produceRf1,
          goal: 0.5,
          note: `${rf3Records.toLocaleString()} records, 3 brokers in one process, min ISR 2; each configuration runs in a fresh process`,
        },
      ];
    });
  },
};

export default benchmark;
