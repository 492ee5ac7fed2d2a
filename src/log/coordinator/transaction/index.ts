/**
 * The transaction coordinator: Kafka's transactions (KIP-98, KIP-360, KIP-447, KIP-890) over
 * actors, with its state in `__transaction_state`. Named re-exports only.
 */
export { type ProducerIdBlock, ProducerIdBlocks, type ProducerIdSource } from './producer-id-blocks.js';
export type {
  TxnActorInput,
  TxnPhase,
  TxnRetiredEvent,
  TxnSelfEvent,
  TxnStateChangedEvent,
} from './txn-actor-types.js';
export {
  DEFAULT_TRANSACTION_COORDINATOR_CONFIG,
  resolveTransactionCoordinatorConfig,
  type TransactionCoordinatorConfig,
} from './txn-coordinator-config.js';
export {
  type TxnCoordinatorHostEvent,
  type TxnCoordinatorHostInput,
  type TxnCoordinatorLoadEvent,
  type TxnCoordinatorUnloadEvent,
  txnCoordinatorHostMachine,
} from './txn-coordinator-host-machine.js';
export { txnCoordinatorActorId } from './txn-coordinator-id.js';
export { type TxnContext, type TxnEvent, transactionMachine } from './txn-coordinator-machine.js';
export { abortWithFence, completeTransaction, decideTimeoutAbort, isExpired } from './txn-lifecycle.js';
export { type MarkerJob, type MarkerOutcome, TxnMarkerWriter } from './txn-marker-writer.js';
export {
  type DurableTxnState,
  describeTransaction,
  MAX_MARKER_EPOCH,
  MAX_PRODUCER_EPOCH,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  type TopicPartitionRef,
  type TxnMetadata,
} from './txn-metadata.js';
export type {
  AddOffsetsToTxnRequest,
  AddPartitionsToTxnRequest,
  DescribeTransactionRequest,
  EndTxnRequest,
  InitProducerIdRequest,
  ProducerIdAndEpoch,
  TransactionDescription,
  TransactionRequest,
  TransactionStateName,
} from './txn-requests.js';
export {
  decodeTransactionStateKey,
  decodeTransactionStateValue,
  encodeTransactionStateValue,
  replayTransactionState,
  TRANSACTION_STATE_TOPIC,
  transactionStateKey,
} from './txn-state-records.js';
export {
  decideAddPartitions,
  decideEndTxn,
  decideInitProducerId,
  decideTransactionRequest,
  type TxnAnswer,
  type TxnDecision,
  type TxnDecisionEnv,
  type TxnDecisionRequest,
} from './txn-transitions.js';
