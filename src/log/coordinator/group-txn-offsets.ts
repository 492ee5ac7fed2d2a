/**
 * A group's part in transactions (KIP-98, KIP-447): TxnOffsetCommit, and the end of a producer's
 * transaction. A TxnOffsetCommit passes OffsetCommit's checks (so a zombie member of an old
 * generation cannot commit offsets in a transaction), is written as the producer's transactional
 * batch, and its offsets wait as the producer's pending offsets. When the transaction's marker is
 * written to the group's `__consumer_offsets` partition, the host tells every group of the
 * partition: on COMMIT the producer's pending offsets become committed, on ABORT they are dropped.
 */
import { InvalidProducerEpochError } from '../../common/transaction-errors.js';
import { replyError } from '../../runtime/actor/index.js';
import type { GroupEnv, GroupPhase } from './group-env.js';
import { commitRefusal, startCommit } from './group-offsets.js';
import type { GroupState } from './group-state.js';
import type { TxnOffsetCommitRequest } from './txn-offset-requests.js';

/**
 * The host's notice to a group that a producer's transaction ended in the group's partition: the
 * marker is written, so the producer's pending offsets are committed or dropped now.
 *
 * @example
 * ```ts
 * actor.send(group.actorId, { type: 'group.txnCompleted', producerId: 7, producerEpoch: 4, marker: 'COMMIT' });
 * ```
 */
export type GroupTxnCompletedEvent = {
  readonly type: 'group.txnCompleted';
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly marker: 'COMMIT' | 'ABORT';
};

/**
 * Handles a TxnOffsetCommit: refuses it as an OffsetCommit would be refused, or as coming from an
 * older epoch of a producer whose newer epoch has offsets pending here (a zombie); otherwise
 * writes the offsets transactionally and answers once they are stored, pending.
 *
 * @example
 * ```ts
 * handleTxnOffsetCommit(env, group, event, 'stable');
 * ```
 */
export function handleTxnOffsetCommit(
  env: GroupEnv,
  group: GroupState,
  req: TxnOffsetCommitRequest,
  phase: GroupPhase,
): void {
  const refusal = commitRefusal(group, req, phase, true) ?? epochRefusal(group, req);
  if (refusal !== undefined) {
    replyError(env.actor, req, refusal);
    return;
  }
  startCommit(env, group, req);
}

/**
 * A producer's transaction ended: on COMMIT its pending offsets become the committed ones, each
 * unless a commit written after it is already there (Kafka's rule, which replay follows too); on
 * ABORT they are dropped. A TxnOffsetCommit still being written is not touched: the producer
 * could not have ended the transaction before it was answered, so it belongs to the next one.
 *
 * @example
 * ```ts
 * completeTxn(group, event.producerId, event.marker);
 * ```
 */
export function completeTxn(group: GroupState, producerId: number, marker: 'COMMIT' | 'ABORT'): void {
  const offsets = group.txnOffsets.take(producerId);
  if (marker === 'ABORT') return;
  for (const { topic, partition, value } of offsets) {
    const current = group.offsetOf(topic, partition);
    if (current === undefined || current.position < value.position) group.setOffset(topic, partition, value);
  }
}

/**
 * A local state log keeps no producer state, so the group fences what it can itself: an older
 * epoch of a producer that has offsets pending here in a newer one.
 */
function epochRefusal(group: GroupState, req: TxnOffsetCommitRequest): Error | undefined {
  const epoch = group.txnOffsets.epochOf(req.producerId);
  if (epoch === undefined || req.producerEpoch >= epoch) return undefined;
  return new InvalidProducerEpochError(
    `group ${group.groupId}: producer ${req.producerId} (${req.transactionalId}) epoch ` +
      `${req.producerEpoch} is older than the epoch ${epoch} of its pending offsets`,
  );
}
