/** A simulated embedded cluster for tests: one in-memory disk per broker, virtual time, seeded. */

import type { BrokerSettings } from '../../../src/log/broker/broker-settings.js';
import type { CreateTopicRequest } from '../../../src/log/broker/controller-state.js';
import { EmbeddedCluster } from '../../../src/log/broker/embedded-cluster.js';
import { EmbeddedLogClient } from '../../../src/log/client/embedded-log-client.js';
import { MemoryStorageFs } from '../../../src/log/storage/fs/memory-storage-fs.js';
import { type NetworkFaults, Simulation } from '../../../src/runtime/actor/index.js';

/** Fast timings so a simulated run covers many failures in little virtual time. */
export const FAST: Partial<BrokerSettings> = {
  heartbeatIntervalMs: 100,
  sessionTimeoutMs: 600,
  replicaLagTimeMaxMs: 1000,
  replicaFetchWaitMaxMs: 100,
  requestTimeoutMs: 500,
  replicaTickMs: 50,
  logRetentionCheckIntervalMs: 500,
  logCleanerIntervalMs: 500,
};

export function simulatedCluster(
  seed: number,
  brokers: number,
  network: Partial<NetworkFaults> = {},
  /** Settings over FAST's. */
  settings: Partial<BrokerSettings> = {},
) {
  const sim = new Simulation({ seed, network });
  const disks = new Map<number, MemoryStorageFs>();
  const fsOf = (id: number) => {
    let fs = disks.get(id);
    if (fs === undefined) {
      fs = new MemoryStorageFs();
      disks.set(id, fs);
    }
    return fs;
  };
  const cluster = EmbeddedCluster.start({
    brokers,
    dataDir: '/data',
    system: sim.system,
    fsOf,
    controllerFs: new MemoryStorageFs(),
    settings: { ...FAST, ...settings },
  });
  const client = new EmbeddedLogClient(sim.system, { node: 'client', requestTimeoutMs: 1000 });
  return { sim, cluster, client, disks, fsOf };
}

/** Runs the simulation until `promise` settles (or `maxMs` of virtual time pass). */
export async function settle<T>(sim: Simulation, promise: Promise<T>, maxMs = 60_000): Promise<T> {
  let done = false;
  let value: T | undefined;
  let error: unknown;
  promise.then(
    (v) => {
      done = true;
      value = v;
    },
    (e: unknown) => {
      done = true;
      error = e;
    },
  );
  await sim.runUntil(() => done, maxMs);
  if (error !== undefined) throw error;
  return value as T;
}

/** Creates a topic and lets the simulation run `settleMs` so its replicas take up their roles. */
export async function createTopicAndSettle(
  sim: Simulation,
  client: EmbeddedLogClient,
  request: CreateTopicRequest,
  settleMs = 500,
): Promise<void> {
  await settle(sim, client.createTopic(request));
  await sim.runFor(settleMs);
}
