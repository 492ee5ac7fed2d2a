/**
 * The order a task processes a poll's records in (DESIGN.md §3): across the task's partitions, the
 * record with the smallest timestamp next, so joins and windows see time advance as evenly as the
 * input allows; within a partition, offset order always (Kafka Streams' partition group).
 */

/**
 * A record with a timestamp.
 *
 * @example
 * ```ts
 * const r: Timestamped = { timestamp: 5 };
 * ```
 */
export interface Timestamped {
  readonly timestamp: number;
}

/**
 * Calls `visit` for every record of `lists`, picking the smallest head timestamp each time (ties:
 * the earlier list), each list in its own order.
 *
 * @example
 * ```ts
 * forEachByTimestamp([[{ timestamp: 1 }, { timestamp: 9 }], [{ timestamp: 4 }]], (r) => out.push(r.timestamp));
 * // out: [1, 4, 9]
 * ```
 * @throws whatever `visit` throws (records after it are not visited).
 */
export function forEachByTimestamp<R extends Timestamped>(
  lists: readonly (readonly R[])[],
  visit: (record: R) => void,
): void {
  if (lists.length === 1) {
    for (const r of lists[0]!) visit(r);
    return;
  }
  const heads = lists.map(() => 0);
  for (;;) {
    let best = -1;
    let bestTs = Number.POSITIVE_INFINITY;
    for (let i = 0; i < lists.length; i++) {
      const r = lists[i]![heads[i]!];
      if (r !== undefined && r.timestamp < bestTs) {
        best = i;
        bestTs = r.timestamp;
      }
    }
    if (best < 0) return;
    visit(lists[best]![heads[best]!++]!);
  }
}
