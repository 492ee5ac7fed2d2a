/**
 * The embedded backend's client connection: requests to the controller and to partition leaders
 * as RPCs between actors, with a metadata cache that is refreshed when a broker says it is not the
 * leader. The Producer, Consumer and Admin are built on it; the Kafka backend will offer the same
 * operations over the wire protocol.
 */
import {
  KafkaProtocolError,
  LeaderNotAvailableError,
  UnknownTopicOrPartitionError,
} from '../../common/kafka-errors.js';
import { type ActorSystem, RpcClient } from '../../runtime/actor/index.js';
import type { ClusterMetadata, PartitionState } from '../broker/cluster-metadata.js';
import { brokerActorId, CONTROLLER_ACTOR_ID } from '../broker/cluster-metadata.js';
import type { CreateTopicRequest } from '../broker/controller-state.js';
import type { Acks, FetchResult, IsolationLevel } from '../broker/partition-replica.js';
import type { ProduceResult } from '../broker/replica-requests.js';

/** Options of an EmbeddedLogClient. */
export interface EmbeddedLogClientOptions {
  /** The node the client lives on (its process), for the network and for tracing. */
  node: string;
  requestTimeoutMs?: number;
}

/** Where to read from and how much. */
export interface FetchOptions {
  maxBytes?: number;
  /** How long the leader may wait for data before answering empty. */
  maxWaitMs?: number;
  /** read_committed stops at the last stable offset and lists aborted transactions. Default read_uncommitted. */
  isolationLevel?: IsolationLevel;
}

/**
 * A client of an embedded cluster.
 *
 * @example
 * ```ts
 * const client = new EmbeddedLogClient(cluster.system, { node: 'app-1' });
 * await client.createTopic({ name: 'orders', partitions: 3, replicationFactor: 1 });
 * const { baseOffset } = await client.produce('orders', 0, buildRecordBatch(records), 'all');
 * const { records } = await client.fetch('orders', 0, baseOffset);
 * ```
 */
export class EmbeddedLogClient {
  private readonly rpc: RpcClient;
  private readonly requestTimeoutMs: number;
  private metadataCache: ClusterMetadata | undefined;

  constructor(system: ActorSystem, options: EmbeddedLogClientOptions) {
    this.rpc = new RpcClient(system, options.node, 'client');
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  }

  /** Fetches metadata from the controller (all topics when `topics` is omitted) and caches it. */
  async metadata(topics?: string[]): Promise<ClusterMetadata> {
    const request =
      topics === undefined ? { type: 'controller.metadata' } : { type: 'controller.metadata', topics };
    const md = await this.rpc.call<ClusterMetadata>(CONTROLLER_ACTOR_ID, request, this.requestTimeoutMs);
    this.metadataCache = md;
    return md;
  }

  /**
   * Creates a topic.
   *
   * @throws TopicAlreadyExistsError, InvalidReplicationFactorError, InvalidRequestError, ConfigError.
   */
  async createTopic(request: CreateTopicRequest): Promise<void> {
    await this.rpc.call(
      CONTROLLER_ACTOR_ID,
      { type: 'controller.createTopics', topics: [request] },
      this.requestTimeoutMs,
    );
  }

  /**
   * Deletes topics: their partitions' replicas are closed and their files removed.
   *
   * @throws UnknownTopicOrPartitionError for a single topic that does not exist.
   */
  async deleteTopics(topics: string[]): Promise<{ errors: Record<string, string> }> {
    this.metadataCache = undefined;
    return this.rpc.call(
      CONTROLLER_ACTOR_ID,
      { type: 'controller.deleteTopics', topics },
      this.requestTimeoutMs,
    );
  }

  /** The state of a partition from the cached metadata (refreshed if missing). */
  async partition(topic: string, partition: number, refresh = false): Promise<PartitionState> {
    let md = this.metadataCache;
    if (refresh || md === undefined || !md.topics.some((t) => t.name === topic)) md = await this.metadata();
    const state = md.topics.find((t) => t.name === topic)?.partitions[partition];
    if (state === undefined) throw new UnknownTopicOrPartitionError(`${topic}-${partition} does not exist`);
    return state;
  }

