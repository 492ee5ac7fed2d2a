/**
 * The records of `__consumer_offsets` in Kafka's own binary schemas, so a log written by millrace
 * reads as Kafka's and the other way round:
 *
 * - key version 0 or 1, OffsetCommitKey: group STRING, topic STRING, partition INT32;
 * - key version 2, GroupMetadataKey: group STRING;
 * - OffsetCommitValue (written as version 3): offset INT64, leaderEpoch INT32 (v3+), metadata
 *   STRING, commitTimestamp INT64, expireTimestamp INT64 (v1 only);
 * - GroupMetadataValue (written as version 3): protocolType STRING, generation INT32, protocol
 *   NULLABLE_STRING, leader NULLABLE_STRING, currentStateTimestamp INT64 (v2+), then members:
 *   memberId STRING, groupInstanceId NULLABLE_STRING (v3+), clientId STRING, clientHost STRING,
 *   rebalanceTimeout INT32 (v1+), sessionTimeout INT32, subscription BYTES, assignment BYTES.
 *
 * Each key and value starts with its INT16 version. A null value is a tombstone: compaction
 * keeps only the newest record of a key, and a tombstone finally removes it.
 */
import { CorruptRecordError } from '../../common/errors.js';
import { KafkaReader, KafkaWriter } from './kafka-binary.js';

/**
 * A committed offset as `__consumer_offsets` stores it.
 *
 * @example
 * ```ts
 * const value: OffsetCommitValue = { offset: 42, leaderEpoch: -1, metadata: '', commitTimestampMs: clock.nowMs() };
 * ```
 */
export interface OffsetCommitValue {
  offset: number;
  /** The leader epoch of the last consumed record, or -1. */
  leaderEpoch: number;
  metadata: string;
  commitTimestampMs: number;
}

/**
 * One member of a stored group.
 *
 * @example
 * ```ts
 * for (const m of decodeGroupMetadataValue(value).members) console.log(m.memberId, m.assignment.length);
 * ```
 */
export interface StoredGroupMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  /** The member's metadata for the group's protocol (a consumer's subscription). */
  subscription: Uint8Array;
  assignment: Uint8Array;
}

/**
 * A group's membership as stored after each completed rebalance.
 *
 * @example
 * ```ts
 * const { generationId, members } = decodeGroupMetadataValue(record.value);
 * ```
 */
export interface GroupMetadataValue {
  protocolType: string;
  generationId: number;
  protocolName: string | null;
  leaderId: string | null;
  currentStateTimestampMs: number;
  members: StoredGroupMember[];
}

/**
 * A decoded key of `__consumer_offsets`.
 *
 * @example
 * ```ts
 * const key: OffsetsTopicKey = decodeOffsetsTopicKey(record.key);
 * ```
 */
export type OffsetsTopicKey =
  | { kind: 'offset'; groupId: string; topic: string; partition: number }
  | { kind: 'group'; groupId: string };

const corruptKey = (m: string) => new CorruptRecordError(`__consumer_offsets key: ${m}`);
const corruptValue = (m: string) => new CorruptRecordError(`__consumer_offsets value: ${m}`);

/**
 * The key of a committed offset (OffsetCommitKey, version 1).
 *
 * @example
 * ```ts
 * const key = offsetCommitKey('orders-app', 'orders', 3);
 * ```
 */
export function offsetCommitKey(groupId: string, topic: string, partition: number): Uint8Array {
  return new KafkaWriter().int16(1).string(groupId).string(topic).int32(partition).finish();
}

/**
 * The key of a group's metadata (GroupMetadataKey, version 2).
 *
 * @example
 * ```ts
 * const key = groupMetadataKey('orders-app');
 * ```
 */
export function groupMetadataKey(groupId: string): Uint8Array {
  return new KafkaWriter().int16(2).string(groupId).finish();
}

/**
 * Decodes a key of `__consumer_offsets`.
 *
 * @example
 * ```ts
 * const key = decodeOffsetsTopicKey(record.key);
 * if (key.kind === 'offset') console.log(key.topic, key.partition);
 * ```
 * @throws CorruptRecordError for an unknown version or malformed bytes.
 */
export function decodeOffsetsTopicKey(bytes: Uint8Array): OffsetsTopicKey {
  const r = new KafkaReader(bytes, corruptKey);
  const version = r.int16();
  if (version === 0 || version === 1) {
    return { kind: 'offset', groupId: r.string(), topic: r.string(), partition: r.int32() };
  }
  if (version === 2) return { kind: 'group', groupId: r.string() };
  throw corruptKey(`unknown key version ${version}`);
}

