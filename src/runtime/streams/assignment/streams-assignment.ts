/**
 * The leader's whole streams assignment, as a pure function: decode the members' subscriptions,
 * derive the tasks, group members into clients by process id, compute lags, place tasks on
 * clients (client-task-assignor.ts), spread each client's tasks over its threads
 * (member-task-distribution.ts), and turn tasks into partitions and AssignmentInfo.
 *
 * Under COOPERATIVE, an active task whose partitions another member still owns is withheld
 * from its new member in this generation: the owner sees it missing, revokes it, and rejoins, and
 * the follow-up rebalance hands it over. So no task ever has two active owners at once.
 */
import { TopologyError } from '../../../common/errors.js';
import {
  compareMembers,
  comparePartitions,
  type MemberSubscription,
  partitionKey,
  type TopicPartition,
} from '../../../log/client/assignors/partition-assignor.js';
import { type AssignmentInfo, AssignorErrorCode } from './assignment-info.js';
import { assignTasksToClients, type ClientState, type ClientTasks } from './client-task-assignor.js';
import { distributeToMembers } from './member-task-distribution.js';
import type { StreamsAssignorConfig } from './streams-assignor-config.js';
import { decodeSubscriptionInfo, type SubscriptionInfo } from './subscription-info.js';
import { compareTaskKeys, parseTaskId as idOf, type TaskId, taskKey } from './task-id.js';
import { clientLags, type EndOffsetSource, endOffsetSums } from './task-lags.js';
import { type AssignorSubTopology, type TaskInfo, topologyTasks } from './topology-tasks.js';

/**
 * The input of a streams assignment.
 *
 * @example
 * ```ts
 * const input: StreamsAssignmentInput = { topology, partitionsPerTopic, members, lagSource, config, nowMs: clock.nowMs() };
 * ```
 */
export interface StreamsAssignmentInput {
  readonly topology: readonly AssignorSubTopology[];
  readonly partitionsPerTopic: ReadonlyMap<string, number>;
  readonly members: readonly MemberSubscription[];
  readonly lagSource: EndOffsetSource;
  readonly config: StreamsAssignorConfig;
  /** Now, for nextProbingRebalanceMs (injected: the assignor never reads a clock itself). */
  readonly nowMs: number;
}

/**
 * One member's result.
 *
 * @example
 * ```ts
 * const { partitions, info } = result.members.get(memberId)!;
 * ```
 */
export interface MemberTaskAssignment {
  /** Active tasks it runs in this generation (withheld ones left out). */
  readonly active: readonly TaskId[];
  readonly standby: readonly TaskId[];
  /** Its source partitions, sorted (AssignmentInfo's activeTasks are aligned with them). */
  readonly partitions: readonly TopicPartition[];
  readonly info: AssignmentInfo;
}

/**
 * The result: per member, plus the client-level placement and what was withheld.
 *
 * @example
 * ```ts
 * const result = computeStreamsAssignment(input);
 * result.clients.get('process-1')!.active; // ['0_0', '1_0']
 * ```
 */
export interface StreamsAssignment {
  readonly members: Map<string, MemberTaskAssignment>;
  /** By process id: every task's placement this generation, before cooperative withholding. */
  readonly clients: Map<string, ClientTasks>;
  /** Task keys withheld until their previous owner revokes them (COOPERATIVE only). */
  readonly withheld: readonly string[];
  readonly probingRebalanceNeeded: boolean;
  /** Set for every member when the whole group could not be assigned. */
  readonly errorCode: number;
}

/**
 * Computes the streams assignment (see the file comment). Deterministic: members may come in any order.
 *
 * @example
 * ```ts
 * const result = computeStreamsAssignment({ topology, partitionsPerTopic, members, lagSource, config, nowMs });
 * ```
 */
