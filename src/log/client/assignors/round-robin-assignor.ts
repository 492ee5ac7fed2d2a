/**
 * Kafka's RoundRobinAssignor: every partition of every subscribed topic, sorted by topic and then
 * partition, is dealt to the members in member order, round and round; a member not subscribed
 * to a partition's topic is skipped for it (the turn passes on, as Kafka's circular iterator
 * does). With identical subscriptions the counts differ by at most one.
 */
import {
  compareMembers,
  emptyAssignment,
  type PartitionAssignor,
  partitionsOf,
} from './partition-assignor.js';

/**
 * The round-robin assignor (protocol name `roundrobin`, eager).
 *
 * @example
 * ```ts
 * // t0 and t1 have 3 partitions each; C0 and C1 subscribe to both:
 * // C0 gets t0-0, t0-2, t1-1; C1 gets t0-1, t1-0, t1-2.
 * roundRobinAssignor.assign(new Map([['t0', 3], ['t1', 3]]), [c0, c1]);
 * ```
 */
export const roundRobinAssignor: PartitionAssignor = {
  name: 'roundrobin',
  supportedProtocols: ['EAGER'],
  assign(partitionsPerTopic, members) {
    const assignment = emptyAssignment(members);
    const ordered = [...members].sort(compareMembers);
    if (ordered.length === 0) return assignment;
    const topics = new Set(ordered.flatMap((m) => m.topics));
    const subscribed = ordered.map((m) => new Set(m.topics));
    let next = 0;
    for (const tp of partitionsOf(partitionsPerTopic, topics)) {
      // Someone subscribes to every topic in `topics`, so this finds a member within one round.
      while (!subscribed[next]!.has(tp.topic)) next = (next + 1) % ordered.length;
      assignment.get(ordered[next]!.memberId)!.push(tp);
      next = (next + 1) % ordered.length;
    }
    return assignment;
  },
};
