/** Members, topologies and rounds shared by the streams assignor tests. */
import type {
  MemberSubscription,
  TopicPartition,
} from '../../../../src/log/client/assignors/partition-assignor.js';
import { partitionKey } from '../../../../src/log/client/assignors/partition-assignor.js';
import {
  type AssignorSubTopology,
  computeStreamsAssignment,
  encodeSubscriptionInfo,
  parseTaskId,
  resolveStreamsAssignorConfig,
  type StreamsAssignment,
  type StreamsAssignorConfig,
  taskKey,
} from '../../../../src/runtime/streams/assignment/index.js';

/** Sub-topology 0 joins two co-partitioned topics into a store; 1 is stateless; 2 aggregates. */
export const TOPOLOGY: AssignorSubTopology[] = [
  { id: 0, sourceTopics: ['orders', 'customers'], changelogTopics: ['app-join-changelog'] },
  { id: 1, sourceTopics: ['clicks'] },
  { id: 2, sourceTopics: ['app-repartition'], changelogTopics: ['app-agg-changelog'] },
  { id: 3, sourceTopics: ['countries'], global: true },
];

export const partitionCounts = (join: number, clicks: number, agg: number) =>
  new Map([
    ['orders', join],
    ['customers', join],
    ['clicks', clicks],
    ['app-repartition', agg],
    ['countries', 1],
  ]);

/** What a thread owned before, and what its process has on disk. */
export interface Previous {
  active?: string[];
  standby?: string[];
  offsetSums?: Record<string, number>;
  owned?: TopicPartition[];
  generationId?: number;
}

/** A member (stream thread) of process `processId`. */
export function thread(memberId: string, processId: string, prev: Previous = {}): MemberSubscription {
  return {
    memberId,
    groupInstanceId: null,
    topics: ['orders', 'customers', 'clicks', 'app-repartition'],
    ownedPartitions: prev.owned ?? [],
    generationId: prev.generationId ?? -1,
    userData: encodeSubscriptionInfo({
      processId,
      activeTasks: (prev.active ?? []).map(parseTaskId),
      standbyTasks: (prev.standby ?? []).map(parseTaskId),
      taskOffsetSums: new Map(Object.entries(prev.offsetSums ?? {})),
      threadCount: 1,
    }),
  };
}

/** Every changelog partition ends at `end` (or per task, from `ends`). */
export function lagSourceOf(end: number, ends: Record<string, number> = {}) {
  return (tps: readonly TopicPartition[]) =>
    new Map(
      tps.map((tp) => {
        const subtopology = tp.topic === 'app-join-changelog' ? 0 : 2;
        return [partitionKey(tp), ends[`${subtopology}_${tp.partition}`] ?? end];
      }),
    );
}

export interface RunOptions {
  ppt?: ReadonlyMap<string, number>;
  end?: number;
  ends?: Record<string, number>;
  config?: Partial<StreamsAssignorConfig>;
  nowMs?: number;
}

export function run(members: readonly MemberSubscription[], o: RunOptions = {}): StreamsAssignment {
  return computeStreamsAssignment({
    topology: TOPOLOGY,
    partitionsPerTopic: o.ppt ?? partitionCounts(4, 4, 4),
    members,
    lagSource: lagSourceOf(o.end ?? 0, o.ends),
    config: resolveStreamsAssignorConfig(o.config),
    nowMs: o.nowMs ?? 1_000,
  });
}

/** The members of the next generation: each owns what `result` gave it, its process's state is current. */
export function nextRound(
  members: readonly MemberSubscription[],
  processOf: (memberId: string) => string,
  result: StreamsAssignment,
  generationId: number,
  end: number,
): MemberSubscription[] {
  return members.map((m) => {
    const pid = processOf(m.memberId);
    const own = result.members.get(m.memberId)!;
    const onDisk = result.clients.get(pid);
    const offsetSums: Record<string, number> = {};
    for (const t of [...(onDisk?.active ?? []), ...(onDisk?.standby ?? [])]) offsetSums[t] = end;
    return thread(m.memberId, pid, {
      active: own.active.map(taskKey),
      standby: own.standby.map(taskKey),
      offsetSums,
      owned: [...own.partitions],
      generationId,
    });
  });
}

/** `member → sorted task keys` views for readable expectations. */
export function activeOf(result: StreamsAssignment): Record<string, string[]> {
  return Object.fromEntries([...result.members].map(([id, m]) => [id, m.active.map(taskKey)]));
}

export function standbyOf(result: StreamsAssignment): Record<string, string[]> {
  return Object.fromEntries([...result.members].map(([id, m]) => [id, m.standby.map(taskKey)]));
}
