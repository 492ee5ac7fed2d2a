/**
 * The transaction coordinator's decisions as pure functions of (metadata, request, time): each
 * returns the answer for the caller and, when the state changes, the new metadata — which the
 * actor stores in `__transaction_state` before it answers (txn-actor.ts). Kafka's rules (KIP-98,
 * KIP-360, KIP-447, KIP-890 part 2):
 *
 * - InitProducerId maps a transactional id to a producer id and bumps its epoch, fencing earlier
 *   incarnations; an open transaction is first aborted with a bumped epoch (PrepareEpochFence),
 *   the caller being told CONCURRENT_TRANSACTIONS until that is done.
 * - AddPartitions/AddOffsets begin a transaction or extend the open one.
 * - EndTxn bumps the epoch of the ending transaction, so the markers carry an epoch no delayed
 *   request of it can match (KAFKA-17754), and answers with the bumped epoch; a retry of it
 *   (carrying the previous epoch) is answered again and never acted upon twice.
 * - An open transaction past its timeout is aborted with a bumped epoch, fencing its producer.
 * - An epoch that would pass 32766 moves the producer to a fresh producer id at epoch 0.
 */
import { InvalidRequestError, KafkaProtocolError } from '../../../common/kafka-errors.js';
import { plantedBugs } from '../../../common/planted-bugs.js';
import {
  ConcurrentTransactionsError,
  InvalidProducerEpochError,
  InvalidProducerIdMappingError,
  InvalidTransactionTimeoutError,
  InvalidTxnStateError,
  ProducerFencedError,
} from '../../../common/transaction-errors.js';
import { partitionForGroup } from '../group-partition.js';
import { fitsKafkaString } from '../kafka-binary.js';
import { OFFSETS_TOPIC } from '../replica-state-log.js';
import { abortWithFence } from './txn-lifecycle.js';
import {
  currentProducer,
  isComplete,
  isPreparing,
  MAX_PRODUCER_EPOCH,
  mergePartitions,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  previousProducer,
  sameProducer,
  type TopicPartitionRef,
  type TxnMetadata,
} from './txn-metadata.js';
import type {
  AddOffsetsToTxnRequest,
  AddPartitionsToTxnRequest,
  EndTxnRequest,
  InitProducerIdRequest,
  ProducerIdAndEpoch,
} from './txn-requests.js';

/**
 * What a decision needs besides the metadata and the request.
 *
 * @example
 * ```ts
 * const env: TxnDecisionEnv = { nowMs: clock.nowMs(), transactionMaxTimeoutMs: 900_000,
 *   offsetsTopicPartitions: 50, newProducerId: () => blocks.allocate() };
 * ```
 */
export interface TxnDecisionEnv {
  readonly nowMs: number;
  readonly transactionMaxTimeoutMs: number;
  readonly offsetsTopicPartitions: number;
  /** A fresh producer id; throws CoordinatorLoadInProgressError while the broker has none at hand. */
  readonly newProducerId: () => number;
}

/**
 * The answer for the caller: a result or an error.
 *
 * @example
 * ```ts
 * if (answer.ok) reply(actor, request, answer.result); else replyError(actor, request, answer.error);
 * ```
 */
export type TxnAnswer =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly error: Error };

/**
 * A decision: answer at once, or store new metadata and answer once it is stored. `fence` marks
 * the store of an abort the coordinator began itself (PrepareEpochFence).
 *
 * @example
 * ```ts
 * const d = decideEndTxn(meta, request, env);
 * if (d.kind === 'store') await store(d.next);
 * ```
 */
export type TxnDecision =
  | { readonly kind: 'answer'; readonly answer: TxnAnswer }
  | {
      readonly kind: 'store';
      readonly next: TxnMetadata;
      readonly answer: TxnAnswer;
      readonly fence: boolean;
    };

/** The fields of InitProducerId a decision reads. */
type InitParams = Pick<
  InitProducerIdRequest,
  'transactionalId' | 'transactionTimeoutMs' | 'producerId' | 'producerEpoch'
>;
/** The fields of AddPartitionsToTxn a decision reads. */
type AddPartitionsParams = Pick<
  AddPartitionsToTxnRequest,
  'transactionalId' | 'producerId' | 'producerEpoch' | 'partitions'
