/**
 * The controller's state and decisions, as plain synchronous logic (the controller machine feeds
 * it events and sends what it returns): broker liveness by heartbeat and session, placement of
 * replicas, leader election from the ISR (unclean election only where a topic allows it), ISR
 * changes proposed by leaders, and metadata.
 *
 * A broker that restarts without a clean shutdown may have lost unflushed writes, so it leaves
 * every ISR it was in (unless it is the last member) and must catch up to return — otherwise an
 * amnesiac replica could be elected and lose acknowledged records (the problem KIP-966 addresses).
 */
import { IllegalStateError } from '../../common/errors.js';
import {
  InvalidReplicationFactorError,
  InvalidRequestError,
  NotLeaderOrFollowerError,
  TopicAlreadyExistsError,
  UnknownTopicOrPartitionError,
} from '../../common/kafka-errors.js';
import type { Clock } from '../../runtime/actor/clock.js';
import type { ClusterMetadata, PartitionState, TopicMetadata } from './cluster-metadata.js';
import { CONTROLLER_ACTOR_ID } from './cluster-metadata.js';
import { resolveTopicConfig, type TopicConfig } from './topic-config.js';

interface BrokerRegistration {
  incarnation: string;
  lastHeartbeatMs: number;
  fenced: boolean;
}

/** What the controller keeps on disk. */
export interface ControllerSnapshot {
  version: 1;
  topicCount: number;
  /**
   * The first producer id not yet handed to a broker. Absent in snapshots written before
   * producer ids existed, which had handed none out.
   */
  nextProducerId?: number;
  brokers: { id: number; incarnation: string }[];
  topics: { name: string; config: TopicConfig; partitions: PartitionState[] }[];
}

/**
 * How many producer ids a broker gets at once (Kafka's block size).
 *
 * @example
 * ```ts
 * state.allocateProducerIds(1, PRODUCER_ID_BLOCK_SIZE);
 * ```
 */
export const PRODUCER_ID_BLOCK_SIZE = 1000;

/**
 * A block of producer ids handed to a broker: `firstProducerId` .. `firstProducerId + count - 1`.
 *
 * @example
 * ```ts
 * const grant: ProducerIdBlockGrant = { brokerId: 2, firstProducerId: 3000, count: 1000 };
 * ```
 */
export interface ProducerIdBlockGrant {
  readonly brokerId: number;
  readonly firstProducerId: number;
  readonly count: number;
}

/** A request to create a topic. */
export interface CreateTopicRequest {
  name: string;
  partitions: number;
  replicationFactor: number;
  config?: Partial<TopicConfig>;
}

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

/**
 * The controller's view of the cluster.
 *
 * @example
 * ```ts
 * const state = new ControllerState(clock, 6000);
 * state.registerBroker(1, 'a1', true);
 * state.createTopic({ name: 'orders', partitions: 3, replicationFactor: 1 });
 * ```
 */
export class ControllerState {
  private readonly clock: Clock;
  private readonly sessionTimeoutMs: number;
  private readonly brokers = new Map<number, BrokerRegistration>();
  private readonly topics = new Map<string, { config: TopicConfig; partitions: PartitionState[] }>();
  private topicCount = 0;
  private nextProducerId = 0;

  constructor(clock: Clock, sessionTimeoutMs: number) {
    this.clock = clock;
    this.sessionTimeoutMs = sessionTimeoutMs;
  }

  /**
   * The durable part of the state: topics, their partition states, and each broker's last
   * incarnation (so a restart is recognised even across a controller restart).
   */
  snapshot(): ControllerSnapshot {
    return {
      version: 1,
      topicCount: this.topicCount,
      nextProducerId: this.nextProducerId,
      brokers: [...this.brokers].map(([id, b]) => ({ id, incarnation: b.incarnation })),
      topics: [...this.topics].map(([name, t]) => ({ name, config: t.config, partitions: t.partitions })),
    };
  }

  /**
   * Restores a snapshot. Every broker starts fenced, with no leader of its own, until it
   * registers again.
   */
  restore(snapshot: ControllerSnapshot): void {
    this.topicCount = snapshot.topicCount;
    this.nextProducerId = snapshot.nextProducerId ?? 0;
    for (const b of snapshot.brokers) {
      this.brokers.set(b.id, {
        incarnation: b.incarnation,
        lastHeartbeatMs: this.clock.nowMs(),
        fenced: true,
      });
    }
    for (const t of snapshot.topics) {
      this.topics.set(t.name, {
        config: resolveTopicConfig(t.config),
        // A leader from before the restart is not known to be alive: elect again on registration.
        partitions: t.partitions.map((p) =>
          p.leader === -1 ? p : { ...p, leader: -1, leaderEpoch: p.leaderEpoch + 1 },
        ),
      });
    }
  }

