/**
 * StreamsApp over a simulated broker: the client states from created through rebalancing and
 * running to notRunning, internal topics created with the partition counts the topology needs,
 * refusal of a missing source topic and of a changelog with a wrong partition count, config
 * validation, and a graceful close that commits what was processed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, TopologyError } from '../../../src/common/errors.js';
import { StreamsBuilder } from '../../../src/dsl/streams-builder.js';
import { Admin } from '../../../src/log/client/admin.js';
import { Producer } from '../../../src/log/client/producer/producer.js';
import { SeededRandom } from '../../../src/runtime/actor/index.js';
import { createStreamsApp, type StreamsApp } from '../../../src/runtime/streams/streams-app.js';
import type { StreamsAppState } from '../../../src/runtime/streams/streams-app-state.js';
import { Serdes } from '../../../src/serdes/serdes.js';
import { createTopicAndSettle, settle, simulatedCluster } from '../../log/broker/cluster-fixtures.js';
import { readPartition } from '../../simulation/exactly-once/read-partition.js';

const S = Serdes.string();

function topology() {
  const b = new StreamsBuilder();
  b.stream('events', { key: S, value: S })
    .groupBy((_, v) => v, { key: S })
    .count({ as: 'per-value', persistent: false })
    .toStream()
    .mapValues((n) => String(n))
    .to('counts', { value: S });
  return b.build();
}

async function startCluster(seed: number, partitions = 2) {
  const { sim, cluster, client } = simulatedCluster(seed, 1);
  await sim.runFor(500);
  for (const name of ['events', 'counts'])
    await createTopicAndSettle(sim, client, { name, partitions, replicationFactor: 1 });
  return { sim, cluster, client };
}

describe('StreamsApp', () => {
  it('goes created → rebalancing → running → pendingShutdown → notRunning and creates its internal topics', async () => {
    const { sim, cluster, client } = await startCluster(7);
    const stateDir = mkdtempSync(join(tmpdir(), 'millrace-app-'));
    const app: StreamsApp = createStreamsApp({
      applicationId: 'counter',
      stateDir,
      topology: topology(),
      cluster,
      clock: sim.clock,
      random: new SeededRandom(3),
      numStreamThreads: 2,
      instanceId: 'one',
    });
    const states: StreamsAppState[] = [app.state];
    app.onStateChange((next) => states.push(next));
    await settle(sim, app.start());
    const producer = new Producer(client, sim.clock, new SeededRandom(4), { lingerMs: 1 });
    await settle(
      sim,
      (async () => {
        for (let i = 0; i < 50; i++)
          await producer.append({
            topic: 'events',
            key: Buffer.from(`k${i}`),
            value: Buffer.from(`v${i % 5}`),
          });
        await producer.flush();
      })(),
    );
    for (let i = 0; i < 100 && app.state !== 'running'; i++) await sim.runFor(200);
    await sim.runFor(3000);
    expect(app.state).toBe('running');
    expect(
      app
        .streamThreads()
        .flatMap((t) => t.activeTaskIds())
        .sort(),
    ).toEqual(['0_0', '0_1', '1_0', '1_1']);
    const topics = await settle(
      sim,
      new Admin(client).describeTopics(['counter-per-value-repartition', 'counter-per-value-changelog']),
    );
    expect(topics.map((t) => [t.name, t.partitions.length, t.config.cleanupPolicy])).toEqual([
      ['counter-per-value-repartition', 2, 'delete'],
      ['counter-per-value-changelog', 2, 'compact'],
    ]);
    await settle(sim, app.close());
    expect(states).toEqual(['created', 'rebalancing', 'running', 'pendingShutdown', 'notRunning']);
    const last = new Map<string, string>();
    for (let p = 0; p < 2; p++)
      for (const r of await readPartition(sim, client, 'counts', p, 'read_committed'))
        last.set(r.key, r.value);
    expect([...last.entries()].sort()).toEqual([0, 1, 2, 3, 4].map((v) => [`v${v}`, '10']));
    await settle(sim, app.cleanUp());
  });

  it('refuses to start without its source topics, and with a changelog of another partition count', async () => {
    const { sim, cluster, client } = await startCluster(5);
    const stateDir = mkdtempSync(join(tmpdir(), 'millrace-app-'));
    const b = new StreamsBuilder();
    b.stream('nowhere', { key: S, value: S }).to('counts');
    const missing = createStreamsApp({
      applicationId: 'a',
      stateDir,
      topology: b.build(),
      cluster,
      clock: sim.clock,
      random: new SeededRandom(1),
    });
    await expect(settle(sim, missing.start())).rejects.toThrow(/Source topic\(s\) 'nowhere' do not exist/);
    await createTopicAndSettle(sim, client, {
      name: 'counter-per-value-changelog',
      partitions: 5,
      replicationFactor: 1,
    });
    const wrong = createStreamsApp({
      applicationId: 'counter',
      stateDir,
      topology: topology(),
      cluster,
      clock: sim.clock,
      random: new SeededRandom(1),
    });
    const error = await settle(sim, wrong.start()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TopologyError);
    expect(String(error)).toMatch(/'counter-per-value-changelog' has 5 partitions, but the topology needs 2/);
  });

  it('validates its config', () => {
    const base = {
      stateDir: '/tmp/x',
      topology: topology(),
      cluster: { system: undefined as never },
      clock: undefined as never,
      random: new SeededRandom(1),
    };
    expect(() => createStreamsApp({ ...base, applicationId: 'has space' })).toThrow(ConfigError);
    expect(() => createStreamsApp({ ...base, applicationId: 'ok', numStreamThreads: 0 })).toThrow(
      /numStreamThreads/,
    );
    expect(() =>
      createStreamsApp({ ...base, applicationId: 'ok', processingGuarantee: 'exactly_once' as never }),
    ).toThrow(/'exactly_once_v2', 'at_least_once'/);
    expect(createStreamsApp({ ...base, applicationId: 'ok' }).config.commitIntervalMs).toBe(100);
    expect(
      createStreamsApp({ ...base, applicationId: 'ok', processingGuarantee: 'at_least_once' }).config
        .commitIntervalMs,
    ).toBe(30_000);
  });

  it('a failing thread is replaced (replace-thread) or stops the client (shutdown-client, the default)', async () => {
    for (const policy of ['replace-thread', 'shutdown-client'] as const) {
      const { sim, cluster, client } = await startCluster(9);
      let thrown = 0;
      const b = new StreamsBuilder();
      b.stream('events', { key: S, value: S })
        .mapValues((v) => {
          // A poison record, once: the replacement thread reprocesses it from the last commit.
          if (v === 'v13' && thrown++ === 0) throw new Error('poison');
          return v.toUpperCase();
        })
        .to('counts', { value: S });
      const app = createStreamsApp({
        applicationId: `failing-${policy}`,
        stateDir: mkdtempSync(join(tmpdir(), 'millrace-app-')),
        topology: b.build(),
        cluster,
        clock: sim.clock,
        random: new SeededRandom(9),
        uncaughtExceptionHandler: policy,
      });
      await settle(sim, app.start());
      const producer = new Producer(client, sim.clock, new SeededRandom(4), { lingerMs: 1 });
      await settle(
        sim,
        (async () => {
          for (let i = 0; i < 30; i++)
            await producer.append({
              topic: 'events',
              partition: i % 2,
              key: Buffer.from(`k${i}`),
              value: Buffer.from(`v${i}`),
            });
          await producer.flush();
        })(),
      );
      await sim.runFor(20_000);
      expect(app.threadErrors.map((e) => String(e))).toEqual([expect.stringMatching(/poison/)]);
      if (policy === 'shutdown-client') {
        expect(app.state).toBe('error');
        expect(String(app.error)).toMatch(/offset \d+ failed: poison/);
        continue;
      }
      expect(app.state).toBe('running');
      expect(app.streamThreads().map((t) => t.id)).toEqual([expect.stringMatching(/-2$/)]);
      const out: string[] = [];
      for (let p = 0; p < 2; p++)
        for (const r of await readPartition(sim, client, 'counts', p, 'read_committed')) out.push(r.value);
      expect(out.sort()).toEqual(Array.from({ length: 30 }, (_, i) => `V${i}`).sort());
      await settle(sim, app.close());
    }
  });
});
