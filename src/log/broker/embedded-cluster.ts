/**
 * An embedded cluster: a controller and 1 to N brokers as actors in one process, each broker with
 * its own data directory. `createCluster` is the zero-infrastructure default (real clock, real
 * disk); `EmbeddedCluster.start` also takes the actor system of a Simulation and in-memory file
 * systems, so the same code runs under the deterministic simulator.
 */
import { InvalidRequestError, RequestTimedOutError } from '../../common/kafka-errors.js';
import { ActorSystem, RpcClient, realClock, realRandom } from '../../runtime/actor/index.js';
import { NodeStorageFs } from '../storage/fs/node-storage-fs.js';
import type { StorageFs } from '../storage/fs/storage-fs.js';
import { brokerMachine } from './broker-machine.js';
import { type BrokerSettings, resolveBrokerSettings } from './broker-settings.js';
import { brokerActorId, type ClusterMetadata, CONTROLLER_ACTOR_ID } from './cluster-metadata.js';
import { controllerMachine } from './controller-machine.js';
import { ControllerStore } from './controller-store.js';

/** How to start a cluster. */
export interface EmbeddedClusterOptions {
  /** Number of brokers (ids 1..N). */
  brokers: number;
  /** Parent directory; broker N stores its data in `<dataDir>/broker-N`. */
  dataDir: string;
  /** The actor system to run in; a new real-time one by default. */
  system?: ActorSystem;
  /** The file system of each broker; the real disk by default. */
  fsOf?: (brokerId: number) => StorageFs;
  settings?: Partial<BrokerSettings>;
  /** The controller's file system; the real disk by default. */
  controllerFs?: StorageFs;
}

/**
 * A running embedded cluster.
 *
 * @example
 * ```ts
 * const cluster = createCluster({ brokers: 3, dataDir: '/var/lib/millrace' });
 * const client = cluster.client();
 * await client.createTopic({ name: 'orders', partitions: 6, replicationFactor: 3 });
 * ```
 */
export class EmbeddedCluster {
  readonly system: ActorSystem;
  readonly brokerIds: readonly number[];
  readonly settings: BrokerSettings;
  private readonly dataDir: string;
  private readonly fsOf: (brokerId: number) => StorageFs;
  private readonly keepAlive: { release(): void } | undefined;

  private constructor(options: EmbeddedClusterOptions) {
    if (!Number.isInteger(options.brokers) || options.brokers < 1) {
      throw new InvalidRequestError(`a cluster needs at least one broker, got ${options.brokers}`);
    }
    this.settings = resolveBrokerSettings(options.settings);
    this.system = options.system ?? new ActorSystem({ clock: realClock, random: realRandom });
    this.dataDir = options.dataDir;
    const shared = new NodeStorageFs();
    this.fsOf = options.fsOf ?? (() => shared);
    this.brokerIds = Array.from({ length: options.brokers }, (_, i) => i + 1);
    // A running cluster is a server: it keeps the process up until stopped.
    this.keepAlive = this.system.clock.keepAlive?.();
    this.system.spawn({
      id: CONTROLLER_ACTOR_ID,
      logic: controllerMachine,
      input: {
        sessionTimeoutMs: this.settings.sessionTimeoutMs,
        offsetsTopicPartitions: this.settings.offsetsTopicPartitions,
        offsetsTopicReplicationFactor: this.settings.offsetsTopicReplicationFactor,
        transactionStateTopicPartitions: this.settings.transactionStateTopicPartitions,
        transactionStateTopicReplicationFactor: this.settings.transactionStateTopicReplicationFactor,
        store: new ControllerStore(options.controllerFs ?? shared, `${options.dataDir}/controller`),
      },
    });
    for (const id of this.brokerIds) this.startBroker(id);
  }

  /** Starts the controller and the brokers. */
  static start(options: EmbeddedClusterOptions): EmbeddedCluster {
    return new EmbeddedCluster(options);
  }

