/**
 * The broker side of a simulated cluster: a controller and brokers as actors under a Simulation,
 * each broker on its own in-memory disk (MemoryStorageFs, which can lose unsynced writes), with
 * timings short enough that a run covers many failures in little virtual time. The log's own
 * simulation tests and SimulatedCluster build on the same code.
 */
import type { BrokerSettings } from '../../log/broker/broker-settings.js';
import type { CreateTopicRequest } from '../../log/broker/controller-state.js';
import { EmbeddedCluster } from '../../log/broker/embedded-cluster.js';
import { EmbeddedLogClient } from '../../log/client/embedded-log-client.js';
import { MemoryStorageFs } from '../../log/storage/fs/memory-storage-fs.js';
import { type NetworkFaults, Simulation } from '../../runtime/actor/index.js';

/**
 * Fast broker timings: a failed broker is noticed in 600 ms rather than seconds, so a simulated run
 * covers many failures in little virtual time.
 *
 * @example
 * ```ts
 * const settings = { ...FAST_BROKER_SETTINGS, sessionTimeoutMs: 1000 };
 * ```
 */
export const FAST_BROKER_SETTINGS: Partial<BrokerSettings> = {
  heartbeatIntervalMs: 100,
  sessionTimeoutMs: 600,
  replicaLagTimeMaxMs: 1000,
  replicaFetchWaitMaxMs: 100,
  requestTimeoutMs: 500,
  replicaTickMs: 50,
  logRetentionCheckIntervalMs: 500,
  logCleanerIntervalMs: 500,
};

/**
 * A simulation running an embedded cluster, its brokers' disks and a client on node `client`.
 *
 * @example
 * ```ts
 * const { sim, cluster, client, disks } = simulatedBrokers(7, 3);
 * ```
 */
export interface SimulatedBrokers {
  readonly sim: Simulation;
  readonly cluster: EmbeddedCluster;
  readonly client: EmbeddedLogClient;
  /** Each broker's disk, created on first use. */
  readonly disks: Map<number, MemoryStorageFs>;
  readonly fsOf: (brokerId: number) => MemoryStorageFs;
}

/**
 * Starts `brokers` brokers and a controller under a new seeded Simulation.
 *
 * @example
 * ```ts
 * const { sim, client } = simulatedBrokers(42, 1, { maxDelayMs: 10 });
 * await sim.runFor(500);
 * await createTopicAndSettle(sim, client, { name: 'lines', partitions: 3, replicationFactor: 1 });
 * ```
 * @throws ConfigError for bad network faults or broker settings.
 */
export function simulatedBrokers(
  seed: number,
  brokers: number,
  network: Partial<NetworkFaults> = {},
  /** Settings over FAST_BROKER_SETTINGS. */
  settings: Partial<BrokerSettings> = {},
): SimulatedBrokers {
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
    settings: { ...FAST_BROKER_SETTINGS, ...settings },
  });
  const client = new EmbeddedLogClient(sim.system, { node: 'client', requestTimeoutMs: 1000 });
  return { sim, cluster, client, disks, fsOf };
}

/**
 * Runs the simulation until `promise` settles, and returns its value (or throws its error).
 *
 * @example
 * ```ts
 * const md = await settle(sim, client.metadata());
 * ```
 * @throws what `promise` rejects with; an Error when it has not settled after `maxMs` of virtual
 * time or when nothing is left to run.
 */
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

/**
 * Creates a topic and lets the simulation run `settleMs` so its replicas take up their roles.
 *
 * @example
 * ```ts
 * await createTopicAndSettle(sim, client, { name: 'lines', partitions: 3, replicationFactor: 1 });
 * ```
 * @throws what creating the topic throws (TopicAlreadyExistsError …).
 */
export async function createTopicAndSettle(
  sim: Simulation,
  client: EmbeddedLogClient,
  request: CreateTopicRequest,
  settleMs = 500,
): Promise<void> {
  await settle(sim, client.createTopic(request));
  await sim.runFor(settleMs);
}
