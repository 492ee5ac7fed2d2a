/**
 * The data of one consumer group: members, generation, leader, chosen protocol and committed
 * offsets, with the rules that need no actor (protocol choice, who has rejoined, what to store).
 * One group actor owns one GroupState and mutates it in its transitions; XState holds the
 * lifecycle (empty, preparingRebalance …) and the timers, this holds the members, because copying
 * a map of members on every heartbeat would buy nothing: no one else ever sees it.
 */
import { assert } from '../../common/assert.js';
import type { WireError } from '../../common/kafka-errors.js';
import { type GroupMember, metadataFor, newMember, type PendingMember } from './group-member.js';
import type { DeleteGroupRequest } from './group-requests.js';
import { type CommittedOffset, TxnOffsets } from './group-txn-state.js';
import type { GroupProtocol, JoinGroupMember, JoinGroupRequest } from './membership-requests.js';
import type { OffsetCommitRequest } from './offset-requests.js';
import type { GroupMetadataValue, OffsetCommitValue } from './offsets-topic-records.js';
import type { TxnOffsetCommitRequest } from './txn-offset-requests.js';

/**
 * An offset commit being written: an OffsetCommit's, or a TxnOffsetCommit's (whose offsets then
 * become pending offsets of the producer's transaction).
 *
 * @example
 * ```ts
 * const { request, values } = group.pendingCommits.get(ticket)!;
 * ```
 */
export interface PendingCommit {
  readonly request: OffsetCommitRequest | TxnOffsetCommitRequest;
  readonly values: readonly (OffsetCommitValue & { topic: string; partition: number })[];
  /** Per partition of the request: an error found before writing (too long metadata), or null. */
  readonly errors: readonly (WireError | null)[];
}

/**
 * A consumer group's state.
 *
 * @example
 * ```ts
 * const group = new GroupState('orders-app');
 * group.addMember(member);
 * const protocol = group.selectProtocol();
 * ```
 */
export class GroupState {
  readonly groupId: string;
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  /** In join order: the leader falls to the oldest member. */
  readonly members = new Map<string, GroupMember>();
  readonly pendingMembers = new Map<string, PendingMember>();
  /** group.instance.id → member id of the static members. */
  readonly staticMembers = new Map<string, string>();
  /** topic → partition → committed offset. */
  readonly offsets = new Map<string, Map<number, CommittedOffset>>();
  /** Offsets of transactions not yet committed or aborted, by producer. */
  readonly txnOffsets = new TxnOffsets();
  /**
   * The position the next stored offset write gets: writes of one group reach the log in the
   * order they complete here, so this orders them as the log does (see group-txn-state.ts).
   */
  nextPosition = 0;
  currentStateTimestampMs = -1;
  /** Whether a member joined during the initial rebalance delay (which then extends it). */
  newMemberAdded = false;
  /** Set when the rebalance must complete with whoever has rejoined (timeout or initial delay). */
  joinDeadlineReached = false;
  /** The leader's assignment while it is being stored. */
  pendingAssignment: Map<string, Uint8Array> | undefined;
  readonly pendingCommits = new Map<number, PendingCommit>();
  /** Joins of replaced static members waiting for the replacement to be stored. */
  readonly pendingStaticJoins = new Map<number, { request: JoinGroupRequest; memberId: string }>();
  /** Deletions waiting for their tombstones to be stored. */
  readonly pendingDeletes = new Map<number, DeleteGroupRequest>();
  /** The host asked this actor to retire while writes were pending: announce it once they finish. */
  retireRequested = false;
  nextTicket = 1;
  /** Why the group died: answers to requests that reach it afterwards depend on it. */
  deadReason: 'deleted' | 'unloaded' | undefined;

  constructor(groupId: string) {
    this.groupId = groupId;
  }