export function computeStreamsAssignment(input: StreamsAssignmentInput): StreamsAssignment {
  const { config } = input;
  const ordered = [...input.members].sort(compareMembers);
  const failed = (errorCode: number): StreamsAssignment => ({
    members: new Map(ordered.map((m) => [m.memberId, emptyMember(errorCode)])),
    clients: new Map(),
    withheld: [],
    probingRebalanceNeeded: false,
    errorCode,
  });
  let tasks: ReadonlyMap<string, TaskInfo>;
  try {
    const t = topologyTasks(input.topology, input.partitionsPerTopic);
    if (t.missingTopics.length > 0) return failed(AssignorErrorCode.INCOMPLETE_SOURCE_TOPIC_METADATA);
    tasks = t.tasks;
  } catch (e) {
    if (e instanceof TopologyError) return failed(AssignorErrorCode.ASSIGNMENT_ERROR);
    throw e;
  }
  const infos = new Map<string, SubscriptionInfo>();
  for (const m of ordered) {
    try {
      infos.set(m.memberId, decodeSubscriptionInfo(m.userData));
    } catch {
      // An unreadable member gets nothing (and an error code); the rest of the group still runs.
    }
  }
  const valid = ordered.filter((m) => infos.has(m.memberId));
  const owners = previousOwners(valid, infos, tasks);
  const statefulKeys = [...tasks.values()].filter((t) => t.stateful).map((t) => taskKey(t.id));
  const statelessKeys = [...tasks.values()].filter((t) => !t.stateful).map((t) => taskKey(t.id));
  const processIds = [...new Set(valid.map((m) => infos.get(m.memberId)!.processId))].sort();
  const membersOf = (pid: string) => valid.filter((m) => infos.get(m.memberId)!.processId === pid);
  const offsets = processIds.map((processId) => {
    const sums = new Map<string, number>();
    for (const m of membersOf(processId))
      for (const [t, sum] of infos.get(m.memberId)!.taskOffsetSums)
        sums.set(t, Math.max(sum, sums.get(t) ?? 0));
    const previousActive = new Set(membersOf(processId).flatMap((m) => owners.activeOf(m.memberId)));
    return { processId, previousActive, taskOffsetSums: sums };
  });
  const lags = clientLags(statefulKeys, offsets, endOffsetSums([...tasks.values()], input.lagSource));
  const clients: ClientState[] = offsets.map((o) => ({
    processId: o.processId,
    capacity: membersOf(o.processId).length,
    previousActive: o.previousActive,
    previousStandby: new Set(membersOf(o.processId).flatMap((m) => owners.standbyOf(m.memberId))),
    lags: lags.get(o.processId)!,
  }));
  const placed = assignTasksToClients(clients, statefulKeys, statelessKeys, config);
  const probeAtMs = placed.probingRebalanceNeeded ? input.nowMs + config.probingRebalanceIntervalMs : -1;
  const heldElsewhere = partitionHolders(input.members);
  const statefulSet = new Set(statefulKeys);
  const members = new Map<string, MemberTaskAssignment>(
    ordered.map((m) => [m.memberId, emptyMember(AssignorErrorCode.ASSIGNMENT_ERROR)]),
  );
  const withheld: string[] = [];
  for (const pid of processIds) {
    const threads = membersOf(pid).map((m) => ({
      memberId: m.memberId,
      previousActive: new Set(owners.activeOf(m.memberId)),
      previousStandby: new Set(owners.standbyOf(m.memberId)),
    }));
    const perMember = distributeToMembers(threads, placed.clients.get(pid)!, (t) => statefulSet.has(t));
    for (const [memberId, { active, standby }] of perMember) {
      const blocked = new Set(
        active.filter(
          (key) =>
            config.rebalanceProtocol === 'COOPERATIVE' &&
            tasks.get(key)!.sourcePartitions.some((tp) => {
              const holder = heldElsewhere.get(partitionKey(tp));
              return holder !== undefined && holder !== memberId;
            }),
        ),
      );
      withheld.push(...blocked);
      // A withheld stateful task stays a standby at its new owner until the hand-over, so state
      // it warmed up is kept (not closed and rebuilt) for the one rebalance in between.
      const keep = [...standby, ...[...blocked].filter((key) => statefulSet.has(key))].sort(compareTaskKeys);
      const runs = active.filter((key) => !blocked.has(key));
      members.set(memberId, memberResult(runs, keep, tasks, probeAtMs));
    }
  }
  return {
    members,
    clients: placed.clients,
    withheld: withheld.sort(compareTaskKeys),
    probingRebalanceNeeded: placed.probingRebalanceNeeded,
    errorCode: AssignorErrorCode.NONE,
  };
}