  /** Starts (or restarts) a broker; it recovers its logs from its data directory. */
  startBroker(brokerId: number): void {
    const s = this.settings;
    this.system.spawn({
      id: brokerActorId(brokerId),
      logic: brokerMachine,
      input: {
        brokerId,
        dataDir: `${this.dataDir}/broker-${brokerId}`,
        fs: this.fsOf(brokerId),
        heartbeatIntervalMs: s.heartbeatIntervalMs,
        replicaLagTimeMaxMs: s.replicaLagTimeMaxMs,
        system: this.system,
        offsetsTopicPartitions: s.offsetsTopicPartitions,
        groupInitialRebalanceDelayMs: s.groupInitialRebalanceDelayMs,
        transaction: {
          transactionStateTopicPartitions: s.transactionStateTopicPartitions,
          transactionMaxTimeoutMs: s.transactionMaxTimeoutMs,
          transactionAbortTimedOutCheckIntervalMs: s.transactionAbortTimedOutCheckIntervalMs,
          transactionalIdExpirationMs: s.transactionalIdExpirationMs,
        },
        producerState: { producerIdExpirationMs: s.producerIdExpirationMs },
        replication: {
          fetchMaxBytes: s.replicaFetchMaxBytes,
          fetchMaxWaitMs: s.replicaFetchWaitMaxMs,
          requestTimeoutMs: s.requestTimeoutMs,
          tickMs: s.replicaTickMs,
          retentionCheckIntervalMs: s.logRetentionCheckIntervalMs,
          cleanerIntervalMs: s.logCleanerIntervalMs,
        },
      },
    });
  }

  /** Stops a broker at once, as kill -9 would: nothing is flushed or closed. */
  killBroker(brokerId: number): void {
    this.system.stopNode(`broker-${brokerId}`);
  }

  /** Shuts a broker down cleanly (logs flushed and closed, clean-shutdown marker written). */
  async shutdownBroker(brokerId: number, rpc: RpcClient, timeoutMs = 30_000): Promise<void> {
    await rpc.call(brokerActorId(brokerId), { type: 'broker.shutdown' }, timeoutMs);
    this.system.stopNode(`broker-${brokerId}`);
  }

  /**
   * Resolves once every broker has registered with the controller, polling metadata on the
   * cluster's clock.
   *
   * @throws RequestTimedOutError when they have not within `timeoutMs`.
   */
  async whenReady(timeoutMs = 30_000): Promise<void> {
    const rpc = new RpcClient(this.system, 'cluster', 'ready');
    const clock = this.system.clock;
    const deadline = clock.nowMs() + timeoutMs;
    try {
      for (;;) {
        try {
          const md = await rpc.call<ClusterMetadata>(
            CONTROLLER_ACTOR_ID,
            { type: 'controller.metadata', topics: [] },
            1000,
          );
          if (md.brokers.length === this.brokerIds.length) return;
        } catch {
          // The controller may not answer yet; ask again.
        }
        if (clock.nowMs() >= deadline) {
          throw new RequestTimedOutError(
            `the cluster's ${this.brokerIds.length} brokers did not all register within ${timeoutMs} ms`,
          );
        }
        await new Promise<void>((resolve) => clock.setTimer(20, resolve));
      }
    } finally {
      rpc.close();
    }
  }

  /**
   * Shuts every broker down cleanly (logs flushed and closed, clean-shutdown markers written),
   * then stops the controller.
   */
  async shutdown(timeoutMs = 30_000): Promise<void> {
    const rpc = new RpcClient(this.system, 'cluster', 'shutdown');
    try {
      await Promise.all(
        this.brokerIds
          .filter((id) => this.system.has(brokerActorId(id)))
          .map((id) => this.shutdownBroker(id, rpc, timeoutMs).catch(() => this.killBroker(id))),
      );
    } finally {
      rpc.close();
      this.stop();
    }
  }

  /** Stops every actor of the cluster at once, without a clean shutdown (as a crash would). */
  stop(): void {
    for (const id of this.brokerIds) this.killBroker(id);
    this.system.stop(CONTROLLER_ACTOR_ID);
    this.keepAlive?.release();
  }
}

/**
 * Starts the embedded default: N brokers on the real clock and disk, in this process.
 *
 * @example
 * ```ts
 * const cluster = createCluster({ brokers: 1, dataDir: './data' });
 * ```
 * @throws InvalidRequestError for fewer than one broker; ConfigError for bad settings.
 */
export function createCluster(
  options: Omit<EmbeddedClusterOptions, 'system' | 'fsOf' | 'controllerFs'>,
): EmbeddedCluster {
  return EmbeddedCluster.start(options);
}