  /** Adds a member; the first member of a group without a leader leads it. */
  addMember(member: GroupMember): void {
    assert(!this.members.has(member.memberId), `member ${member.memberId} is not in the group yet`);
    this.members.set(member.memberId, member);
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId);
    if (this.leaderId === null) this.leaderId = member.memberId;
  }

  /** Removes a member and its timer; a leaving leader hands over to the oldest member. */
  removeMember(memberId: string): GroupMember | undefined {
    const member = this.members.get(memberId);
    if (member === undefined) return undefined;
    member.sessionTimer?.cancel();
    this.members.delete(memberId);
    if (member.groupInstanceId !== null && this.staticMembers.get(member.groupInstanceId) === memberId) {
      this.staticMembers.delete(member.groupInstanceId);
    }
    if (this.leaderId === memberId) this.leaderId = this.members.keys().next().value ?? null;
    return member;
  }

  /** Puts `replacement` in the place of a static member's old incarnation. */
  replaceMember(oldId: string, replacement: GroupMember): void {
    const wasLeader = this.leaderId === oldId;
    this.removeMember(oldId);
    this.addMember(replacement);
    if (wasLeader) this.leaderId = replacement.memberId;
  }

  /** Whether a request naming `groupInstanceId` comes from an instance that another has replaced. */
  isFenced(memberId: string, groupInstanceId: string | null): boolean {
    if (groupInstanceId === null) return false;
    const current = this.staticMembers.get(groupInstanceId);
    return current !== undefined && current !== memberId;
  }

  /** Every member has sent its JoinGroup, and no handed-out member id is still unused. */
  hasAllMembersJoined(): boolean {
    for (const m of this.members.values()) if (m.pendingJoin === undefined) return false;
    return this.pendingMembers.size === 0;
  }

  /** The longest rebalance timeout of the members: how long a rebalance waits for rejoins. */
  rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  /**
   * Whether a member with these protocols may join: the group is empty and the request names a
   * protocol type and at least one protocol, or it has the group's protocol type and shares a
   * protocol with every other member. (Kafka counts the member itself among the others, so a
   * lone member could never change its protocols; here it can.)
   */
  supportsProtocols(protocolType: string, protocols: readonly GroupProtocol[], memberId: string): boolean {
    const others = [...this.members.values()].filter((m) => m.memberId !== memberId);
    if (others.length === 0) return protocolType !== '' && protocols.length > 0;
    if (protocolType !== this.protocolType) return false;
    return protocols.some((p) => others.every((m) => m.protocols.some((q) => q.name === p.name)));
  }

  /**
   * The protocol for the next generation: among the protocols every member supports, the one
   * most members list first (each votes for its most preferred candidate); a tie goes to the
   * candidate the oldest member prefers.
   */
  selectProtocol(): string {
    const members = [...this.members.values()];
    assert(members.length > 0, 'a protocol is chosen only for a group with members');
    const candidates = members[0]!.protocols
      .map((p) => p.name)
      .filter((name) => members.every((m) => m.protocols.some((p) => p.name === name)));
    assert(candidates.length > 0, 'the members of a group share a protocol');
    const votes = new Map<string, number>(candidates.map((c) => [c, 0]));
    for (const m of members) {
      const vote = m.protocols.find((p) => votes.has(p.name))!.name;
      votes.set(vote, votes.get(vote)! + 1);
    }
    let best = candidates[0]!;
    for (const c of candidates) if (votes.get(c)! > votes.get(best)!) best = c;
    return best;
  }

  /** The members with their metadata for the chosen protocol, for the leader's JoinGroup answer. */
  memberMetadata(): JoinGroupMember[] {
    return [...this.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: metadataFor(m, this.protocolName),
    }));
  }

  /** What `__consumer_offsets` stores for this group, with these assignments. */
  toMetadataValue(assignments: ReadonlyMap<string, Uint8Array> | undefined): GroupMetadataValue {
    return {
      protocolType: this.protocolType ?? '',
      generationId: this.generationId,
      protocolName: this.protocolName,
      leaderId: this.leaderId,
      currentStateTimestampMs: this.currentStateTimestampMs,
      members: [...this.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeoutMs: m.rebalanceTimeoutMs,
        sessionTimeoutMs: m.sessionTimeoutMs,
        subscription: metadataFor(m, this.protocolName),
        assignment: assignments?.get(m.memberId) ?? m.assignment,
      })),
    };
  }

  /** Restores a stored group (members come back without timers; the actor starts them). */
  restore(value: GroupMetadataValue): void {
    this.generationId = value.generationId;
    this.protocolType = value.protocolType === '' ? null : value.protocolType;
    this.protocolName = value.protocolName;
    this.currentStateTimestampMs = value.currentStateTimestampMs;
    for (const m of value.members) {
      this.addMember(
        newMember({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          sessionTimeoutMs: m.sessionTimeoutMs,
          rebalanceTimeoutMs: m.rebalanceTimeoutMs,
          protocols:
            value.protocolName === null ? [] : [{ name: value.protocolName, metadata: m.subscription }],
          assignment: m.assignment,
        }),
      );
    }
    this.leaderId =
      value.leaderId !== null && this.members.has(value.leaderId) ? value.leaderId : this.leaderId;
  }

  /** Records a committed offset. */
  setOffset(topic: string, partition: number, value: CommittedOffset): void {
    const byPartition = this.offsets.get(topic) ?? new Map<number, CommittedOffset>();
    this.offsets.set(topic, byPartition);
    byPartition.set(partition, value);
  }

  /** The committed offset of a partition, if any. */
  offsetOf(topic: string, partition: number): CommittedOffset | undefined {
    return this.offsets.get(topic)?.get(partition);
  }

  /** A fresh ticket for a write in flight. */
  ticket(): number {
    return this.nextTicket++;
  }
}
