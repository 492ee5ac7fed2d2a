/**
 * A cooperative sticky assignor (Kafka's `cooperative-sticky` semantics, KIP-429, written
 * anew): balanced, sticky to what members own, and incremental.
 *
 * 1. Owners. Each member reports the partitions it owns and the generation they are from. A
 *    partition's owner is its claimant of the highest generation; claims from older generations
 *    are stale (a member that missed a rebalance) and ignored; two claims of the same highest
 *    generation make the partition contested: it has no owner to keep it.
 * 2. Target. Owners keep their partitions of topics they still subscribe to; every other
 *    partition goes to the subscribed member with the fewest, ties to the member first in member
 *    order. Then, while some member has at least two more partitions than another member that
 *    subscribes to one of them, one moves from the first to the second (one it did not own
 *    before, if it has one). Each move lowers the sum of squared counts, so this ends; at the end
 *    members with the same subscription differ by at most one partition, and a partition left its
 *    owner only because balance required it.
 * 3. Revoke first. A partition whose target member is not its owner (or that is contested) is
 *    given to nobody in this generation: its owner sees it missing and revokes it, rejoins at once,
 *    and the follow-up rebalance, where the partition has no owner, assigns it. So no partition is
 *    ever assigned to one member while another still owns it.
 *
 * Kafka's implementation searches harder for balance when subscriptions differ; this one is
 * balanced among members with equal subscriptions and sticky, the properties its tests check.
 */
import {
  compareMembers,
  comparePartitions,
  type MemberSubscription,
  type PartitionAssignor,
  partitionKey,
  partitionsOf,
  type TopicPartition,
} from './partition-assignor.js';

interface Owner {
  readonly memberId: string;
  readonly generationId: number;
}

/** The resolved owner of each partition with claims (or 'contested'), keyed by partitionKey. */
function resolveOwners(
  partitionsPerTopic: ReadonlyMap<string, number>,
  members: readonly MemberSubscription[],
): Map<string, Owner | 'contested'> {
  const owners = new Map<string, Owner | 'contested'>();
  const best = new Map<string, number>();
  for (const m of members) {
    for (const tp of m.ownedPartitions) {
      const count = partitionsPerTopic.get(tp.topic);
      if (count === undefined || tp.partition < 0 || tp.partition >= count) continue;
      const key = partitionKey(tp);
      const top = best.get(key);
      if (top === undefined || m.generationId > top) {
        best.set(key, m.generationId);
        owners.set(key, { memberId: m.memberId, generationId: m.generationId });
      } else if (m.generationId === top) {
        const current = owners.get(key);
        if (current !== 'contested' && current?.memberId !== m.memberId) owners.set(key, 'contested');
      }
    }
  }
  return owners;
}

/**
 * Computes the balanced, sticky target assignment before the revoke-first step.
 *
 * @example
 * ```ts
 * const target = stickyTarget(partitionsPerTopic, members, resolveOwners(partitionsPerTopic, members));
 * ```
 */
function stickyTarget(
  partitionsPerTopic: ReadonlyMap<string, number>,
  ordered: readonly MemberSubscription[],
  owners: ReadonlyMap<string, Owner | 'contested'>,
): Map<string, TopicPartition[]> {
  const subscribed = new Map(ordered.map((m) => [m.memberId, new Set(m.topics)]));
  const target = new Map<string, TopicPartition[]>(ordered.map((m) => [m.memberId, []]));
  const unowned: TopicPartition[] = [];
  for (const tp of partitionsOf(
    partitionsPerTopic,
    ordered.flatMap((m) => m.topics),
  )) {
    const owner = owners.get(partitionKey(tp));
    if (owner !== undefined && owner !== 'contested' && subscribed.get(owner.memberId)?.has(tp.topic)) {
      target.get(owner.memberId)!.push(tp);
    } else unowned.push(tp);
  }
  for (const tp of unowned) {
    let chosen: string | undefined;
    for (const m of ordered) {
      if (!subscribed.get(m.memberId)!.has(tp.topic)) continue;
      if (chosen === undefined || target.get(m.memberId)!.length < target.get(chosen)!.length)
        chosen = m.memberId;
    }
    target.get(chosen!)!.push(tp);
  }
  const ownedBy = (memberId: string, tp: TopicPartition) => {
    const o = owners.get(partitionKey(tp));
    return o !== undefined && o !== 'contested' && o.memberId === memberId;
  };
  for (;;) {
    const byCount = [...ordered].sort(
      (a, b) => target.get(b.memberId)!.length - target.get(a.memberId)!.length,
    );
    let moved = false;
    search: for (const from of byCount) {
      const fromList = target.get(from.memberId)!;
      for (let i = byCount.length - 1; i >= 0; i--) {
        const to = byCount[i]!;
        const toTopics = subscribed.get(to.memberId)!;
        if (fromList.length - target.get(to.memberId)!.length < 2) break;
        const movable = fromList.filter((tp) => toTopics.has(tp.topic));
        if (movable.length === 0) continue;
        // Prefer a partition the member has not started on; otherwise the highest, for determinism.
        const pick = movable.find((tp) => !ownedBy(from.memberId, tp)) ?? movable[movable.length - 1]!;
        fromList.splice(fromList.indexOf(pick), 1);
        target.get(to.memberId)!.push(pick);
        moved = true;
        break search;
      }
    }
    if (!moved) break;
  }
  for (const list of target.values()) list.sort(comparePartitions);
  return target;
}

/**
 * The cooperative sticky assignor (protocol name `cooperative-sticky`, cooperative).
 *
 * @example
 * ```ts
 * // C0 owns orders-0..3 (generation 5); C1 joins owning nothing: C0 keeps orders-0 and orders-1,
 * // orders-2 and orders-3 go to nobody now and to C1 in the follow-up rebalance.
 * cooperativeStickyAssignor.assign(new Map([['orders', 4]]), [c0, c1]);
 * ```
 */
export const cooperativeStickyAssignor: PartitionAssignor = {
  name: 'cooperative-sticky',
  supportedProtocols: ['COOPERATIVE', 'EAGER'],
  assign(partitionsPerTopic, members) {
    const ordered = [...members].sort(compareMembers);
    const owners = resolveOwners(partitionsPerTopic, ordered);
    const target = stickyTarget(partitionsPerTopic, ordered, owners);
    for (const [memberId, list] of target) {
      target.set(
        memberId,
        list.filter((tp) => {
          const owner = owners.get(partitionKey(tp));
          return owner === undefined || (owner !== 'contested' && owner.memberId === memberId);
        }),
      );
    }
    return target;
  },
};
