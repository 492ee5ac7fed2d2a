/**
 * The data a SimulatedCluster takes and gives: its options, the input records it writes, and the
 * snapshot a run leaves (rendered records, partition offsets, store contents) for the checker.
 */
import type { Topology } from '../../dsl/topology.js';
import type { BrokerSettings } from '../../log/broker/broker-settings.js';
import type { NetworkFaults } from '../../runtime/actor/index.js';
import type { InstanceConfig } from './simulated-instance.js';

/**
 * How to set a simulated cluster up.
 *
 * @example
 * ```ts
 * const options: SimulatedClusterOptions = { seed: 7, topology, brokers: 3, partitions: 3, instances: 2 };
 * ```
 */
export interface SimulatedClusterOptions {
  readonly seed: number;
  readonly topology: Topology;
  /** Default 'app'. */
  readonly applicationId?: string;
  /** Default 1. */
  readonly brokers?: number;
  /** Partitions of every user topic (sources and sinks), or per topic. Default 3. */
  readonly partitions?: number | Readonly<Record<string, number>>;
  /** Default min(brokers, 3); min.insync.replicas is 2 from 3 replicas on. */
  readonly replicationFactor?: number;
  /** Instances at the start. Default 2. */
  readonly instances?: number;
  /** Stream threads per instance. Default 1. */
  readonly threadsPerInstance?: number;
  /** Default exactly_once_v2. */
  readonly processingGuarantee?: 'exactly_once_v2' | 'at_least_once';
  /** Default 100 ms. */
  readonly commitIntervalMs?: number;
  /** Standby replicas, warmups, probing rebalances (KIP-441), e.g. `{ numStandbyReplicas: 1 }`. */
  readonly assignor?: InstanceConfig['assignor'];
  /** The network when no fault slows it. Default: 1–5 ms per message, no loss. */
  readonly network?: Partial<NetworkFaults>;
  /** Broker settings over FAST_BROKER_SETTINGS. */
  readonly brokerSettings?: Partial<BrokerSettings>;
}

/**
 * A record to write to an input topic; strings are written as UTF-8.
 *
 * @example
 * ```ts
 * const r: InputRecord = { topic: 'lines', key: 'l1', value: 'to be or not to be' };
 * ```
 */
export interface InputRecord {
  readonly topic: string;
  readonly key: string | Uint8Array | null;
  readonly value: string | Uint8Array | null;
  /** By the default partitioner (murmur2 of the key) when absent. */
  readonly partition?: number;
  /** Default: the record's index in its `produce` call. */
  readonly timestamp?: number;
}

/**
 * A record as the checker compares it: key and value rendered (UTF-8 text as a JSON string,
 * other bytes as `hex:…`, null as `null`).
 *
 * @example
 * ```ts
 * const r: RenderedRecord = { key: '"alpha"', value: '"3"', timestamp: 12 };
 * ```
 */
export interface RenderedRecord {
  readonly key: string;
  readonly value: string;
  readonly timestamp: number;
}

/**
 * Where a partition stands: its last stable offset and high watermark, and for a partition the
 * application consumes, the group's committed offset and how many committed data records lie
 * past it (0 once everything is processed; control records do not count).
 *
 * @example
 * ```ts
 * const o: PartitionOffsets = { topic: 'lines', partition: 0, lso: 40, hw: 40, committed: 40, unprocessed: 0 };
 * ```
 */
export interface PartitionOffsets {
  readonly topic: string;
  readonly partition: number;
  readonly lso: number;
  readonly hw: number;
  readonly committed?: number;
  readonly unprocessed?: number;
}

/**
 * What a run left behind, as the checker compares it.
 *
 * @example
 * ```ts
 * const snapshot = await cluster.snapshot();
 * snapshot.outputs.get('word-counts-0'); // [{ key: '"alpha"', value: '"1"', timestamp: 0 }, …]
 * ```
 */
export interface ClusterSnapshot {
  /** read_committed records of every user output topic, by `topic-partition`. */
  readonly outputs: ReadonlyMap<string, readonly RenderedRecord[]>;
  /** read_committed records of every user input topic, by `topic-partition` (to tell lost input from lost output). */
  readonly inputs: ReadonlyMap<string, readonly RenderedRecord[]>;
  /**
   * Every changelogged store's contents as its read_committed changelog folds them (last value per
   * key; a tombstone deletes), by `store/partition` (the partition is the task's).
   */
  readonly stores: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** Every partition of every topic of the application. */
  readonly offsets: readonly PartitionOffsets[];
}
