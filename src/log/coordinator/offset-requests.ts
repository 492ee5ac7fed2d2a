/**
 * OffsetCommit and OffsetFetch requests and their answers, as RPC events between actors, sent
 * like the membership requests to the group's coordinator host.
 */
import type { WireError } from '../../common/kafka-errors.js';
import type { RpcRequest } from '../../runtime/actor/index.js';

/**
 * A partition of a topic.
 *
 * @example
 * ```ts
 * const tp: GroupTopicPartition = { topic: 'orders', partition: 0 };
 * ```
 */
export interface GroupTopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/**
 * The fields of an OffsetCommit request.
 *
 * @example
 * ```ts
 * await rpc.call(host, { type: 'group.offsetCommit', groupId, generationId, memberId, groupInstanceId: null,
 *   offsets: [{ topic: 'orders', partition: 0, offset: 42, leaderEpoch: -1, metadata: '' }] }, 5000);
 * ```
 */
export type OffsetCommitParams = {
  readonly groupId: string;
  /** -1 (with an empty member id) for a commit outside group management. */
  readonly generationId: number;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly offsets: readonly (GroupTopicPartition & {
    readonly offset: number;
    readonly leaderEpoch: number;
    readonly metadata: string;
  })[];
};

/**
 * The answer to an OffsetCommit: an error or null for each partition, in request order.
 *
 * @example
 * ```ts
 * const failed = result.partitions.filter((p) => p.error !== null);
 * ```
 */
export interface OffsetCommitResult {
  readonly partitions: readonly (GroupTopicPartition & { readonly error: WireError | null })[];
}

/**
 * The fields of an OffsetFetch request; null partitions fetches every committed offset.
 *
 * @example
 * ```ts
 * await rpc.call<OffsetFetchResult>(host, { type: 'group.offsetFetch', groupId, partitions: null,
 *   requireStable: true }, 5000);
 * ```
 */
export type OffsetFetchParams = {
  readonly groupId: string;
  readonly partitions: readonly GroupTopicPartition[] | null;
  /**
   * Kafka's require_stable (KIP-447), set by read_committed consumers: a partition with offsets
   * of a transaction still open is answered UNSTABLE_OFFSET_COMMIT (retriable) rather than with
   * the committed offset the transaction may be about to replace.
   */
  readonly requireStable?: boolean;
};

/**
 * A committed offset as fetched; offset -1 means none is committed.
 *
 * @example
 * ```ts
 * if (fetched.error !== undefined) throw fromWireError(fetched.error); // UNSTABLE_OFFSET_COMMIT: retry
 * const position = fetched.offset >= 0 ? fetched.offset : resetPosition(fetched);
 * ```
 */
export interface FetchedOffset extends GroupTopicPartition {
  readonly offset: number;
  readonly leaderEpoch: number;
  readonly metadata: string;
  /**
   * Present only when the partition's offset cannot be answered: UNSTABLE_OFFSET_COMMIT for a
   * `requireStable` fetch while a transaction's offsets for it are pending (offset is -1 then).
   */
  readonly error?: WireError;
}

/**
 * The answer to an OffsetFetch.
 *
 * @example
 * ```ts
 * for (const o of result.offsets) if (o.offset >= 0) seek(o.topic, o.partition, o.offset);
 * ```
 */
export interface OffsetFetchResult {
  readonly offsets: readonly FetchedOffset[];
}

/**
 * An OffsetCommit request.
 *
 * @example
 * ```ts
 * on: { 'group.offsetCommit': { actions: ({ event }) => handle(event satisfies OffsetCommitRequest) } }
 * ```
 */
export type OffsetCommitRequest = RpcRequest & { readonly type: 'group.offsetCommit' } & OffsetCommitParams;

/**
 * An OffsetFetch request.
 *
 * @example
 * ```ts
 * on: { 'group.offsetFetch': { actions: ({ event }) => handle(event satisfies OffsetFetchRequest) } }
 * ```
 */
export type OffsetFetchRequest = RpcRequest & { readonly type: 'group.offsetFetch' } & OffsetFetchParams;
