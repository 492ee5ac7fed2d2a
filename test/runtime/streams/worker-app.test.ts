/**
 * A streams application whose stream threads run in worker threads, over an embedded broker (temp
 * directory, real clock) in the main thread: two workers import the app module, share its tasks
 * (RocksDB stores with changelogs), and the read_committed output per word equals
 * TopologyTestDriver's for the same input. Then the app closes gracefully: notRunning, workers gone.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedCluster } from '../../../src/log/broker/embedded-cluster.js';
import { Consumer } from '../../../src/log/client/consumer/consumer.js';
import { EmbeddedLogClient } from '../../../src/log/client/embedded-log-client.js';
import { Producer } from '../../../src/log/client/producer/producer.js';
import {
  ActorSystem,
  MessagePortTransport,
  realClock,
  realRandom,
} from '../../../src/runtime/actor/index.js';
import { createStreamsApp } from '../../../src/runtime/streams/streams-app.js';
import { Serdes } from '../../../src/serdes/serdes.js';
import { TopologyTestDriver } from '../../../src/testing/topology-test-driver.js';
import { wordCountTopology } from './fixtures/word-count-app.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const S = Serdes.string();
const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'eps'];

describe('StreamsApp with worker threads', () => {
  it('two workers count words exactly once on an embedded broker', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'millrace-worker-app-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const transport = new MessagePortTransport();
    const system = new ActorSystem({ clock: realClock, random: realRandom, transport });
    const cluster = EmbeddedCluster.start({ brokers: 1, dataDir: join(dir, 'log'), system });
    cleanups.push(() => cluster.shutdown());
    await cluster.whenReady();
    const client = new EmbeddedLogClient(system, { node: 'test-client' });
    cleanups.push(async () => client.close());
    for (const name of ['lines', 'word-counts'])
      await client.createTopic({ name, partitions: 2, replicationFactor: 1 });

    const lines = Array.from(
      { length: 2000 },
      (_, i) => `${WORDS[i % 5]} ${WORDS[(i * 7) % 5]} ${WORDS[(i * 3) % 5]}`,
    );
    const producer = new Producer(client, realClock, realRandom, { lingerMs: 2 });
    for (const [i, line] of lines.entries())
      await producer.append({ topic: 'lines', key: Buffer.from(`l${i}`), value: Buffer.from(line) });
    await producer.flush();

    const app = createStreamsApp({
      applicationId: 'wc',
      stateDir: join(dir, 'state'),
      appModule: new URL('./fixtures/word-count-app.ts', import.meta.url),
      cluster: { system, transport },
      clock: realClock,
      random: realRandom,
      numStreamThreads: 2,
    });
    const states: string[] = [];
    app.onStateChange((s) => states.push(s));
    await app.start();

    const driver = new TopologyTestDriver(wordCountTopology());
    const input = driver.createInputTopic('lines', S, S);
    for (const [i, line] of lines.entries()) input.pipeInput(`l${i}`, line, i);
    const want = new Map<string, string>();
    for (const r of driver.createOutputTopic('word-counts', S, S).readRecordsToList())
      want.set(r.key!, r.value!);

    const consumer = new Consumer(client, realClock, {
      isolationLevel: 'read_committed',
      autoOffsetReset: 'earliest',
    });
    consumer.assign([0, 1].map((partition) => ({ topic: 'word-counts', partition })));
    const got = new Map<string, string[]>();
    const deadline = realClock.monotonicMs() + 60_000;
    while (realClock.monotonicMs() < deadline) {
      const { partitions } = await consumer.poll(200);
      for (const records of partitions.values()) {
        for (const r of records) {
          const k = r.key!.toString();
          got.set(k, [...(got.get(k) ?? []), r.value!.toString()]);
        }
      }
      if ([...want].every(([k, v]) => got.get(k)?.at(-1) === v)) break;
    }
    await consumer.close();
    // Every word's counts went up one by one, to the driver's final count: nothing lost or doubled.
    for (const [word, final] of want) {
      expect(got.get(word), word).toEqual(Array.from({ length: Number(final) }, (_, i) => String(i + 1)));
    }
    expect(app.state).toBe('running');
    expect(
      app
        .streamThreads()
        .flatMap((t) => t.activeTaskIds())
        .sort(),
    ).toEqual(['0_0', '0_1', '1_0', '1_1']);
    await app.close();
    expect(app.state).toBe('notRunning');
    expect(states.slice(-2)).toEqual(['pendingShutdown', 'notRunning']);
  }, 120_000);
});