  /**
   * Hands a broker the next block of producer ids. The caller must save the snapshot before it
   * answers, so that no id is handed out twice, even across a controller restart.
   *
   * @example
   * ```ts
   * const { firstProducerId, count } = state.allocateProducerIds(2); // 0, 1000; then 1000, 1000 …
   * store.save(state.snapshot());
   * ```
   * @throws InvalidRequestError for a broker id that is not a non-negative integer.
   */
  allocateProducerIds(brokerId: number, count = PRODUCER_ID_BLOCK_SIZE): ProducerIdBlockGrant {
    if (!Number.isInteger(brokerId) || brokerId < 0) {
      throw new InvalidRequestError(`producer ids asked for by broker ${brokerId}: not a broker id`);
    }
    const firstProducerId = this.nextProducerId;
    this.nextProducerId += count;
    return { brokerId, firstProducerId, count };
  }

  /** Live (unfenced) broker ids, sorted. */
  liveBrokers(): number[] {
    return [...this.brokers]
      .filter(([, b]) => !b.fenced)
      .map(([id]) => id)
      .sort((a, b) => a - b);
  }

  /**
   * Registers a (re)starting broker and returns the partitions whose state changed. A new
   * incarnation after an unclean shutdown leaves the ISRs it may no longer deserve.
   */
  registerBroker(id: number, incarnation: string, cleanShutdown: boolean): PartitionState[] {
    const previous = this.brokers.get(id);
    this.brokers.set(id, { incarnation, lastHeartbeatMs: this.clock.nowMs(), fenced: false });
    const changed: PartitionState[] = [];
    const restarted = previous !== undefined && previous.incarnation !== incarnation;
    this.forEachPartition((p, set) => {
      if (!p.replicas.includes(id)) return;
      let next = p;
      if (restarted && !cleanShutdown && p.isr.includes(id) && p.isr.length > 1) {
        next = { ...next, isr: next.isr.filter((r) => r !== id), partitionEpoch: next.partitionEpoch + 1 };
        // It may have led with data it no longer has: someone else must lead.
        if (next.leader === id) next = this.elect(next, true);
      }
      if (next.leader === -1) next = this.elect(next, false);
      if (next !== p) {
        set(next);
        changed.push(next);
      }
    });
    return changed;
  }

  /**
   * Records a heartbeat.
   *
   * @throws IllegalStateError when the broker is unknown, fenced or of another incarnation: it
   *   must register again.
   */
  heartbeat(id: number, incarnation: string): void {
    const b = this.brokers.get(id);
    if (b === undefined || b.incarnation !== incarnation || b.fenced) {
      throw new IllegalStateError(`broker ${id} (${incarnation}) is not registered; register again`);
    }
    b.lastHeartbeatMs = this.clock.nowMs();
  }

  /** Fences brokers whose session expired; returns the partitions whose state changed. */
  expireSessions(): PartitionState[] {
    const now = this.clock.nowMs();
    const changed: PartitionState[] = [];
    for (const [id, b] of this.brokers) {
      if (b.fenced || now - b.lastHeartbeatMs <= this.sessionTimeoutMs) continue;
      b.fenced = true;
      this.forEachPartition((p, set) => {
        if (!p.replicas.includes(id)) return;
        let next = p;
        if (p.isr.includes(id) && p.isr.length > 1) {
          next = { ...next, isr: next.isr.filter((r) => r !== id), partitionEpoch: next.partitionEpoch + 1 };
        }
        if (next.leader === id) next = this.elect(next, true);
        if (next !== p) {
          set(next);
          changed.push(next);
        }
      });
    }
    return changed;
  }

  /**
   * Creates a topic, placing replicas round-robin over the live brokers.
   *
   * @throws TopicAlreadyExistsError, InvalidReplicationFactorError, InvalidRequestError, ConfigError.
   */
  createTopic(request: CreateTopicRequest): PartitionState[] {
    const { name, partitions, replicationFactor } = request;
    if (!TOPIC_NAME.test(name) || name === '.' || name === '..') {
      throw new InvalidRequestError(
        `topic name ${JSON.stringify(name)} is not valid: use 1-249 of [a-zA-Z0-9._-]`,
      );
    }
    if (this.topics.has(name)) throw new TopicAlreadyExistsError(`topic ${name} exists`);
    if (!Number.isInteger(partitions) || partitions < 1) {
      throw new InvalidRequestError(
        `topic ${name}: partitions must be a positive integer, got ${partitions}`,
      );
    }
    const config = resolveTopicConfig(request.config);
    const live = this.liveBrokers();
    if (!Number.isInteger(replicationFactor) || replicationFactor < 1 || replicationFactor > live.length) {
      throw new InvalidReplicationFactorError(
        `topic ${name}: replication factor ${replicationFactor} with ${live.length} live broker(s)`,
      );
    }
    const start = this.topicCount++;
    const states: PartitionState[] = [];
    for (let p = 0; p < partitions; p++) {
      const replicas = Array.from(
        { length: replicationFactor },
        (_, i) => live[(start + p + i) % live.length]!,
      );
      states.push({
        topic: name,
        partition: p,
        replicas,
        leader: replicas[0]!,
        leaderEpoch: 0,
        isr: replicas,
        partitionEpoch: 0,
      });
    }
    this.topics.set(name, { config, partitions: states });
    return states;
  }

