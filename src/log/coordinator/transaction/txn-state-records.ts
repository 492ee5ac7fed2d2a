/**
 * The records of `__transaction_state`, one per transactional id, the newest winning (the topic is
 * compacted) and a tombstone forgetting an expired id.
 *
 * - key, version 0 (Kafka's TransactionLogKey): transactionalId STRING;
 * - value, version 0 (millrace's own layout in Kafka's schema types): producerId INT64,
 *   producerEpoch INT16, lastProducerId INT64, lastProducerEpoch INT16, nextProducerId INT64,
 *   timeoutMs INT32, state INT16 (Kafka's status numbers: 0 Empty, 1 Ongoing, 2 PrepareCommit,
 *   3 PrepareAbort, 4 CompleteCommit, 5 CompleteAbort), partitions ARRAY of (topic STRING,
 *   partitions ARRAY of INT32), lastUpdateMs INT64, startMs INT64.
 *
 * Each key and value starts with its INT16 version; an unknown version is refused rather than
 * misread.
 */
import { CorruptRecordError } from '../../../common/errors.js';
import type { CoordinatorRecord } from '../coordinator-state-log.js';
import { KafkaReader, KafkaWriter } from '../kafka-binary.js';
import {
  type DurableTxnState,
  MAX_MARKER_EPOCH,
  mergePartitions,
  type TopicPartitionRef,
  type TxnMetadata,
} from './txn-metadata.js';

/**
 * The internal topic of transaction state.
 *
 * @example
 * ```ts
 * new ReplicaStateLog(rpc, clock, brokerId, partition, 10_000, TRANSACTION_STATE_TOPIC);
 * ```
 */
export const TRANSACTION_STATE_TOPIC = '__transaction_state';

const KEY_VERSION = 0;
const VALUE_VERSION = 0;

const STATE_CODES: Readonly<Record<DurableTxnState, number>> = {
  Empty: 0,
  Ongoing: 1,
  PrepareCommit: 2,
  PrepareAbort: 3,
  CompleteCommit: 4,
  CompleteAbort: 5,
};
const STATES_BY_CODE = new Map(
  Object.entries(STATE_CODES).map(([name, code]) => [code, name as DurableTxnState]),
);

const corruptKey = (m: string) => new CorruptRecordError(`${TRANSACTION_STATE_TOPIC} key: ${m}`);
const corruptValue = (m: string) => new CorruptRecordError(`${TRANSACTION_STATE_TOPIC} value: ${m}`);

/**
 * The key of a transactional id's record.
 *
 * @example
 * ```ts
 * const key = transactionStateKey('app-1');
 * ```
 * @throws RangeError when the id is longer than a Kafka STRING holds.
 */
export function transactionStateKey(transactionalId: string): Uint8Array {
  return new KafkaWriter().int16(KEY_VERSION).string(transactionalId).finish();
}

/**
 * The transactional id of a key.
 *
 * @example
 * ```ts
 * const id = decodeTransactionStateKey(record.key); // 'app-1'
 * ```
 * @throws CorruptRecordError for an unknown version or malformed bytes.
 */
export function decodeTransactionStateKey(key: Uint8Array): string {
  const r = new KafkaReader(key, corruptKey);
  const version = r.int16();
  if (version !== KEY_VERSION) throw corruptKey(`unknown version ${version}`);
  return r.string();
}

/**
 * The value of a transactional id's record.
 *
 * @example
 * ```ts
 * await log.append([{ key: transactionStateKey(meta.transactionalId), value: encodeTransactionStateValue(meta) }]);
 * ```
 * @throws RangeError when a field does not fit its type (a bug: transitions keep them in range).
 */
export function encodeTransactionStateValue(meta: TxnMetadata): Uint8Array {
  const byTopic = new Map<string, number[]>();
  for (const { topic, partition } of meta.partitions) {
    const list = byTopic.get(topic) ?? [];
    list.push(partition);
    byTopic.set(topic, list);
  }
  return new KafkaWriter()
    .int16(VALUE_VERSION)
    .int64(meta.producerId)
    .int16(meta.producerEpoch)
    .int64(meta.lastProducerId)
    .int16(meta.lastProducerEpoch)
    .int64(meta.nextProducerId)
    .int32(meta.timeoutMs)
    .int16(STATE_CODES[meta.state])
    .array([...byTopic], ([topic, partitions], w) => {
      w.string(topic).array(partitions, (p, w2) => w2.int32(p));
    })
    .int64(meta.lastUpdateMs)
    .int64(meta.startMs)
    .finish();
}

/**
 * Decodes a value written by encodeTransactionStateValue.
 *
 * @example
 * ```ts
 * const meta = decodeTransactionStateValue('app-1', record.value);
 * ```
 * @throws CorruptRecordError for an unknown version, an unknown state, an id or epoch out of
 *   range, or malformed bytes.
 */
export function decodeTransactionStateValue(transactionalId: string, value: Uint8Array): TxnMetadata {
  const r = new KafkaReader(value, corruptValue);
  const version = r.int16();
  if (version !== VALUE_VERSION) throw corruptValue(`unknown version ${version} of ${transactionalId}`);
  const producerId = producerIdField(r.int64(), 'producerId');
  const producerEpoch = epochField(r.int16(), 'producerEpoch');
  const lastProducerId = producerIdField(r.int64(), 'lastProducerId');
  const lastProducerEpoch = epochField(r.int16(), 'lastProducerEpoch');
  const nextProducerId = producerIdField(r.int64(), 'nextProducerId');
  const timeoutMs = r.int32();
  const code = r.int16();
  const state = STATES_BY_CODE.get(code);
  if (state === undefined) throw corruptValue(`unknown state ${code} of ${transactionalId}`);
  const partitions: TopicPartitionRef[] = r
    .array((t) => {
      const topic = t.string();
      return t.array((p) => p.int32()).map((partition) => ({ topic, partition }));
    })
    .flat();
  const lastUpdateMs = r.int64();
  const startMs = r.int64();
  if (r.remaining !== 0) throw corruptValue(`${r.remaining} bytes after the value of ${transactionalId}`);
  return {
    transactionalId,
    producerId,
    producerEpoch,
    lastProducerId,
    lastProducerEpoch,
    nextProducerId,
    timeoutMs,
    state,
    partitions: mergePartitions([], partitions),
    startMs,
    lastUpdateMs,
  };
}

function producerIdField(value: number, name: string): number {
  if (value < -1) throw corruptValue(`${name} ${value} is negative`);
  return value;
}

function epochField(value: number, name: string): number {
  if (value < -1 || value > MAX_MARKER_EPOCH) throw corruptValue(`${name} ${value} is out of range`);
  return value;
}

/**
 * Replays a partition's records into the transactional ids they describe: the newest value of a
 * key wins and a tombstone removes it, which is what compaction would leave.
 *
 * @example
 * ```ts
 * for (const meta of replayTransactionState(await log.readAll()).values()) spawnTransaction(meta);
 * ```
 * @throws CorruptRecordError for a record that is not a valid key or value.
 */
export function replayTransactionState(
  records: Iterable<CoordinatorRecord & { readonly control?: unknown }>,
): Map<string, TxnMetadata> {
  const out = new Map<string, TxnMetadata>();
  for (const { key, value, control } of records) {
    // No transaction writes to __transaction_state, but a marker there would be no state record.
    if (control !== undefined) continue;
    const transactionalId = decodeTransactionStateKey(key);
    if (value === null) out.delete(transactionalId);
    else out.set(transactionalId, decodeTransactionStateValue(transactionalId, value));
  }
  return out;
}
