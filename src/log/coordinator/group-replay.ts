/**
 * Rebuilding groups from a `__consumer_offsets` partition: what a coordinator does when it takes
 * the partition over. Records are applied in log order, the newest value of a key winning and a
 * tombstone removing it, which is what compaction would leave; so the result is the same whether
 * the partition was compacted or not.
 */
import type { CoordinatorRecord } from './coordinator-state-log.js';
import {
  decodeGroupMetadataValue,
  decodeOffsetCommitValue,
  decodeOffsetsTopicKey,
  type GroupMetadataValue,
  type OffsetCommitValue,
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
  readonly offsets: Map<string, Map<number, OffsetCommitValue>>;
}

/**
 * Replays a partition's records into the groups they describe. A group whose metadata and
 * offsets are all deleted does not appear.
 *
 * @example
 * ```ts
 * const groups = replayOffsetsTopic(await stateLog.readAll());
 * for (const group of groups.values()) spawnGroup(group);
 * ```
 * @throws CorruptRecordError for a record that is not a valid key or value.
 */
export function replayOffsetsTopic(records: Iterable<CoordinatorRecord>): Map<string, LoadedGroup> {
  const groups = new Map<string, LoadedGroup>();
  const groupOf = (groupId: string): LoadedGroup => {
    const existing = groups.get(groupId);
    if (existing !== undefined) return existing;
    const g: LoadedGroup = { groupId, metadata: null, offsets: new Map() };
    groups.set(groupId, g);
    return g;
  };
  for (const { key, value } of records) {
    const k = decodeOffsetsTopicKey(key);
    if (k.kind === 'group') {
      if (value !== null) groupOf(k.groupId).metadata = decodeGroupMetadataValue(value);
      else if (groups.has(k.groupId)) groupOf(k.groupId).metadata = null;
    } else if (value !== null) {
      const byTopic = groupOf(k.groupId).offsets;
      const byPartition = byTopic.get(k.topic) ?? new Map<number, OffsetCommitValue>();
      byTopic.set(k.topic, byPartition);
      byPartition.set(k.partition, decodeOffsetCommitValue(value));
    } else {
      const byTopic = groups.get(k.groupId)?.offsets;
      byTopic?.get(k.topic)?.delete(k.partition);
      if (byTopic?.get(k.topic)?.size === 0) byTopic.delete(k.topic);
    }
  }
  for (const [groupId, g] of groups) if (g.metadata === null && g.offsets.size === 0) groups.delete(groupId);
  return groups;
}
