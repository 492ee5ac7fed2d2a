/** Arbitraries and checks shared by the assignor tests. */
import fc from 'fast-check';
import {
  type MemberSubscription,
  type PartitionAssignor,
  partitionKey,
  partitionsOf,
  type TopicPartition,
} from '../../../../src/log/client/assignors/partition-assignor.js';

export const TOPICS = ['t0', 't1', 't2', 't3'];

/** A member for the assignor: dynamic unless an instance id is given. */
export function member(
  memberId: string,
  topics: string[],
  owned: TopicPartition[] = [],
  generationId = -1,
  groupInstanceId: string | null = null,
): MemberSubscription {
  return { memberId, groupInstanceId, topics, ownedPartitions: owned, generationId, userData: null };
}

/** `t0p1`-style names of an assignment, member by member, sorted. */
export function names(assignment: Map<string, TopicPartition[]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [id, list] of [...assignment].sort(([a], [b]) => (a < b ? -1 : 1))) {
    out[id] = list.map((tp) => `${tp.topic}p${tp.partition}`).sort();
  }
  return out;
}

/** Partition counts of up to four topics. */
export const partitionCounts = fc
  .array(fc.integer({ min: 0, max: 8 }), { minLength: TOPICS.length, maxLength: TOPICS.length })
  .map((counts) => new Map(TOPICS.map((t, i) => [t, counts[i]!])));

/** Members m0..m(n-1), each subscribed to a non-empty subset of the topics; some static. */
export const members = fc
  .array(
    fc.record({
      topics: fc.subarray(TOPICS, { minLength: 1 }),
      isStatic: fc.boolean(),
    }),
    { minLength: 1, maxLength: 7 },
  )
  .map((specs) =>
    specs.map((s, i) => member(`m${i}`, s.topics, [], -1, s.isStatic ? `instance-${(i * 7) % 11}` : null)),
  );

/** Every partition of the topics a member subscribes to. */
export function subscribedPartitions(ppt: ReadonlyMap<string, number>, m: MemberSubscription): Set<string> {
  return new Set(partitionsOf(ppt, m.topics).map(partitionKey));
}

/** Who got each partition; fails if a partition is given twice or to a member not subscribed. */
export function ownersOf(
  ppt: ReadonlyMap<string, number>,
  ms: readonly MemberSubscription[],
  assignment: Map<string, TopicPartition[]>,
): Map<string, string> {
  const owners = new Map<string, string>();
  for (const m of ms) {
    const allowed = subscribedPartitions(ppt, m);
    for (const tp of assignment.get(m.memberId) ?? []) {
      const key = partitionKey(tp);
      if (owners.has(key)) throw new Error(`${key} assigned to ${owners.get(key)} and ${m.memberId}`);
      if (!allowed.has(key))
        throw new Error(`${key} assigned to ${m.memberId}, which does not subscribe to it`);
      owners.set(key, m.memberId);
    }
  }
  return owners;
}

/** Fails unless every subscribed partition is assigned exactly once, to a subscriber. */
export function expectCompleteAndExclusive(
  ppt: ReadonlyMap<string, number>,
  ms: readonly MemberSubscription[],
  assignment: Map<string, TopicPartition[]>,
): void {
  const owners = ownersOf(ppt, ms, assignment);
  const wanted = partitionsOf(
    ppt,
    ms.flatMap((m) => m.topics),
  ).map(partitionKey);
  const missing = wanted.filter((k) => !owners.has(k));
  if (missing.length > 0) throw new Error(`unassigned: ${missing.join(', ')}`);
  if (!ms.every((m) => assignment.has(m.memberId))) throw new Error('a member has no entry');
}

/**
 * Fails unless members with the same subscription have partition counts that differ by at most
 * one.
 */
export function expectBalanced(
  ms: readonly MemberSubscription[],
  assignment: Map<string, TopicPartition[]>,
): void {
  const bySubscription = new Map<string, number[]>();
  for (const m of ms) {
    const key = [...new Set(m.topics)].sort().join(',');
    const counts = bySubscription.get(key) ?? [];
    counts.push(assignment.get(m.memberId)!.length);
    bySubscription.set(key, counts);
  }
  for (const [key, counts] of bySubscription) {
    if (Math.max(...counts) - Math.min(...counts) > 1)
      throw new Error(`unbalanced among [${key}]: ${counts}`);
  }
}

/** Runs an assignor on members' current ownership. */
export function runRound(
  assignor: PartitionAssignor,
  ppt: ReadonlyMap<string, number>,
  ms: readonly MemberSubscription[],
  owned: ReadonlyMap<string, TopicPartition[]>,
  generationId: number,
): Map<string, TopicPartition[]> {
  return assignor.assign(
    ppt,
    ms.map((m) => ({ ...m, ownedPartitions: owned.get(m.memberId) ?? [], generationId })),
  );
}
