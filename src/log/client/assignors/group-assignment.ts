/**
 * The leader's part of a rebalance: decode the members' subscriptions from the JoinGroup answer,
 * run the chosen assignor, and encode each member's assignment for SyncGroup.
 */
import { InconsistentGroupProtocolError } from '../../../common/kafka-errors.js';
import { decodeSubscription, encodeAssignment } from './consumer-protocol.js';
import { cooperativeStickyAssignor } from './cooperative-sticky-assignor.js';
import type { MemberSubscription, PartitionAssignor } from './partition-assignor.js';
import { rangeAssignor } from './range-assignor.js';
import { roundRobinAssignor } from './round-robin-assignor.js';

/**
 * A member as the JoinGroup answer lists it for the leader.
 *
 * @example
 * ```ts
 * const leaderView: GroupMemberMetadata[] = joined.members;
 * ```
 */
export interface GroupMemberMetadata {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly metadata: Uint8Array;
}

/**
 * The built-in assignors by protocol name.
 *
 * @example
 * ```ts
 * const assignor = BUILT_IN_ASSIGNORS.get('cooperative-sticky')!;
 * ```
 */
export const BUILT_IN_ASSIGNORS: ReadonlyMap<string, PartitionAssignor> = new Map(
  [rangeAssignor, roundRobinAssignor, cooperativeStickyAssignor].map((a) => [a.name, a]),
);

/**
 * Decodes the members' subscriptions.
 *
 * @example
 * ```ts
 * const subscriptions = decodeMemberSubscriptions(joinResult.members);
 * ```
 * @throws InvalidRequestError for malformed metadata.
 */
export function decodeMemberSubscriptions(members: readonly GroupMemberMetadata[]): MemberSubscription[] {
  return members.map((m) => {
    const s = decodeSubscription(m.metadata);
    return {
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      topics: s.topics,
      ownedPartitions: s.ownedPartitions,
      generationId: s.generationId,
      userData: s.userData,
    };
  });
}

/**
 * Computes and encodes the group's assignment, as the leader sends it in SyncGroup.
 *
 * @example
 * ```ts
 * const assignments = assignGroup(BUILT_IN_ASSIGNORS.get(joined.protocolName)!, partitionsPerTopic, joined.members);
 * await rpc.call(coordinator, { type: 'group.sync', …, assignments }, 30_000);
 * ```
 * @throws InvalidRequestError for malformed metadata.
 */
export function assignGroup(
  assignor: PartitionAssignor,
  partitionsPerTopic: ReadonlyMap<string, number>,
  members: readonly GroupMemberMetadata[],
): { memberId: string; assignment: Uint8Array }[] {
  const subscriptions = decodeMemberSubscriptions(members);
  if (assignor.assignWithUserData !== undefined) {
    const assignment = assignor.assignWithUserData(partitionsPerTopic, subscriptions);
    return members.map((m) => ({
      memberId: m.memberId,
      assignment: encodeAssignment(assignment.get(m.memberId) ?? { partitions: [], userData: null }),
    }));
  }
  const assignment = assignor.assign(partitionsPerTopic, subscriptions);
  return members.map((m) => ({
    memberId: m.memberId,
    assignment: encodeAssignment({ partitions: assignment.get(m.memberId) ?? [], userData: null }),
  }));
}

/**
 * The assignor of a protocol name: `custom` when it has that name (an application's own assignor,
 * such as the streams assignor), else the built-in one.
 *
 * @example
 * ```ts
 * const assignor = assignorFor(joined.protocolName);
 * ```
 * @throws InconsistentGroupProtocolError for a name no built-in assignor has.
 */
export function assignorFor(protocolName: string, custom?: PartitionAssignor): PartitionAssignor {
  if (custom !== undefined && custom.name === protocolName) return custom;
  const assignor = BUILT_IN_ASSIGNORS.get(protocolName);
  if (assignor === undefined) {
    throw new InconsistentGroupProtocolError(
      `no assignor named ${protocolName}; the built-in ones are ${[...BUILT_IN_ASSIGNORS.keys()].join(', ')}`,
    );
  }
  return assignor;
}
