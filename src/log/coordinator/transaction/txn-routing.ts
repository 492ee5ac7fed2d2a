/**
 * How a transaction coordinator host answers a request: an idempotent producer's InitProducerId
 * (no transactional id) here, from the broker's producer ids; anything naming a transactional id
 * goes to that id's actor, which InitProducerId creates; or the caller is told that this broker is
 * not, or not yet, the id's coordinator.
 */
import {
  CoordinatorLoadInProgressError,
  CoordinatorNotAvailableError,
  InvalidRequestError,
  KafkaProtocolError,
  NotCoordinatorError,
} from '../../../common/kafka-errors.js';
import { InvalidProducerIdMappingError } from '../../../common/transaction-errors.js';
import { type ActorContext, type ActorId, reply, replyError } from '../../../runtime/actor/index.js';
import { partitionForGroup } from '../group-partition.js';
import type { HostedChild, HostedPartitionState } from '../hosted-partitions.js';
import { fitsKafkaString } from '../kafka-binary.js';
import type { ProducerIdSource } from './producer-id-blocks.js';
import type { TransactionCoordinatorConfig } from './txn-coordinator-config.js';
import { describeTransaction, MAX_PRODUCER_EPOCH } from './txn-metadata.js';
import type { InitProducerIdRequest, ProducerIdAndEpoch, TransactionRequest } from './txn-requests.js';
import { TRANSACTION_STATE_TOPIC } from './txn-state-records.js';

/**
 * A `__transaction_state` partition this broker leads.
 *
 * @example
 * ```ts
 * if (context.partitions.get(partition)?.status === 'loading') answerLoadInProgress();
 * ```
 */
export interface HostedTxnPartition extends HostedPartitionState {
  /** Distinguishes this load from an earlier one whose result may still arrive. */
  readonly loadId: number;
  /** The partition's leader epoch: the markers of its transactions carry it. */
  readonly coordinatorEpoch: number;
}

/**
 * A transactional id's actor.
 *
 * @example
 * ```ts
 * const actorId = context.txns.get('app-1')?.actorId;
 * ```
 */
export type HostedTxn = HostedChild;

/**
 * What routing needs from the host.
 *
 * @example
 * ```ts
 * routeTransactionRequest(context satisfies TxnRoutingContext, event, spawn);
 * ```
 */
export interface TxnRoutingContext {
  readonly actor: ActorContext;
  readonly config: TransactionCoordinatorConfig;
  readonly producerIds: ProducerIdSource;
  readonly partitions: Map<number, HostedTxnPartition>;
  readonly txns: Map<string, HostedTxn>;
}

/**
 * Spawns the actor of a new transactional id and returns its id.
 *
 * @example
 * ```ts
 * const spawn: SpawnTxn = (transactionalId, partition) => spawnTxn(context, transactionalId, partition);
 * ```
 */
export type SpawnTxn = (transactionalId: string, partition: number) => ActorId;

/**
 * Routes a request to its transactional id's actor, or answers it.
 *
 * @example
 * ```ts
 * on: { 'txn.endTxn': { actions: ({ context, event }) => routeTransactionRequest(context, event, spawn) } }
 * ```
 */
export function routeTransactionRequest(
  context: TxnRoutingContext,
  request: TransactionRequest,
  spawnTxn: SpawnTxn,
): void {
  const { actor, config } = context;
  if (request.type === 'txn.initProducerId' && request.transactionalId === null) {
    initIdempotentProducer(context, request);
    return;
  }
  const transactionalId = request.transactionalId as string;
  if (typeof transactionalId !== 'string' || transactionalId === '' || !fitsKafkaString(transactionalId)) {
    replyError(
      actor,
      request,
      new InvalidRequestError(
        'the transactional id must be a non-empty string of at most 32767 UTF-8 bytes (null for an idempotent producer)',
      ),
    );
    return;
  }
  const partition = partitionForGroup(transactionalId, config.transactionStateTopicPartitions);
  const hosted = context.partitions.get(partition);
  const where = `${TRANSACTION_STATE_TOPIC}-${partition}`;
  if (hosted === undefined) {
    replyError(
      actor,
      request,
      new NotCoordinatorError(`${actor.id} does not lead ${where} of ${transactionalId}`),
    );
    return;
  }
  if (hosted.status === 'loading') {
    replyError(actor, request, new CoordinatorLoadInProgressError(`${where} is loading`));
    return;
  }
  if (hosted.status === 'failed') {
    replyError(
      actor,
      request,
      new CoordinatorNotAvailableError(`loading ${where} failed: ${hosted.failure}`),
    );
    return;
  }
  const txn = context.txns.get(transactionalId);
  if (txn !== undefined) {
    actor.send(txn.actorId, request);
    return;
  }
  switch (request.type) {
    case 'txn.initProducerId':
      actor.send(spawnTxn(transactionalId, partition), request);
      return;
    case 'txn.describe':
      reply(actor, request, describeTransaction(transactionalId, undefined));
      return;
    default:
      replyError(
        actor,
        request,
        new InvalidProducerIdMappingError(`${transactionalId} has no producer id (unknown or expired)`),
      );
  }
}

/**
 * InitProducerId of an idempotent producer: a fresh producer id at epoch 0 — or, when it names
 * its id and epoch (KIP-360, after an error that left its sequences unknown), the same id with
 * the next epoch, or a fresh id once the epochs are used up. There is no state to check such a
 * request against: without a transactional id nothing is fenced, the epoch only resets sequences.
 *
 * @example
 * ```ts
 * initIdempotentProducer(context, { type: 'txn.initProducerId', transactionalId: null, … });
 * ```
 */
export function initIdempotentProducer(context: TxnRoutingContext, request: InitProducerIdRequest): void {
  const { actor, producerIds } = context;
  try {
    let result: ProducerIdAndEpoch;
    if (request.producerId >= 0 && request.producerEpoch >= 0 && request.producerEpoch < MAX_PRODUCER_EPOCH) {
      result = { producerId: request.producerId, producerEpoch: request.producerEpoch + 1 };
    } else {
      result = { producerId: producerIds.allocate(), producerEpoch: 0 };
    }
    reply(actor, request, result);
  } catch (err) {
    if (!(err instanceof KafkaProtocolError)) throw err;
    replyError(actor, request, err);
  }
}
