/**
 * What a partition assignor is: the group leader's function from the members' subscriptions and
 * the partition counts of their topics to each member's partitions (Kafka's
 * ConsumerPartitionAssignor). The coordinator never looks inside; it only stores and hands out
 * what the leader computed. Every assignor here is deterministic: the same input gives the same
 * assignment, whatever order the members come in.
 */

/**
 * A partition of a topic.
 *
 * @example
 * ```ts
 * const tp: TopicPartition = { topic: 'orders', partition: 3 };
 * ```
 */
export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/**
 * How members give partitions up in a rebalance: EAGER revokes everything before rejoining;
 * COOPERATIVE (KIP-429) keeps what it owns and revokes only what moves, which is then assigned in
 * a follow-up rebalance.
 *
 * @example
 * ```ts
 * const protocol: RebalanceProtocol = assignor.supportedProtocols.includes('COOPERATIVE') ? 'COOPERATIVE' : 'EAGER';
 * ```
 */
export type RebalanceProtocol = 'EAGER' | 'COOPERATIVE';

/**
 * One member's subscription as an assignor sees it.
 *
 * @example
 * ```ts
 * const m: MemberSubscription = { memberId: 'c-1', groupInstanceId: null, topics: ['orders'],
 *   ownedPartitions: [], generationId: -1, userData: null };
 * ```
 */
export interface MemberSubscription {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly topics: readonly string[];
  readonly ownedPartitions: readonly TopicPartition[];
  /** The generation the owned partitions are from; -1 when unknown. */
  readonly generationId: number;
  readonly userData: Uint8Array | null;
}

/**
 * A partition assignor.
 *
 * @example
 * ```ts
 * const assignment = rangeAssignor.assign(new Map([['orders', 3]]), subscriptions);
 * assignment.get('member-1'); // [{ topic: 'orders', partition: 0 }, …]
 * ```
 */
export interface PartitionAssignor {
  /** The protocol name members put in their JoinGroup (Kafka's: range, roundrobin, cooperative-sticky). */
  readonly name: string;
  readonly supportedProtocols: readonly RebalanceProtocol[];
  /**
   * Every member's partitions (every member gets an entry, possibly empty). Topics missing from
   * `partitionsPerTopic` (no metadata yet) are skipped.
   */
  assign(
    partitionsPerTopic: ReadonlyMap<string, number>,
    members: readonly MemberSubscription[],
  ): Map<string, TopicPartition[]>;
  /**
   * Optional: every member's partitions and assignment userData (Kafka's Assignment.userData), for
   * assignors that tell members more than their partitions (the streams assignor sends task ids
   * and standby tasks). When present the leader calls this instead of `assign`.
   */
  assignWithUserData?(
    partitionsPerTopic: ReadonlyMap<string, number>,
    members: readonly MemberSubscription[],
  ): Map<string, MemberAssignment>;
  /**
   * Optional: the userData this member puts in its Subscription (Kafka's subscriptionUserData),
   * asked anew at every join because what it describes (owned tasks, state on disk) changes.
   */
  subscriptionUserData?(topics: readonly string[]): Uint8Array | null;
  /**
   * Optional: awaited by the leader before `assign`/`assignWithUserData`, for what the assignment
   * needs from the cluster and cannot compute synchronously (the streams assignor fetches the
   * end offsets of changelog partitions, to rank members by how far behind their state is).
   */
  prepareAssignment?(
    partitionsPerTopic: ReadonlyMap<string, number>,
    members: readonly MemberSubscription[],
  ): Promise<void>;
}

/**
 * One member's share of an assignment with userData, as `assignWithUserData` returns it.
 *
 * @example
 * ```ts
 * const a: MemberAssignment = { partitions: [{ topic: 'orders', partition: 0 }], userData: null };
 * ```
 */
export interface MemberAssignment {
  readonly partitions: readonly TopicPartition[];
  readonly userData: Uint8Array | null;
}

/**
 * Kafka's order of members for assignment: static members first, by group.instance.id, then
 * dynamic members by member id. Static members' ids change on every restart, their instance ids
 * do not, so ordering by instance id keeps their assignment across restarts.
 *
 * @example
 * ```ts
 * const ordered = [...members].sort(compareMembers);
 * ```
 */
export function compareMembers(a: MemberSubscription, b: MemberSubscription): number {
  if (a.groupInstanceId !== null && b.groupInstanceId !== null)
    return compareStrings(a.groupInstanceId, b.groupInstanceId);
  if (a.groupInstanceId !== null) return -1;
  if (b.groupInstanceId !== null) return 1;
  return compareStrings(a.memberId, b.memberId);
}

/**
 * Java's String.compareTo order (by UTF-16 code units), which is JavaScript's `<` on strings.
 *
 * @example
 * ```ts
 * ['b', 'a'].sort(compareStrings); // ['a', 'b']
 * ```
 */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Orders partitions by topic, then partition number.
 *
 * @example
 * ```ts
 * partitions.sort(comparePartitions);
 * ```
 */
export function comparePartitions(a: TopicPartition, b: TopicPartition): number {
  return compareStrings(a.topic, b.topic) || a.partition - b.partition;
}

/**
 * A map key for a partition.
 *
 * @example
 * ```ts
 * owners.set(partitionKey({ topic: 'orders', partition: 2 }), memberId);
 * ```
 */
export function partitionKey(tp: TopicPartition): string {
  return `${tp.topic}\u0000${tp.partition}`;
}

/**
 * Every partition of the given topics that exist in `partitionsPerTopic`, sorted.
 *
 * @example
 * ```ts
 * partitionsOf(new Map([['a', 2]]), ['a', 'missing']); // [a-0, a-1]
 * ```
 */
export function partitionsOf(
  partitionsPerTopic: ReadonlyMap<string, number>,
  topics: Iterable<string>,
): TopicPartition[] {
  const out: TopicPartition[] = [];
  for (const topic of [...new Set(topics)].sort(compareStrings)) {
    const count = partitionsPerTopic.get(topic);
    if (count === undefined) continue;
    for (let partition = 0; partition < count; partition++) out.push({ topic, partition });
  }
  return out;
}

/**
 * An assignment with an empty entry for every member.
 *
 * @example
 * ```ts
 * const assignment = emptyAssignment(members);
 * ```
 */
export function emptyAssignment(members: readonly MemberSubscription[]): Map<string, TopicPartition[]> {
  return new Map(members.map((m) => [m.memberId, []]));
}
