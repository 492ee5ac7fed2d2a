/**
 * OffsetCommit and OffsetFetch. A commit from a member is accepted only from the current
 * generation (so a member that missed a rebalance cannot overwrite what the new owner of a
 * partition committed), is refused while the new assignment is being handed out, and is allowed
 * during preparingRebalance, where the generation has not moved yet: that is when consumers
 * commit what they processed before giving partitions up. A commit with generation -1 and no
 * member id is a "simple" commit, allowed only while the group has no members. Offsets count
 * as committed once written to `__consumer_offsets`; only then are they answered and fetchable.
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
import { fitsKafkaString } from './kafka-binary.js';
import type {
  FetchedOffset,
  OffsetCommitRequest,
  OffsetCommitResult,
  OffsetFetchRequest,
  OffsetFetchResult,
} from './offset-requests.js';
import { encodeOffsetCommitValue, offsetCommitKey } from './offsets-topic-records.js';

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
  const refusal = commitRefusal(group, req, phase);
  if (refusal !== undefined) {
    replyError(env.actor, req, refusal);
    return;
  }
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
  write(env, records, (error) => ({ type: 'internal.offsetsStored', ticket, error }));
}

/**
 * A commit's write finished: on success its offsets become the committed ones; either way the
 * committer is answered, per partition.
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
    for (const { topic, partition, ...value } of values) group.setOffset(topic, partition, value);
  }
  reply(env.actor, request, commitResult(request, errors, error ?? null));
}

/**
 * Handles an OffsetFetch; partitions without a committed offset come back with offset -1.
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
  if (req.partitions === null) {
    for (const [topic, byPartition] of [...group.offsets].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      for (const [partition, v] of [...byPartition].sort(([a], [b]) => a - b)) {
        offsets.push({
          topic,
          partition,
          offset: v.offset,
          leaderEpoch: v.leaderEpoch,
          metadata: v.metadata,
        });
      }
    }
  } else {
    for (const { topic, partition } of req.partitions) {
      const v = group.offsetOf(topic, partition);
      offsets.push(
        v === undefined
          ? { topic, partition, offset: -1, leaderEpoch: -1, metadata: '' }
          : { topic, partition, offset: v.offset, leaderEpoch: v.leaderEpoch, metadata: v.metadata },
      );
    }
  }
  const result: OffsetFetchResult = { offsets };
  reply(env.actor, req, result);
}

function commitRefusal(group: GroupState, req: OffsetCommitRequest, phase: GroupPhase): Error | undefined {
  if (phase === 'dead') return deadGroupError(group);
  const fromMember = req.generationId >= 0 || req.memberId !== '' || req.groupInstanceId !== null;
  if (!fromMember) {
    return phase === 'empty'
      ? undefined
      : new UnknownMemberIdError(`group ${group.groupId} has members: commit as one of them`);
  }
  const refusal = memberRefusal(group, req.memberId, req.groupInstanceId, req.generationId, phase);
  if (refusal !== undefined) return refusal;
  if (phase === 'completingRebalance') {
    return new RebalanceInProgressError(`group ${group.groupId} is handing out a new assignment`);
  }
  return undefined;
}

function commitResult(
  req: OffsetCommitRequest,
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
 * could land before them and the offsets outlive the group).
 *
 * @example
 * ```ts
 * if (group.pendingCommits.size > 0) replyError(env.actor, request, commitsInFlightError(group));
 * ```
 */
export function commitsInFlightError(group: GroupState): Error {
  return new CoordinatorNotAvailableError(`group ${group.groupId} has offset commits being written`);
}
