/**
 * What StreamsApp sees of a stream thread, wherever it runs (on the main event loop for
 * simulations and tests, or in a worker thread): its state, tasks and counters, and a way to stop it.
 */
import type { StreamThreadMetrics, StreamThreadState, TaskStatus } from './stream-thread.js';

/**
 * A running stream thread.
 *
 * @example
 * ```ts
 * for (const t of app.streamThreads()) console.log(t.id, t.state, t.activeTaskIds(), t.metrics.recordsIn);
 * ```
 */
export interface ThreadHandle {
  readonly id: string;
  readonly state: StreamThreadState;
  readonly metrics: Readonly<StreamThreadMetrics>;
  activeTaskIds(): string[];
  /** Its tasks, active and standby, with their states (as of the last status report, in a worker). */
  taskStatuses(): readonly TaskStatus[];
  /** Asks the thread to commit, close its tasks and leave the group. */
  shutdown(): void;
  /** Resolves when the thread has ended cleanly; rejects with what stopped it otherwise. */
  readonly done: Promise<void>;
  /** Told of every state change. */
  onStateChange: ((next: StreamThreadState, previous: StreamThreadState) => void) | undefined;
}
