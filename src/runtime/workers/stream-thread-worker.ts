/**
 * The entry module of a stream thread's worker: connects to the main thread's actor system, imports
 * the app module to build its topology, runs a StreamThread, and reports its status a few times a
 * second until told to stop.
 */
import { MillraceError } from '../../common/errors.js';
import { EmbeddedLogClient } from '../../log/client/embedded-log-client.js';
import { loadAppDefinition } from '../streams/define-app.js';
import { StreamThread } from '../streams/stream-thread.js';
import { connectWorker } from './connect-worker.js';
import type {
  FromStreamThreadWorker,
  StreamThreadWorkerData,
  ToStreamThreadWorker,
} from './stream-thread-protocol.js';

const {
  system,
  node,
  workerData: o,
  control,
  close,
} = connectWorker<StreamThreadWorkerData, ToStreamThreadWorker, FromStreamThreadWorker>();

async function main(): Promise<void> {
  const app = await loadAppDefinition(o.appModule);
  const client = new EmbeddedLogClient(system, { node, requestTimeoutMs: 5000 });
  const { appModule: _module, statusIntervalMs: _interval, ...settings } = o;
  const thread = new StreamThread({
    ...settings,
    topology: app.topology(),
    client,
    clock: system.clock,
    random: system.random,
  });
  const report = () =>
    control.send({
      type: 'status',
      state: thread.state,
      tasks: thread.taskStatuses(),
      metrics: { ...thread.metrics },
    });
  thread.onStateChange = report;
  control.onMessage((m) => {
    if (m.type === 'stop') thread.shutdown();
  });
  let timer = system.clock.setTimer(o.statusIntervalMs, function tick() {
    report();
    timer = system.clock.setTimer(o.statusIntervalMs, tick);
  });
  try {
    await thread.run();
    await thread.close();
    report();
    control.send({ type: 'stopped' });
  } finally {
    timer.cancel();
    client.close();
  }
}

main().then(
  () => close(),
  (error: unknown) => {
    control.send({
      type: 'failed',
      message: error instanceof Error ? error.message : String(error),
      code: error instanceof MillraceError ? error.code : undefined,
    });
    close();
  },
);
