/**
 * A transaction coordinator host in a Simulation, without a cluster: its state logs are
 * PartitionLogs on a memory fs (kept across host restarts, so a new host reloads them), a fake
 * controller answers metadata and producer-id blocks, and fake brokers answer (or ignore)
 * WriteTxnMarker requests and record them.
 */

import { fromCallback } from 'xstate';
import { UnknownTopicOrPartitionError } from '../../../../src/common/kafka-errors.js';
import { brokerActorId, CONTROLLER_ACTOR_ID } from '../../../../src/log/broker/cluster-metadata.js';
import type { WriteTxnMarkerRequest } from '../../../../src/log/broker/replica-requests.js';
import type { CoordinatorStateLog } from '../../../../src/log/coordinator/coordinator-state-log.js';
import { PartitionStateLog } from '../../../../src/log/coordinator/partition-state-log.js';
import type { TransactionCoordinatorConfig } from '../../../../src/log/coordinator/transaction/txn-coordinator-config.js';
import { txnCoordinatorHostMachine } from '../../../../src/log/coordinator/transaction/txn-coordinator-host-machine.js';
import { txnCoordinatorActorId } from '../../../../src/log/coordinator/transaction/txn-coordinator-id.js';
import type { TxnContext } from '../../../../src/log/coordinator/transaction/txn-coordinator-machine.js';
import type {
  ProducerIdAndEpoch,
  TransactionDescription,
} from '../../../../src/log/coordinator/transaction/txn-requests.js';
import { MemoryStorageFs } from '../../../../src/log/storage/fs/memory-storage-fs.js';
import { PartitionLog } from '../../../../src/log/storage/partition-log.js';
import {
  type ActorEvent,
  type ActorInput,
  RpcClient,
  type RpcRequest,
  reply,
  replyError,
  Simulation,
} from '../../../../src/runtime/actor/index.js';
import { type Outcome, track } from '../coordinator-fixtures.js';

export const BROKER = 1;
export const HOST = txnCoordinatorActorId(BROKER);
export const TXN = 'app-1';
export const TIMEOUT_MS = 600_000;

/** Small timings so tests move quickly in virtual time. */
export const TEST_TXN_CONFIG: Partial<TransactionCoordinatorConfig> = {
  transactionStateTopicPartitions: 1,
  offsetsTopicPartitions: 4,
  transactionMaxTimeoutMs: 60_000,
  transactionAbortTimedOutCheckIntervalMs: 1000,
  transactionalIdExpirationMs: 3_600_000,
  requestTimeoutMs: 500,
};

/** How a fake broker treats a marker: write it, ignore it, or refuse it with an error. */
export type MarkerBehaviour = 'write' | 'ignore' | Error;

/** A marker a fake broker received. */
export interface ReceivedMarker {
  readonly broker: number;
  readonly request: WriteTxnMarkerRequest;
  readonly answered: boolean;
}

/** A state log whose appends can be made to fail, and whose loading can be held. */
class FaultyStateLog extends PartitionStateLog {
  failAppends = false;
  holdReads: Promise<void> | undefined;
  override append(...args: Parameters<PartitionStateLog['append']>): Promise<void> {
    if (this.failAppends) return Promise.reject(new Error('injected append failure'));
    return super.append(...args);
  }
  override async readAll(): ReturnType<PartitionStateLog['readAll']> {
    await this.holdReads;
    return super.readAll();
  }
}

/** A transaction coordinator host, a fake controller and three fake brokers, in one simulation. */
export class TxnHarness {
  readonly sim: Simulation;
  readonly fs = new MemoryStorageFs();
  readonly rpc: RpcClient;
  readonly config: Partial<TransactionCoordinatorConfig>;
  readonly logs = new Map<number, PartitionLog>();
  readonly stateLogs: FaultyStateLog[] = [];
  /** topic → the leader of each partition (-1: none). A topic not listed does not exist. */
  readonly leaders = new Map<string, number[]>([
    ['orders', [1, 2, 3]],
    ['payments', [2]],
    ['__consumer_offsets', [3, 3, 3, 3]],
  ]);
  readonly markers: ReceivedMarker[] = [];
  /** How each broker treats markers, by `topic-partition` or for all ('*'). */
  readonly behaviour = new Map<number, Map<string, MarkerBehaviour>>();
  controllerAnswersIds = true;
  /** While set, loading a partition waits for it. */
  holdReads: Promise<void> | undefined;
  private nextProducerId = 0;

