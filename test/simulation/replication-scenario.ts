/**
 * One seeded chaos run of an embedded cluster: producers write with acks=all to a replicated
 * topic while brokers are killed (losing their unflushed writes) and restarted, shut down cleanly
 * and restarted, and partition leaders are cut off from the rest. Invariants are checked after
 * every simulation step; at the end the cluster is healed and every acknowledged write is looked
 * for where it was acknowledged.
 */

import { buildRecordBatch } from '../../src/log/format/record-batch-builder.js';
import { RpcClient, SeededRandom } from '../../src/runtime/actor/index.js';
import { createTopicAndSettle, settle, simulatedCluster } from '../log/broker/cluster-fixtures.js';
import {
  type Ack,
  checkAcknowledged,
  ReplicationChecker,
  replicaOf,
  valuesOf,
} from './replication-checker.js';

/** The knobs of a run. */
export interface ScenarioOptions {
  seed: number;
  /** Negative control: min ISR 1 and unclean election on, which can lose acknowledged writes. */
  unsafe: boolean;
  faultPhases: number;
}

/** What a run found. */
export interface ScenarioResult {
  violations: string[];
  acked: number;
  faults: string[];
}

const TOPIC = 'jepsen';
const PARTITIONS = 2;
const BROKERS = [1, 2, 3];
/** Simulation steps between replica comparisons (incremental, so after every step by default). */
const CHECK_AGREEMENT_EVERY = Number(process.env.AGREE_EVERY ?? 1);

export async function runReplicationScenario(options: ScenarioOptions): Promise<ScenarioResult> {
  const { sim, cluster, client, disks } = simulatedCluster(options.seed, BROKERS.length, {
    minDelayMs: 1,
    maxDelayMs: 10,
  });
  const chaos = new SeededRandom(options.seed ^ 0x5eed5);
  const checker = new ReplicationChecker(sim, TOPIC, PARTITIONS, BROKERS, !options.unsafe);
  const faults: string[] = [];
  await sim.runFor(500);
  await createTopicAndSettle(
    sim,
    client,
    {
      name: TOPIC,
      partitions: PARTITIONS,
      replicationFactor: 3,
      config: options.unsafe
        ? { minInsyncReplicas: 1, uncleanLeaderElection: true }
        : { minInsyncReplicas: 2 },
    },
    300,
  );

  const acks: Ack[] = [];
  let producing = true;
  const wait = (ms: number) => new Promise<void>((resolve) => sim.clock.setTimer(ms, resolve));
  const producers = Array.from({ length: PARTITIONS }, async (_, p) => {
    for (let n = 0; producing; n++) {
      const value = `p${p}-${n}`;
      try {
        const res = await client.produce(
          TOPIC,
          p,
          buildRecordBatch([{ value: Buffer.from(value), timestamp: n }]),
          'all',
          1000,
        );
        acks.push({ partition: p, offset: res.baseOffset, value });
      } catch {
        await wait(50);
      }
    }
  });

  const down = new Set<number>();
  const admin = new RpcClient(sim.system, 'admin');
  const step = async (ms: number) => {
    const end = sim.clock.nowMs() + ms;
    let steps = 0;
    while ((sim.clock.nextTimerMs() ?? Number.POSITIVE_INFINITY) <= end) {
      await sim.step();
      checker.checkStep();
      // Comparing replicas reads their logs: every few steps, and at the end of every phase.
      if (++steps % CHECK_AGREEMENT_EVERY === 0) checker.checkReplicasAgree();
    }
    sim.clock.advanceTo(end);
    checker.checkReplicasAgree();
  };

  for (let phase = 0; phase < options.faultPhases; phase++) {
    const live = BROKERS.filter((b) => !down.has(b));
    const action = chaos.nextInt(0, 4);
    const victim = live[chaos.nextInt(0, live.length - 1)]!;
    if (action === 0 && live.length > 1) {
      faults.push(`kill -9 broker ${victim}, losing unflushed writes`);
      cluster.killBroker(victim);
      disks.get(victim)!.crash(chaos);
      down.add(victim);
    } else if (action === 1 && live.length > 1) {
      faults.push(`clean shutdown of broker ${victim}`);
      try {
        await settle(sim, cluster.shutdownBroker(victim, admin, 5000), 10_000);
      } catch {
        cluster.killBroker(victim);
      }
      down.add(victim);
    } else if (action === 4 && phase % 3 === 2) {
      // A power failure of the one machine the embedded cluster runs on: every broker at once,
      // each losing, tearing or reordering its unsynced writes; then all come back.
      faults.push('power failure: every broker killed at once, losing unsynced writes');
      for (const b of live) {
        cluster.killBroker(b);
        disks.get(b)!.crash(chaos);
      }
      await step(chaos.nextInt(100, 500));
      for (const b of live) cluster.startBroker(b);
    } else if (action === 2) {
      // Cut off the current leader of partition 0 (any live broker if there is none right now).
      const leader = live.find((b) => replicaOf(sim, b, TOPIC, 0)?.role === 'leader') ?? victim;
      faults.push(`partition broker ${leader} away from the other brokers`);
      sim.network.partition(
        [`broker-${leader}`],
        BROKERS.filter((b) => b !== leader).map((b) => `broker-${b}`),
      );
      await step(chaos.nextInt(300, 1500));
      sim.network.heal();
    }
    await step(chaos.nextInt(300, 1200));
    // Bring one broker back now and then, so the cluster keeps a quorum of sorts.
    if (down.size > 0 && (down.size > 1 || chaos.nextInt(0, 1) === 0)) {
      const back = [...down][0]!;
      down.delete(back);
      faults.push(`restart broker ${back}`);
      cluster.startBroker(back);
    }
  }

  // Heal: everyone back, producers stop, replicas catch up.
  sim.network.heal();
  for (const b of down) cluster.startBroker(b);
  down.clear();
  producing = false;
  await step(4000);
  await settle(sim, Promise.all(producers), 20_000);
  await step(2000);

  const final = new Map<number, Map<number, string>>();
  for (let p = 0; p < PARTITIONS; p++) {
    const leader = BROKERS.map((b) => replicaOf(sim, b, TOPIC, p)).find((r) => r?.role === 'leader');
    if (leader === undefined) {
      checker.violations.push(`partition ${p} has no leader after healing`);
      continue;
    }
    final.set(p, valuesOf(leader, 0, leader.highWatermark));
  }
  admin.close();
  client.close();
  cluster.stop();
  return {
    violations: [...checker.violations, ...checkAcknowledged(acks, final)],
    acked: acks.length,
    faults,
  };
}
