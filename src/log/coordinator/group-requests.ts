/**
 * The administrative requests of the group coordinator (DescribeGroups, ListGroups, DeleteGroups)
 * and the union of every request that names a group, which the host routes to the group's actor
 * (TxnOffsetCommit among them; a transaction marker names a partition, and the host handles it).
 */
import type { RpcRequest } from '../../runtime/actor/index.js';
import type {
  HeartbeatRequest,
  JoinGroupRequest,
  LeaveGroupRequest,
  SyncGroupRequest,
} from './membership-requests.js';
import type { OffsetCommitRequest, OffsetFetchRequest } from './offset-requests.js';
import type { TxnOffsetCommitRequest } from './txn-offset-requests.js';

/**
 * A group's state as Kafka names it.
 *
 * @example
 * ```ts
 * const state: GroupStateName = description.state; // 'Stable'
 * ```
 */
export type GroupStateName = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

/**
 * The answer to a DescribeGroups for one group.
 *
 * @example
 * ```ts
 * const { state, members } = await rpc.call<GroupDescription>(host, { type: 'group.describe', groupId }, 5000);
 * ```
 */
export interface GroupDescription {
  readonly groupId: string;
  readonly state: GroupStateName;
  readonly protocolType: string;
  readonly protocolName: string;
  readonly generationId: number;
  readonly leader: string | null;
  /** Metadata and assignment are filled only when the group is Stable, as in Kafka. */
  readonly members: readonly {
    readonly memberId: string;
    readonly groupInstanceId: string | null;
    readonly clientId: string;
    readonly clientHost: string;
    readonly metadata: Uint8Array;
    readonly assignment: Uint8Array;
  }[];
}

/**
 * The answer to a ListGroups.
 *
 * @example
 * ```ts
 * const { groups } = await rpc.call<ListGroupsResult>(host, { type: 'group.list' }, 5000);
 * ```
 */
export interface ListGroupsResult {
  readonly groups: readonly {
    readonly groupId: string;
    readonly protocolType: string;
    readonly state: GroupStateName;
  }[];
}

/**
 * A DescribeGroups request for one group.
 *
 * @example
 * ```ts
 * await rpc.call<GroupDescription>(host, { type: 'group.describe', groupId: 'orders-app' }, 5000);
 * ```
 */
export type DescribeGroupRequest = RpcRequest & { readonly type: 'group.describe'; readonly groupId: string };

/**
 * A DeleteGroups request for one group (the wire handler fans a batch out).
 *
 * @example
 * ```ts
 * await rpc.call(host, { type: 'group.delete', groupId: 'orders-app' }, 5000);
 * ```
 */
export type DeleteGroupRequest = RpcRequest & { readonly type: 'group.delete'; readonly groupId: string };

/**
 * A ListGroups request, to the host; an empty or missing filter lists every state.
 *
 * @example
 * ```ts
 * await rpc.call<ListGroupsResult>(host, { type: 'group.list', statesFilter: ['Stable'] }, 5000);
 * ```
 */
export type ListGroupsRequest = RpcRequest & {
  readonly type: 'group.list';
  readonly statesFilter?: readonly GroupStateName[];
};

/**
 * Every request that names a group, which the host routes to the group's actor.
 *
 * @example
 * ```ts
 * if (GROUP_REQUEST_TYPES.includes(event.type)) route(event as GroupRequest);
 * ```
 */
export type GroupRequest =
  | JoinGroupRequest
  | SyncGroupRequest
  | HeartbeatRequest
  | LeaveGroupRequest
  | OffsetCommitRequest
  | TxnOffsetCommitRequest
  | OffsetFetchRequest
  | DescribeGroupRequest
  | DeleteGroupRequest;

/**
 * The event types of GroupRequest.
 *
 * @example
 * ```ts
 * if (GROUP_REQUEST_TYPES.includes(event.type)) route(event as GroupRequest);
 * ```
 */
export const GROUP_REQUEST_TYPES: readonly GroupRequest['type'][] = [
  'group.join',
  'group.sync',
  'group.heartbeat',
  'group.leave',
  'group.offsetCommit',
  'group.txnOffsetCommit',
  'group.offsetFetch',
  'group.describe',
  'group.delete',
];
