import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { IllegalStateError } from '../../../src/common/errors.js';
import { EmbeddedCluster } from '../../../src/log/broker/embedded-cluster.js';
import { Consumer } from '../../../src/log/client/consumer/consumer.js';
import { EmbeddedLogClient } from '../../../src/log/client/embedded-log-client.js';
import {
  ActorSystem,
  MessagePortTransport,
  realClock,
  realRandom,
} from '../../../src/runtime/actor/index.js';
import { connectWorker, startWorker, type WorkerHandle } from '../../../src/runtime/workers/index.js';
import type { FromProduceWorker, ProduceWorkerData, ToProduceWorker } from './fixtures/produce-worker.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function mainThreadCluster() {
  const dataDir = await mkdtemp(join(tmpdir(), 'millrace-workers-'));
  const transport = new MessagePortTransport();
  const system = new ActorSystem({ clock: realClock, random: realRandom, transport });
  const cluster = EmbeddedCluster.start({ brokers: 1, dataDir, system });
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  cleanups.push(() => cluster.shutdown());
  await cluster.whenReady();
  const client = new EmbeddedLogClient(system, { node: 'main-app' });
  cleanups.push(async () => client.close());
  return { transport, system, client };
}

function nextMessage<T>(handle: WorkerHandle<unknown, T>): Promise<T> {
  return new Promise((resolve) => {
    const off = handle.control.onMessage((m) => {
      off();
      resolve(m);
    });
  });
}

describe('worker threads', () => {
  it('a producer in a worker writes N numbered records that a consumer in the main thread reads in order', async () => {
    const { transport, system, client } = await mainThreadCluster();
    await client.createTopic({ name: 'numbers', partitions: 1, replicationFactor: 1 });
    const count = 2000;
    const worker = startWorker<ProduceWorkerData, ToProduceWorker, FromProduceWorker>({
      module: new URL('./fixtures/produce-worker.ts', import.meta.url),
      node: 'worker-1',
      transport,
      workerData: { topic: 'numbers', count, burst: 500, producer: { acks: 'all', lingerMs: 2 } },
    });
    cleanups.push(() => worker.terminate());
    const report = await nextMessage(worker);
    expect(report).toMatchObject({ type: 'produced', count, lastOffset: count - 1 });

    const consumer = new Consumer(client, system.clock, {
      autoOffsetReset: 'earliest',
      maxPollRecords: 5000,
    });
    consumer.assign([{ topic: 'numbers', partition: 0 }]);
    const values: string[] = [];
    const offsets: number[] = [];
    for (let polls = 0; polls < 100 && values.length < count; polls++) {
      const polled = await consumer.poll(1000);
      for (const records of polled.partitions.values()) {
        for (const r of records) {
          values.push(Buffer.from(r.value!).toString());
          offsets.push(r.offset);
        }
      }
    }
    await consumer.close();
    expect(values).toEqual(Array.from({ length: count }, (_, i) => `record-${i}`));
    expect(offsets).toEqual(Array.from({ length: count }, (_, i) => i));

    expect(transport.routedNodes()).toContain('worker-1');
    worker.control.send({ type: 'stop' });
    // The worker closes its port and its listeners, and so exits on its own.
    await expect(worker.exited).resolves.toEqual({ code: 0 });
    expect(transport.routedNodes()).not.toContain('worker-1');
  });

  it('drops the routes of a terminated worker and refuses a second worker on the same node', async () => {
    const { transport } = await mainThreadCluster();
    const worker = startWorker<ProduceWorkerData, ToProduceWorker, FromProduceWorker>({
      module: new URL('./fixtures/produce-worker.ts', import.meta.url),
      node: 'worker-2',
      transport,
      // A topic that does not exist: the worker reports the failure and then waits.
      workerData: { topic: 'missing', count: 1, burst: 1, producer: { maxBlockMs: 200 } },
    });
    cleanups.push(() => worker.terminate());
    expect(() => startWorker({ module: './x.js', node: 'worker-2', transport })).toThrow(IllegalStateError);
    expect(await nextMessage(worker)).toMatchObject({ type: 'failed' });
    await worker.terminate();
    const exit = await worker.exited;
    expect(exit.code).toBe(1);
    expect(transport.routedNodes()).toEqual([]);
  });

  it('connectWorker refuses to run outside a worker started by startWorker', () => {
    expect(() => connectWorker()).toThrow(IllegalStateError);
  });
});
