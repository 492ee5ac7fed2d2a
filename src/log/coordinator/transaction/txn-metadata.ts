/**
 * What the transaction coordinator knows of one transactional id — Kafka's TransactionMetadata —
 * as an immutable value: every transition (txn-transitions.ts) returns a new one, which is stored
 * in `__transaction_state` before anyone is told of it.
 *
 * Producer ids and epochs: the producer holds the *current* (id, epoch); after EndTxn bumps the
 * epoch (KIP-890 part 2) the coordinator also remembers the *previous* one, so that a retried
 * EndTxn is recognised and answered, not mistaken for a zombie and not acted upon twice.
 */
import type { ProducerIdAndEpoch, TransactionDescription, TransactionStateName } from './txn-requests.js';

/**
 * No producer id (Kafka's -1).
 *
 * @example
 * ```ts
 * const fresh = meta.nextProducerId === NO_PRODUCER_ID;
 * ```
 */
export const NO_PRODUCER_ID = -1;
/**
 * No producer epoch (Kafka's -1).
 *
 * @example
 * ```ts
 * const retriable = meta.lastProducerEpoch !== NO_PRODUCER_EPOCH;
 * ```
 */
export const NO_PRODUCER_EPOCH = -1;
/**
 * The highest epoch a producer is given. A bump past it moves the producer to a fresh producer id
 * at epoch 0 (Kafka's epoch exhaustion): the one epoch above it, 32767, is only ever written in
 * the markers of the transaction whose end exhausted the id.
 *
 * @example
 * ```ts
 * const rotate = meta.producerEpoch + 1 > MAX_PRODUCER_EPOCH;
 * ```
 */
export const MAX_PRODUCER_EPOCH = 32766;
/**
 * Kafka's Short.MAX_VALUE: the largest epoch in a record batch, used by the last markers of an id.
 *
 * @example
 * ```ts
 * if (epoch > MAX_MARKER_EPOCH) throw new CorruptRecordError(`epoch ${epoch} out of range`);
 * ```
 */
export const MAX_MARKER_EPOCH = 32767;

/**
 * The states a transactional id is stored in. `PrepareEpochFence` (a fence being written) and
 * `Dead` (a tombstone) are never stored as values.
 *
 * @example
 * ```ts
 * const state: DurableTxnState = 'Ongoing';
 * ```
 */
export type DurableTxnState = Exclude<TransactionStateName, 'PrepareEpochFence' | 'Dead'>;

/**
 * A partition taking part in a transaction.
 *
 * @example
 * ```ts
 * const tp: TopicPartitionRef = { topic: 'orders', partition: 3 };
 * ```
 */
export interface TopicPartitionRef {
  readonly topic: string;
  readonly partition: number;
}

/**
 * The state of one transactional id.
 *
 * @example
 * ```ts
 * if (meta.state === 'Ongoing' && meta.startMs + meta.timeoutMs < now) abortTimedOut(meta);
 * ```
 */
export interface TxnMetadata {
  readonly transactionalId: string;
  /** The producer id, and in Prepare* the one the markers carry. */
  readonly producerId: number;
  /** The current epoch; in Prepare* and Complete* after an EndTxn, the bumped one the markers carry. */
  readonly producerEpoch: number;
  /** The producer id before a rotation, while the previous epoch belongs to it; -1 otherwise. */
  readonly lastProducerId: number;
  /** The epoch the last EndTxn or InitProducerId came with (a retry carries it), or -1. */
  readonly lastProducerEpoch: number;
  /** In Prepare*: the fresh id the producer was given because the bump exhausted the old one; -1 otherwise. */
  readonly nextProducerId: number;
  readonly timeoutMs: number;
  readonly state: DurableTxnState;
  /** The partitions of the open (or ending) transaction, sorted by topic then partition. */
  readonly partitions: readonly TopicPartitionRef[];
  /** When the open transaction began, -1 when none is open. */
  readonly startMs: number;
  readonly lastUpdateMs: number;
}

/**
 * Whether the state is one whose markers are being written.
 *
 * @example
 * ```ts
 * if (isPreparing(meta.state)) throw new ConcurrentTransactionsError('completing');
 * ```
 */
