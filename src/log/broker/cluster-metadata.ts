/**
 * The cluster's metadata as the controller keeps it and clients and brokers receive it: live
 * brokers, topics, and for each partition its replicas, leader, leader epoch and ISR.
 */
import type { TopicConfig } from './topic-config.js';

/** The state of one partition. */
export interface PartitionState {
  readonly topic: string;
  readonly partition: number;
  readonly replicas: readonly number[];
  /** The leader's broker id, or -1 while the partition has none (offline). */
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly isr: readonly number[];
  /** Bumped on every change, so a stale update can be recognised. */
  readonly partitionEpoch: number;
}

/** A topic. */
export interface TopicMetadata {
  readonly name: string;
  readonly config: TopicConfig;
  readonly partitions: readonly PartitionState[];
}

/** What a metadata request returns. */
export interface ClusterMetadata {
  readonly brokers: readonly number[];
  readonly controller: string;
  readonly topics: readonly TopicMetadata[];
}

/**
 * The actor id of a broker's request handler.
 *
 * @example
 * ```ts
 * rpc.call(brokerActorId(2), { type: 'produce.request', … }, 30_000);
 * ```
 */
export function brokerActorId(brokerId: number): string {
  return `broker-${brokerId}/broker`;
}

/**
 * The actor id of a broker's replica of a partition.
 *
 * @example
 * ```ts
 * replicaActorId(2, 'orders', 0); // 'broker-2/replica/orders-0'
 * ```
 */
export function replicaActorId(brokerId: number, topic: string, partition: number): string {
  return `broker-${brokerId}/replica/${topic}-${partition}`;
}

/** The node of the controller. */
export const CONTROLLER_ACTOR_ID = 'controller/controller';
