/**
 * The tasks of a topology, from its sub-topologies' source topics and their partition counts.
 * A sub-topology has as many tasks as its source topics have partitions; task (s, p) reads
 * partition p of every source topic of s, which is what makes co-partitioned topics' partitions
 * land on one task (and so one thread). Source topics of one sub-topology must therefore have
 * equal partition counts (Kafka Streams' co-partitioning requirement).
 */
import { TopologyError } from '../../../common/errors.js';
import { compareStrings, type TopicPartition } from '../../../log/client/assignors/partition-assignor.js';
import { compareTaskIds, type TaskId, taskKey } from './task-id.js';

/**
 * What the assignor needs of a sub-topology: the shape of the DSL's `SubTopology` (id,
 * sourceTopics, global) plus the changelog topics of its stores, which make it stateful.
 *
 * @example
 * ```ts
 * const s: AssignorSubTopology = { id: 1, sourceTopics: ['orders', 'customers'], changelogTopics: ['app-totals-changelog'] };
 * ```
 */
export interface AssignorSubTopology {
  readonly id: number;
  readonly sourceTopics: readonly string[];
  /** A global sub-topology has no tasks (every instance reads all its partitions). */
  readonly global?: boolean;
  /** Changelog topics of its state stores; task (s, p) owns partition p of each. */
  readonly changelogTopics?: readonly string[];
}

/**
 * One task and the partitions it owns.
 *
 * @example
 * ```ts
 * const t = tasks.get('0_1')!; // { id: { subtopology: 0, partition: 1 }, sourcePartitions: [orders-1], … }
 * ```
 */
export interface TaskInfo {
  readonly id: TaskId;
  readonly sourcePartitions: readonly TopicPartition[];
  readonly changelogPartitions: readonly TopicPartition[];
  /** Has state, hence changelogs to restore: placed by lag, gets standbys. */
  readonly stateful: boolean;
}

/**
 * The tasks of a topology, or the source topics that have no metadata yet.
 *
 * @example
 * ```ts
 * const r = topologyTasks(topology, partitionsPerTopic);
 * if (r.missingTopics.length > 0) reportIncompleteMetadata(r.missingTopics);
 * ```
 */
export interface TopologyTasks {
  /** By task key, in task order. */
  readonly tasks: ReadonlyMap<string, TaskInfo>;
  readonly missingTopics: readonly string[];
}

/**
 * Computes the tasks of a topology. Global sub-topologies are skipped.
 *
 * @example
 * ```ts
 * topologyTasks([{ id: 0, sourceTopics: ['a', 'b'] }], new Map([['a', 2], ['b', 2]]));
 * // tasks 0_0 (a-0, b-0) and 0_1 (a-1, b-1)
 * ```
 * @throws TopologyError when source topics of one sub-topology have different partition counts.
 */
export function topologyTasks(
  subtopologies: readonly AssignorSubTopology[],
  partitionsPerTopic: ReadonlyMap<string, number>,
): TopologyTasks {
  const tasks: TaskInfo[] = [];
  const missing = new Set<string>();
  for (const s of [...subtopologies].sort((a, b) => a.id - b.id)) {
    if (s.global === true) continue;
    const topics = [...new Set(s.sourceTopics)].sort(compareStrings);
    const counts = topics.map((t) => partitionsPerTopic.get(t));
    for (const [i, t] of topics.entries()) if (counts[i] === undefined) missing.add(t);
    if (counts.some((c) => c === undefined)) continue;
    const known = counts as number[];
    const count = Math.max(0, ...known);
    // Unequal counts would leave some task reading a partition of one topic but not of the
    // other, so a join would miss records: refuse, as Kafka Streams does, naming the topics.
    if (known.some((c) => c !== count)) {
      const list = topics.map((t, i) => `${t} (${known[i]})`).join(', ');
      throw new TopologyError(
        `sub-topology ${s.id} reads co-partitioned topics with different partition counts: ${list}; ` +
          'give them the same number of partitions or repartition one of them',
      );
    }
    const changelogs = [...new Set(s.changelogTopics ?? [])].sort(compareStrings);
    for (let partition = 0; partition < count; partition++) {
      tasks.push({
        id: { subtopology: s.id, partition },
        sourcePartitions: topics.map((topic) => ({ topic, partition })),
        changelogPartitions: changelogs.map((topic) => ({ topic, partition })),
        stateful: changelogs.length > 0,
      });
    }
  }
  tasks.sort((a, b) => compareTaskIds(a.id, b.id));
  return {
    tasks: new Map(tasks.map((t) => [taskKey(t.id), t])),
    missingTopics: [...missing].sort(compareStrings),
  };
}