export function isPreparing(state: DurableTxnState): state is 'PrepareCommit' | 'PrepareAbort' {
  return state === 'PrepareCommit' || state === 'PrepareAbort';
}

/**
 * Whether the state is one a transaction ended in.
 *
 * @example
 * ```ts
 * if (isComplete(meta.state) || meta.state === 'Empty') startTransaction();
 * ```
 */
export function isComplete(state: DurableTxnState): state is 'CompleteCommit' | 'CompleteAbort' {
  return state === 'CompleteCommit' || state === 'CompleteAbort';
}

/**
 * The producer id and epoch the producer is expected to use now: in Prepare* after an exhausting
 * bump, its fresh id at epoch 0.
 *
 * @example
 * ```ts
 * const { producerId, producerEpoch } = currentProducer(meta);
 * ```
 */
export function currentProducer(meta: TxnMetadata): ProducerIdAndEpoch {
  return meta.nextProducerId >= 0
    ? { producerId: meta.nextProducerId, producerEpoch: 0 }
    : { producerId: meta.producerId, producerEpoch: meta.producerEpoch };
}

/**
 * The producer id and epoch a retry of the last epoch-bumping request carries, if there is one.
 *
 * @example
 * ```ts
 * const prev = previousProducer(meta);
 * const isRetry = prev !== undefined && sameProducer(prev, request);
 * ```
 */
export function previousProducer(meta: TxnMetadata): ProducerIdAndEpoch | undefined {
  if (meta.lastProducerEpoch < 0) return undefined;
  return {
    producerId: meta.lastProducerId >= 0 ? meta.lastProducerId : meta.producerId,
    producerEpoch: meta.lastProducerEpoch,
  };
}

/**
 * Whether two producer ids and epochs are the same.
 *
 * @example
 * ```ts
 * sameProducer({ producerId: 7, producerEpoch: 1 }, request); // true for producer 7 at epoch 1
 * ```
 */
export function sameProducer(a: ProducerIdAndEpoch, b: ProducerIdAndEpoch): boolean {
  return a.producerId === b.producerId && a.producerEpoch === b.producerEpoch;
}

/**
 * The union of two partition lists, sorted by topic then partition, without duplicates.
 *
 * @example
 * ```ts
 * mergePartitions([{ topic: 'a', partition: 1 }], [{ topic: 'a', partition: 0 }]); // a-0, a-1
 * ```
 */
export function mergePartitions(
  existing: readonly TopicPartitionRef[],
  added: readonly TopicPartitionRef[],
): TopicPartitionRef[] {
  const byKey = new Map<string, TopicPartitionRef>();
  for (const tp of [...existing, ...added]) {
    byKey.set(`${tp.topic}\u0000${tp.partition}`, { topic: tp.topic, partition: tp.partition });
  }
  return [...byKey.values()].sort((a, b) =>
    a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition,
  );
}

/**
 * The DescribeTransactions answer for a transactional id; `state` overrides the stored state
 * (PrepareEpochFence while a fence is being written). Without metadata the id is unknown: Dead.
 *
 * @example
 * ```ts
 * reply(actor, request, describeTransaction('app-1', meta));
 * ```
 */
export function describeTransaction(
  transactionalId: string,
  meta: TxnMetadata | undefined,
  state: TransactionStateName | undefined = meta?.state,
): TransactionDescription {
  if (meta === undefined) {
    return {
      transactionalId,
      state: 'Dead',
      producerId: NO_PRODUCER_ID,
      producerEpoch: NO_PRODUCER_EPOCH,
      transactionTimeoutMs: 0,
      transactionStartMs: -1,
      partitions: [],
    };
  }
  const open = meta.state === 'Ongoing' || isPreparing(meta.state);
  return {
    transactionalId,
    state: state ?? meta.state,
    producerId: meta.producerId,
    producerEpoch: meta.producerEpoch,
    transactionTimeoutMs: meta.timeoutMs,
    transactionStartMs: open ? meta.startMs : -1,
    partitions: meta.partitions.map((tp) => ({ topic: tp.topic, partition: tp.partition })),
  };
}
