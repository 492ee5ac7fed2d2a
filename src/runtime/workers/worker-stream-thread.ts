/**
 * A stream thread in a worker thread, as StreamsApp sees it: its state and counters come from the
 * worker's status reports; shutdown is a stop message; `done` settles when the worker reports it
 * stopped (or failed) and has exited.
 */
import { MillraceError } from '../../common/errors.js';
import type { MessagePortTransport } from '../actor/index.js';
import type { StreamThreadMetrics, StreamThreadState, TaskStatus } from '../streams/stream-thread.js';
import type { ThreadHandle } from '../streams/thread-handle.js';
import { startWorker, type WorkerHandle } from './start-worker.js';
import type {
  FromStreamThreadWorker,
  StreamThreadWorkerData,
  ToStreamThreadWorker,
} from './stream-thread-protocol.js';

/**
 * A stream thread that failed in its worker.
 *
 * @example
 * ```ts
 * app.onStateChange((s) => s === 'error' && console.error(app.error));
 * ```
 */
export class StreamThreadFailedError extends MillraceError {
  constructor(
    readonly threadId: string,
    detail: string,
    readonly causeCode: string | undefined,
  ) {
    super('STREAM_THREAD_FAILED', `Stream thread ${threadId} failed: ${detail}`, false);
  }
}

/** The module the worker runs: this file's sibling, with this file's extension (.ts under tsx, .js built). */
function workerModule(): URL {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./stream-thread-worker${ext}`, import.meta.url);
}

/**
 * Starts a stream thread in a new worker thread.
 *
 * @example
 * ```ts
 * const handle = startWorkerStreamThread(transport, 'clicks-i1-1', data);
 * handle.shutdown();
 * await handle.done;
 * ```
 * @throws IllegalStateError when the node already runs in a worker.
 */
export function startWorkerStreamThread(
  transport: MessagePortTransport,
  node: string,
  data: StreamThreadWorkerData,
): ThreadHandle {
  const worker: WorkerHandle<ToStreamThreadWorker, FromStreamThreadWorker> = startWorker({
    module: workerModule(),
    node,
    transport,
    workerData: data,
  });
  let state: StreamThreadState = 'created';
  let tasks: readonly TaskStatus[] = [];
  let metrics: StreamThreadMetrics = {
    recordsIn: 0,
    recordsOut: 0,
    commits: 0,
    aborts: 0,
    lastAbortReason: undefined,
    droppedRecords: 0,
  };
  let failure: StreamThreadFailedError | undefined;
  const handle: ThreadHandle = {
    id: data.threadId,
    get state() {
      return state;
    },
    get metrics() {
      return metrics;
    },
    activeTaskIds: () => tasks.filter((t) => !t.standby).map((t) => t.id),
    taskStatuses: () => tasks,
    shutdown: () => worker.control.send({ type: 'stop' }),
    onStateChange: undefined,
    done: worker.exited.then((exit) => {
      const previous = state;
      state = 'dead';
      if (previous !== 'dead') handle.onStateChange?.('dead', previous);
      if (failure !== undefined) throw failure;
      if (exit.code !== 0 || exit.error !== undefined) {
        throw new StreamThreadFailedError(
          data.threadId,
          exit.error?.message ?? `worker exited with code ${exit.code}`,
          undefined,
        );
      }
    }),
  };
  worker.control.onMessage((m) => {
    if (m.type === 'status') {
      const previous = state;
      state = m.state;
      tasks = m.tasks;
      metrics = m.metrics;
      if (previous !== state) handle.onStateChange?.(state, previous);
    } else if (m.type === 'failed') {
      failure = new StreamThreadFailedError(data.threadId, m.message, m.code);
    }
  });
  return handle;
}
