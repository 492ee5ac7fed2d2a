/**
 * What a stream thread's consumer puts in its Subscription userData (Kafka Streams'
 * SubscriptionInfo, in a layout of its own): the process it runs in, the tasks it owns now, how
 * far the state on the process's disk is (per task, the sum of its changelog offsets), and the
 * process's thread count.
 *
 * Version 1: version INT16; processId STRING; activeTasks ARRAY of TASK; standbyTasks ARRAY of
 * TASK; taskOffsetSums ARRAY of (TASK, offsetSum INT64); threadCount INT32. Which generation the owned
 * tasks are from is the consumer protocol's generationId, not repeated here.
 * TASK is (subtopology INT32, partition INT32).
 */
import { KafkaWriter } from '../../../log/coordinator/kafka-binary.js';
import { StreamsUserDataError } from './streams-user-data-error.js';
import { parseTaskId, type TaskId, taskKey } from './task-id.js';
import { expectEnd, readTask, readUserDataVersion, userDataReader, writeTask } from './user-data-codec.js';

/**
 * The newest SubscriptionInfo version this code reads and writes.
 *
 * @example
 * ```ts
 * decodeSubscriptionInfo(bytes).version <= SUBSCRIPTION_INFO_VERSION;
 * ```
 */
export const SUBSCRIPTION_INFO_VERSION = 1;

/**
 * One member's streams subscription.
 *
 * @example
 * ```ts
 * const info: SubscriptionInfo = { processId: 'p-1', activeTasks: [{ subtopology: 0, partition: 1 }],
 *   standbyTasks: [], taskOffsetSums: new Map([['0_1', 420]]), threadCount: 2 };
 * ```
 */
export interface SubscriptionInfo {
  /** The app instance (one per process): all its threads share it, and its state directory. */
  readonly processId: string;
  /** Active tasks this thread owns now. */
  readonly activeTasks: readonly TaskId[];
  /** Standby tasks this thread owns now. */
  readonly standbyTasks: readonly TaskId[];
  /** By task key: the sum of the changelog offsets of the task's state on this process's disk. */
  readonly taskOffsetSums: ReadonlyMap<string, number>;
  /** Stream threads the process runs (diagnostics; capacity counts the members present). */
  readonly threadCount: number;
}

/**
 * Encodes a subscription.
 *
 * @example
 * ```ts
 * const userData = encodeSubscriptionInfo(info);
 * ```
 * @throws RangeError for a process id longer than 32767 bytes or an unsafe offset sum;
 * StreamsUserDataError for an offset-sum key that is not a task id.
 */
export function encodeSubscriptionInfo(info: SubscriptionInfo): Uint8Array {
  const w = new KafkaWriter(64).int16(SUBSCRIPTION_INFO_VERSION).string(info.processId);
  w.array(info.activeTasks, (t, w2) => writeTask(w2, t));
  w.array(info.standbyTasks, (t, w2) => writeTask(w2, t));
  w.array([...info.taskOffsetSums], ([key, sum], w2) => {
    writeTask(w2, parseTaskId(key));
    w2.int64(sum);
  });
  return w.int32(info.threadCount).finish();
}

/**
 * Decodes a subscription of any version.
 *
 * @example
 * ```ts
 * const { processId, taskOffsetSums } = decodeSubscriptionInfo(member.userData!);
 * ```
 * @throws StreamsUserDataError for null, truncated, trailing or impossible bytes.
 */
export function decodeSubscriptionInfo(bytes: Uint8Array | null): SubscriptionInfo & { version: number } {
  if (bytes === null) throw new StreamsUserDataError('a streams subscription has no userData');
  const what = 'subscription';
  const r = userDataReader(bytes, what);
  const version = readUserDataVersion(r, what);
  const processId = r.string();
  const activeTasks = r.array((x) => readTask(x, what));
  const standbyTasks = r.array((x) => readTask(x, what));
  const taskOffsetSums = new Map<string, number>();
  r.array((x) => {
    const t = readTask(x, what);
    const sum = x.int64();
    if (sum < 0) throw new StreamsUserDataError(`malformed streams ${what}: offset sum ${sum}`);
    taskOffsetSums.set(taskKey(t), sum);
  });
  const threadCount = r.int32();
  if (threadCount < 1) throw new StreamsUserDataError(`malformed streams ${what}: ${threadCount} threads`);
  expectEnd(r, version, SUBSCRIPTION_INFO_VERSION, what);
  return { version, processId, activeTasks, standbyTasks, taskOffsetSums, threadCount };
}