>;
/** The fields of AddOffsetsToTxn a decision reads. */
type AddOffsetsParams = Pick<
  AddOffsetsToTxnRequest,
  'transactionalId' | 'producerId' | 'producerEpoch' | 'groupId'
>;
/** The fields of EndTxn a decision reads. */
type EndTxnParams = Pick<EndTxnRequest, 'transactionalId' | 'producerId' | 'producerEpoch' | 'committed'>;

/**
 * The requests that decisions take.
 *
 * @example
 * ```ts
 * const request: TxnDecisionRequest = { type: 'txn.endTxn', transactionalId: 'app-1', producerId: 7, producerEpoch: 0, committed: true };
 * ```
 */
export type TxnDecisionRequest =
  | ({ type: 'txn.initProducerId' } & InitParams)
  | ({ type: 'txn.addPartitions' } & AddPartitionsParams)
  | ({ type: 'txn.addOffsets' } & AddOffsetsParams)
  | ({ type: 'txn.endTxn' } & EndTxnParams);

const ok = (result: unknown): TxnDecision => ({ kind: 'answer', answer: { ok: true, result } });
const fail = (error: Error): TxnDecision => ({ kind: 'answer', answer: { ok: false, error } });
const store = (next: TxnMetadata, result: unknown): TxnDecision => ({
  kind: 'store',
  next,
  answer: { ok: true, result },
  fence: false,
});

/**
 * Decides any request. A protocol error thrown on the way (no producer id at hand) becomes the
 * answer; anything else is a bug and propagates.
 *
 * @example
 * ```ts
 * const decision = decideTransactionRequest(meta, request, env);
 * ```
 */
export function decideTransactionRequest(
  meta: TxnMetadata | undefined,
  request: TxnDecisionRequest,
  env: TxnDecisionEnv,
): TxnDecision {
  try {
    switch (request.type) {
      case 'txn.initProducerId': {
        const { transactionalId } = request;
        if (transactionalId === null) {
          // An idempotent producer's: the host answers those, they have no state here.
          return fail(
            new InvalidRequestError('InitProducerId without a transactional id has no transaction'),
          );
        }
        return decideInitProducerId(meta, { ...request, transactionalId }, env);
      }
      case 'txn.addPartitions':
        return decideAddPartitions(meta, request, env);
      case 'txn.addOffsets':
        return decideAddPartitions(
          meta,
          { ...request, partitions: [{ topic: OFFSETS_TOPIC, partition: offsetsPartition(request, env) }] },
          env,
        );
      case 'txn.endTxn':
        return decideEndTxn(meta, request, env);
    }
  } catch (err) {
    if (err instanceof KafkaProtocolError) return fail(err);
    throw err;
  }
}

function offsetsPartition(request: AddOffsetsParams, env: TxnDecisionEnv): number {
  if (request.groupId === '' || !fitsKafkaString(request.groupId)) {
    throw new InvalidRequestError(`AddOffsetsToTxn of ${request.transactionalId} names no valid group id`);
  }
  return partitionForGroup(request.groupId, env.offsetsTopicPartitions);
}

/**
 * InitProducerId for a transactional id.
 *
 * @example
 * ```ts
 * decideInitProducerId(undefined, { transactionalId: 'app-1', transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 }, env);
 * ```
 */