function emptyMember(errorCode: number): MemberTaskAssignment {
  const info = { errorCode, activeTasks: [], standbyTasks: new Map(), nextProbingRebalanceMs: -1 };
  return { active: [], standby: [], partitions: [], info };
}

function memberResult(
  active: readonly string[],
  standby: readonly string[],
  tasks: ReadonlyMap<string, TaskInfo>,
  probeAtMs: number,
): MemberTaskAssignment {
  const pairs = active.flatMap((key) =>
    tasks.get(key)!.sourcePartitions.map((tp) => ({ tp, task: idOf(key) })),
  );
  pairs.sort((a, b) => comparePartitions(a.tp, b.tp));
  const standbyTasks = new Map(
    standby.map((key) => [
      key,
      { task: idOf(key), changelogPartitions: tasks.get(key)!.changelogPartitions },
    ]),
  );
  return {
    active: active.map(idOf),
    standby: standby.map(idOf),
    partitions: pairs.map((p) => p.tp),
    info: {
      errorCode: AssignorErrorCode.NONE,
      activeTasks: pairs.map((p) => p.task),
      standbyTasks,
      nextProbingRebalanceMs: probeAtMs,
    },
  };
}

/**
 * Who owned which task before. An active claim from a newer generation beats an older one (a
 * member that missed a rebalance still claims what it lost); equal generations go to the member
 * first in member order, so each task has at most one previous owner.
 */
function previousOwners(
  members: readonly MemberSubscription[],
  infos: ReadonlyMap<string, SubscriptionInfo>,
  tasks: ReadonlyMap<string, TaskInfo>,
): { activeOf(memberId: string): string[]; standbyOf(memberId: string): string[] } {
  const best = new Map<string, { memberId: string; generationId: number }>();
  for (const m of members) {
    for (const id of infos.get(m.memberId)!.activeTasks) {
      const key = taskKey(id);
      const current = best.get(key);
      if (tasks.has(key) && (current === undefined || m.generationId > current.generationId))
        best.set(key, { memberId: m.memberId, generationId: m.generationId });
    }
  }
  return {
    activeOf: (memberId) => [...best].filter(([, o]) => o.memberId === memberId).map(([key]) => key),
    standbyOf: (memberId) =>
      infos
        .get(memberId)!
        .standbyTasks.map(taskKey)
        .filter((key) => tasks.get(key)?.stateful === true && best.get(key)?.memberId !== memberId),
  };
}

/**
 * The member that owns each partition now (consumer protocol ownedPartitions, newest generation
 * wins). Two claims of the newest generation are marked with '' so that neither keeps it.
 */
function partitionHolders(members: readonly MemberSubscription[]): Map<string, string> {
  const holders = new Map<string, { memberId: string; generationId: number }>();
  for (const m of members) {
    for (const tp of m.ownedPartitions) {
      const key = partitionKey(tp);
      const h = holders.get(key);
      if (h === undefined || m.generationId > h.generationId)
        holders.set(key, { memberId: m.memberId, generationId: m.generationId });
      else if (m.generationId === h.generationId && h.memberId !== m.memberId)
        holders.set(key, { memberId: '', generationId: h.generationId });
    }
  }
  return new Map([...holders].map(([key, h]) => [key, h.memberId]));
}
