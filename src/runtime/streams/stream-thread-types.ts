/**
 * The states, options and counters of a stream thread (Kafka Streams' StreamThread.State and
 * thread metrics).
 */
import type { Topology } from '../../dsl/topology.js';
import type { EmbeddedLogClient } from '../../log/client/embedded-log-client.js';
import type { RestoreListener } from '../../state-stores/restore/restore-events.js';
import type { Clock } from '../actor/clock.js';
import type { Random } from '../actor/random.js';
import type { StreamTaskOptions } from './stream-task.js';

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
  /**
   * Static group membership (group.instance.id): a restarted thread with the same id takes its
   * place at once, without waiting for the session timeout or moving tasks elsewhere.
   */
  readonly groupInstanceId?: string;
  readonly deserializationErrorHandler?: StreamTaskOptions['deserializationErrorHandler'];
  readonly processingErrorHandler?: StreamTaskOptions['processingErrorHandler'];
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
}