  constructor(seed = 1, config: Partial<TransactionCoordinatorConfig> = {}) {
    this.sim = new Simulation({ seed, network: { minDelayMs: 1, maxDelayMs: 5 } });
    this.config = { ...TEST_TXN_CONFIG, ...config };
    this.rpc = new RpcClient(this.sim.system, 'client');
    this.spawnController();
    for (const b of [1, 2, 3]) this.spawnBroker(b);
  }

  /** Spawns the host and loads the given partitions (every id's, with one partition). */
  async start(partitions: number[] = [0], coordinatorEpoch = 0): Promise<this> {
    this.spawnHost();
    // Time for the first block of producer ids to come from the controller.
    await this.sim.runFor(50);
    for (const partition of partitions) await this.load(partition, coordinatorEpoch);
    return this;
  }

  spawnHost(): void {
    this.sim.system.spawn({
      id: HOST,
      logic: txnCoordinatorHostMachine,
      input: { brokerId: BROKER, config: this.config, openLog: (p: number) => this.openLog(p) },
    });
  }

  /** Stops the host (and its ids), as a broker that crashed would. */
  stopHost(): void {
    this.sim.system.stop(HOST);
  }

  async load(partition: number, coordinatorEpoch: number): Promise<unknown> {
    return this.run(this.call({ type: 'coordinator.load', partition, coordinatorEpoch }));
  }

  setMarkerBehaviour(broker: number, behaviour: MarkerBehaviour, partition = '*'): void {
    const byPartition = this.behaviour.get(broker) ?? new Map<string, MarkerBehaviour>();
    byPartition.set(partition, behaviour);
    this.behaviour.set(broker, byPartition);
  }

  /** Makes every append of the state logs fail (or succeed again). */
  failAppends(fail: boolean): void {
    for (const log of this.stateLogs) log.failAppends = fail;
  }

  call<T>(event: ActorEvent): Promise<T> {
    return this.rpc.call<T>(HOST, event, TIMEOUT_MS);
  }

  init(
    transactionalId: string | null = TXN,
    params: Partial<{ transactionTimeoutMs: number; producerId: number; producerEpoch: number }> = {},
  ): Promise<ProducerIdAndEpoch> {
    return this.call({
      type: 'txn.initProducerId',
      transactionalId,
      transactionTimeoutMs: 10_000,
      producerId: -1,
      producerEpoch: -1,
      ...params,
    });
  }

  add(
    p: ProducerIdAndEpoch,
    partitions: { topic: string; partition: number }[],
    transactionalId = TXN,
  ): Promise<unknown> {
    return this.call({ type: 'txn.addPartitions', transactionalId, ...p, partitions });
  }

  addOffsets(p: ProducerIdAndEpoch, groupId: string, transactionalId = TXN): Promise<unknown> {
    return this.call({ type: 'txn.addOffsets', transactionalId, ...p, groupId });
  }

  end(p: ProducerIdAndEpoch, committed: boolean, transactionalId = TXN): Promise<ProducerIdAndEpoch> {
    return this.call({ type: 'txn.endTxn', transactionalId, ...p, committed });
  }

  describe(transactionalId = TXN): Promise<TransactionDescription> {
    return this.call({ type: 'txn.describe', transactionalId });
  }

  /** Runs a call to completion on virtual time and returns its value (or throws its error). */
  async run<T>(promise: Promise<T>, maxMs = 60_000): Promise<T> {
    const outcome = track(promise);
    await this.sim.runUntil(() => outcome.done, maxMs);
    if (outcome.error !== undefined) throw outcome.error;
    return outcome.value as T;
  }

  /** Runs until the id is described in `state` (failing after `maxMs`). */
  async until(
    state: TransactionDescription['state'],
    transactionalId = TXN,
    maxMs = 30_000,
  ): Promise<TransactionDescription> {
    const end = this.sim.clock.nowMs() + maxMs;
    for (;;) {
      const d = await this.run(this.describe(transactionalId));
      if (d.state === state) return d;
      if (this.sim.clock.nowMs() > end) throw new Error(`${transactionalId} stayed ${d.state}, not ${state}`);
      await this.sim.runFor(50);
    }
  }

