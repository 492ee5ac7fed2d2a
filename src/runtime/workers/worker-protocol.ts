/**
 * What the host and a worker agree on: the shape of the `workerData` that startWorker passes
 * (the actor port and the worker's node, beside the app's own data) and the typed control
 * channel, which is separate from actor envelopes — control messages (start, stop, status) go
 * over the worker's own parentPort, envelopes over a dedicated MessagePort.
 */
import type { MessagePort } from 'node:worker_threads';
import type { NodeId } from '../actor/index.js';

/** The workerData of a worker started by startWorker. */
export interface HostedWorkerData<D = unknown> {
  readonly millrace: {
    /** The worker's end of the actor channel. */
    readonly port: MessagePort;
    /** The node the worker's actors live on. */
    readonly node: NodeId;
  };
  /** The app's own data, as passed to startWorker. */
  readonly data: D;
}

/**
 * One end of a typed control channel: `send` what the other side expects, hear what it says.
 *
 * @example
 * ```ts
 * type ToWorker = { type: 'start' } | { type: 'stop' };
 * type FromWorker = { type: 'status'; state: string };
 * const off = handle.control.onMessage((m) => console.log(m.state));
 * handle.control.send({ type: 'start' });
 * off();
 * ```
 */
export interface ControlChannel<Out, In> {
  send(message: Out): void;
  /** Listens for messages; returns a function that stops listening. */
  onMessage(listener: (message: In) => void): () => void;
}

/**
 * Whether `data` is a startWorker workerData.
 *
 * @example
 * ```ts
 * if (!isHostedWorkerData(workerData)) throw new Error('not started by startWorker');
 * ```
 */
export function isHostedWorkerData(data: unknown): data is HostedWorkerData {
  const m = (data as { millrace?: { port?: unknown; node?: unknown } } | null | undefined)?.millrace;
  return typeof m === 'object' && m !== null && typeof m.node === 'string' && m.port !== undefined;
}
