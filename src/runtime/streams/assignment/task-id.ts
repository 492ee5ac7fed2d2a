/**
 * Task ids: a task is one partition of one sub-topology, written `s_p` as Kafka Streams prints
 * it. Task (s, p) processes partition p of every source topic of sub-topology s.
 */
import { StreamsUserDataError } from './streams-user-data-error.js';

/**
 * A task of a topology.
 *
 * @example
 * ```ts
 * const id: TaskId = { subtopology: 1, partition: 3 }; // printed 1_3
 * ```
 */
export interface TaskId {
  readonly subtopology: number;
  readonly partition: number;
}

/**
 * A task's printed form, `subtopology_partition`, also used as its map key.
 *
 * @example
 * ```ts
 * taskKey({ subtopology: 0, partition: 2 }); // '0_2'
 * ```
 */
export function taskKey(id: TaskId): string {
  return `${id.subtopology}_${id.partition}`;
}

/**
 * Parses a printed task id.
 *
 * @example
 * ```ts
 * parseTaskId('1_3'); // { subtopology: 1, partition: 3 }
 * ```
 * @throws StreamsUserDataError when the text is not `s_p` with non-negative integers.
 */
export function parseTaskId(text: string): TaskId {
  const match = /^(\d+)_(\d+)$/.exec(text);
  if (match === null) throw new StreamsUserDataError(`'${text}' is not a task id (subtopology_partition)`);
  return { subtopology: Number(match[1]), partition: Number(match[2]) };
}

/**
 * Orders tasks by sub-topology, then partition: the assignor's one order, so its output does not
 * depend on the order its input came in.
 *
 * @example
 * ```ts
 * tasks.sort(compareTaskIds);
 * ```
 */
export function compareTaskIds(a: TaskId, b: TaskId): number {
  return a.subtopology - b.subtopology || a.partition - b.partition;
}

/**
 * Orders task keys as `compareTaskIds` orders their tasks (not as strings: 10_0 comes after 2_0).
 *
 * @example
 * ```ts
 * ['10_0', '2_0'].sort(compareTaskKeys); // ['2_0', '10_0']
 * ```
 */
export function compareTaskKeys(a: string, b: string): number {
  return compareTaskIds(parseTaskId(a), parseTaskId(b));
}
