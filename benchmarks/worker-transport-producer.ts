/**
 * The producing loop of the worker-transport benchmark, shared by its two sides: in the main
 * thread against the cluster's own ActorSystem, and as a worker module (when imported in a worker
 * started by startWorker) against the brokers in the main thread over the MessagePort transport.
 */
import { isMainThread } from 'node:worker_threads';
import { EmbeddedLogClient } from '../src/log/client/embedded-log-client.js';
import { Producer } from '../src/log/client/producer/producer.js';
import type { ActorSystem } from '../src/runtime/actor/index.js';
import { connectWorker } from '../src/runtime/workers/index.js';
import { nowMs, yieldToEventLoop } from './harness.js';

/** The same settings on both sides. */
export const PRODUCER_SETTINGS = {
  acks: 1 as const,
  lingerMs: 5,
  batchSize: 1024 * 1024,
  bufferMemory: 256 * 1024 * 1024,
  maxRequestSize: 2 * 1024 * 1024,
};

export interface ProduceJob {
  topic: string;
  records: number;
  recordBytes: number;
  /** Records between yields to the event loop (a stream thread's input batch); 0 never yields. */
  yieldEvery: number;
}

/** Produces `records` keyless records and waits for every acknowledgement; returns the time. */
export async function produceAll(system: ActorSystem, node: string, job: ProduceJob): Promise<number> {
  const client = new EmbeddedLogClient(system, { node });
  const producer = new Producer(client, system.clock, system.random, PRODUCER_SETTINGS);
  const value = Buffer.alloc(job.recordBytes, 0x61);
  let failed = 0;
  const onDone = (err: Error | null) => {
    if (err !== null) failed++;
  };
  const t0 = nowMs();
  for (let i = 0; i < job.records; i++) {
    const record = { topic: job.topic, value, timestamp: i };
    if (!producer.tryAppend(record, onDone)) await producer.append(record, onDone);
    // A stream thread yields between input batches, which lets acknowledgements in and batches
    // out while it produces; a tight loop sends nothing until the accumulator is full.
    if (job.yieldEvery > 0 && i % job.yieldEvery === job.yieldEvery - 1) await yieldToEventLoop();
  }
  await producer.flush();
  const elapsedMs = nowMs() - t0;
  await producer.close();
  client.close();
  if (failed > 0) throw new Error(`${failed} records failed to produce`);
  return elapsedMs;
}

export type FromBenchWorker = { type: 'done'; elapsedMs: number } | { type: 'failed'; message: string };

if (!isMainThread) {
  const { system, node, workerData, control, close } = connectWorker<ProduceJob, never, FromBenchWorker>();
  produceAll(system, node, workerData).then(
    (elapsedMs) => {
      control.send({ type: 'done', elapsedMs });
      close();
    },
    (e: unknown) => {
      control.send({ type: 'failed', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
      close();
    },
  );
}
