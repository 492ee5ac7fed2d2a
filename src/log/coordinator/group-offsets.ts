/**
 * OffsetCommit and OffsetFetch. A commit from a member is accepted only from the current
 * generation (so a member that missed a rebalance cannot overwrite what the new owner of a
 * partition committed), is refused while the new assignment is being handed out, and is allowed
 * during preparingRebalance, where the generation has not moved yet: that is when consumers
 * commit what they processed before giving partitions up. A commit with generation -1 and no
 * member id is a "simple" commit, allowed only while the group has no members. Offsets count
 * as committed once written to `__consumer_offsets`; only then are they answered and fetchable.
 * A TxnOffsetCommit goes through the same checks and the same write, as its producer's
 * transactional batch, and its offsets stay pending until the transaction's marker (see
 * group-txn-offsets.ts).
 */
import {
  CoordinatorNotAvailableError,
  InvalidRequestError,
  OffsetMetadataTooLargeError,
  RebalanceInProgressError,
  toWireError,
  UnknownMemberIdError,
  type WireError,
} from '../../common/kafka-errors.js';
import { UnstableOffsetCommitError } from '../../common/transaction-errors.js';
import { reply, replyError } from '../../runtime/actor/index.js';
import {
  deadGroupError,
  type GroupEnv,
  type GroupPhase,
  memberRefusal,
  scheduleSession,
  write,
} from './group-env.js';
import type { GroupState } from './group-state.js';
import { type CommittedOffset, tpKey } from './group-txn-state.js';
import { fitsKafkaString } from './kafka-binary.js';
import type {
  FetchedOffset,
  OffsetCommitParams,
  OffsetCommitRequest,
  OffsetCommitResult,
  OffsetFetchRequest,
  OffsetFetchResult,
} from './offset-requests.js';
import { encodeOffsetCommitValue, offsetCommitKey } from './offsets-topic-records.js';
import type { TxnOffsetCommitRequest } from './txn-offset-requests.js';

/**
 * Handles an OffsetCommit: refuses it, or writes the offsets and answers once they are stored.
 *
 * @example
 * ```ts
 * handleOffsetCommit(env, group, event, 'stable');
 * ```
 */
export function handleOffsetCommit(
  env: GroupEnv,
  group: GroupState,
  req: OffsetCommitRequest,
  phase: GroupPhase,
): void {
  const refusal = commitRefusal(group, req, phase, false);
  if (refusal !== undefined) {
    replyError(env.actor, req, refusal);
    return;
  }
  startCommit(env, group, req);
}

/**
 * Writes an accepted OffsetCommit's or TxnOffsetCommit's offsets: partitions with bad input are
 * answered with their error, the others written as one batch (the producer's transactional batch
 * for a TxnOffsetCommit), and the request is answered once they are stored (`onOffsetsStored`).
 *
 * @example
 * ```ts
 * if (commitRefusal(group, req, phase, true) === undefined) startCommit(env, group, req);
 * ```
 */
export function startCommit(
  env: GroupEnv,
  group: GroupState,
  req: OffsetCommitRequest | TxnOffsetCommitRequest,
): void {
  const member = group.members.get(req.memberId);
  if (member !== undefined) scheduleSession(env, member);
  const nowMs = env.actor.clock.nowMs();
  const max = env.config.offsetMetadataMaxBytes;
  const errors = req.offsets.map(({ topic, partition, metadata }) => {
    if (!fitsKafkaString(topic)) return toWireError(new InvalidRequestError('a topic name is too long'));
    if (Buffer.byteLength(metadata, 'utf8') <= max) return null;
    return toWireError(
      new OffsetMetadataTooLargeError(`metadata of ${topic}-${partition} is over ${max} bytes`),
    );
  });
  const values = req.offsets
    .filter((_, i) => errors[i] === null)
    .map((o) => ({
      topic: o.topic,
      partition: o.partition,
      offset: o.offset,
      leaderEpoch: o.leaderEpoch,
      metadata: o.metadata,
      commitTimestampMs: nowMs,
    }));
  if (values.length === 0) {
    reply(env.actor, req, commitResult(req, errors, null));
    return;
  }
  const records = values.map((v) => ({
    key: offsetCommitKey(group.groupId, v.topic, v.partition),
    value: encodeOffsetCommitValue(v),
  }));
  const ticket = group.ticket();
  group.pendingCommits.set(ticket, { request: req, values, errors });
  const transaction =
    req.type === 'group.txnOffsetCommit'
      ? { producerId: req.producerId, producerEpoch: req.producerEpoch }
      : undefined;
  write(env, records, (error) => ({ type: 'internal.offsetsStored', ticket, error }), transaction);
}

/**
 * A commit's write finished: on success an OffsetCommit's offsets become the committed ones and a
 * TxnOffsetCommit's the pending ones of its producer; either way the committer is answered, per
 * partition.
 *
 * @example
 * ```ts
 * onOffsetsStored(env, group, event.ticket, event.error);
 * ```
 */
