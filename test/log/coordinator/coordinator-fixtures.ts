/**
 * A group coordinator host in a Simulation, over PartitionLogs on a memory fs, with an RpcClient
 * for requests and helpers that build requests with sensible defaults.
 */

import type { WriteTxnMarkerResult } from '../../../src/log/broker/replica-requests.js';
import { encodeSubscription } from '../../../src/log/client/assignors/consumer-protocol.js';
import { resolveGroupCoordinatorConfig } from '../../../src/log/coordinator/coordinator-config.js';
import type { CoordinatorStateLog } from '../../../src/log/coordinator/coordinator-state-log.js';
import { groupCoordinatorHostMachine } from '../../../src/log/coordinator/group-coordinator-host-machine.js';
import type { GroupDescription } from '../../../src/log/coordinator/group-requests.js';
import type {
  HeartbeatParams,
  JoinGroupParams,
  JoinGroupResult,
  LeaveGroupParams,
  LeaveGroupResult,
  SyncGroupParams,
  SyncGroupResult,
} from '../../../src/log/coordinator/membership-requests.js';
import type {
  OffsetCommitParams,
  OffsetCommitResult,
  OffsetFetchResult,
} from '../../../src/log/coordinator/offset-requests.js';
import { PartitionStateLog } from '../../../src/log/coordinator/partition-state-log.js';
import type { TxnOffsetCommitRequest } from '../../../src/log/coordinator/txn-offset-requests.js';
import { MemoryStorageFs } from '../../../src/log/storage/fs/memory-storage-fs.js';
import { PartitionLog } from '../../../src/log/storage/partition-log.js';
import {
  type ActorEvent,
  type NetworkFaults,
  RpcClient,
  Simulation,
} from '../../../src/runtime/actor/index.js';

export const HOST = 'broker-1/group-coordinator';
export const GROUP = 'orders-app';
export const TIMEOUT_MS = 600_000;

/** Small timeouts so tests move quickly in virtual time; no initial delay unless asked for. */
export const TEST_CONFIG = {
  offsetsTopicPartitions: 1,
  groupInitialRebalanceDelayMs: 0,
  groupMinSessionTimeoutMs: 1000,
};

/** A promise's outcome, readable after the simulation has run. */
export interface Outcome<T> {
  done: boolean;
  value?: T;
  error?: Error;
}

/**
 * Records a promise's outcome.
 *
 * @example
 * ```ts
 * const join = track(h.join({ memberId: '' })); await h.sim.runFor(10); join.value;
 * ```
 */
export function track<T>(promise: Promise<T>): Outcome<T> {
  const outcome: Outcome<T> = { done: false };
  promise.then(
    (value) => {
      outcome.done = true;
      outcome.value = value;
    },
    (error: Error) => {
      outcome.done = true;
      outcome.error = error;
    },
  );
  return outcome;
}

/** A subscription to `topics` as consumer metadata. */
export function subscription(topics: string[] = ['orders']): Uint8Array {
  return encodeSubscription({ topics, userData: null, ownedPartitions: [], generationId: -1, rackId: null });
}

/** Options of a harness. */
export interface HarnessOptions {
  seed?: number;
  config?: Partial<typeof TEST_CONFIG> & Record<string, number>;
  fs?: MemoryStorageFs;
  network?: Partial<NetworkFaults>;
  /** Replaces the state log of a partition (for faults). */
  wrapLog?: (log: CoordinatorStateLog, partition: number) => CoordinatorStateLog;
}

/** A coordinator host and a client, in one simulation. */
export class Harness {
  readonly sim: Simulation;
  readonly fs: MemoryStorageFs;
  readonly rpc: RpcClient;
  readonly logs = new Map<number, PartitionLog>();
  readonly config;
  private readonly options: HarnessOptions;

  constructor(options: HarnessOptions = {}) {
    this.options = options;
    this.sim = new Simulation({ seed: options.seed ?? 1, network: options.network ?? {} });
    this.fs = options.fs ?? new MemoryStorageFs();
    this.config = resolveGroupCoordinatorConfig({ ...TEST_CONFIG, ...options.config });
    this.rpc = new RpcClient(this.sim.system, 'client');
  }

  /** Spawns the host and loads partition 0 (every group's, with one partition). */
  async start(partitions: number[] = [0]): Promise<this> {
    this.spawnHost();
    for (const partition of partitions) {
      const loaded = track(this.call({ type: 'coordinator.load', partition }));
      await this.sim.runUntil(() => loaded.done, 10_000);
      if (loaded.error) throw loaded.error;
    }
    return this;
  }

  spawnHost(): void {
    this.sim.system.spawn({
      id: HOST,
      logic: groupCoordinatorHostMachine,
      input: {
        config: this.config,
        openLog: (partition: number) => {
          let log = this.logs.get(partition);
          if (log === undefined) {
            log = PartitionLog.open({
              dir: `/data/__consumer_offsets-${partition}`,
              fs: this.fs,
              clock: this.sim.clock,
              config: { cleanupPolicy: 'compact', segmentBytes: 64 * 1024 },
            });
            this.logs.set(partition, log);
          }
          const stateLog = new PartitionStateLog(log, this.sim.clock);
          return this.options.wrapLog ? this.options.wrapLog(stateLog, partition) : stateLog;
        },
      },
    });
  }

