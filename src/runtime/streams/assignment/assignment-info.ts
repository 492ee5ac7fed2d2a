/**
 * What the streams assignor tells each member in its Assignment userData (Kafka Streams'
 * AssignmentInfo, in a layout of its own): its active tasks, aligned with its partitions; its
 * standby tasks and their changelog partitions; an error code; and when to rejoin for a
 * probing rebalance while warmup replicas catch up.
 *
 * Version 1: version INT16; errorCode INT32; activeTasks ARRAY of TASK; standbyTasks ARRAY of
 * (TASK, changelogPartitions ARRAY of (topic STRING, partition INT32)); nextProbingRebalanceMs
 * INT64 (-1 for none). TASK is (subtopology INT32, partition INT32).
 *
 * Alignment: activeTasks[i] is the task of the i-th assigned partition once the partitions are
 * sorted by topic, then partition (the consumer protocol groups partitions by topic, so their
 * order on the wire is not kept; sorting on both ends is).
 */
import { comparePartitions, type TopicPartition } from '../../../log/client/assignors/partition-assignor.js';
import { KafkaWriter } from '../../../log/coordinator/kafka-binary.js';
import { StreamsUserDataError } from './streams-user-data-error.js';
import { type TaskId, taskKey } from './task-id.js';
import { expectEnd, readTask, readUserDataVersion, userDataReader, writeTask } from './user-data-codec.js';

/**
 * The newest AssignmentInfo version this code reads and writes.
 *
 * @example
 * ```ts
 * decodeAssignmentInfo(bytes).version <= ASSIGNMENT_INFO_VERSION;
 * ```
 */
export const ASSIGNMENT_INFO_VERSION = 1;

/**
 * Error codes of an assignment (Kafka Streams' AssignorError names).
 *
 * @example
 * ```ts
 * if (info.errorCode === AssignorErrorCode.INCOMPLETE_SOURCE_TOPIC_METADATA) rejoinLater();
 * ```
 */
export const AssignorErrorCode = {
  NONE: 0,
  /** A source topic has no metadata yet (not created): nothing is assigned; rejoin later. */
  INCOMPLETE_SOURCE_TOPIC_METADATA: 1,
  /** The topology cannot be assigned (co-partition mismatch) or this member's subscription was unreadable. */
  ASSIGNMENT_ERROR: 3,
} as const;

/**
 * One member's streams assignment.
 *
 * @example
 * ```ts
 * const info: AssignmentInfo = { errorCode: 0, activeTasks: [{ subtopology: 0, partition: 1 }],
 *   standbyTasks: new Map(), nextProbingRebalanceMs: -1 };
 * ```
 */
export interface AssignmentInfo {
  readonly errorCode: number;
  /** One entry per assigned partition, in sorted-partition order (a task appears once per partition). */
  readonly activeTasks: readonly TaskId[];
  /** By task key: the standby task and the changelog partitions it keeps up to date. */
  readonly standbyTasks: ReadonlyMap<
    string,
    { task: TaskId; changelogPartitions: readonly TopicPartition[] }
  >;
  /** Wall-clock time (ms) to rejoin for a probing rebalance; -1 when no warmup is in progress. */
  readonly nextProbingRebalanceMs: number;
}

/**
 * Encodes an assignment.
 *
 * @example
 * ```ts
 * const userData = encodeAssignmentInfo(info);
 * ```
 * @throws RangeError for a topic name longer than 32767 bytes.
 */
export function encodeAssignmentInfo(info: AssignmentInfo): Uint8Array {
  const w = new KafkaWriter(64).int16(ASSIGNMENT_INFO_VERSION).int32(info.errorCode);
  w.array(info.activeTasks, (t, w2) => writeTask(w2, t));
  w.array([...info.standbyTasks.values()], (s, w2) => {
    writeTask(w2, s.task);
    w2.array(s.changelogPartitions, (tp, w3) => w3.string(tp.topic).int32(tp.partition));
  });
  return w.int64(info.nextProbingRebalanceMs).finish();
}

/**
 * Decodes an assignment of any version.
 *
 * @example
 * ```ts
 * const info = decodeAssignmentInfo(assignment.userData);
 * ```
 * @throws StreamsUserDataError for null, truncated, trailing or impossible bytes.
 */
export function decodeAssignmentInfo(bytes: Uint8Array | null): AssignmentInfo & { version: number } {
  if (bytes === null) throw new StreamsUserDataError('a streams assignment has no userData');
  const what = 'assignment';
  const r = userDataReader(bytes, what);
  const version = readUserDataVersion(r, what);
  const errorCode = r.int32();
  const activeTasks = r.array((x) => readTask(x, what));
  const standbyTasks = new Map<string, { task: TaskId; changelogPartitions: TopicPartition[] }>();
  r.array((x) => {
    const task = readTask(x, what);
    const changelogPartitions = x.array((y) => ({ topic: y.string(), partition: y.int32() }));
    standbyTasks.set(taskKey(task), { task, changelogPartitions });
  });
  const nextProbingRebalanceMs = r.int64();
  expectEnd(r, version, ASSIGNMENT_INFO_VERSION, what);
  return { version, errorCode, activeTasks, standbyTasks, nextProbingRebalanceMs };
}

/**
 * Pairs a member's assigned partitions with their active tasks (the member side of the alignment).
 *
 * @example
 * ```ts
 * const byTask = activeTasksByPartition(assignment.partitions, decodeAssignmentInfo(assignment.userData));
 * ```
 * @throws StreamsUserDataError when the counts differ (the assignment was not made for these partitions).
 */
export function activeTasksByPartition(
  partitions: readonly TopicPartition[],
  info: AssignmentInfo,
): { partition: TopicPartition; task: TaskId }[] {
  if (partitions.length !== info.activeTasks.length) {
    throw new StreamsUserDataError(
      `an assignment of ${partitions.length} partitions lists ${info.activeTasks.length} active tasks`,
    );
  }
  return [...partitions].sort(comparePartitions).map((partition, i) => ({
    partition,
    task: info.activeTasks[i]!,
  }));
}
