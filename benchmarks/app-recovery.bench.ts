/**
 * app-recovery: how fast a streams application runs again after kill -9 when its local state
 * survives, against rebuilding the same state from the changelog, in the same run.
 *
 * 1. A child process (broker + app on one event loop, in-process stream thread, exactly_once_v2,
 *    commit interval 100 ms) loads KEYS distinct keys into a 1-partition input topic, counts them
 *    per key into a RocksDB key-value store with a changelog (`counts`: KEYS keys), waits until the
 *    group's committed offsets reach the input's end, then keeps producing and processing a trickle
 *    of updates to existing keys; the parent kills it with SIGKILL mid-stream (open transaction,
 *    unsynced broker writes in the page cache).
 * 2. The crashed directory is copied twice. Each copy is restarted in a fresh process on a settled
 *    disk: broker first (its log recovery is timed apart), then the app on the same state
 *    directory — `local`: the RocksDB store as the crash left it (restored = the changelog tail
 *    past the offset the store committed); `full`: the same with the state directory wiped first
 *    (restored = the whole changelog, KEYS records).
 *
 * Figures: `app-recovery` = full / local time from `app.start()` until the app is `running` (its
 * task open, store restored), goal ≥ 10×; and the same ratio over the restoration alone (from the
 * restore listener's events), which leaves out what both restarts share (the group join, which
 * waits for the coordinator's 3 s initial rebalance delay).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createCluster } from '../src/log/broker/embedded-cluster.js';
import { Admin } from '../src/log/client/admin.js';
import { EmbeddedLogClient } from '../src/log/client/embedded-log-client.js';
import { Producer } from '../src/log/client/producer/producer.js';
import { realClock, realRandom } from '../src/runtime/actor/index.js';
import { createStreamsApp, type StreamsApp } from '../src/runtime/streams/streams-app.js';
import type { RestoreEvent } from '../src/state-stores/restore/restore-events.js';
import { runAndKill } from '../test/support/run-until-killed.js';
import { INPUT_TOPIC, keyCountTopology } from './app-bench-apps.js';
import { createTopicAndWaitForLeaders, runChild } from './cluster-setup.js';
import {
  type Benchmark,
  type Figure,
  median,
  nowMs,
  progress,
  removeAndSettle,
  withTempDir,
  yieldToEventLoop,
} from './harness.js';

const KEYS = Number(process.env.APP_RECOVERY_KEYS ?? 1_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 2);
const APP_ID = 'app-recovery';
const VALUE = Buffer.alloc(90, 0x76);

const keyOf = (i: number): Buffer => Buffer.from(`k${String(i).padStart(9, '0')}`);

function startApp(
  dataDir: string,
  system: ReturnType<typeof createCluster>['system'],
  onRestore?: (e: RestoreEvent) => void,
): StreamsApp {
  return createStreamsApp({
    applicationId: APP_ID,
    stateDir: `${dataDir}/state`,
    topology: keyCountTopology(),
    cluster: { system },
    clock: realClock,
    random: realRandom,
    processingGuarantee: 'exactly_once_v2',
    commitIntervalMs: 100,
    instanceId: 'bench',
    ...(onRestore === undefined ? {} : { restoreListener: onRestore }),
  });
}

async function waitCommitted(admin: Admin, end: number, app: StreamsApp): Promise<void> {
  for (;;) {
    if (app.state === 'error') throw new Error(`the app failed: ${String(app.error)}`);
    const lag = await admin.groupLag(APP_ID, [INPUT_TOPIC]).catch(() => []);
    if (lag.length === 1 && lag[0]!.committedOffset >= end) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Child `load`: builds the KEYS-key store, then keeps updating it until killed. */
