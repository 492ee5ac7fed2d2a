import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/common/errors.js';
import { InvalidRequestError } from '../../../src/common/kafka-errors.js';
import { DEFAULT_BROKER_SETTINGS, resolveBrokerSettings } from '../../../src/log/broker/broker-settings.js';
import { type ClusterMetadata, CONTROLLER_ACTOR_ID } from '../../../src/log/broker/cluster-metadata.js';
import { controllerMachine } from '../../../src/log/broker/controller-machine.js';
import { ControllerState, type ProducerIdBlockGrant } from '../../../src/log/broker/controller-state.js';
import { ControllerStore } from '../../../src/log/broker/controller-store.js';
import { partitionForGroup } from '../../../src/log/coordinator/group-partition.js';
import { MemoryStorageFs } from '../../../src/log/storage/fs/memory-storage-fs.js';
import { RpcClient, SimulatedClock, Simulation } from '../../../src/runtime/actor/index.js';
import { settle } from './cluster-fixtures.js';

function spawnController(sim: Simulation, store: ControllerStore): void {
  sim.system.spawn({
    id: CONTROLLER_ACTOR_ID,
    logic: controllerMachine,
    input: {
      sessionTimeoutMs: 600_000,
      store,
      offsetsTopicPartitions: 4,
      offsetsTopicReplicationFactor: 3,
      transactionStateTopicPartitions: 5,
      transactionStateTopicReplicationFactor: 3,
    },
  });
}

describe('producer ids and transaction coordinators at the controller', () => {
  it('hands out consecutive blocks, continuing from its snapshot after a restore', () => {
    const clock = new SimulatedClock(0);
    const state = new ControllerState(clock, 1000);
    expect(state.allocateProducerIds(1)).toEqual({ brokerId: 1, firstProducerId: 0, count: 1000 });
    expect(state.allocateProducerIds(2)).toEqual({ brokerId: 2, firstProducerId: 1000, count: 1000 });
    const restored = new ControllerState(clock, 1000);
    restored.restore(state.snapshot());
    expect(restored.allocateProducerIds(1).firstProducerId).toBe(2000);
    expect(() => restored.allocateProducerIds(-3)).toThrow(InvalidRequestError);
    // A snapshot from before producer ids starts at 0.
    const old = new ControllerState(clock, 1000);
    old.restore({ ...state.snapshot(), nextProducerId: undefined });
    expect(old.allocateProducerIds(1).firstProducerId).toBe(0);
  });

  it('never hands out an id twice, even across a controller restart', async () => {
    const sim = new Simulation({ seed: 31 });
    const store = new ControllerStore(new MemoryStorageFs(), '/controller');
    spawnController(sim, store);
    const rpc = new RpcClient(sim.system, 'client');
    const allocate = (brokerId: number) =>
      settle(
        sim,
        rpc.call<ProducerIdBlockGrant>(
          CONTROLLER_ACTOR_ID,
          { type: 'controller.allocateProducerIds', brokerId },
          1000,
        ),
      );
    const before = [await allocate(1), await allocate(2), await allocate(1)];
    sim.system.stop(CONTROLLER_ACTOR_ID);
    spawnController(sim, store);
    const after = [await allocate(3), await allocate(1)];
    const starts = [...before, ...after].map((b) => b.firstProducerId);
    expect(starts).toEqual([0, 1000, 2000, 3000, 4000]);
  });

  it('finds a transactional id’s coordinator, creating __transaction_state on first use', async () => {
    const sim = new Simulation({ seed: 32 });
    spawnController(sim, new ControllerStore(new MemoryStorageFs(), '/controller'));
    const rpc = new RpcClient(sim.system, 'client');
    const call = <T>(event: { type: string; [k: string]: unknown }) =>
      settle(sim, rpc.call<T>(CONTROLLER_ACTOR_ID, event, 1000));
    for (const brokerId of [1, 2]) {
      await call({
        type: 'controller.registerBroker',
        brokerId,
        incarnation: `i${brokerId}`,
        cleanShutdown: true,
      });
    }
    const found = await call<{ brokerId: number; partition: number }>({
      type: 'controller.findCoordinator',
      transactionalId: 'app-1',
    });
    expect(found.partition).toBe(partitionForGroup('app-1', 5));
    const md = await call<ClusterMetadata>({ type: 'controller.metadata', topics: ['__transaction_state'] });
    const topic = md.topics[0]!;
    expect(topic.partitions.length).toBe(5);
    expect(topic.config).toMatchObject({ cleanupPolicy: 'compact', minInsyncReplicas: 2 });
    expect(topic.partitions[found.partition]!.replicas.length).toBe(2);
    expect(found.brokerId).toBe(topic.partitions[found.partition]!.leader);
    // Groups still find theirs in __consumer_offsets.
    const group = await call<{ brokerId: number; partition: number }>({
      type: 'controller.findCoordinator',
      groupId: 'app-1',
    });
    expect(group.partition).toBe(partitionForGroup('app-1', 4));
    await expect(call({ type: 'controller.findCoordinator' })).rejects.toThrow(InvalidRequestError);
  });

  it('has broker settings for transactions, with defaults, validated', () => {
    expect(resolveBrokerSettings()).toMatchObject({
      transactionStateTopicPartitions: 8,
      transactionStateTopicReplicationFactor: 3,
      transactionMaxTimeoutMs: 900_000,
      transactionAbortTimedOutCheckIntervalMs: 10_000,
      transactionalIdExpirationMs: 604_800_000,
      producerIdExpirationMs: 86_400_000,
    });
    expect(DEFAULT_BROKER_SETTINGS.transactionStateTopicPartitions).toBe(8);
    expect(() => resolveBrokerSettings({ transactionMaxTimeoutMs: 0 })).toThrow(ConfigError);
    expect(() => resolveBrokerSettings({ transactionStateTopicPartitions: 1.5 })).toThrow(ConfigError);
    expect(() => resolveBrokerSettings({ producerIdExpirationMs: 0 })).toThrow(ConfigError);
  });
});
