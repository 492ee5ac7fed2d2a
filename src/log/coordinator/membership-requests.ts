/**
 * The membership requests of Kafka's classic group protocol and their answers: JoinGroup,
 * SyncGroup, Heartbeat and LeaveGroup, as RPC events between actors. Send them to the coordinator
 * host of the broker that leads the group's `__consumer_offsets` partition (see
 * `partitionForGroup`); it forwards them to the group's own actor, which replies to `replyTo`.
 * Errors come back as Kafka's (UnknownMemberIdError, IllegalGenerationError,
 * RebalanceInProgressError, FencedInstanceIdError, NotCoordinatorError …).
 */
import type { WireError } from '../../common/kafka-errors.js';
import type { RpcRequest } from '../../runtime/actor/index.js';

/**
 * One protocol a member can speak (for consumers: an assignor and its subscription bytes).
 *
 * @example
 * ```ts
 * const protocol: GroupProtocol = { name: 'range', metadata: encodeSubscription(subscription) };
 * ```
 */
export interface GroupProtocol {
  readonly name: string;
  readonly metadata: Uint8Array;
}

/**
 * The fields of a JoinGroup request.
 *
 * @example
 * ```ts
 * const result = await rpc.call<JoinGroupResult>(host, { type: 'group.join', ...params }, 40_000);
 * ```
 */
export type JoinGroupParams = {
  readonly groupId: string;
  /** Empty for a member's first join. */
  readonly memberId: string;
  /** group.instance.id of a static member (KIP-345), or null. */
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  /** `consumer` for consumers; every member of a group must use the same. */
  readonly protocolType: string;
  /** In order of preference. */
  readonly protocols: readonly GroupProtocol[];
  /**
   * Whether a first join (empty member id) gets a member id to join again with rather than
   * joining at once (KIP-394, JoinGroup v4+). Default true; only old wire clients send false.
   */
  readonly requireKnownMemberId?: boolean;
  readonly reason?: string;
};

/**
 * A member as the leader sees it in the JoinGroup response.
 *
 * @example
 * ```ts
 * for (const m of joined.members) console.log(m.memberId, decodeSubscription(m.metadata).topics);
 * ```
 */
export interface JoinGroupMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  /** The member's metadata for the chosen protocol. */
  readonly metadata: Uint8Array;
}

/**
 * The answer to a JoinGroup. `memberIdRequired` is the first step of KIP-394's two-step join:
 * not a failure but an instruction carrying data (the member id to join with), which Kafka sends
 * as error MEMBER_ID_REQUIRED with the id in the response; it is a result here because an RPC
 * error carries no data.
 *
 * @example
 * ```ts
 * if (result.outcome === 'memberIdRequired') return join({ ...params, memberId: result.memberId });
 * ```
 */
export type JoinGroupResult =
  | {
      readonly outcome: 'joined';
      readonly generationId: number;
      readonly protocolType: string;
      readonly protocolName: string;
      readonly leader: string;
      readonly memberId: string;
      /**
       * True for a static leader that rejoined without a rebalance (KIP-814): it gets the members
       * but must not assign again; it syncs to fetch its existing assignment.
       */
      readonly skipAssignment: boolean;
      /** Every member with its metadata, for the leader; empty for the others. */
      readonly members: readonly JoinGroupMember[];
    }
  | { readonly outcome: 'memberIdRequired'; readonly memberId: string };

/**
 * The fields of a SyncGroup request.
 *
 * @example
 * ```ts
 * await rpc.call<SyncGroupResult>(host, { type: 'group.sync', ...params }, 40_000);
 * ```
 */
export type SyncGroupParams = {
  readonly groupId: string;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly generationId: number;
  /** If given, must match the group's (SyncGroup v5+). */
  readonly protocolType?: string | null;
  readonly protocolName?: string | null;
  /** The leader's assignment for each member; empty from the others. */
  readonly assignments: readonly { readonly memberId: string; readonly assignment: Uint8Array }[];
};

/**
 * The answer to a SyncGroup: this member's assignment.
 *
 * @example
 * ```ts
 * const { partitions } = decodeAssignment(result.assignment);
 * ```
 */
export interface SyncGroupResult {
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  readonly assignment: Uint8Array;
}

/**
 * The fields of a Heartbeat request.
 *
 * @example
 * ```ts
 * await rpc.call(host, { type: 'group.heartbeat', groupId, memberId, groupInstanceId: null, generationId }, 5000);
 * ```
 */
export type HeartbeatParams = {
  readonly groupId: string;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly generationId: number;
};

/**
 * The fields of a LeaveGroup request (v3+: several members at once).
 *
 * @example
 * ```ts
 * await rpc.call(host, { type: 'group.leave', groupId, members: [{ memberId, groupInstanceId: null }] }, 5000);
 * ```
 */
export type LeaveGroupParams = {
  readonly groupId: string;
  readonly members: readonly {
    readonly memberId: string;
    readonly groupInstanceId: string | null;
    readonly reason?: string;
  }[];
};

/**
 * The answer to a LeaveGroup: an error or null for each member, in request order.
 *
 * @example
 * ```ts
 * const failed = result.members.filter((m) => m.error !== null);
 * ```
 */
export interface LeaveGroupResult {
  readonly members: readonly {
    readonly memberId: string;
    readonly groupInstanceId: string | null;
    readonly error: WireError | null;
  }[];
}

/**
 * A JoinGroup request.
 *
 * @example
 * ```ts
 * on: { 'group.join': { actions: ({ event }) => handle(event satisfies JoinGroupRequest) } }
 * ```
 */
export type JoinGroupRequest = RpcRequest & { readonly type: 'group.join' } & JoinGroupParams;

/**
 * A SyncGroup request.
 *
 * @example
 * ```ts
 * on: { 'group.sync': { actions: ({ event }) => handle(event satisfies SyncGroupRequest) } }
 * ```
 */
export type SyncGroupRequest = RpcRequest & { readonly type: 'group.sync' } & SyncGroupParams;

/**
 * A Heartbeat request.
 *
 * @example
 * ```ts
 * on: { 'group.heartbeat': { actions: ({ event }) => handle(event satisfies HeartbeatRequest) } }
 * ```
 */
export type HeartbeatRequest = RpcRequest & { readonly type: 'group.heartbeat' } & HeartbeatParams;

/**
 * A LeaveGroup request.
 *
 * @example
 * ```ts
 * on: { 'group.leave': { actions: ({ event }) => handle(event satisfies LeaveGroupRequest) } }
 * ```
 */
export type LeaveGroupRequest = RpcRequest & { readonly type: 'group.leave' } & LeaveGroupParams;
