/**
 * The worker side: inside a module started by startWorker, `connectWorker()` builds the thread's
 * own ActorSystem (real clock, real randomness) on a MessagePortTransport whose upstream is the
 * main thread, so `new EmbeddedLogClient(system, { node })` reaches the brokers there unchanged.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { IllegalStateError } from '../../common/errors.js';
import {
  ActorSystem,
  type Inspector,
  MessagePortTransport,
  type NodeId,
  realClock,
  realRandom,
} from '../actor/index.js';
import { type ControlChannel, isHostedWorkerData } from './worker-protocol.js';

/** One connection per worker: a second system would compete for the same port. */
let connected = false;

/** Options of connectWorker. */
export interface ConnectWorkerOptions {
  inspect?: Inspector;
  /** Told when an actor without a parent fails for good. */
  onUnsupervisedFailure?: (id: string, error: unknown) => void;
}

/** A worker's connection to its host. `In` is what the host sends, `Out` what the worker sends. */
export interface WorkerConnection<D = unknown, In = unknown, Out = unknown> {
  /** This thread's actor system, connected to the main thread's. */
  readonly system: ActorSystem;
  /** The node this worker's actors live on. */
  readonly node: NodeId;
  /** The app's data passed to startWorker. */
  readonly workerData: D;
  readonly control: ControlChannel<Out, In>;
  /**
   * Stops this thread's actors and closes the actor port and control listeners, so the worker
   * exits once its own work is done. The host sees the port close and drops the routes.
   */
  close(): void;
}

/**
 * Connects this worker thread to the host that started it.
 *
 * @example
 * ```ts
 * const { system, node, workerData, control, close } = connectWorker<{ topic: string }>();
 * const client = new EmbeddedLogClient(system, { node });
 * const producer = new Producer(client, system.clock, system.random, { acks: 'all' });
 * await producer.send({ topic: workerData.topic, value: Buffer.from('hello') });
 * await producer.close();
 * close();
 * ```
 * @throws IllegalStateError outside a worker started by startWorker, or when called twice.
 */
export function connectWorker<D = unknown, In = unknown, Out = unknown>(
  options: ConnectWorkerOptions = {},
): WorkerConnection<D, In, Out> {
  if (parentPort === null || !isHostedWorkerData(workerData)) {
    throw new IllegalStateError('connectWorker() runs only in a worker thread started by startWorker()');
  }
  if (connected) throw new IllegalStateError('connectWorker() was already called in this worker');
  connected = true;
  const port = parentPort;
  const { node, port: actorPort } = workerData.millrace;
  const transport = new MessagePortTransport({
    localNodes: [node],
    clock: realClock,
    inspect: options.inspect,
  });
  const system = new ActorSystem({
    clock: realClock,
    random: realRandom,
    transport,
    ...(options.inspect === undefined ? {} : { inspect: options.inspect }),
    ...(options.onUnsupervisedFailure === undefined
      ? {}
      : { onUnsupervisedFailure: options.onUnsupervisedFailure }),
  });
  const link = transport.connect(actorPort, { upstream: true });
  const listeners = new Set<(m: In) => void>();
  const control: ControlChannel<Out, In> = {
    send: (message) => port.postMessage(message),
    onMessage: (listener) => {
      const l = (m: In) => listener(m);
      listeners.add(l);
      port.on('message', l);
      return () => {
        listeners.delete(l);
        port.off('message', l);
      };
    },
  };
  return {
    system,
    node,
    workerData: workerData.data as D,
    control,
    close: () => {
      system.shutdown();
      link.close();
      for (const l of listeners) port.off('message', l);
      listeners.clear();
    },
  };
}
