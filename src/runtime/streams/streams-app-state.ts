/**
 * The client states of a streams application (Kafka Streams' KafkaStreams.State) and how they
 * follow from its threads' states: rebalancing while any live thread is starting or taking new
 * partitions, running once every live thread runs.
 *
 *   created → rebalancing ⇄ running → pendingShutdown → notRunning
 *                  └──────────┴──→ pendingError → error
 */
import type { StreamThreadState } from './stream-thread.js';

/**
 * A streams application's state.
 *
 * @example
 * ```ts
 * app.onStateChange((next, previous) => console.log(`${previous} → ${next}`));
 * ```
 */
export type StreamsAppState =
  | 'created'
  | 'rebalancing'
  | 'running'
  | 'pendingShutdown'
  | 'notRunning'
  | 'pendingError'
  | 'error';

/**
 * The application state the threads' states imply while it is up.
 *
 * @example
 * ```ts
 * stateFromThreads(['running', 'partitionsAssigned']); // 'rebalancing'
 * ```
 * @throws nothing.
 */
export function stateFromThreads(threads: readonly StreamThreadState[]): 'rebalancing' | 'running' {
  const live = threads.filter((s) => s !== 'dead' && s !== 'pendingShutdown');
  return live.length > 0 && live.every((s) => s === 'running') ? 'running' : 'rebalancing';
}
