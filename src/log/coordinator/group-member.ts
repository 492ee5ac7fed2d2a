/**
 * A member of a group as the coordinator holds it, with what the coordinator owes it (a pending
 * JoinGroup or SyncGroup answer) and its session timer; and the small rules about members that
 * need no group: a new member, whether two protocol lists are the same, a member's metadata.
 */
import type { TimerHandle } from '../../runtime/actor/clock.js';
import type { GroupProtocol, JoinGroupRequest, SyncGroupRequest } from './membership-requests.js';

const EMPTY = new Uint8Array(0);

/**
 * A member of the group.
 *
 * @example
 * ```ts
 * for (const member of group.members.values()) scheduleSession(env, member);
 * ```
 */
export interface GroupMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocols: readonly GroupProtocol[];
  /** The member's assignment in the current generation (empty until the leader's sync is stored). */
  assignment: Uint8Array;
  /** A JoinGroup waiting for the rebalance to complete. */
  pendingJoin: JoinGroupRequest | undefined;
  /** A SyncGroup waiting for the leader's assignment. */
  pendingSync: SyncGroupRequest | undefined;
  sessionTimer: TimerHandle | undefined;
  /** Bumped whenever the session timer is set again, so an expiry already in flight is ignored. */
  sessionEpoch: number;
}

/**
 * A member id handed out by the first step of a two-step join, not yet used (KIP-394).
 *
 * @example
 * ```ts
 * group.pendingMembers.get(memberId)?.timer.cancel();
 * ```
 */
export interface PendingMember {
  readonly timer: TimerHandle;
  readonly epoch: number;
}

/**
 * The fields a new member starts from.
 *
 * @example
 * ```ts
 * group.addMember(newMember({ memberId, groupInstanceId: null, clientId, clientHost, sessionTimeoutMs,
 *   rebalanceTimeoutMs, protocols } satisfies NewMemberFields));
 * ```
 */
export type NewMemberFields = Pick<
  GroupMember,
  | 'memberId'
  | 'groupInstanceId'
  | 'clientId'
  | 'clientHost'
  | 'sessionTimeoutMs'
  | 'rebalanceTimeoutMs'
  | 'protocols'
> & { assignment?: Uint8Array };

/**
 * A member with no pending requests and no timer yet.
 *
 * @example
 * ```ts
 * group.addMember(newMember({ memberId, groupInstanceId: null, clientId, clientHost, sessionTimeoutMs,
 *   rebalanceTimeoutMs, protocols }));
 * ```
 */
export function newMember(fields: NewMemberFields): GroupMember {
  return {
    ...fields,
    assignment: fields.assignment ?? EMPTY,
    pendingJoin: undefined,
    pendingSync: undefined,
    sessionTimer: undefined,
    sessionEpoch: 0,
  };
}

/**
 * Whether a member's protocols are the same, names and metadata in the same order, as these:
 * a rejoin with the same protocols need not start a rebalance.
 *
 * @example
 * ```ts
 * if (!sameProtocols(member.protocols, request.protocols)) startRebalance();
 * ```
 */
export function sameProtocols(a: readonly GroupProtocol[], b: readonly GroupProtocol[]): boolean {
  return (
    a.length === b.length &&
    a.every((p, i) => p.name === b[i]!.name && Buffer.from(p.metadata).equals(b[i]!.metadata))
  );
}

/**
 * A member's metadata for a protocol (empty if it does not list it).
 *
 * @example
 * ```ts
 * const subscription = metadataFor(member, group.protocolName);
 * ```
 */
export function metadataFor(member: GroupMember, protocolName: string | null): Uint8Array {
  return member.protocols.find((p) => p.name === protocolName)?.metadata ?? EMPTY;
}