/**
 * Encodes a committed offset (OffsetCommitValue, version 3).
 *
 * @example
 * ```ts
 * const value = encodeOffsetCommitValue({ offset: 42, leaderEpoch: -1, metadata: '', commitTimestampMs: clock.nowMs() });
 * ```
 * @throws RangeError when the metadata is longer than a Kafka string allows.
 */
export function encodeOffsetCommitValue(v: OffsetCommitValue): Uint8Array {
  return new KafkaWriter()
    .int16(3)
    .int64(v.offset)
    .int32(v.leaderEpoch)
    .string(v.metadata)
    .int64(v.commitTimestampMs)
    .finish();
}

/**
 * Decodes OffsetCommitValue versions 0 to 3 (v1's expire timestamp is read and dropped: offsets
 * expire by the retention setting, as in Kafka since 2.1).
 *
 * @example
 * ```ts
 * const { offset, metadata } = decodeOffsetCommitValue(record.value);
 * ```
 * @throws CorruptRecordError for an unknown version or malformed bytes.
 */
export function decodeOffsetCommitValue(bytes: Uint8Array): OffsetCommitValue {
  const r = new KafkaReader(bytes, corruptValue);
  const version = r.int16();
  if (version < 0 || version > 3) throw corruptValue(`unknown offset commit value version ${version}`);
  const offset = r.int64();
  const leaderEpoch = version >= 3 ? r.int32() : -1;
  const metadata = r.string();
  const commitTimestampMs = r.int64();
  if (version === 1) r.int64();
  return { offset, leaderEpoch, metadata, commitTimestampMs };
}

/**
 * Encodes a group's metadata (GroupMetadataValue, version 3).
 *
 * @example
 * ```ts
 * const value = encodeGroupMetadataValue({ protocolType: 'consumer', generationId: 1, protocolName: 'range',
 *   leaderId: 'c-1', currentStateTimestampMs: clock.nowMs(), members: [] });
 * ```
 * @throws RangeError when a string is longer than a Kafka string allows.
 */
export function encodeGroupMetadataValue(v: GroupMetadataValue): Uint8Array {
  return new KafkaWriter(256)
    .int16(3)
    .string(v.protocolType)
    .int32(v.generationId)
    .nullableString(v.protocolName)
    .nullableString(v.leaderId)
    .int64(v.currentStateTimestampMs)
    .array(v.members, (m, w) => {
      w.string(m.memberId)
        .nullableString(m.groupInstanceId)
        .string(m.clientId)
        .string(m.clientHost)
        .int32(m.rebalanceTimeoutMs)
        .int32(m.sessionTimeoutMs)
        .bytes(m.subscription)
        .bytes(m.assignment);
    })
    .finish();
}

/**
 * Decodes GroupMetadataValue versions 0 to 3. Fields a version lacks take Kafka's defaults: the
 * rebalance timeout (v0) is the session timeout, the state timestamp (v0, v1) is -1, and the
 * group instance id (v0 to v2) is null.
 *
 * @example
 * ```ts
 * const group = decodeGroupMetadataValue(record.value);
 * ```
 * @throws CorruptRecordError for an unknown version or malformed bytes.
 */
export function decodeGroupMetadataValue(bytes: Uint8Array): GroupMetadataValue {
  const r = new KafkaReader(bytes, corruptValue);
  const version = r.int16();
  if (version < 0 || version > 3) throw corruptValue(`unknown group metadata value version ${version}`);
  const protocolType = r.string();
  const generationId = r.int32();
  const protocolName = r.nullableString();
  const leaderId = r.nullableString();
  const currentStateTimestampMs = version >= 2 ? r.int64() : -1;
  const members = r.array((m) => {
    const memberId = m.string();
    const groupInstanceId = version >= 3 ? m.nullableString() : null;
    const clientId = m.string();
    const clientHost = m.string();
    const rebalanceTimeout = version >= 1 ? m.int32() : undefined;
    const sessionTimeoutMs = m.int32();
    return {
      memberId,
      groupInstanceId,
      clientId,
      clientHost,
      rebalanceTimeoutMs: rebalanceTimeout ?? sessionTimeoutMs,
      sessionTimeoutMs,
      subscription: m.bytes(),
      assignment: m.bytes(),
    };
  });
  return { protocolType, generationId, protocolName, leaderId, currentStateTimestampMs, members };
}