  /**
   * Deletes a topic; returns its partitions (whose replicas the brokers must delete).
   *
   * @throws UnknownTopicOrPartitionError when there is no such topic.
   */
  deleteTopic(name: string): PartitionState[] {
    const t = this.topics.get(name);
    if (t === undefined) throw new UnknownTopicOrPartitionError(`topic ${name} does not exist`);
    this.topics.delete(name);
    return t.partitions;
  }

  /**
   * Commits an ISR change proposed by a partition's leader.
   *
   * @throws UnknownTopicOrPartitionError; NotLeaderOrFollowerError when the proposer is not the
   *   leader of the current epoch (a stale or fenced leader).
   */
  alterIsr(
    topic: string,
    partition: number,
    leaderId: number,
    leaderEpoch: number,
    isr: number[],
  ): PartitionState {
    const state = this.partitionState(topic, partition);
    if (state.leader !== leaderId || state.leaderEpoch !== leaderEpoch) {
      throw new NotLeaderOrFollowerError(
        `ISR change for ${topic}-${partition} from broker ${leaderId} epoch ${leaderEpoch}, but the leader is ${state.leader} epoch ${state.leaderEpoch}`,
      );
    }
    const members = [...new Set(isr)].filter((r) => state.replicas.includes(r)).sort((a, b) => a - b);
    if (!members.includes(leaderId)) members.unshift(leaderId);
    const next: PartitionState = { ...state, isr: members, partitionEpoch: state.partitionEpoch + 1 };
    this.setPartition(next);
    return next;
  }

  /** The state of one partition. */
  partitionState(topic: string, partition: number): PartitionState {
    const t = this.topics.get(topic);
    const p = t?.partitions[partition];
    if (p === undefined) throw new UnknownTopicOrPartitionError(`${topic}-${partition} does not exist`);
    return p;
  }

  /** The config of a topic. */
  topicConfig(topic: string): TopicConfig {
    const t = this.topics.get(topic);
    if (t === undefined) throw new UnknownTopicOrPartitionError(`topic ${topic} does not exist`);
    return t.config;
  }

  /** Every partition a broker holds a replica of. */
  partitionsOf(brokerId: number): PartitionState[] {
    const out: PartitionState[] = [];
    this.forEachPartition((p) => {
      if (p.replicas.includes(brokerId)) out.push(p);
    });
    return out;
  }

  /** Metadata for the given topics (all when omitted). */
  metadata(topics?: readonly string[]): ClusterMetadata {
    const names = topics ?? [...this.topics.keys()].sort();
    const out: TopicMetadata[] = [];
    for (const name of names) {
      const t = this.topics.get(name);
      if (t !== undefined) out.push({ name, config: t.config, partitions: t.partitions });
    }
    return { brokers: this.liveBrokers(), controller: CONTROLLER_ACTOR_ID, topics: out };
  }

  /** Elects a leader: the first live in-sync replica, else (if allowed) any live replica. */
  private elect(p: PartitionState, leaderLost: boolean): PartitionState {
    const alive = (id: number) => this.brokers.get(id)?.fenced === false;
    const candidate = p.replicas.find(
      (r) => p.isr.includes(r) && alive(r) && (!leaderLost || r !== p.leader),
    );
    if (candidate !== undefined) {
      return {
        ...p,
        leader: candidate,
        leaderEpoch: p.leaderEpoch + 1,
        partitionEpoch: p.partitionEpoch + 1,
      };
    }
    const config = this.topics.get(p.topic)?.config;
    const unclean =
      config?.uncleanLeaderElection === true
        ? p.replicas.find((r) => alive(r) && (!leaderLost || r !== p.leader))
        : undefined;
    if (unclean !== undefined) {
      return {
        ...p,
        leader: unclean,
        leaderEpoch: p.leaderEpoch + 1,
        isr: [unclean],
        partitionEpoch: p.partitionEpoch + 1,
      };
    }
    if (p.leader === -1) return p;
    return { ...p, leader: -1, leaderEpoch: p.leaderEpoch + 1, partitionEpoch: p.partitionEpoch + 1 };
  }

  private forEachPartition(fn: (p: PartitionState, set: (next: PartitionState) => void) => void): void {
    for (const t of this.topics.values()) {
      t.partitions.forEach((p, i) => {
        fn(p, (next) => {
          t.partitions[i] = next;
        });
      });
    }
  }

  private setPartition(next: PartitionState): void {
    const t = this.topics.get(next.topic)!;
    t.partitions[next.partition] = next;
  }
}