async function load(dataDir: string): Promise<never> {
  const cluster = createCluster({ brokers: 1, dataDir: `${dataDir}/log` });
  await cluster.whenReady();
  const client = new EmbeddedLogClient(cluster.system, { node: 'bench-loader' });
  await createTopicAndWaitForLeaders(client, cluster.system.clock, {
    name: INPUT_TOPIC,
    partitions: 1,
    replicationFactor: 1,
  });
  const producer = new Producer(client, cluster.system.clock, realRandom, {
    acks: 1,
    lingerMs: 5,
    batchSize: 1024 * 1024,
    bufferMemory: 64 * 1024 * 1024,
  });
  const t0 = nowMs();
  for (let i = 0; i < KEYS; i++) {
    const record = { topic: INPUT_TOPIC, key: keyOf(i), value: VALUE, timestamp: i };
    if (!producer.tryAppend(record)) await producer.append(record);
    if (i % 10_000 === 9_999) await yieldToEventLoop();
  }
  await producer.flush();
  const end = (await client.listOffset(INPUT_TOPIC, 0, -1)).offset;
  const app = startApp(dataDir, cluster.system);
  await app.start();
  await waitCommitted(new Admin(client), end, app);
  process.stderr.write(
    `    loaded ${KEYS.toLocaleString()} keys in ${((nowMs() - t0) / 1000).toFixed(1)} s\n`,
  );
  // A trickle of updates to existing keys (about 20 k/s), so the kill lands mid-stream.
  let i = 0;
  let announced = false;
  const started = nowMs();
  for (;;) {
    for (let n = 0; n < 200; n++, i++) {
      const record = { topic: INPUT_TOPIC, key: keyOf((i * 7919) % KEYS), value: VALUE, timestamp: KEYS + i };
      if (!producer.tryAppend(record)) await producer.append(record);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
    if (!announced && nowMs() - started > 1000) {
      announced = true;
      process.stdout.write('ready\n');
    }
  }
}

interface RestartResult {
  /** Broker start on the crashed log (recovery) until ready. */
  brokerMs: number;
  /** Waiting for the killed member's session to expire (not timed). */
  memberExpiryMs: number;
  /** app.start() → state running. */
  runningMs: number;
  /** The thread's partitionsAssigned → running: opening the task (engine open + restore). */
  taskOpenMs: number;
  /** Sum of restoreStarted → restoreEnded over the stores. */
  restoreMs: number;
  restoredRecords: number;
  fromScratch: boolean;
  /** The machine's 1-minute load average at the end (other processes share the 2 cores). */
  loadAvg1: number;
}

/** Child `restart`: the broker and the app again on the crashed directories. */
async function restart(dataDir: string): Promise<RestartResult> {
  const b0 = nowMs();
  const cluster = createCluster({ brokers: 1, dataDir: `${dataDir}/log` });
  await cluster.whenReady();
  const client = new EmbeddedLogClient(cluster.system, { node: 'bench-admin' });
  // Wait until the input partition answers (its leader is back), as the app would need.
  await createTopicAndWaitForLeaders(client, cluster.system.clock, {
    name: INPUT_TOPIC,
    partitions: 1,
    replicationFactor: 1,
  }).catch(async () => {
    for (;;) {
      try {
        await client.listOffset(INPUT_TOPIC, 0, -1);
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  });
  const brokerMs = nowMs() - b0;
  // The killed process's member stays in the group until its session times out (10 s): wait for
  // the group to be empty, so the timed part is the restart itself (a join of an empty group).
  const w0 = nowMs();
  const admin = new Admin(client);
  for (;;) {
    const group = await admin.describeGroup(APP_ID).catch(() => undefined);
    if (group !== undefined && group.members.length === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const memberExpiryMs = nowMs() - w0;
  let restoreMs = 0;
  let restoredRecords = 0;
  let fromScratch = false;
  const startedAt = new Map<string, number>();
  const app = startApp(dataDir, cluster.system, (e) => {
    if (e.type === 'restoreStarted') {
      startedAt.set(e.store, nowMs());
      fromScratch ||= e.fromScratch;
    } else if (e.type === 'restoreEnded') {
      restoreMs += nowMs() - (startedAt.get(e.store) ?? nowMs());
      restoredRecords += e.records;
    }
  });
  const t0 = nowMs();
  const running = new Promise<void>((resolve, reject) => {
    app.onStateChange((s) => {
      if (s === 'running') resolve();
      if (s === 'error') reject(app.error);
    });
  });
  // The thread's partitionsAssigned → running is opening its task: the store's engine opened and
  // restored, the sub-topology compiled (sampled every millisecond).
  let assignedAt = Number.NaN;
  let openedAt = Number.NaN;
  const sampler = setInterval(() => {
    const state = app.streamThreads()[0]?.state;
    if (state === 'partitionsAssigned' && Number.isNaN(assignedAt)) assignedAt = nowMs();
    if (state === 'running' && Number.isNaN(openedAt)) openedAt = nowMs();
  }, 1);
  await app.start();
  await running;
  const runningMs = nowMs() - t0;
  if (Number.isNaN(openedAt)) openedAt = nowMs();
  clearInterval(sampler);
  const taskOpenMs = openedAt - assignedAt;
  await app.close();
  client.close();
  await cluster.shutdown();
  return {
    brokerMs,
    memberExpiryMs,
    runningMs,
    taskOpenMs,
    restoreMs,
    restoredRecords,
    fromScratch,
    loadAvg1: loadavg()[0]!,
  };
}

if (process.argv[2] === 'child') {
  const [mode, dataDir] = process.argv.slice(3);
  if (mode === 'load') await load(dataDir!);
  const result = await restart(dataDir!);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

const benchmark: Benchmark = {
  name: 'app-recovery',
  async run(): Promise<Figure[]> {
    return withTempDir('app-recovery', async (dir) => {
      const crashed = `${dir}/crashed`;
      progress(
        `loading a ${KEYS.toLocaleString()}-key RocksDB store with a changelog, then kill -9 mid-stream`,
      );
      await runAndKill(fileURLToPath(import.meta.url), ['child', 'load', crashed], {
        lines: 1,
        delayMs: 300,
        onLine: () => undefined,
      });
      const runs: Record<'local' | 'full', RestartResult[]> = { local: [], full: [] };
      for (let round = 0; round < ROUNDS; round++) {
        for (const kind of round % 2 === 0 ? (['local', 'full'] as const) : (['full', 'local'] as const)) {
          const copy = `${dir}/${kind}-${round}`;
          cpSync(crashed, copy, { recursive: true });
          if (kind === 'full') rmSync(`${copy}/state`, { recursive: true, force: true });
          execFileSync('sync');
          progress(
            `restart after kill -9, ${kind === 'local' ? 'local store kept' : 'state directory wiped'} (round ${round + 1})`,
          );
          const r = runChild<RestartResult>(import.meta.url, ['restart', copy]);
          runs[kind].push(r);
          removeAndSettle(copy);
        }
      }
      const med = (kind: 'local' | 'full', f: (r: RestartResult) => number) => median(runs[kind].map(f));
      const describe = (kind: 'local' | 'full') =>
        runs[kind]
          .map(
            (r) =>
              `${kind}: running after ${Math.round(r.runningMs)} ms, task open ${Math.round(r.taskOpenMs)} ms (restore ${Math.round(r.restoreMs)} ms, ${r.restoredRecords.toLocaleString()} records${r.fromScratch ? ', from scratch' : ''}); broker recovery ${Math.round(r.brokerMs)} ms, member expiry ${Math.round(r.memberExpiryMs)} ms (untimed), load average ${r.loadAvg1.toFixed(1)}`,
          )
          .join('; ');
      const localRunning = med('local', (r) => r.runningMs);
      const fullRunning = med('full', (r) => r.runningMs);
      const localOpen = med('local', (r) => r.taskOpenMs);
      const fullOpen = med('full', (r) => r.taskOpenMs);
      // Lower is better for times: as rates (1/s) the figures stay higher-is-better, and the
      // ratio is full time / local time.
      return [
        {
          metric: 'app-recovery',
          unit: 'restarts/s',
          value: 1000 / localRunning,
          baseline: 1000 / fullRunning,
          ratio: fullRunning / localRunning,
          goal: 10,
          note: `1 / (app.start() → app running) after kill -9 with the local RocksDB store kept (${Math.round(localRunning)} ms) vs the state directory wiped: full restore of ${KEYS.toLocaleString()} keys (baseline, ${Math.round(fullRunning)} ms). Both include creating clients, initTransactions and the join of an empty group (the coordinator's fixed 3 s initial rebalance delay); the dead member's session expiry is waited out before the clock starts. Median of ${ROUNDS} each. ${describe('local')}; ${describe('full')}`,
        },
        {
          metric: 'app-recovery-task-open',
          unit: 'opens/s',
          value: 1000 / localOpen,
          baseline: 1000 / fullOpen,
          ratio: fullOpen / localOpen,
          goal: 10,
          note: `the thread's partitionsAssigned → running only (open the RocksDB engine, replay the changelog tail or all of it, compile the task): local ${Math.round(localOpen)} ms vs full ${Math.round(fullOpen)} ms`,
        },
      ];
    });
  },
};

export default benchmark;