export function decideInitProducerId(
  meta: TxnMetadata | undefined,
  request: InitParams & { transactionalId: string },
  env: TxnDecisionEnv,
): TxnDecision {
  const { transactionalId, transactionTimeoutMs: timeoutMs } = request;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0 || timeoutMs > env.transactionMaxTimeoutMs) {
    return fail(
      new InvalidTransactionTimeoutError(
        `transaction timeout ${timeoutMs} ms of ${transactionalId} is not within 1..${env.transactionMaxTimeoutMs} ms (transactionMaxTimeoutMs)`,
      ),
    );
  }
  const now = env.nowMs;
  if (meta === undefined) {
    const producerId = env.newProducerId();
    const next: TxnMetadata = {
      transactionalId,
      producerId,
      producerEpoch: 0,
      lastProducerId: NO_PRODUCER_ID,
      lastProducerEpoch: NO_PRODUCER_EPOCH,
      nextProducerId: NO_PRODUCER_ID,
      timeoutMs,
      state: 'Empty',
      partitions: [],
      startMs: -1,
      lastUpdateMs: now,
    };
    return store(next, { producerId, producerEpoch: 0 });
  }
  const cur = currentProducer(meta);
  if (request.producerId >= 0) {
    // KIP-360: a producer that knows its id and epoch asks for a bump of exactly those. Stricter
    // than Kafka, an older epoch is refused even while a transaction is open: a zombie must not
    // abort the transaction of the producer that fenced it.
    const given = { producerId: request.producerId, producerEpoch: request.producerEpoch };
    const prev = previousProducer(meta);
    if (meta.state !== 'Ongoing' && prev !== undefined && sameProducer(given, prev)) return ok(cur);
    if (!sameProducer(given, cur)) {
      return fail(
        new ProducerFencedError(
          `${transactionalId}: producer ${given.producerId} epoch ${given.producerEpoch} is not the current ${describe(cur)}`,
        ),
      );
    }
  }
  if (isPreparing(meta.state)) return fail(completing(meta));
  if (meta.state === 'Ongoing') {
    return {
      kind: 'store',
      next: abortWithFence(meta, now),
      answer: {
        ok: false,
        error: new ConcurrentTransactionsError(
          `${transactionalId}: the open transaction of the previous producer is being aborted`,
        ),
      },
      fence: true,
    };
  }
  // Only the producer that asked for its own bump may retry it: a new incarnation (no id given)
  // leaves no previous epoch, or the zombie it fences could take the new epoch by "retrying".
  const retriable = request.producerId >= 0;
  const base = {
    ...meta,
    timeoutMs,
    state: 'Empty' as const,
    partitions: [],
    startMs: -1,
    lastUpdateMs: now,
    nextProducerId: NO_PRODUCER_ID,
    lastProducerEpoch: retriable ? meta.producerEpoch : NO_PRODUCER_EPOCH,
  };
  const next: TxnMetadata =
    meta.producerEpoch + 1 > MAX_PRODUCER_EPOCH
      ? {
          ...base,
          producerId: env.newProducerId(),
          producerEpoch: 0,
          lastProducerId: retriable ? meta.producerId : NO_PRODUCER_ID,
        }
      : { ...base, producerEpoch: meta.producerEpoch + 1, lastProducerId: NO_PRODUCER_ID };
  return store(next, currentProducer(next));
}

/**
 * AddPartitionsToTxn (and AddOffsetsToTxn, as the group's `__consumer_offsets` partition).
 *
 * @example
 * ```ts
 * decideAddPartitions(meta, { transactionalId: 'app-1', producerId: 7, producerEpoch: 0,
 *   partitions: [{ topic: 'orders', partition: 0 }] }, env);
 * ```
 */
export function decideAddPartitions(
  meta: TxnMetadata | undefined,
  request: AddPartitionsParams,
  env: TxnDecisionEnv,
): TxnDecision {
  const refusal = checkProducer(meta, request);
  if (refusal !== undefined) return fail(refusal);
  const m = meta as TxnMetadata;
  if (isPreparing(m.state)) return fail(completing(m));
  const invalid = invalidPartitions(request.partitions);
  if (invalid !== undefined) return fail(new InvalidRequestError(`${request.transactionalId}: ${invalid}`));
  const now = env.nowMs;
  if (m.state === 'Ongoing') {
    const partitions = mergePartitions(m.partitions, request.partitions);
    if (partitions.length === m.partitions.length) return ok({});
    return store({ ...m, partitions, lastUpdateMs: now }, {});
  }
  return store(
    {
      ...m,
      state: 'Ongoing',
      partitions: mergePartitions([], request.partitions),
      startMs: now,
      lastUpdateMs: now,
    },
    {},
  );
}

/**
 * EndTxn: commit or abort the open transaction.
 *
 * @example
 * ```ts
 * decideEndTxn(meta, { transactionalId: 'app-1', producerId: 7, producerEpoch: 0, committed: true }, env);
 * ```
 */
