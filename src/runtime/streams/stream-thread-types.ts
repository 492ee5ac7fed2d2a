/**
 * The states, options and counters of a stream thread (Kafka Streams' StreamThread.State and
 * thread metrics).
 */
import type { Topology } from '../../dsl/topology.js';
import type { EmbeddedLogClient } from '../../log/client/embedded-log-client.js';
import type { RestoreListener } from '../../state-stores/restore/restore-events.js';
import type { Clock } from '../actor/clock.js';
import type { Random } from '../actor/random.js';
import type { StreamsAssignorConfig } from './assignment/streams-assignor-config.js';
import type { StandbyUpdateListener } from './standby-events.js';
import type { StreamTaskOptions } from './stream-task.js';
import type { StreamTaskState } from './stream-task-machine.js';

/**
 * A stream thread's states.
 *
 * @example
 * ```ts
 * thread.onStateChange = (next, previous) => console.log(previous, '→', next);
 * ```
 */
export type StreamThreadState =
  | 'created'
  | 'starting'
  | 'partitionsAssigned'
  | 'running'
  | 'pendingShutdown'
  | 'dead';

/**
 * What a thread runs and how.
 *
 * @example
 * ```ts
 * const options: StreamThreadOptions = { applicationId: 'wordcount', threadId: 'p1-1', topology, client, clock, random, stateDir, processingGuarantee: 'exactly_once_v2', commitIntervalMs: 100 };
 * ```
 */
export interface StreamThreadOptions {
  readonly applicationId: string;
  /** Unique per thread of the application; names its transactional id. */
  readonly threadId: string;
  readonly topology: Topology;
  readonly client: EmbeddedLogClient;
  readonly clock: Clock;
  readonly random: Random;
  readonly stateDir: string;
  readonly processingGuarantee: 'exactly_once_v2' | 'at_least_once';
  readonly commitIntervalMs: number;
  readonly pollMs?: number;
  readonly maxPollRecords?: number;
  readonly restoreListener?: RestoreListener;
  /** Told of standby (and warmup) replicas' progress. */
  readonly standbyListener?: StandbyUpdateListener;
  /**
   * Static group membership (group.instance.id): a restarted thread with the same id takes its
   * place at once, without waiting for the session timeout or moving tasks elsewhere.
   */
  readonly groupInstanceId?: string;
  readonly deserializationErrorHandler?: StreamTaskOptions['deserializationErrorHandler'];
  readonly processingErrorHandler?: StreamTaskOptions['processingErrorHandler'];
  readonly productionErrorHandler?: StreamTaskOptions['productionErrorHandler'];
  /**
   * The engine of persistent stores: RocksDB under `stateDir` (the default), or the in-memory
   * engine, for a simulated cluster (which must do no real I/O; state then lives as long as its task).
   */
  readonly storeEngine?: 'rocksdb' | 'memory';
  /**
   * The application instance (process) the thread belongs to; its threads share it, and the
   * assignor places a task's standbys on other instances. Default: the thread id (an instance of
   * its own).
   */
  readonly processId?: string;
  /** Threads the instance runs (reported to the assignor). Default 1. */
  readonly threadCount?: number;
  /** This thread's place among them (0-based): which local task directories it opens at startup. */
  readonly threadIndex?: number;
  /** Standby replicas, warmups and the rebalance protocol (KIP-441's settings). */
  readonly assignor?: Partial<StreamsAssignorConfig>;
}

/**
 * The plain-data part of a thread's options: what StreamsApp decides for each of its threads, the
 * same whether the thread runs on the app's event loop or in a worker (which gets it as
 * workerData, so it holds no functions).
 *
 * @example
 * ```ts
 * const settings: StreamThreadSettings = { applicationId: 'wordcount', threadId: 'i1-1', stateDir, processingGuarantee: 'exactly_once_v2', commitIntervalMs: 100 };
 * ```
 */
export type StreamThreadSettings = Omit<
  StreamThreadOptions,
  'topology' | 'client' | 'clock' | 'random' | 'restoreListener' | 'standbyListener'
>;

/**
 * One of a thread's tasks, for progress reports.
 *
 * @example
 * ```ts
 * const status: TaskStatus = { id: '1_0', standby: false, state: 'running' };
 * ```
 */
export interface TaskStatus {
  readonly id: string;
  /** A standby (or warmup) replica rather than an active task. */
  readonly standby: boolean;
  readonly state: StreamTaskState;
}

/**
 * Counters a thread keeps for progress reports.
 *
 * @example
 * ```ts
 * const { recordsIn, commits } = thread.metrics;
 * ```
 */
export interface StreamThreadMetrics {
  recordsIn: number;
  recordsOut: number;
  commits: number;
  aborts: number;
  lastAbortReason: string | undefined;
  /** Changelog records replayed into this thread's stores when their tasks opened (restoration). */
  restoredRecords?: number;
  /** Store restorations that replayed a non-empty changelog from its start (no local offset). */
  restoresFromScratch?: number;
  /** Records skipped by an error handler (deserialization or processing). */
  droppedRecords: number;
  /** Changelog records replayed into standby (and warmup) replicas. */
  standbyRecords?: number;
}