  /** Stops the host (and its groups), as a broker that lost the partitions would. */
  stopHost(): void {
    this.sim.system.stop(HOST);
  }

  call<T>(event: ActorEvent): Promise<T> {
    return this.rpc.call<T>(HOST, event, TIMEOUT_MS);
  }

  join(params: Partial<JoinGroupParams> = {}): Promise<JoinGroupResult> {
    return this.call({ type: 'group.join', ...joinParams(params) });
  }

  /** The two-step join of a new dynamic member: the member id, then the joined answer. */
  async joinNew(params: Partial<JoinGroupParams> = {}): Promise<JoinGroupResult> {
    const first = await this.join({ ...params, memberId: '' });
    if (first.outcome !== 'memberIdRequired') return first;
    return this.join({ ...params, memberId: first.memberId });
  }

  sync(
    params: Partial<SyncGroupParams> & { memberId: string; generationId: number },
  ): Promise<SyncGroupResult> {
    return this.call({
      type: 'group.sync',
      groupId: GROUP,
      groupInstanceId: null,
      assignments: [],
      ...params,
    });
  }

  heartbeat(params: Partial<HeartbeatParams> & { memberId: string; generationId: number }): Promise<unknown> {
    return this.call({ type: 'group.heartbeat', groupId: GROUP, groupInstanceId: null, ...params });
  }

  leave(members: LeaveGroupParams['members'], groupId = GROUP): Promise<LeaveGroupResult> {
    return this.call({ type: 'group.leave', groupId, members });
  }

  commit(
    params: Partial<OffsetCommitParams> & Pick<OffsetCommitParams, 'offsets'>,
  ): Promise<OffsetCommitResult> {
    return this.call({
      type: 'group.offsetCommit',
      groupId: GROUP,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      ...params,
    });
  }

  fetch(
    partitions: { topic: string; partition: number }[] | null,
    groupId = GROUP,
    requireStable = false,
  ): Promise<OffsetFetchResult> {
    return this.call({ type: 'group.offsetFetch', groupId, partitions, requireStable });
  }

  /** A TxnOffsetCommit of producer `producerId` (epoch 0 unless given), outside group management by default. */
  txnCommit(
    params: Partial<Omit<TxnOffsetCommitRequest, 'type' | 'correlationId' | 'replyTo'>> &
      Pick<TxnOffsetCommitRequest, 'producerId' | 'offsets'>,
  ): Promise<OffsetCommitResult> {
    return this.call({
      type: 'group.txnOffsetCommit',
      groupId: GROUP,
      transactionalId: `txn-${params.producerId}`,
      producerEpoch: 0,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      ...params,
    });
  }

  /** A COMMIT or ABORT marker for the producer in a `__consumer_offsets` partition, as the broker hands it over. */
  marker(
    producerId: number,
    marker: 'COMMIT' | 'ABORT',
    options: { partition?: number; producerEpoch?: number } = {},
  ): Promise<WriteTxnMarkerResult> {
    return this.call({
      type: 'group.txnMarker',
      partition: options.partition ?? 0,
      producerId,
      producerEpoch: options.producerEpoch ?? 0,
      coordinatorEpoch: 0,
      marker,
      timeoutMs: 5000,
    });
  }

  /** Unloads a partition and loads it again from its log, as a coordinator failover would. */
  async reload(partition = 0): Promise<void> {
    this.sim.system.send(undefined, HOST, { type: 'coordinator.unload', partition });
    await this.sim.runFor(1);
    await this.run(this.call({ type: 'coordinator.load', partition }));
  }

  describe(groupId = GROUP): Promise<GroupDescription> {
    return this.call({ type: 'group.describe', groupId });
  }

  /** Runs a call to completion on virtual time and returns its value (or throws its error). */
  async run<T>(promise: Promise<T>, maxMs = 60_000): Promise<T> {
    const outcome = track(promise);
    await this.sim.runUntil(() => outcome.done, maxMs);
    if (outcome.error !== undefined) throw outcome.error;
    return outcome.value as T;
  }
}

/** JoinGroup fields with defaults: a consumer of `orders` with the range assignor. */
export function joinParams(params: Partial<JoinGroupParams> = {}): JoinGroupParams {
  return {
    groupId: GROUP,
    memberId: '',
    groupInstanceId: null,
    clientId: 'consumer',
    clientHost: '/10.0.0.1',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 30_000,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscription() }],
    ...params,
  };
}

/** The joined form of a JoinGroup answer (fails the test on memberIdRequired). */
export function joined(result: JoinGroupResult | undefined): Extract<JoinGroupResult, { outcome: 'joined' }> {
  if (result?.outcome !== 'joined')
    throw new Error(`expected a joined answer, got ${JSON.stringify(result)}`);
  return result;
}