export function decideEndTxn(
  meta: TxnMetadata | undefined,
  request: EndTxnParams,
  env: TxnDecisionEnv,
): TxnDecision {
  const outcome = request.committed ? 'Commit' : 'Abort';
  const given = { producerId: request.producerId, producerEpoch: request.producerEpoch };
  const prev = meta === undefined ? undefined : previousProducer(meta);
  if (meta !== undefined && prev !== undefined && (isPreparing(meta.state) || isComplete(meta.state))) {
    if (sameProducer(given, prev)) {
      // A retry of the EndTxn that ended this transaction: answered again, never acted upon again.
      if (meta.state.endsWith(outcome)) return ok(currentProducer(meta));
      return fail(
        new InvalidTxnStateError(
          `${meta.transactionalId} is ${meta.state}; an ${outcome.toLowerCase()} of the same transaction cannot follow`,
        ),
      );
    }
  }
  const refusal = checkProducer(meta, { transactionalId: request.transactionalId, ...given });
  if (refusal !== undefined) return fail(refusal);
  const m = meta as TxnMetadata;
  switch (m.state) {
    case 'Ongoing':
      return prepareEnd(m, outcome, env);
    case 'PrepareCommit':
    case 'PrepareAbort':
      if (m.state.endsWith(outcome)) return fail(completing(m));
      return fail(
        new InvalidTxnStateError(`${m.transactionalId} is ${m.state}; it cannot ${outcome.toLowerCase()}`),
      );
    default:
      return fail(
        new InvalidTxnStateError(
          `${m.transactionalId} has no open transaction (${m.state}) to ${outcome.toLowerCase()}`,
        ),
      );
  }
}

/** Ongoing → Prepare*, with the epoch bumped (KIP-890) and a fresh id if that exhausts the old one. */
function prepareEnd(meta: TxnMetadata, outcome: 'Commit' | 'Abort', env: TxnDecisionEnv): TxnDecision {
  const bumped = meta.producerEpoch + 1;
  const next: TxnMetadata = {
    ...meta,
    state: outcome === 'Commit' ? 'PrepareCommit' : 'PrepareAbort',
    producerEpoch: bumped,
    lastProducerId: NO_PRODUCER_ID,
    lastProducerEpoch: meta.producerEpoch,
    nextProducerId: bumped > MAX_PRODUCER_EPOCH ? env.newProducerId() : NO_PRODUCER_ID,
    lastUpdateMs: env.nowMs,
  };
  return store(next, currentProducer(next));
}

/** Why a request naming a producer id and epoch is refused, if it is. */
function checkProducer(
  meta: TxnMetadata | undefined,
  request: { transactionalId: string; producerId: number; producerEpoch: number },
): Error | undefined {
  const { transactionalId, producerId, producerEpoch } = request;
  if (meta === undefined) {
    return new InvalidProducerIdMappingError(`${transactionalId} has no producer id`);
  }
  const cur = currentProducer(meta);
  if (producerId !== cur.producerId) {
    return new InvalidProducerIdMappingError(
      `${transactionalId} has producer id ${cur.producerId}, not ${producerId}`,
    );
  }
  // Negative-control switch (common/planted-bugs.ts): a fenced zombie's epoch is accepted.
  if (plantedBugs.skipProducerFencing && producerEpoch < cur.producerEpoch) return undefined;
  if (producerEpoch < cur.producerEpoch) {
    return new ProducerFencedError(
      `${transactionalId}: producer ${producerId} epoch ${producerEpoch} was fenced by epoch ${cur.producerEpoch}`,
    );
  }
  if (producerEpoch > cur.producerEpoch) {
    return new InvalidProducerEpochError(
      `${transactionalId}: producer ${producerId} epoch ${producerEpoch} is newer than the coordinator's ${cur.producerEpoch}`,
    );
  }
  return undefined;
}

function invalidPartitions(partitions: readonly TopicPartitionRef[]): string | undefined {
  if (!Array.isArray(partitions) || partitions.length === 0) return 'no partitions to add';
  for (const { topic, partition } of partitions) {
    if (typeof topic !== 'string' || topic === '' || !fitsKafkaString(topic)) {
      return `topic ${JSON.stringify(topic)} is not a valid topic name`;
    }
    if (!Number.isInteger(partition) || partition < 0 || partition > 2 ** 31 - 1) {
      return `partition ${partition} of ${topic} is not a partition number`;
    }
  }
  return undefined;
}

function completing(meta: TxnMetadata): Error {
  return new ConcurrentTransactionsError(
    `${meta.transactionalId} is completing its transaction (${meta.state})`,
  );
}

function describe(p: ProducerIdAndEpoch): string {
  return `producer ${p.producerId} epoch ${p.producerEpoch}`;
}
