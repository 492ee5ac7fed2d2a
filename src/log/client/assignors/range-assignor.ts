/**
 * Kafka's RangeAssignor: topic by topic, the members subscribed to the topic, in member order,
 * get contiguous ranges of its partitions; with n partitions and m members each gets n / m, and
 * the first n % m members one more. Members subscribed to the same topics thus get the same
 * partition numbers of every topic, which is what co-partitioned joins need.
 */
import {
  compareMembers,
  emptyAssignment,
  type MemberSubscription,
  type PartitionAssignor,
  type TopicPartition,
} from './partition-assignor.js';

/**
 * The range assignor (protocol name `range`, eager).
 *
 * @example
 * ```ts
 * // orders has 3 partitions; C0 and C1 subscribe: C0 gets orders-0 and orders-1, C1 gets orders-2.
 * rangeAssignor.assign(new Map([['orders', 3]]), [c0, c1]);
 * ```
 */
export const rangeAssignor: PartitionAssignor = {
  name: 'range',
  supportedProtocols: ['EAGER'],
  assign(partitionsPerTopic, members) {
    const assignment = emptyAssignment(members);
    const byTopic = new Map<string, MemberSubscription[]>();
    for (const member of members) {
      for (const topic of new Set(member.topics)) {
        const list = byTopic.get(topic);
        if (list === undefined) byTopic.set(topic, [member]);
        else list.push(member);
      }
    }
    for (const [topic, subscribers] of byTopic) {
      const count = partitionsPerTopic.get(topic);
      if (count === undefined) continue;
      subscribers.sort(compareMembers);
      const each = Math.floor(count / subscribers.length);
      const extra = count % subscribers.length;
      subscribers.forEach((member, i) => {
        const start = each * i + Math.min(i, extra);
        const length = each + (i < extra ? 1 : 0);
        const out: TopicPartition[] = assignment.get(member.memberId)!;
        for (let p = start; p < start + length; p++) out.push({ topic, partition: p });
      });
    }
    return assignment;
  },
};