  /** The TxnActor of a transactional id, if it has one. */
  txnActor(transactionalId = TXN): TxnContext['txn'] | undefined {
    const host = this.sim.system.get(HOST)?.getSnapshot() as
      | { context: { txns: Map<string, { actorId: string }> } }
      | undefined;
    const actorId = host?.context.txns.get(transactionalId)?.actorId;
    if (actorId === undefined) return undefined;
    return (this.sim.system.get(actorId)?.getSnapshot() as { context: TxnContext } | undefined)?.context.txn;
  }

  /** Markers written (answered) for a producer, as `topic-partition:MARKER@epoch/coordinatorEpoch`. */
  written(producerId?: number): string[] {
    return this.markers
      .filter((m) => m.answered && (producerId === undefined || m.request.producerId === producerId))
      .map(
        ({ request: r }) => `${r.topic}-${r.partition}:${r.marker}@${r.producerEpoch}/${r.coordinatorEpoch}`,
      )
      .sort();
  }

  private openLog(partition: number): CoordinatorStateLog {
    let log = this.logs.get(partition);
    if (log === undefined) {
      log = PartitionLog.open({
        dir: `/data/__transaction_state-${partition}`,
        fs: this.fs,
        clock: this.sim.clock,
        config: { cleanupPolicy: 'compact', segmentBytes: 64 * 1024 },
      });
      this.logs.set(partition, log);
    }
    const stateLog = new FaultyStateLog(log, this.sim.clock);
    stateLog.holdReads = this.holdReads;
    this.stateLogs.push(stateLog);
    return stateLog;
  }

  private spawnController(): void {
    const logic = fromCallback<ActorEvent, ActorInput>(({ receive, input }) => {
      receive((event) => {
        const request = event as RpcRequest;
        if (event.type === 'controller.allocateProducerIds') {
          if (!this.controllerAnswersIds) return;
          const firstProducerId = this.nextProducerId;
          this.nextProducerId += 1000;
          reply(input.actor, request, { brokerId: event.brokerId, firstProducerId, count: 1000 });
        } else if (event.type === 'controller.metadata') {
          const topics = [...this.leaders]
            .filter(([name]) => (event.topics as string[] | undefined)?.includes(name) ?? true)
            .map(([name, leaders]) => ({
              name,
              config: {},
              partitions: leaders.map((leader, partition) => ({
                topic: name,
                partition,
                replicas: [1, 2, 3],
                leader,
                leaderEpoch: 0,
                isr: [1, 2, 3],
                partitionEpoch: 0,
              })),
            }));
          reply(input.actor, request, { brokers: [1, 2, 3], controller: CONTROLLER_ACTOR_ID, topics });
        }
      });
    });
    this.sim.system.spawn({ id: CONTROLLER_ACTOR_ID, logic });
  }

  private spawnBroker(broker: number): void {
    const logic = fromCallback<ActorEvent, ActorInput>(({ receive, input }) => {
      receive((event) => {
        if (event.type !== 'txnMarker.request') return;
        const request = event as unknown as WriteTxnMarkerRequest;
        const key = `${request.topic}-${request.partition}`;
        const byPartition = this.behaviour.get(broker);
        const behaviour = byPartition?.get(key) ?? byPartition?.get('*') ?? 'write';
        const leaders = this.leaders.get(request.topic);
        const leads = leaders?.[request.partition] === broker;
        if (behaviour === 'ignore') {
          this.markers.push({ broker, request, answered: false });
        } else if (behaviour instanceof Error) {
          this.markers.push({ broker, request, answered: false });
          replyError(input.actor, request, behaviour);
        } else if (!leads) {
          this.markers.push({ broker, request, answered: false });
          replyError(
            input.actor,
            request,
            new UnknownTopicOrPartitionError(`broker ${broker} has no ${key}`),
          );
        } else {
          this.markers.push({ broker, request, answered: true });
          reply(input.actor, request, { offset: this.markers.length });
        }
      });
    });
    this.sim.system.spawn({ id: brokerActorId(broker), logic });
  }
}

export { type Outcome, track };
