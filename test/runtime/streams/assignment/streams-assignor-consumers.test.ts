import { describe, expect, it } from 'vitest';
import { Consumer } from '../../../../src/log/client/consumer/consumer.js';
import {
  activeTasksByPartition,
  createStreamsPartitionAssignor,
  decodeAssignmentInfo,
  type SubscriptionInfo,
  taskKey,
} from '../../../../src/runtime/streams/assignment/index.js';
import { createTopicAndSettle, settle, simulatedCluster } from '../../../log/broker/cluster-fixtures.js';
import { TOPOLOGY } from './streams-assignor-fixtures.js';

describe('the streams assignor in a real consumer group', () => {
  it('sends each thread’s SubscriptionInfo and delivers AssignmentInfo to every member', async () => {
    const { sim, client } = simulatedCluster(47, 1);
    await sim.runFor(500);
    for (const name of ['orders', 'customers', 'clicks', 'app-repartition'])
      await createTopicAndSettle(sim, client, { name, partitions: 2, replicationFactor: 1 });
    const received = new Map<string, Uint8Array | null>();
    const consumers = ['A', 'B'].map((processId) => {
      const local: SubscriptionInfo = {
        processId,
        activeTasks: [],
        standbyTasks: [],
        taskOffsetSums: new Map(),
        threadCount: 1,
      };
      const assignor = createStreamsPartitionAssignor({
        topology: TOPOLOGY,
        clock: sim.clock,
        config: { numStandbyReplicas: 1 },
        localSubscription: () => local,
      });
      const c = new Consumer(client, sim.clock, {
        groupId: 'streams-app',
        clientId: processId,
        assignor,
        sessionTimeoutMs: 6000,
        heartbeatIntervalMs: 300,
        rebalanceTimeoutMs: 5000,
        retryBackoffMs: 100,
      });
      c.subscribe(['orders', 'customers', 'clicks', 'app-repartition'], {
        onAssignment: (a) => received.set(processId, a.userData),
      });
      return { processId, c };
    });
    const tasksOf = (c: Consumer) =>
      activeTasksByPartition(c.assignment(), decodeAssignmentInfo(c.assignmentUserData())).map((p) =>
        taskKey(p.task),
      );
    for (let round = 0; round < 100; round++) {
      for (const { c } of consumers) await settle(sim, c.poll(50));
      const all = consumers.flatMap(({ c }) => (c.assignmentUserData() === null ? [] : tasksOf(c)));
      if (new Set(all).size === 6 && consumers.every(({ c }) => tasksOf(c).length > 0)) break;
    }
    const active = consumers.map(({ c }) => [...new Set(tasksOf(c))].sort());
    expect(active.flat().sort()).toEqual(['0_0', '0_1', '1_0', '1_1', '2_0', '2_1']);
    for (const { processId, c } of consumers) {
      const info = decodeAssignmentInfo(received.get(processId)!);
      expect(info).toEqual(decodeAssignmentInfo(c.assignmentUserData()));
      // One standby per stateful task, on the other client: each holds the stateful tasks it does not run.
      const own = new Set(tasksOf(c));
      expect([...info.standbyTasks.keys()].every((t) => !own.has(t))).toBe(true);
    }
    expect(
      consumers
        .flatMap(({ c }) => [...decodeAssignmentInfo(c.assignmentUserData()).standbyTasks.keys()])
        .sort(),
    ).toEqual(['0_0', '0_1', '2_0', '2_1']);
    for (const { c } of consumers) await settle(sim, c.close());
  });
});
