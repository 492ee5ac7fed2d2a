/**
 * Kafka's ConsumerProtocol: what a consumer puts in its JoinGroup metadata (a Subscription) and
 * what the leader hands each member in SyncGroup (an Assignment), in Kafka's binary format, so
 * members running millrace and members running a Kafka client can share a group.
 *
 * Subscription: version INT16; topics ARRAY of STRING; userData NULLABLE_BYTES; from v1
 * ownedPartitions ARRAY of (topic STRING, partitions ARRAY of INT32); from v2 generationId INT32;
 * from v3 rackId NULLABLE_STRING. Assignment (v0 to v3 alike): version INT16; assignedPartitions
 * ARRAY of (topic STRING, partitions ARRAY of INT32); userData NULLABLE_BYTES. A reader takes a
 * version newer than it knows as its newest and ignores the bytes after (Kafka's forward
 * compatibility rule), so a newer client's metadata still reads.
 */
import { InvalidRequestError } from '../../../common/kafka-errors.js';
import { KafkaReader, KafkaWriter } from '../../coordinator/kafka-binary.js';
import type { TopicPartition } from './partition-assignor.js';

/**
 * The newest Subscription version millrace reads and writes.
 *
 * @example
 * ```ts
 * const bytes = encodeSubscription(subscription, SUBSCRIPTION_VERSION);
 * ```
 */
export const SUBSCRIPTION_VERSION = 3;
/**
 * The newest Assignment version millrace reads and writes.
 *
 * @example
 * ```ts
 * const bytes = encodeAssignment(assignment, ASSIGNMENT_VERSION);
 * ```
 */
export const ASSIGNMENT_VERSION = 3;

/**
 * What a consumer subscribes to, and what it owns (for cooperative rebalancing).
 *
 * @example
 * ```ts
 * const s: ConsumerSubscription = { topics: ['orders'], userData: null, ownedPartitions: [],
 *   generationId: -1, rackId: null };
 * ```
 */
export interface ConsumerSubscription {
  readonly topics: readonly string[];
  readonly userData: Uint8Array | null;
  /** Partitions the member owns now (v1+; empty in v0). */
  readonly ownedPartitions: readonly TopicPartition[];
  /** The generation the owned partitions are from (v2+; -1 when unknown). */
  readonly generationId: number;
  /** The member's rack, for rack-aware assignors (v3+). */
  readonly rackId: string | null;
}

/**
 * The partitions a member is assigned.
 *
 * @example
 * ```ts
 * const a: ConsumerAssignment = { partitions: [{ topic: 'orders', partition: 0 }], userData: null };
 * ```
 */
export interface ConsumerAssignment {
  readonly partitions: readonly TopicPartition[];
  readonly userData: Uint8Array | null;
}

const malformed = (what: string) => (m: string) =>
  new InvalidRequestError(`malformed consumer ${what}: ${m}`);

/**
 * Encodes a subscription; fields the version lacks are left out.
 *
 * @example
 * ```ts
 * const metadata = encodeSubscription({ topics: ['orders'], userData: null, ownedPartitions: [],
 *   generationId: -1, rackId: null });
 * ```
 * @throws RangeError for a version outside 0 to 3.
 */
export function encodeSubscription(s: ConsumerSubscription, version = SUBSCRIPTION_VERSION): Uint8Array {
  checkVersion(version, SUBSCRIPTION_VERSION);
  const w = new KafkaWriter(128).int16(version);
  w.array(s.topics, (t, w2) => w2.string(t)).nullableBytes(s.userData);
  if (version >= 1) writeTopicPartitions(w, s.ownedPartitions);
  if (version >= 2) w.int32(s.generationId);
  if (version >= 3) w.nullableString(s.rackId);
  return w.finish();
}

/**
 * Decodes a subscription of any version.
 *
 * @example
 * ```ts
 * const { topics, ownedPartitions } = decodeSubscription(member.metadata);
 * ```
 * @throws InvalidRequestError for malformed bytes or a negative version.
 */
export function decodeSubscription(bytes: Uint8Array): ConsumerSubscription & { version: number } {
  const r = new KafkaReader(bytes, malformed('subscription'));
  const version = readVersion(r, 'subscription');
  const topics = r.array((x) => x.string());
  const userData = r.nullableBytes();
  const ownedPartitions = version >= 1 ? readTopicPartitions(r) : [];
  const generationId = version >= 2 ? r.int32() : -1;
  const rackId = version >= 3 ? r.nullableString() : null;
  return { version, topics, userData, ownedPartitions, generationId, rackId };
}

/**
 * Encodes an assignment.
 *
 * @example
 * ```ts
 * const bytes = encodeAssignment({ partitions: [{ topic: 'orders', partition: 0 }], userData: null });
 * ```
 * @throws RangeError for a version outside 0 to 3.
 */
export function encodeAssignment(a: ConsumerAssignment, version = ASSIGNMENT_VERSION): Uint8Array {
  checkVersion(version, ASSIGNMENT_VERSION);
  const w = new KafkaWriter(64).int16(version);
  writeTopicPartitions(w, a.partitions);
  return w.nullableBytes(a.userData).finish();
}

/**
 * Decodes an assignment of any version. An empty byte array (what the coordinator gives a member
 * the leader left out) is an empty assignment.
 *
 * @example
 * ```ts
 * const { partitions } = decodeAssignment(syncResult.assignment);
 * ```
 * @throws InvalidRequestError for malformed bytes or a negative version.
 */
export function decodeAssignment(bytes: Uint8Array): ConsumerAssignment & { version: number } {
  if (bytes.length === 0) return { version: 0, partitions: [], userData: null };
  const r = new KafkaReader(bytes, malformed('assignment'));
  const version = readVersion(r, 'assignment');
  const partitions = readTopicPartitions(r);
  return { version, partitions, userData: r.nullableBytes() };
}

function checkVersion(version: number, newest: number): void {
  if (!Number.isInteger(version) || version < 0 || version > newest) {
    throw new RangeError(`consumer protocol version ${version} is not in 0..${newest}`);
  }
}

function readVersion(r: KafkaReader, what: string): number {
  const version = r.int16();
  if (version < 0) throw new InvalidRequestError(`malformed consumer ${what}: negative version ${version}`);
  return version;
}

/** Partitions grouped by topic, topics in order of first appearance. */
function writeTopicPartitions(w: KafkaWriter, partitions: readonly TopicPartition[]): void {
  const byTopic = new Map<string, number[]>();
  for (const { topic, partition } of partitions) {
    const list = byTopic.get(topic);
    if (list === undefined) byTopic.set(topic, [partition]);
    else list.push(partition);
  }
  w.array([...byTopic], ([topic, list], w2) => {
    w2.string(topic).array(list, (p, w3) => w3.int32(p));
  });
}

function readTopicPartitions(r: KafkaReader): TopicPartition[] {
  const out: TopicPartition[] = [];
  r.array((x) => {
    const topic = x.string();
    for (const partition of x.array((y) => y.int32())) out.push({ topic, partition });
  });
  return out;
}
