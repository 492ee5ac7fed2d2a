/**
 * The group coordinator's part in transactions (KIP-98, KIP-447): TxnOffsetCommit from a
 * transactional producer, and the COMMIT or ABORT marker a transaction coordinator sends for a
 * `__consumer_offsets` partition that took part in a transaction.
 */
import type { RpcRequest } from '../../runtime/actor/index.js';
import type { OffsetCommitParams } from './offset-requests.js';

/**
 * TxnOffsetCommit: offsets the producer's open transaction commits for a group. The group checks
 * the generation and member id (KIP-447: a member of an old generation is fenced with
 * ILLEGAL_GENERATION or UNKNOWN_MEMBER_ID), writes them to its `__consumer_offsets` partition as
 * transactional records of the producer, and keeps them pending: they become the committed offsets
 * when the transaction's COMMIT marker arrives, and vanish on ABORT. Answered like an
 * OffsetCommit (`OffsetCommitResult`). `generationId` -1 with an empty `memberId` skips the
 * member check, as for a producer outside group management.
 *
 * @example
 * ```ts
 * await rpc.call<OffsetCommitResult>(broker, { type: 'group.txnOffsetCommit', groupId: 'app',
 *   transactionalId: 'app-1', producerId: 7, producerEpoch: 3, generationId: 5, memberId, groupInstanceId: null,
 *   offsets: [{ topic: 'orders', partition: 0, offset: 42, leaderEpoch: -1, metadata: '' }] }, 5000);
 * ```
 */
export type TxnOffsetCommitRequest = RpcRequest & {
  readonly type: 'group.txnOffsetCommit';
  readonly transactionalId: string;
  readonly producerId: number;
  readonly producerEpoch: number;
} & OffsetCommitParams;

/**
 * A transaction marker for one `__consumer_offsets` partition, as the broker hands a
 * WriteTxnMarkers request for that topic to its group coordinator host. The host appends the
 * control batch through the partition's state log, then every group of the partition applies
 * (COMMIT) or drops (ABORT) the producer's pending offsets. Answered `WriteTxnMarkerResult` once
 * the marker is committed.
 *
 * @example
 * ```ts
 * system.send(undefined, 'broker-1/group-coordinator', { type: 'group.txnMarker', partition: 3,
 *   producerId: 7, producerEpoch: 4, coordinatorEpoch: 2, marker: 'COMMIT', timeoutMs: 5000, correlationId, replyTo });
 * ```
 */
export type GroupTxnMarkerRequest = RpcRequest & {
  readonly type: 'group.txnMarker';
  /** The `__consumer_offsets` partition. */
  readonly partition: number;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly coordinatorEpoch: number;
  readonly marker: 'COMMIT' | 'ABORT';
  readonly timeoutMs: number;
};
