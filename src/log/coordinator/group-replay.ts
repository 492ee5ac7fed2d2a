/**
 * Rebuilding groups from a `__consumer_offsets` partition: what a coordinator does when it takes
 * the partition over. Records are applied in log order, the newest value of a key winning and a
 * tombstone removing it, which is what compaction would leave; so the result is the same whether
 * the partition was compacted or not.
 *
 * Transactional offset records (TxnOffsetCommit) are held per producer until the producer's marker:
 * a COMMIT applies them (each unless a commit written after it is already there, Kafka's rule), an
 * ABORT drops them, and those with no marker after them are the pending offsets of a transaction
 * still open, restored as such: its marker comes later, from the transaction coordinator.
 */
import type { StoredCoordinatorRecord } from './coordinator-state-log.js';
import { type CommittedOffset, type ProducerTxnOffsets, tpKey } from './group-txn-state.js';
import {
  decodeGroupMetadataValue,
  decodeOffsetCommitValue,
  decodeOffsetsTopicKey,
  type GroupMetadataValue,
} from './offsets-topic-records.js';

/**
 * A group as found in `__consumer_offsets`.
 *
 * @example
 * ```ts
 * const loaded: LoadedGroup | undefined = replayOffsetsTopic(records).get('orders-app');
 * ```
 */
export interface LoadedGroup {
  readonly groupId: string;
  /** The stored membership, or null for a group that only has committed offsets. */
  metadata: GroupMetadataValue | null;
  /** topic → partition → committed offset. */
  readonly offsets: Map<string, Map<number, CommittedOffset>>;
  /** producer id → the offsets of its transaction still open. */
  readonly pendingTxnOffsets: Map<number, ProducerTxnOffsets>;
  /** Above the position of every record replayed: where the positions of later writes start. */
  nextPosition: number;
}

/** A pending transactional offset during replay, with the group it is for. */
interface ReplayedTxnOffset {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
  readonly value: CommittedOffset;
}

/** One producer's open transaction during replay: group and partition → offset. */
interface ReplayedTxn {
  producerEpoch: number;
  readonly offsets: Map<string, ReplayedTxnOffset>;
}

/**
 * Replays a partition's records into the groups they describe. A group whose metadata and
 * offsets are all deleted, and that has no pending transactional offsets, does not appear.
 *
 * @example
 * ```ts
 * const groups = replayOffsetsTopic(await stateLog.readAll());
 * for (const group of groups.values()) spawnGroup(group);
 * ```
 * @throws CorruptRecordError for a record that is not a valid key or value.
 */
export function replayOffsetsTopic(records: readonly StoredCoordinatorRecord[]): Map<string, LoadedGroup> {
  const groups = new Map<string, LoadedGroup>();
  const groupOf = (groupId: string): LoadedGroup => {
    const existing = groups.get(groupId);
    if (existing !== undefined) return existing;
    const g: LoadedGroup = {
      groupId,
      metadata: null,
      offsets: new Map(),
      pendingTxnOffsets: new Map(),
      nextPosition: 0,
    };
    groups.set(groupId, g);
    return g;
  };
  const open = new Map<number, ReplayedTxn>();
  for (let position = 0; position < records.length; position++) {
    const record = records[position]!;
    if (record.control !== undefined) {
      endTransaction(groupOf, open, record.producerId!, record.control);
      continue;
    }
    const { key, value } = record;
    const k = decodeOffsetsTopicKey(key);
    if (record.isTransactional === true && k.kind === 'offset') {
      holdPending(open, record, k.groupId, k.topic, k.partition, position);
    } else if (k.kind === 'group') {
      if (value !== null) groupOf(k.groupId).metadata = decodeGroupMetadataValue(value);
      else if (groups.has(k.groupId)) groupOf(k.groupId).metadata = null;
    } else if (value !== null) {
      const byTopic = groupOf(k.groupId).offsets;
      let byPartition = byTopic.get(k.topic);
      if (byPartition === undefined) {
        byPartition = new Map<number, CommittedOffset>();
        byTopic.set(k.topic, byPartition);
      }
      // The decoded value is a fresh object: it takes its position without another allocation.
      const committed = decodeOffsetCommitValue(value) as CommittedOffset;
      committed.position = position;
      byPartition.set(k.partition, committed);
    } else {
      const byTopic = groups.get(k.groupId)?.offsets;
      byTopic?.get(k.topic)?.delete(k.partition);
      if (byTopic?.get(k.topic)?.size === 0) byTopic.delete(k.topic);
    }
  }
  for (const [producerId, txn] of open) {
    for (const { groupId, topic, partition, value } of txn.offsets.values()) {
      const pending = groupOf(groupId).pendingTxnOffsets;
      let mine = pending.get(producerId);
      if (mine === undefined) {
        mine = { producerEpoch: txn.producerEpoch, offsets: new Map() };
        pending.set(producerId, mine);
      }
      mine.offsets.set(tpKey(topic, partition), { topic, partition, value });
    }
  }
  for (const [groupId, g] of groups) {
    if (g.metadata === null && g.offsets.size === 0 && g.pendingTxnOffsets.size === 0) groups.delete(groupId);
    else g.nextPosition = records.length;
  }
  return groups;
}

/** A transactional offset record: it waits for its producer's marker (a tombstone unsets it). */
function holdPending(
  open: Map<number, ReplayedTxn>,
  record: StoredCoordinatorRecord,
  groupId: string,
  topic: string,
  partition: number,
  position: number,
): void {
  const producerId = record.producerId!;
  let txn = open.get(producerId);
  if (txn === undefined) {
    txn = { producerEpoch: record.producerEpoch!, offsets: new Map() };
    open.set(producerId, txn);
  }
  txn.producerEpoch = Math.max(txn.producerEpoch, record.producerEpoch!);
  // Groups share the partition, so a producer's offsets are keyed by group as well.
  const key = `${groupId}\u0000${tpKey(topic, partition)}`;
  if (record.value === null) {
    txn.offsets.delete(key);
    return;
  }
  const value = decodeOffsetCommitValue(record.value) as CommittedOffset;
  value.position = position;
  txn.offsets.set(key, { groupId, topic, partition, value });
}

/** A marker: COMMIT applies the producer's held offsets in write order, ABORT drops them. */
function endTransaction(
  groupOf: (groupId: string) => LoadedGroup,
  open: Map<number, ReplayedTxn>,
  producerId: number,
  marker: 'COMMIT' | 'ABORT',
): void {
  const txn = open.get(producerId);
  open.delete(producerId);
  if (txn === undefined || marker === 'ABORT') return;
  const offsets = [...txn.offsets.values()].sort((a, b) => a.value.position - b.value.position);
  for (const { groupId, topic, partition, value } of offsets) {
    const byTopic = groupOf(groupId).offsets;
    let byPartition = byTopic.get(topic);
    if (byPartition === undefined) {
      byPartition = new Map<number, CommittedOffset>();
      byTopic.set(topic, byPartition);
    }
    const current = byPartition.get(partition);
    if (current === undefined || current.position < value.position) byPartition.set(partition, value);
  }
}