  /**
   * Sends batches to a partition's leader. A NotLeaderOrFollower answer refreshes the metadata
   * before the error is rethrown, so the caller's retry goes to the new leader.
   */
  async produce(
    topic: string,
    partition: number,
    records: Uint8Array,
    acks: Acks,
    timeoutMs = this.requestTimeoutMs,
  ): Promise<ProduceResult> {
    const leader = await this.leaderOf(topic, partition);
    return this.refreshingOn(
      this.rpc.call<ProduceResult>(
        brokerActorId(leader),
        { type: 'produce.request', topic, partition, records, acks, timeoutMs },
        timeoutMs + this.requestTimeoutMs,
      ),
    );
  }

  /** Fetches from a partition's leader, as a consumer (up to the high watermark). */
  async fetch(
    topic: string,
    partition: number,
    fetchOffset: number,
    options: FetchOptions = {},
  ): Promise<FetchResult> {
    const leader = await this.leaderOf(topic, partition);
    const maxWaitMs = options.maxWaitMs ?? 0;
    return this.refreshingOn(
      this.rpc.call<FetchResult>(
        brokerActorId(leader),
        {
          type: 'fetch.request',
          topic,
          partition,
          fetchOffset,
          maxBytes: options.maxBytes ?? 1024 * 1024,
          replicaId: -1,
          maxWaitMs,
          ...(options.isolationLevel === 'read_committed' ? { isolationLevel: 'read_committed' } : {}),
        },
        maxWaitMs + this.requestTimeoutMs,
      ),
    );
  }

  /**
   * The earliest (-2), latest (-1: the high watermark, or the last stable offset for
   * read_committed) or first-at-timestamp offset of a partition.
   */
  async listOffset(
    topic: string,
    partition: number,
    timestamp: number,
    isolationLevel: IsolationLevel = 'read_uncommitted',
  ): Promise<{ offset: number; timestamp: number }> {
    const leader = await this.leaderOf(topic, partition);
    return this.refreshingOn(
      this.rpc.call(
        brokerActorId(leader),
        { type: 'listOffsets.request', topic, partition, timestamp, isolationLevel },
        this.requestTimeoutMs,
      ),
    );
  }

  /** The broker coordinating a group (the leader of its `__consumer_offsets` partition). */
  async findCoordinator(groupId: string): Promise<number> {
    const found = await this.rpc.call<{ brokerId: number }>(
      CONTROLLER_ACTOR_ID,
      { type: 'controller.findCoordinator', groupId },
      this.requestTimeoutMs,
    );
    return found.brokerId;
  }

  /** The broker coordinating a transactional id (the leader of its `__transaction_state` partition). */
  async findTransactionCoordinator(transactionalId: string): Promise<number> {
    const found = await this.rpc.call<{ brokerId: number }>(
      CONTROLLER_ACTOR_ID,
      { type: 'controller.findCoordinator', transactionalId },
      this.requestTimeoutMs,
    );
    return found.brokerId;
  }

  /** Any live broker, for requests any broker serves (an idempotent producer's InitProducerId). */
  async anyBroker(): Promise<number> {
    // Not through metadata(): an answer for no topics must not replace the cached metadata.
    const md = await this.rpc.call<ClusterMetadata>(
      CONTROLLER_ACTOR_ID,
      { type: 'controller.metadata', topics: [] },
      this.requestTimeoutMs,
    );
    const broker = md.brokers[0];
    if (broker === undefined) throw new LeaderNotAvailableError('no broker is alive');
    return broker;
  }

  /**
   * Sends a coordinator request (`group.join`, `group.offsetCommit`, `txn.endTxn` …) to a broker,
   * which routes it to its group or transaction coordinator.
   */
  brokerCall<T>(
    brokerId: number,
    request: { type: string; [field: string]: unknown },
    timeoutMs = this.requestTimeoutMs,
  ): Promise<T> {
    return this.rpc.call<T>(brokerActorId(brokerId), request, timeoutMs);
  }

  /** Leaves the actor system; calls still waiting fail. */
  close(): void {
    this.rpc.close();
  }

  private async leaderOf(topic: string, partition: number): Promise<number> {
    const state = await this.partition(topic, partition);
    if (state.leader < 0) {
      this.metadataCache = undefined;
      throw new LeaderNotAvailableError(`${topic}-${partition} has no leader right now`);
    }
    return state.leader;
  }

  private async refreshingOn<T>(call: Promise<T>): Promise<T> {
    try {
      return await call;
    } catch (err) {
      // Every retriable protocol error (NotLeaderOrFollower, UnknownTopicOrPartition …) may mean the
      // metadata is stale: the caller's retry fetches it again.
      if (err instanceof KafkaProtocolError && err.retriable) this.metadataCache = undefined;
      throw err;
    }
  }
}
