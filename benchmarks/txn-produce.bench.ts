/**
 * txn-produce: transactional produce against idempotent produce, in the same run, on the embedded
 * broker with the real clock and disk (one broker, acks=all). 100-byte records; the transactional
 * producer commits every 100 ms (Kafka Streams' default commit interval under exactly-once), so
 * its cost is the commit: waiting for the transaction's records to be acknowledged, EndTxn
 * (durable in `__transaction_state`) and the COMMIT markers. Each configuration runs in a fresh
 * Node process, as produce-consume does.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createCluster } from '../src/log/broker/embedded-cluster.js';
import { EmbeddedLogClient } from '../src/log/client/embedded-log-client.js';
import { Producer } from '../src/log/client/producer/producer.js';
import { realRandom } from '../src/runtime/actor/real-random.js';
import { createTopicAndWaitForLeaders, runChild } from './cluster-setup.js';
import {
  type Benchmark,
  type Figure,
  median,
  nowMs,
  perSec,
  progress,
  withTempDir,
  yieldToEventLoop,
} from './harness.js';

const RECORDS = Number(process.env.RECORDS ?? 6_000_000);
const RECORD_BYTES = 100;
const PARTITIONS = 4;
const COMMIT_INTERVAL_MS = 100;
/** Runs of each configuration, alternating which goes first; the medians count. */
const ROUNDS = Number(process.env.ROUNDS ?? 3);

interface RunResult {
  produceMs: number;
  commits: number;
}

async function run(dataDir: string, transactional: boolean, records: number): Promise<RunResult> {
  const cluster = createCluster({ brokers: 1, dataDir });
  await cluster.whenReady();
  const client = new EmbeddedLogClient(cluster.system, { node: 'bench' });
  await createTopicAndWaitForLeaders(client, cluster.system.clock, {
    name: 'bench',
    partitions: PARTITIONS,
    replicationFactor: 1,
  });
  const producer = new Producer(client, cluster.system.clock, realRandom, {
    acks: 'all',
    lingerMs: 5,
    batchSize: 1024 * 1024,
    bufferMemory: 32 * 1024 * 1024,
    maxRequestSize: 2 * 1024 * 1024,
    ...(transactional ? { transactionalId: 'bench-txn' } : {}),
  });
  if (transactional) await producer.initTransactions();
  const value = Buffer.alloc(RECORD_BYTES, 0x61);
  let failed = 0;
  const onDone = (err: Error | null) => {
    if (err !== null) failed++;
  };
  let commits = 0;
  const t0 = nowMs();
  let txnStart = t0;
  if (transactional) producer.beginTransaction();
  for (let i = 0; i < records; i++) {
    const record = { topic: 'bench', value, timestamp: i };
    if (!producer.tryAppend(record, onDone)) await producer.append(record, onDone);
    if ((i & 1023) !== 1023) continue;
    // Every 1024 records, in both runs, the loop yields as a stream thread does between polled
    // batches: the broker shares this thread, and a loop that never yields starves it (a commit's
    // markers would wait for the producer to run out of buffer memory). The clock is read here
    // too: a commit lands within a few hundred µs of its time.
    await yieldToEventLoop();
    if (transactional && nowMs() - txnStart >= COMMIT_INTERVAL_MS) {
      await producer.commitTransaction();
      commits++;
      producer.beginTransaction();
      txnStart = nowMs();
    }
  }
  if (transactional) {
    await producer.commitTransaction();
    commits++;
  } else await producer.flush();
  const produceMs = nowMs() - t0;
  if (failed > 0) throw new Error(`${failed} records failed to produce`);
  await producer.close();
  client.close();
  await cluster.shutdown();
  return { produceMs, commits };
}

function runIsolated(dataDir: string, transactional: boolean, records: number): RunResult {
  return runChild<RunResult>(import.meta.url, [dataDir, String(transactional), String(records)]);
}

if (process.argv[2] === 'child') {
  const [dataDir, transactional, records] = process.argv.slice(3);
  const result = await run(dataDir!, transactional === 'true', Number(records));
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

const benchmark: Benchmark = {
  name: 'txn-produce',
  async run(): Promise<Figure[]> {
    return withTempDir('millrace-txn-produce-', async (dir) => {
      // Each run in a fresh process on a settled disk (the previous run's files removed and
      // written back first: syncs right after a large write run slower on this VM's disk, which
      // would be charged to whichever run came second), the order alternating between rounds.
      const idempotentRuns: number[] = [];
      const txnRuns: number[] = [];
      let commits = 0;
      for (let round = 0; round < ROUNDS; round++) {
        for (const transactional of round % 2 === 0 ? [false, true] : [true, false]) {
          const runDir = `${dir}/${transactional ? 'txn' : 'idempotent'}-${round}`;
          progress(
            `${transactional ? `transactional, a commit every ${COMMIT_INTERVAL_MS} ms` : 'idempotent'}: ` +
              `${RECORDS.toLocaleString()} records of ${RECORD_BYTES} B over ${PARTITIONS} partitions`,
          );
          execFileSync('sync');
          const result = runIsolated(runDir, transactional, RECORDS);
          rmSync(runDir, { recursive: true, force: true });
          if (transactional) {
            txnRuns.push(result.produceMs);
            commits += result.commits;
          } else idempotentRuns.push(result.produceMs);
        }
      }
      const idempotent = { produceMs: median(idempotentRuns) };
      const txn = { produceMs: median(txnRuns), commits: Math.round(commits / ROUNDS) };
      const base = perSec(RECORDS, idempotent.produceMs);
      const value = perSec(RECORDS, txn.produceMs);
      return [
        {
          metric: 'txn-produce',
          unit: 'records/s',
          value,
          baseline: base,
          ratio: value / base,
          goal: 0.9,
          note: `median of ${ROUNDS} runs each, alternating order; about ${txn.commits} commits per transactional run; baseline: the idempotent Producer with the same settings (acks=all, lingerMs 5, batchSize 1 MiB, bufferMemory 32 MiB, 1 broker, synced by group commit)`,
        },
      ];
    });
  },
};

export default benchmark;
