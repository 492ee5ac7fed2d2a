/**
 * The control messages between StreamsApp and a stream thread in a worker: what the worker needs
 * to start (plain data), status reports (batched, a few per second, never per record) and the
 * stop handshake.
 */
import type { StreamThreadMetrics, StreamThreadState, TaskStatus } from '../streams/stream-thread.js';
import type { StreamThreadSettings } from '../streams/stream-thread-types.js';

/**
 * What a stream-thread worker is started with.
 *
 * @example
 * ```ts
 * const data: StreamThreadWorkerData = { appModule: 'file:///app/app.js', applicationId: 'clicks', threadId: 'i1-1', stateDir, processingGuarantee: 'exactly_once_v2', commitIntervalMs: 100, pollMs: 100, maxPollRecords: 1000, statusIntervalMs: 250 };
 * ```
 */
export interface StreamThreadWorkerData extends StreamThreadSettings {
  readonly appModule: string;
  readonly statusIntervalMs: number;
}

/**
 * From the main thread.
 *
 * @example
 * ```ts
 * handle.control.send({ type: 'stop' });
 * ```
 */
export type ToStreamThreadWorker = { readonly type: 'stop' };

/**
 * From the worker.
 *
 * @example
 * ```ts
 * handle.control.onMessage((m) => m.type === 'status' && console.log(m.state));
 * ```
 */
export type FromStreamThreadWorker =
  | {
      readonly type: 'status';
      readonly state: StreamThreadState;
      readonly tasks: readonly TaskStatus[];
      readonly metrics: StreamThreadMetrics;
    }
  | { readonly type: 'stopped' }
  | { readonly type: 'failed'; readonly message: string; readonly code: string | undefined };
