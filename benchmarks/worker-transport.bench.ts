/**
 * worker-transport: produce throughput from a worker thread, whose requests cross a MessagePort
 * to the broker in the main thread (one postMessage per turn, batch bytes copied once), as a
 * ratio to the same Producer with the same settings in the main thread, in the same run.
 * 1 broker on the real disk, acks=1, 100-byte records; each side runs in a fresh Node process.
 */
import { EmbeddedCluster } from '../src/log/broker/embedded-cluster.js';
import { EmbeddedLogClient } from '../src/log/client/embedded-log-client.js';
import { ActorSystem, MessagePortTransport, realClock, realRandom } from '../src/runtime/actor/index.js';
import { startWorker } from '../src/runtime/workers/index.js';
import { createTopicAndWaitForLeaders, runChild } from './cluster-setup.js';
import { type Benchmark, type Figure, perSec, progress, withTempDir } from './harness.js';
import { type FromBenchWorker, type ProduceJob, produceAll } from './worker-transport-producer.js';

const RECORDS = Number(process.env.RECORDS ?? 3_000_000);
const RECORD_BYTES = 100;
const PARTITIONS = 4;

type Where = 'main' | 'worker';

async function run(
  dataDir: string,
  where: Where,
  records: number,
  yieldEvery: number,
): Promise<{ produceMs: number }> {
  const transport = new MessagePortTransport();
  const system = new ActorSystem({ clock: realClock, random: realRandom, transport });
  const cluster = EmbeddedCluster.start({ brokers: 1, dataDir, system });
  await cluster.whenReady();
  const admin = new EmbeddedLogClient(system, { node: 'admin' });
  await createTopicAndWaitForLeaders(admin, system.clock, {
    name: 'bench',
    partitions: PARTITIONS,
    replicationFactor: 1,
  });
  const job: ProduceJob = { topic: 'bench', records, recordBytes: RECORD_BYTES, yieldEvery };
  let produceMs: number;
  if (where === 'main') {
    produceMs = await produceAll(system, 'bench', job);
  } else {
    const worker = startWorker<ProduceJob, never, FromBenchWorker>({
      module: new URL('./worker-transport-producer.ts', import.meta.url),
      node: 'bench-worker',
      transport,
      workerData: job,
    });
    const reply = await new Promise<FromBenchWorker>((resolve) => worker.control.onMessage(resolve));
    if (reply.type === 'failed') throw new Error(`the worker failed: ${reply.message}`);
    produceMs = reply.elapsedMs;
    await worker.exited;
  }
  admin.close();
  await cluster.shutdown();
  return { produceMs };
}

if (process.argv[2] === 'child') {
  const [dataDir, where, records, yieldEvery] = process.argv.slice(3);
  const result = await run(
    dataDir!,
    where === 'worker' ? 'worker' : 'main',
    Number(records),
    Number(yieldEvery),
  );
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

const benchmark: Benchmark = {
  name: 'worker-transport',
  async run(): Promise<Figure[]> {
    return withTempDir('millrace-worker-transport-', async (dir) => {
      const runIn = (where: Where, yieldEvery: number) => {
        const loop = yieldEvery > 0 ? `yielding every ${yieldEvery.toLocaleString()}` : 'tight loop';
        progress(`${where} thread, ${loop}: ${RECORDS.toLocaleString()} records of ${RECORD_BYTES} B`);
        const args = [`${dir}/${where}-${yieldEvery}`, where, String(RECORDS), String(yieldEvery)];
        return perSec(RECORDS, runChild<{ produceMs: number }>(import.meta.url, args).produceMs);
      };
      const settings = `acks=1, lingerMs 5, batchSize 1 MiB, ${PARTITIONS} partitions, 1 broker; each side in a fresh process`;
      const figures: Figure[] = [];
      for (const [metric, yieldEvery, goal, what] of [
        [
          'produce-from-worker',
          10_000,
          0.8,
          'yielding to the event loop every 10,000 records, as a stream thread does between input batches',
        ],
        [
          'produce-from-worker-tight-loop',
          0,
          0.5,
          'never yielding: nothing is sent until the accumulator fills',
        ],
      ] as const) {
        const baseline = runIn('main', yieldEvery);
        const value = runIn('worker', yieldEvery);
        figures.push({
          metric,
          unit: 'records/s',
          value,
          baseline,
          ratio: value / baseline,
          goal,
          note: `Producer in a worker thread vs the same in the main thread (baseline), ${what}; ${settings}`,
        });
      }
      return figures;
    });
  },
};

export default benchmark;
