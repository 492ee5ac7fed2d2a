/**
 * The requests of the transaction coordinator (Kafka's InitProducerId, AddPartitionsToTxn,
 * AddOffsetsToTxn, EndTxn, DescribeTransactions) as RPC events. A client sends them to the broker
 * that leads the transactional id's `__transaction_state` partition (FindCoordinator with a
 * transactional id says which); the broker routes every `txn.*` event to its transaction
 * coordinator host. InitProducerId without a transactional id (an idempotent producer) may go to
 * any broker.
 */
import type { RpcRequest } from '../../../runtime/actor/index.js';

/**
 * A producer id and epoch: who is writing, and which incarnation (or, under KIP-890, which
 * transaction) of it.
 *
 * @example
 * ```ts
 * const { producerId, producerEpoch } = await rpc.call<ProducerIdAndEpoch>(broker, initRequest, 5000);
 * ```
 */
export interface ProducerIdAndEpoch {
  readonly producerId: number;
  readonly producerEpoch: number;
}

/**
 * InitProducerId. With a transactional id: map it to its producer id, bump the epoch (fencing the
 * previous incarnation) and abort that incarnation's open transaction first (answered
 * CONCURRENT_TRANSACTIONS, retriable, while the abort completes). Without one: allocate a fresh
 * producer id at epoch 0. `producerId`/`producerEpoch` are -1, or the current ones when an
 * idempotent producer asks for an epoch bump (KIP-360).
 *
 * @example
 * ```ts
 * await rpc.call<ProducerIdAndEpoch>(broker, { type: 'txn.initProducerId', transactionalId: 'app-1',
 *   transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 }, 5000);
 * ```
 */
export type InitProducerIdRequest = RpcRequest & {
  readonly type: 'txn.initProducerId';
  readonly transactionalId: string | null;
  readonly transactionTimeoutMs: number;
  readonly producerId: number;
  readonly producerEpoch: number;
};

/**
 * AddPartitionsToTxn: the producer is about to write to these partitions in its open transaction
 * (which this request begins if it is the first). Answered `{}`.
 *
 * @example
 * ```ts
 * await rpc.call(broker, { type: 'txn.addPartitions', transactionalId: 'app-1', producerId: 7,
 *   producerEpoch: 3, partitions: [{ topic: 'orders', partition: 0 }] }, 5000);
 * ```
 */
export type AddPartitionsToTxnRequest = RpcRequest & {
  readonly type: 'txn.addPartitions';
  readonly transactionalId: string;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly partitions: readonly { readonly topic: string; readonly partition: number }[];
};

/**
 * AddOffsetsToTxn: the transaction will commit offsets of `groupId`, so the group's
 * `__consumer_offsets` partition takes part in it. Answered `{}`; the producer then sends
 * `group.txnOffsetCommit` to the group's coordinator.
 *
 * @example
 * ```ts
 * await rpc.call(broker, { type: 'txn.addOffsets', transactionalId: 'app-1', producerId: 7,
 *   producerEpoch: 3, groupId: 'app' }, 5000);
 * ```
 */
export type AddOffsetsToTxnRequest = RpcRequest & {
  readonly type: 'txn.addOffsets';
  readonly transactionalId: string;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly groupId: string;
};

/**
 * EndTxn: commit or abort the open transaction. Answered with the producer id and the bumped
 * epoch the producer must use from now on (KIP-890 part 2) once the outcome is durable in
 * `__transaction_state`; the markers are written after that, and the next transaction's requests
 * are answered CONCURRENT_TRANSACTIONS until they are.
 *
 * @example
 * ```ts
 * const next = await rpc.call<ProducerIdAndEpoch>(broker, { type: 'txn.endTxn', transactionalId: 'app-1',
 *   producerId: 7, producerEpoch: 3, committed: true }, 5000);
 * ```
 */
export type EndTxnRequest = RpcRequest & {
  readonly type: 'txn.endTxn';
  readonly transactionalId: string;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly committed: boolean;
};

/**
 * The states of a transactional id, as Kafka names them.
 *
 * @example
 * ```ts
 * if (description.state === 'Ongoing') console.log(description.partitions);
 * ```
 */
export type TransactionStateName =
  | 'Empty'
  | 'Ongoing'
  | 'PrepareCommit'
  | 'PrepareAbort'
  | 'CompleteCommit'
  | 'CompleteAbort'
  | 'PrepareEpochFence'
  | 'Dead';

/**
 * DescribeTransactions for one transactional id.
 *
 * @example
 * ```ts
 * const d = await rpc.call<TransactionDescription>(broker, { type: 'txn.describe', transactionalId: 'app-1' }, 5000);
 * ```
 */
export type DescribeTransactionRequest = RpcRequest & {
  readonly type: 'txn.describe';
  readonly transactionalId: string;
};

/**
 * The answer to a DescribeTransactions.
 *
 * @example
 * ```ts
 * expect(description.state).toBe('CompleteCommit');
 * ```
 */
export interface TransactionDescription extends ProducerIdAndEpoch {
  readonly transactionalId: string;
  readonly state: TransactionStateName;
  readonly transactionTimeoutMs: number;
  /** When the open transaction began (its first AddPartitions), -1 if none is open. */
  readonly transactionStartMs: number;
  readonly partitions: readonly { readonly topic: string; readonly partition: number }[];
}

/**
 * Every request the transaction coordinator host serves.
 *
 * @example
 * ```ts
 * on: { 'txn.endTxn': { actions: ({ event }) => route(event satisfies TransactionRequest) } }
 * ```
 */
export type TransactionRequest =
  | InitProducerIdRequest
  | AddPartitionsToTxnRequest
  | AddOffsetsToTxnRequest
  | EndTxnRequest
  | DescribeTransactionRequest;
