/**
 * The host side of a worker thread (DESIGN.md §2): starts a module in a Node worker thread, gives
 * it a MessagePort joined to the main thread's MessagePortTransport, so its actors reach the
 * brokers here (and answers reach it), and hands back a handle with a typed control channel.
 */
import { MessageChannel, Worker, type WorkerOptions } from 'node:worker_threads';
import { IllegalStateError } from '../../common/errors.js';
import type { MessagePortTransport, NodeId, PeerLink } from '../actor/index.js';
import { workerLaunch } from './worker-launch.js';
import type { ControlChannel, HostedWorkerData } from './worker-protocol.js';

/** How to start a worker. */
export interface StartWorkerOptions<D> {
  /** The worker module: a path (from the working directory) or URL of a .js or .ts file. */
  module: string | URL;
  /** The node the worker's actors live on; unique among the transport's peers. */
  node: NodeId;
  /** The main thread's transport (the one its ActorSystem was built with). */
  transport: MessagePortTransport;
  /** The app's data for the worker (structured-cloned), read with `connectWorker().workerData`. */
  workerData?: D;
  /** Passed to the Worker as they are (resourceLimits, env, stdout …). */
  workerOptions?: Omit<WorkerOptions, 'workerData' | 'transferList' | 'eval'>;
}

/** How a worker ended. */
export interface WorkerExit {
  readonly code: number;
  /** The uncaught error that ended it, if one did. */
  readonly error?: Error;
}

/** A running worker. `In` is what the worker sends to the host, `Out` what the host sends it. */
export interface WorkerHandle<Out = unknown, In = unknown> {
  readonly node: NodeId;
  readonly threadId: number;
  /** Control messages (start, stop, status …), separate from actor envelopes. */
  readonly control: ControlChannel<Out, In>;
  /** The actor link; its routes are dropped when the worker exits. */
  readonly link: PeerLink;
  /** Resolves (never rejects) when the worker has exited, with its code and any uncaught error. */
  readonly exited: Promise<WorkerExit>;
  /** Stops the worker at once (actors and all); resolves with its exit code. */
  terminate(): Promise<number>;
}

/**
 * Starts a worker thread that runs `module`, which calls `connectWorker()`.
 *
 * @example
 * ```ts
 * const transport = new MessagePortTransport();
 * const system = new ActorSystem({ clock: realClock, random: realRandom, transport });
 * const cluster = EmbeddedCluster.start({ brokers: 1, dataDir, system });
 * const worker = startWorker<{ topic: string }, { type: 'stop' }, { type: 'done' }>({
 *   module: new URL('./stream-thread.js', import.meta.url),
 *   node: 'worker-1',
 *   transport,
 *   workerData: { topic: 'orders' },
 * });
 * worker.control.onMessage((m) => { if (m.type === 'done') worker.control.send({ type: 'stop' }); });
 * await worker.exited;
 * ```
 * @throws IllegalStateError if `node` is already routed to another peer; ConfigError for a
 *   TypeScript module without tsx.
 */
export function startWorker<D = unknown, Out = unknown, In = unknown>(
  options: StartWorkerOptions<D>,
): WorkerHandle<Out, In> {
  const { transport, node } = options;
  if (transport.routedNodes().includes(node)) {
    throw new IllegalStateError(`node ${node} already runs in another worker; give each worker its own node`);
  }
  const launch = workerLaunch(options.module);
  const { port1, port2 } = new MessageChannel();
  const workerData: HostedWorkerData<D | undefined> = {
    millrace: { port: port2, node },
    data: options.workerData,
  };
  const worker = new Worker(launch.entry, {
    ...options.workerOptions,
    eval: launch.eval,
    workerData,
    transferList: [port2],
  });
  // Routes are registered before the worker runs: its first request's answer has somewhere to go.
  const link = transport.connect(port1, { nodes: [node] });
  let error: Error | undefined;
  worker.on('error', (e) => {
    error = e;
  });
  const exited = new Promise<WorkerExit>((resolve) => {
    worker.once('exit', (code) => {
      // A terminated worker's end of the port closes with it; closing ours drops its routes. The
      // port's close event comes a tick later: `exited` waits for it, so no route outlives it.
      link.close();
      void link.closed.then(() => resolve(error === undefined ? { code } : { code, error }));
    });
  });
  const control: ControlChannel<Out, In> = {
    send: (message) => worker.postMessage(message),
    onMessage: (listener) => {
      const l = (m: In) => listener(m);
      worker.on('message', l);
      return () => worker.off('message', l);
    },
  };
  return {
    node,
    threadId: worker.threadId,
    control,
    link,
    exited,
    terminate: () => worker.terminate(),
  };
}
