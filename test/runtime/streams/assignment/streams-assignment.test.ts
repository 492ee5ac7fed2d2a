import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../src/common/errors.js';
import {
  decodeAssignment,
  encodeSubscription,
} from '../../../../src/log/client/assignors/consumer-protocol.js';
import { assignGroup } from '../../../../src/log/client/assignors/group-assignment.js';
import {
  AssignorErrorCode,
  activeTasksByPartition,
  createStreamsPartitionAssignor,
  decodeAssignmentInfo,
  resolveStreamsAssignorConfig,
  taskKey,
} from '../../../../src/runtime/streams/assignment/index.js';
import {
  activeOf,
  nextRound,
  partitionCounts,
  run,
  standbyOf,
  TOPOLOGY,
  thread,
} from './streams-assignor-fixtures.js';

const STATEFUL = ['0_0', '0_1', '0_2', '0_3', '2_0', '2_1', '2_2', '2_3'];
const processOf = (memberId: string) => memberId[0]!.toUpperCase();

describe('the streams assignor', () => {
  it('balances a first assignment over clients by thread count and over each client’s threads', () => {
    const members = [
      thread('a1', 'A'),
      thread('a2', 'A'),
      thread('b1', 'B'),
      thread('c1', 'C'),
      thread('c2', 'C'),
    ];
    const result = run(members, { ppt: partitionCounts(5, 5, 5) });
    // 15 tasks over 5 threads: 3 each, and every task exactly once.
    expect(Object.values(activeOf(result)).map((t) => t.length)).toEqual([3, 3, 3, 3, 3]);
    expect(Object.values(activeOf(result)).flat().sort()).toHaveLength(15);
    expect(new Set(Object.values(activeOf(result)).flat()).size).toBe(15);
    expect(result.probingRebalanceNeeded).toBe(false);
  });

  it('gives the same assignment again when the same members rejoin', () => {
    const members = [thread('a1', 'A'), thread('a2', 'A'), thread('b1', 'B')];
    const first = run(members, { config: { numStandbyReplicas: 1 } });
    const second = run(nextRound(members, processOf, first, 1, 0), { config: { numStandbyReplicas: 1 } });
    expect(activeOf(second)).toEqual(activeOf(first));
    expect(standbyOf(second)).toEqual(standbyOf(first));
    expect(second.withheld).toEqual([]);
  });

  it('gives a thread that restarts with a new member id the tasks it had', () => {
    const members = [thread('a1', 'A'), thread('a2', 'A'), thread('b1', 'B')];
    const first = run(members);
    const [a1, a2, b1] = nextRound(members, processOf, first, 1, 0);
    // a2 restarted: a new member id, no owned partitions, its tasks still in its userData.
    const restarted = { ...a2!, memberId: 'a9', ownedPartitions: [] };
    const second = run([a1!, restarted, b1!]);
    expect(activeOf(second).a9).toEqual(activeOf(first).a2);
    expect(activeOf(second).a1).toEqual(activeOf(first).a1);
  });

  it('moves only the tasks of a client that left', () => {
    const members = [thread('a1', 'A'), thread('b1', 'B'), thread('c1', 'C')];
    const first = run(members);
    const [a1, b1] = nextRound(members, processOf, first, 1, 0);
    const second = run([a1!, b1!]);
    for (const id of ['a1', 'b1'])
      expect(activeOf(second)[id]).toEqual(expect.arrayContaining(activeOf(first)[id]!));
    expect(Object.values(activeOf(second)).map((t) => t.length)).toEqual([6, 6]);
  });

  it('never puts a standby on the client running the task, nor two on one client', () => {
    const members = [thread('a1', 'A'), thread('a2', 'A'), thread('b1', 'B'), thread('c1', 'C')];
    const result = run(members, { config: { numStandbyReplicas: 2 } });
    for (const task of STATEFUL) {
      const active = [...result.clients].filter(([, t]) => t.active.includes(task)).map(([pid]) => pid);
      const standby = [...result.clients].filter(([, t]) => t.standby.includes(task)).map(([pid]) => pid);
      expect(active).toHaveLength(1);
      expect(standby).toHaveLength(2);
      expect(standby).not.toContain(active[0]);
    }
    for (const [, t] of result.clients) expect(t.standby.filter((s) => s.startsWith('1_'))).toEqual([]);
  });

  it('keeps tasks on the caught-up client and warms up the new one, then hands over after a probe', () => {
    const owner = thread('a1', 'A', { active: [...STATEFUL, '1_0', '1_1', '1_2', '1_3'], generationId: 4 });
    const config = { maxWarmupReplicas: 2 };
    const first = run([owner, thread('b1', 'B')], { end: 50_000, nowMs: 7_000, config });
    // B is 50 000 records behind on every stateful task: none moves yet, two warm up there.
    expect(activeOf(first).a1).toEqual(expect.arrayContaining(STATEFUL));
    expect(first.clients.get('B')!.warmup).toEqual(['0_0', '0_1']);
    expect(activeOf(first).b1).toEqual(['1_0', '1_1', '1_2', '1_3']);
    expect(first.probingRebalanceNeeded).toBe(true);
    expect(first.members.get('b1')!.info.nextProbingRebalanceMs).toBe(7_000 + 600_000);
    // The probe: B's warmups have caught up (within acceptableRecoveryLag), so those tasks move.
    const probe = [
      thread('a1', 'A', { active: activeOf(first).a1, generationId: 5 }),
      thread('b1', 'B', {
        active: activeOf(first).b1,
        offsetSums: { '0_0': 45_000, '0_1': 49_999 },
        generationId: 5,
      }),
    ];
    const second = run(probe, { end: 50_000, config, ppt: partitionCounts(4, 4, 4) });
    expect(second.clients.get('B')!.active).toEqual(expect.arrayContaining(['0_0', '0_1']));
    expect(second.clients.get('B')!.warmup).toHaveLength(2);
    expect(second.clients.get('B')!.warmup).not.toContain('0_0');
  });

  it('moves a task at once to a target that is already caught up, with no probe', () => {
    const sums = Object.fromEntries(STATEFUL.map((t) => [t, 49_000]));
    const first = run([thread('a1', 'A', { active: STATEFUL }), thread('b1', 'B', { offsetSums: sums })], {
      end: 50_000,
    });
    expect(first.clients.get('B')!.active.filter((t) => STATEFUL.includes(t)).length).toBeGreaterThan(0);
    expect(first.probingRebalanceNeeded).toBe(false);
    expect(first.members.get('a1')!.info.nextProbingRebalanceMs).toBe(-1);
  });

  it('shares a client’s tasks evenly among its threads, stateful ones too', () => {
    const members = [thread('a1', 'A'), thread('a2', 'A'), thread('a3', 'A')];
    const result = run(members);
    expect(Object.values(activeOf(result)).map((t) => t.length)).toEqual([4, 4, 4]);
    const stateful = Object.values(activeOf(result)).map((t) => t.filter((k) => STATEFUL.includes(k)).length);
    expect(Math.max(...stateful) - Math.min(...stateful)).toBeLessThanOrEqual(1);
  });

  it('puts partition p of co-partitioned topics on the same thread, or refuses unequal counts', () => {
    const members = [thread('a1', 'A'), thread('b1', 'B'), thread('b2', 'B')];
    const result = run(members);
    for (const m of result.members.values()) {
      const orders = m.partitions.filter((tp) => tp.topic === 'orders').map((tp) => tp.partition);
      const customers = m.partitions.filter((tp) => tp.topic === 'customers').map((tp) => tp.partition);
      expect(orders).toEqual(customers);
    }
    const unequal = new Map([...partitionCounts(4, 4, 4), ['customers', 3]]);
    const refused = run(members, { ppt: unequal });
    expect([...refused.members.values()].map((m) => m.info.errorCode)).toEqual([3, 3, 3]);
    const missing = new Map([...partitionCounts(4, 4, 4)].filter(([t]) => t !== 'clicks'));
    expect(run(members, { ppt: missing }).errorCode).toBe(AssignorErrorCode.INCOMPLETE_SOURCE_TOPIC_METADATA);
  });

  it('withholds, under COOPERATIVE, a task whose partitions another member still owns', () => {
    // a1 ran alone in generation 4 and owns every partition; b1 joins.
    const solo = run([thread('a1', 'A')]);
    const a1 = thread('a1', 'A', {
      active: activeOf(solo).a1,
      owned: [...solo.members.get('a1')!.partitions],
      generationId: 4,
    });
    const second = run([a1, thread('b1', 'B')]);
    expect(second.withheld.length).toBe(6);
    expect(second.withheld).toEqual(second.clients.get('B')!.active);
    expect(activeOf(second).b1).toEqual([]);
    // The withheld stateful tasks stay standbys at b1 until the hand-over: state warming there is kept.
    const withheldStateful = second.withheld.filter((k) => STATEFUL.includes(k));
    expect(withheldStateful.length).toBeGreaterThan(0);
    expect(second.members.get('b1')!.standby.map(taskKey)).toEqual(expect.arrayContaining(withheldStateful));
    // a1 keeps only its share: it revokes the rest, rejoins, and B gets them in the follow-up.
    expect(activeOf(second).a1).toEqual(second.clients.get('A')!.active);
    const a1Revoked = thread('a1', 'A', {
      active: activeOf(second).a1,
      owned: [...second.members.get('a1')!.partitions],
      generationId: 5,
    });
    const followUp = run([a1Revoked, thread('b1', 'B')]);
    expect(followUp.withheld).toEqual([]);
    expect(activeOf(followUp).b1).toEqual(second.clients.get('B')!.active);
    const eager = run([a1, thread('b1', 'B')], { config: { rebalanceProtocol: 'EAGER' } });
    expect(eager.withheld).toEqual([]);
    expect(activeOf(eager).b1).toEqual(eager.clients.get('B')!.active);
  });

  it('leaves a member with unreadable userData out, with ASSIGNMENT_ERROR', () => {
    const broken = { ...thread('z1', 'Z'), userData: new Uint8Array([0, 1, 2]) };
    const result = run([thread('a1', 'A'), broken]);
    expect(result.members.get('z1')!.info.errorCode).toBe(AssignorErrorCode.ASSIGNMENT_ERROR);
    expect(activeOf(result).a1).toHaveLength(12);
  });

  it('is deterministic: member order does not matter', () => {
    const members = [thread('a1', 'A'), thread('b1', 'B'), thread('b2', 'B'), thread('c1', 'C')];
    const config = { numStandbyReplicas: 1 };
    const forward = run(members, { config, end: 20_000 });
    const backward = run([...members].reverse(), { config, end: 20_000 });
    expect(activeOf(backward)).toEqual(activeOf(forward));
    expect(standbyOf(backward)).toEqual(standbyOf(forward));
  });

  it('reaches members through the consumer protocol as partitions plus AssignmentInfo', () => {
    const assignor = createStreamsPartitionAssignor({
      topology: TOPOLOGY,
      clock: { nowMs: () => 0 },
      config: { numStandbyReplicas: 1 },
    });
    expect(assignor.name).toBe('stream');
    expect(assignor.supportedProtocols).toContain('COOPERATIVE');
    const member = (memberId: string, processId: string) => {
      const s = thread(memberId, processId);
      const metadata = encodeSubscription({
        topics: s.topics,
        userData: s.userData,
        ownedPartitions: [],
        generationId: -1,
        rackId: null,
      });
      return { memberId, groupInstanceId: null, metadata };
    };
    const encoded = assignGroup(assignor, partitionCounts(2, 2, 2), [member('a1', 'A'), member('b1', 'B')]);
    for (const { assignment } of encoded) {
      const a = decodeAssignment(assignment);
      const info = decodeAssignmentInfo(a.userData);
      expect(info.errorCode).toBe(0);
      const tasks = new Set(activeTasksByPartition(a.partitions, info).map((p) => taskKey(p.task)));
      expect(tasks.size).toBe(3);
      expect(info.standbyTasks.size).toBe(2);
    }
    expect(assignor.assign(partitionCounts(2, 2, 2), [thread('a1', 'A')]).get('a1')).toHaveLength(8);
  });

  it('validates its config', () => {
    expect(resolveStreamsAssignorConfig().acceptableRecoveryLag).toBe(10_000);
    expect(() => resolveStreamsAssignorConfig({ balanceFactor: 0 })).toThrow(ConfigError);
    expect(() => resolveStreamsAssignorConfig({ maxWarmups: 2 } as never)).toThrow(ConfigError);
  });
});
