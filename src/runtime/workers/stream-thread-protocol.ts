/**
 * The control messages between StreamsApp and a stream thread in a worker: what the worker needs
 * to start (plain data), status reports (batched, a few per second, never per record) and the
 * stop handshake.
 */
import type { ErrorHandlerPolicy } from '../streams/error-handling.js';
import type { StreamThreadMetrics, StreamThreadState } from '../streams/stream-thread.js';

/**
 * What a stream-thread worker is started with.
 *
 * @example
 * ```ts
 * const data: StreamThreadWorkerData = { appModule: 'file:///app/app.js', applicationId: 'clicks', threadId: 'i1-1', stateDir, processingGuarantee: 'exactly_once_v2', commitIntervalMs: 100, pollMs: 100, maxPollRecords: 1000, statusIntervalMs: 250 };
 * ```
 */
export interface StreamThreadWorkerData {
  readonly appModule: string;
  readonly applicationId: string;
  readonly threadId: string;
  readonly stateDir: string;
  readonly processingGuarantee: 'exactly_once_v2' | 'at_least_once';
  readonly commitIntervalMs: number;
  readonly pollMs: number;
  readonly maxPollRecords: number;
  readonly statusIntervalMs: number;
  /** Static membership, when the app has a stable instance id. */
  readonly groupInstanceId?: string;
  readonly deserializationErrorHandler: ErrorHandlerPolicy;
  readonly processingErrorHandler: ErrorHandlerPolicy;
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
      readonly tasks: readonly string[];
      readonly metrics: StreamThreadMetrics;
    }
  | { readonly type: 'stopped' }
  | { readonly type: 'failed'; readonly message: string; readonly code: string | undefined };