export function onOffsetsStored(
  env: GroupEnv,
  group: GroupState,
  ticket: number,
  error: WireError | undefined,
): void {
  const pending = group.pendingCommits.get(ticket);
  if (pending === undefined) return;
  group.pendingCommits.delete(ticket);
  const { request, values, errors } = pending;
  if (error === undefined) {
    // One batch, one position: as Kafka orders offsets by the batch's base offset.
    const position = group.nextPosition++;
    const txn = request.type === 'group.txnOffsetCommit' ? request : undefined;
    for (const v of values) {
      const value: CommittedOffset = {
        offset: v.offset,
        leaderEpoch: v.leaderEpoch,
        metadata: v.metadata,
        commitTimestampMs: v.commitTimestampMs,
        position,
      };
      if (txn === undefined) group.setOffset(v.topic, v.partition, value);
      else group.txnOffsets.add(txn.producerId, txn.producerEpoch, v.topic, v.partition, value);
    }
  }
  reply(env.actor, request, commitResult(request, errors, error ?? null));
}

/**
 * Handles an OffsetFetch; partitions without a committed offset come back with offset -1. Pending
 * transactional offsets are never returned; with `requireStable`, a partition that has some (or a
 * TxnOffsetCommit being written) is answered UNSTABLE_OFFSET_COMMIT instead of its committed
 * offset, which the open transaction may be about to replace (KIP-447).
 *
 * @example
 * ```ts
 * handleOffsetFetch(env, group, event, 'stable');
 * ```
 */
export function handleOffsetFetch(
  env: GroupEnv,
  group: GroupState,
  req: OffsetFetchRequest,
  phase: GroupPhase,
): void {
  if (phase === 'dead' && group.deadReason === 'unloaded') {
    replyError(env.actor, req, deadGroupError(group));
    return;
  }
  const offsets: FetchedOffset[] = [];
  const unstable = req.requireStable === true ? unstablePartitions(group) : undefined;
  const fetched = (topic: string, partition: number, v: CommittedOffset | undefined): FetchedOffset => {
    if (unstable?.has(tpKey(topic, partition))) {
      const error = toWireError(
        new UnstableOffsetCommitError(
          `group ${group.groupId} has offsets of ${topic}-${partition} in a transaction still open`,
        ),
      );
      return { topic, partition, offset: -1, leaderEpoch: -1, metadata: '', error };
    }
    return v === undefined
      ? { topic, partition, offset: -1, leaderEpoch: -1, metadata: '' }
      : { topic, partition, offset: v.offset, leaderEpoch: v.leaderEpoch, metadata: v.metadata };
  };
  if (req.partitions === null) {
    for (const [topic, byPartition] of [...group.offsets].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      for (const [partition, v] of [...byPartition].sort(([a], [b]) => a - b)) {
        offsets.push(fetched(topic, partition, v));
      }
    }
  } else {
    for (const { topic, partition } of req.partitions) {
      offsets.push(fetched(topic, partition, group.offsetOf(topic, partition)));
    }
  }
  const result: OffsetFetchResult = { offsets };
  reply(env.actor, req, result);
}

/**
 * Why a commit is refused, if it is. A member's commit must come from the group's current
 * generation (KIP-447 holds a transactional one to the same: a member of an old generation cannot
 * commit offsets in a transaction either). A commit naming no member (generation -1) is allowed
 * only while the group is empty, except a transactional one, which older TxnOffsetCommit versions
 * send without member or generation. Nobody commits while the new assignment is handed out.
 *
 * @example
 * ```ts
 * const refusal = commitRefusal(group, req, phase, req.type === 'group.txnOffsetCommit');
 * ```
 */
export function commitRefusal(
  group: GroupState,
  req: OffsetCommitParams,
  phase: GroupPhase,
  transactional: boolean,
): Error | undefined {
  if (phase === 'dead') return deadGroupError(group);
  const fromMember = req.generationId >= 0 || req.memberId !== '' || req.groupInstanceId !== null;
  if (fromMember) {
    const refusal = memberRefusal(group, req.memberId, req.groupInstanceId, req.generationId, phase);
    if (refusal !== undefined) return refusal;
  } else if (phase === 'empty') {
    return undefined;
  } else if (!transactional) {
    return new UnknownMemberIdError(`group ${group.groupId} has members: commit as one of them`);
  }
  if (phase === 'completingRebalance') {
    return new RebalanceInProgressError(`group ${group.groupId} is handing out a new assignment`);
  }
  return undefined;
}

/** The partitions with pending transactional offsets, or a TxnOffsetCommit being written. */
function unstablePartitions(group: GroupState): Set<string> {
  const keys = new Set<string>();
  for (const txn of group.txnOffsets.byProducer.values()) for (const key of txn.offsets.keys()) keys.add(key);
  for (const { request, values } of group.pendingCommits.values()) {
    if (request.type !== 'group.txnOffsetCommit') continue;
    for (const { topic, partition } of values) keys.add(tpKey(topic, partition));
  }
  return keys;
}

function commitResult(
  req: OffsetCommitParams,
  errors: readonly (WireError | null)[],
  writeError: WireError | null,
): OffsetCommitResult {
  return {
    partitions: req.offsets.map(({ topic, partition }, i) => ({
      topic,
      partition,
      error: errors[i] ?? writeError,
    })),
  };
}

/**
 * The error for deleting a group whose offset commits are still being written (the tombstones
 * could land before them and the offsets outlive the group), or that has offsets of transactions
 * still open (a COMMIT marker after the tombstones would bring them back).
 *
 * @example
 * ```ts
 * if (group.pendingCommits.size > 0) replyError(env.actor, request, commitsInFlightError(group));
 * ```
 */
export function commitsInFlightError(group: GroupState): Error {
  return new CoordinatorNotAvailableError(
    `group ${group.groupId} has offset commits being written or in transactions still open`,
  );
}
