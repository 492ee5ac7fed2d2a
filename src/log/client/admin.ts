/**
 * Admin operations on an embedded cluster: create, delete, list and describe topics; list offsets
 * (earliest, latest, or by timestamp); list, describe and delete consumer groups, and a group's
 * lag (high watermark minus committed offset, per partition).
 */
import type { TopicMetadata } from '../broker/cluster-metadata.js';
import type { CreateTopicRequest } from '../broker/controller-state.js';
import type { GroupDescription, ListGroupsResult } from '../coordinator/group-requests.js';
import type { OffsetFetchResult } from '../coordinator/offset-requests.js';
import type { EmbeddedLogClient } from './embedded-log-client.js';

/** A group's lag on one partition. */
export interface PartitionLag {
  topic: string;
  partition: number;
  /** -1 when the group has committed nothing there. */
  committedOffset: number;
  highWatermark: number;
  /** Records the group has yet to consume: HW minus committed (HW when nothing is committed). */
  lag: number;
}

/** Which offset to look up: the log start, the high watermark, or the first at a time. */
export type OffsetSpec = 'earliest' | 'latest' | { timestamp: number };

/** An offset and, for a lookup by time, the timestamp of the record found (-1 otherwise). */
export interface ListedOffset {
  topic: string;
  partition: number;
  /** -1 when no record has a timestamp at or after the one asked for. */
  offset: number;
  timestamp: number;
}

/**
 * The admin client.
 *
 * @example
 * ```ts
 * const admin = new Admin(client);
 * await admin.createTopics([{ name: 'orders', partitions: 6, replicationFactor: 3 }]);
 * const [end] = await admin.listOffsets([{ topic: 'orders', partition: 0, spec: 'latest' }]);
 * ```
 */
export class Admin {
  constructor(private readonly client: EmbeddedLogClient) {}

  /**
   * Creates topics, one request each.
   *
   * @throws the first failure: TopicAlreadyExistsError, InvalidReplicationFactorError, InvalidRequestError, ConfigError.
   */
  async createTopics(topics: readonly CreateTopicRequest[]): Promise<void> {
    for (const t of topics) await this.client.createTopic(t);
  }

  /**
   * Deletes topics.
   *
   * @throws UnknownTopicOrPartitionError naming the first topic that does not exist.
   */
  async deleteTopics(names: readonly string[]): Promise<void> {
    for (const name of names) await this.client.deleteTopics([name]);
  }

  /** The names of all topics, sorted. */
  async listTopics(): Promise<string[]> {
    const md = await this.client.metadata();
    return md.topics.map((t) => t.name).sort();
  }

  /** Topics with their config and each partition's replicas, leader, epoch and ISR. */
  async describeTopics(names: readonly string[]): Promise<TopicMetadata[]> {
    const md = await this.client.metadata([...names]);
    return [...md.topics];
  }

  /** Every group on every coordinator, sorted by id. */
  async listGroups(): Promise<ListGroupsResult['groups'][number][]> {
    const md = await this.client.metadata([]);
    const all: ListGroupsResult['groups'][number][] = [];
    for (const broker of md.brokers) {
      const result = await this.client
        .brokerCall<ListGroupsResult>(broker, { type: 'group.list' })
        .catch(() => undefined);
      if (result !== undefined) all.push(...result.groups);
    }
    return all.sort((a, b) => a.groupId.localeCompare(b.groupId));
  }

  /** A group's state, protocol, members and their assignments. */
  async describeGroup(groupId: string): Promise<GroupDescription> {
    const coordinator = await this.client.findCoordinator(groupId);
    return this.client.brokerCall<GroupDescription>(coordinator, { type: 'group.describe', groupId });
  }

  /**
   * Deletes a group and its committed offsets.
   *
   * @throws NonEmptyGroupError while it has members; GroupIdNotFoundError for an unknown group.
   */
  async deleteGroup(groupId: string): Promise<void> {
    const coordinator = await this.client.findCoordinator(groupId);
    await this.client.brokerCall(coordinator, { type: 'group.delete', groupId });
  }

  /** How far a group is behind on every partition of `topics`. */
  async groupLag(groupId: string, topics: readonly string[]): Promise<PartitionLag[]> {
    const md = await this.client.metadata([...topics]);
    const partitions = md.topics.flatMap((t) =>
      t.partitions.map((p) => ({ topic: t.name, partition: p.partition })),
    );
    const coordinator = await this.client.findCoordinator(groupId);
    const committed = await this.client.brokerCall<OffsetFetchResult>(coordinator, {
      type: 'group.offsetFetch',
      groupId,
      partitions,
    });
    const byKey = new Map(committed.offsets.map((o) => [`${o.topic}-${o.partition}`, o.offset]));
    const out: PartitionLag[] = [];
    for (const tp of partitions) {
      const highWatermark = (await this.client.listOffset(tp.topic, tp.partition, -1)).offset;
      const committedOffset = byKey.get(`${tp.topic}-${tp.partition}`) ?? -1;
      out.push({ ...tp, committedOffset, highWatermark, lag: highWatermark - Math.max(0, committedOffset) });
    }
    return out;
  }

  /** Looks up offsets per partition. */
  async listOffsets(
    requests: readonly { topic: string; partition: number; spec: OffsetSpec }[],
  ): Promise<ListedOffset[]> {
    const out: ListedOffset[] = [];
    for (const r of requests) {
      const ts = r.spec === 'earliest' ? -2 : r.spec === 'latest' ? -1 : r.spec.timestamp;
      const found = await this.client.listOffset(r.topic, r.partition, ts);
      out.push({ topic: r.topic, partition: r.partition, offset: found.offset, timestamp: found.timestamp });
    }
    return out;
  }
}
