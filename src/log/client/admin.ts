/**
 * Admin operations on an embedded cluster: create, delete, list and describe topics, and list
 * offsets (earliest, latest, or by timestamp). Group operations (describe, list, delete, lag)
 * join when the group coordinator is wired into the brokers.
 */
import type { TopicMetadata } from '../broker/cluster-metadata.js';
import type { CreateTopicRequest } from '../broker/controller-state.js';
import type { EmbeddedLogClient } from './embedded-log-client.js';

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
