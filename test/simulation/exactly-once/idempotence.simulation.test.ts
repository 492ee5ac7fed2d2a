/**
 * Idempotence under lost responses and a leader change: producers send numbered records with 10 %
 * of the cluster's answers to them dropped, so every drop turns into a retry of a batch the leader
 * may already have written; midway the leader of one partition is killed (losing its unflushed
 * writes) and later restarted, so retries land on a new leader. Every (producer, partition,
 * sequence) must be stored exactly once, in order.
 */
import { describe, expect, it } from 'vitest';
import { EmbeddedLogClient } from '../../../src/log/client/embedded-log-client.js';
import { Producer } from '../../../src/log/client/producer/producer.js';
import { nodeOfId, SeededRandom } from '../../../src/runtime/actor/index.js';
import { createTopicAndSettle, settle, simulatedCluster } from '../../log/broker/cluster-fixtures.js';
import { readPartition } from './read-partition.js';

const SENDS = Number(process.env.SENDS ?? 1_000_000);
const SEEDS = Number(process.env.SEEDS ?? 1);
const ONLY = process.env.SEED === undefined ? undefined : Number(process.env.SEED);
const TOPIC = 'idempotent';
const PARTITIONS = 3;
const PRODUCERS = 2;

async function run(seed: number): Promise<string[]> {
  const { sim, cluster, client, disks } = simulatedCluster(seed, 3, { minDelayMs: 1, maxDelayMs: 5 });
  const chaos = new SeededRandom(seed ^ 0x1de4);
  await sim.runFor(500);
  await createTopicAndSettle(sim, client, {
    name: TOPIC,
    partitions: PARTITIONS,
    replicationFactor: 3,
    config: { minInsyncReplicas: 2 },
  });
  // Lose a tenth of the answers to the producers (acks, metadata, producer ids alike).
  sim.network.setDropRule(
    (e) =>
      e.event.type === 'rpc.response' && nodeOfId(e.to).startsWith('producer') && chaos.nextFloat() < 0.1,
  );
  const acked = new Map<string, number>();
  const failures: string[] = [];
  const producers = Array.from({ length: PRODUCERS }, (_, i) => {
    const producerClient = new EmbeddedLogClient(sim.system, {
      node: `producer-${i}`,
      requestTimeoutMs: 300,
    });
    return new Producer(producerClient, sim.clock, new SeededRandom(seed * 31 + i), {
      lingerMs: 2,
      batchSize: 16 * 1024,
      requestTimeoutMs: 300,
      retryBackoffMs: 20,
      deliveryTimeoutMs: 600_000,
    });
  });
  const perProducer = Math.floor(SENDS / PRODUCERS);
  const sending = producers.map(async (producer, i) => {
    for (let n = 0; n < perProducer; n++) {
      const partition = n % PARTITIONS;
      const key = `p${i}`;
      await producer.append(
        { topic: TOPIC, partition, key: Buffer.from(key), value: Buffer.from(String(n)) },
        (err) => {
          if (err !== null) failures.push(`${key} #${n}: ${err.message}`);
          else acked.set(key, (acked.get(key) ?? 0) + 1);
        },
      );
    }
    await producer.flush();
  });
  // A leader change in the middle of it: kill the leader of partition 0 (losing what it had not
  // synced), bring it back later.
  const killer = (async () => {
    await new Promise<void>((resolve) => sim.clock.setTimer(300, resolve));
    const state = await client.partition(TOPIC, 0, true);
    cluster.killBroker(state.leader);
    disks.get(state.leader)!.crash(chaos);
    await new Promise<void>((resolve) => sim.clock.setTimer(2000, resolve));
    cluster.startBroker(state.leader);
  })();
  await settle(sim, Promise.all([...sending, killer]), 3_600_000);
  sim.network.setDropRule(undefined);
  await sim.runFor(3000);

  const violations: string[] = [...failures.slice(0, 5)];
  for (const [key, n] of acked)
    if (n !== perProducer) violations.push(`${key}: ${n} of ${perProducer} acknowledged`);
  for (let p = 0; p < PARTITIONS; p++) {
    const records = await readPartition(sim, client, TOPIC, p, 'read_uncommitted');
    const next = new Map<string, number>();
    for (const r of records) {
      const expected = next.get(r.key) ?? p;
      const n = Number(r.value);
      if (n !== expected) {
        violations.push(
          `${TOPIC}-${p} offset ${r.offset}: ${r.key} #${n} where #${expected} was due (duplicate or gap)`,
        );
        if (violations.length > 20) return violations;
      }
      next.set(r.key, n + PARTITIONS);
    }
    for (let i = 0; i < PRODUCERS; i++) {
      const last = next.get(`p${i}`) ?? p;
      const expectedEnd = p + PARTITIONS * Math.ceil((perProducer - p) / PARTITIONS);
      if (last !== expectedEnd)
        violations.push(`${TOPIC}-${p}: p${i} stored up to #${last - PARTITIONS}, not all ${perProducer}`);
    }
  }
  for (const producer of producers) await settle(sim, producer.close());
  return violations;
}

describe('idempotent producer (simulation)', () => {
  it('stores every (producer, partition, sequence) exactly once and in order despite lost answers and a leader change', async () => {
    const seeds = ONLY !== undefined ? [ONLY] : Array.from({ length: SEEDS }, (_, i) => i + 1);
    for (const seed of seeds) {
      const violations = await run(seed);
      if (violations.length > 0) {
        throw new Error(
          `seed ${seed} (replay: SEED=${seed} npx vitest run test/simulation/exactly-once/idempotence.simulation.test.ts)\n${violations.join('\n')}`,
        );
      }
    }
    expect(seeds.length).toBeGreaterThan(0);
  }, 900_000);
});
