/**
 * app-recovery: how fast a streams application runs again after kill -9 when its local state
 * survives, against rebuilding the same state from the changelog, in the same run.
 *
 * 1. A child process (broker + app on one event loop, in-process stream thread, exactly_once_v2,
 *    commit interval 100 ms) loads KEYS distinct keys into a 1-partition input topic, counts them
 *    per key into a RocksDB key-value store with a changelog (`counts`: KEYS keys), waits until the
 *    group's committed offsets reach the input's end, then keeps producing and processing a trickle
 *    of updates to existing keys; the parent kills it with SIGKILL mid-stream (open transaction,
 *    unsynced broker writes in the page cache, the store's recent writes only in RocksDB's
 *    write-ahead log).
 * 2. The crashed directory is copied for each restart. Each copy is restarted in a fresh process on
 *    a settled disk: broker first (its log recovery is timed apart), then the app on the same state
 *    directory. `local`: the RocksDB store as the crash left it (restored = the changelog tail past
 *    the offset the store committed); `full`: the same with the state directory wiped first
 *    (restored = the whole changelog, KEYS records). Two ways back into the group:
 *    - `at once`: the app restarts right away, as a supervisor restarts a crashed process, and its
 *      static member (the same instanceId, hence group.instance.id, KIP-345) takes its old place
 *      in the still-stable group. Kafka Streams' advice for fast restarts, and the headline.
 *    - `empty group`: the app restarts only once the killed member's session has expired (10 s,
 *      untimed), so it joins an empty group and waits out the broker's initial rebalance delay
 *      (BrokerSettings.groupInitialRebalanceDelayMs, 300 ms embedded), in both kinds alike.
 *    The kinds alternate in order over ROUNDS rounds.
 *
 * Figures: `app-recovery` = full / local time from `app.start()` until the app is `running` with
 * its task open (a generation that assigned the thread nothing does not count), restarted at once,
 * goal ≥ 10×; `app-recovery-empty-group` the same after the session expiry; the ratio over the
 * task's opening alone (partitionsAssigned → running: engine open, restore, compile) and over the
 * restoration alone (the restore listener's events); the full restore's records/s. Each restart's
 * breakdown is printed (ms, from marks taken by the restore listener, the
 * thread's state changes and the actor system's inspection hook): start (internal topics checked,
 * state directory claimed) → initTransactions → JoinGroup at the coordinator → join complete (the
 * broker's initial rebalance delay, BrokerSettings.groupInitialRebalanceDelayMs) → sync and the
 * committed offsets fetched (partitionsAssigned) → engine open (restoreStarted; after kill -9 RocksDB
 * replays its write-ahead log here) → restore → compile → running.
 *
 * Knobs: KEYS via APP_RECOVERY_KEYS, ROUNDS; APP_RECOVERY_DELAY_MS overrides the initial
 * rebalance delay (default: the broker's); APP_RECOVERY_CRASHED=<dir> keeps the crashed
 * directory there and reuses it in later runs (for profiling the restarts).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createCluster, EmbeddedCluster } from '../src/log/broker/embedded-cluster.js';
import { Admin } from '../src/log/client/admin.js';
import { EmbeddedLogClient } from '../src/log/client/embedded-log-client.js';
import { Producer } from '../src/log/client/producer/producer.js';
import { ActorSystem, realClock, realRandom } from '../src/runtime/actor/index.js';
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
/** APP_RECOVERY_DELAY_MS overrides the broker's initial rebalance delay (to see its share). */
const DELAY_MS =
  process.env.APP_RECOVERY_DELAY_MS === undefined ? undefined : Number(process.env.APP_RECOVERY_DELAY_MS);
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

/** Milestones of one restart, ms after `app.start()` (NaN when not seen). */
interface Marks {
  /** app.start() resolved: internal topics checked, state directory claimed, thread started. */
  started: number;
  /** The thread's first JoinGroup reached the coordinator (its producer's initTransactions done). */
  joinSent: number;
  /** The group left preparingRebalance: every join answered (the initial delay over). */
  joined: number;
  /** The thread took its assignment (committed offsets fetched): partitionsAssigned. */
  assigned: number;
  /** The store's engine opened and its changelog offsets read: restoreStarted. */
  restoreStarted: number;
  /** restoreEnded. */
  restoreEnded: number;
  /** The app is running with its task. */
  running: number;
}

interface RestartResult {
  /** Broker start on the crashed log (recovery) until ready. */
  brokerMs: number;
  /** Waiting for the killed member's session to expire (not timed). */
  memberExpiryMs: number;
  /** app.start() → state running with the task open. */
  runningMs: number;
  /** The thread's partitionsAssigned → running: opening the task (engine open + restore). */
  taskOpenMs: number;
  /** Sum of restoreStarted → restoreEnded over the stores. */
  restoreMs: number;
  restoredRecords: number;
  fromScratch: boolean;
  /** Rebalances the thread went through before it ran its task (more than 1: a retry). */
  assignments: number;
  /** The broker's group initial rebalance delay in this run. */
  initialDelayMs: number;
  marks: Marks;
  /** The machine's 1-minute load average at the end (other processes share the 2 cores). */
  loadAvg1: number;
}

/** How the restarted app gets back into its group (see the module comment). */
type Rejoin = 'at-once' | 'empty-group';

/** Child `restart`: the broker and the app again on the crashed directories. */
async function restart(dataDir: string, rejoin: Rejoin): Promise<RestartResult> {
  // The actor system's inspection hook shows when the group's join and sync happen: the group
  // coordinator's child actor for APP_ID reports its state changes, the broker receives the join.
  let t0 = Number.NaN;
  const marks: Marks = {
    started: Number.NaN,
    joinSent: Number.NaN,
    joined: Number.NaN,
    assigned: Number.NaN,
    restoreStarted: Number.NaN,
    restoreEnded: Number.NaN,
    running: Number.NaN,
  };
  const mark = (name: keyof Marks) => {
    if (!Number.isNaN(t0) && Number.isNaN(marks[name])) marks[name] = nowMs() - t0;
  };
  const system = new ActorSystem({
    clock: realClock,
    random: realRandom,
    inspect: (e) => {
      if (Number.isNaN(t0)) return;
      if (e.kind === 'deliver' && e.event === 'group.join') mark('joinSent');
      else if (
        e.kind === 'state' &&
        !Number.isNaN(marks.joinSent) &&
        e.actor.includes(`/group/${APP_ID}#`) &&
        e.value.includes('completingRebalance')
      )
        mark('joined');
    },
  });
  const b0 = nowMs();
  const cluster = EmbeddedCluster.start({
    brokers: 1,
    dataDir: `${dataDir}/log`,
    system,
    ...(DELAY_MS === undefined ? {} : { settings: { groupInitialRebalanceDelayMs: DELAY_MS } }),
  });
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
  // The killed process's member stays in the group until its session times out (10 s). At once:
  // the app's static member takes its old place meanwhile. Empty group: wait for the expiry, so
  // the timed part is a join of an empty group.
  const w0 = nowMs();
  const admin = new Admin(client);
  while (rejoin === 'empty-group') {
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
      mark('restoreStarted');
      startedAt.set(e.store, nowMs());
      fromScratch ||= e.fromScratch;
    } else if (e.type === 'restoreEnded') {
      mark('restoreEnded');
      restoreMs += nowMs() - (startedAt.get(e.store) ?? nowMs());
      restoredRecords += e.records;
    }
  });
  // Running means running the task: a thread that joined a generation that assigned it nothing
  // (the assignor retries later) is "running" too, but has not recovered anything yet.
  let assignments = 0;
  const running = new Promise<void>((resolve, reject) => {
    const check = () => {
      const thread = app.streamThreads()[0];
      if (app.state === 'running' && thread !== undefined && thread.activeTaskIds().length > 0) resolve();
    };
    app.onStateChange((s) => {
      if (s === 'error') reject(app.error);
      check();
    });
    const poll = setInterval(() => {
      const thread = app.streamThreads()[0];
      if (thread === undefined) return;
      clearInterval(poll);
      const previous = thread.onStateChange;
      thread.onStateChange = (next, before) => {
        previous?.(next, before);
        if (next === 'partitionsAssigned') {
          assignments++;
          mark('assigned');
        }
        check();
      };
    }, 0);
  });
  t0 = nowMs();
  await app.start();
  mark('started');
  await running;
  mark('running');
  const runningMs = marks.running;
  const taskOpenMs = marks.running - marks.assigned;
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
    assignments,
    initialDelayMs: cluster.settings.groupInitialRebalanceDelayMs,
    marks,
    loadAvg1: loadavg()[0]!,
  };
}

/** The steps between the marks, as "name ms" pairs (a step missing its mark is left out). */
function breakdown(m: Marks): string {
  const steps: [string, keyof Marks][] = [
    ['start (internal topics, state dir)', 'started'],
    ['initTransactions → join', 'joinSent'],
    ['join (initial delay)', 'joined'],
    ['sync + committed offsets', 'assigned'],
    ['engine open', 'restoreStarted'],
    ['restore', 'restoreEnded'],
    ['compile → running', 'running'],
  ];
  const parts: string[] = [];
  let previous = 0;
  for (const [name, key] of steps) {
    const at = m[key];
    if (Number.isNaN(at)) continue;
    parts.push(`${name} ${Math.round(at - previous)}`);
    previous = at;
  }
  return parts.join(', ');
}

if (process.argv[2] === 'child') {
  const [mode, dataDir, rejoin] = process.argv.slice(3);
  if (mode === 'load') await load(dataDir!);
  const result = await restart(dataDir!, rejoin as Rejoin);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

const benchmark: Benchmark = {
  name: 'app-recovery',
  async run(): Promise<Figure[]> {
    return withTempDir('app-recovery', async (dir) => {
      // APP_RECOVERY_CRASHED=<dir> keeps the crashed directory there and reuses it in later runs
      // (for profiling the restarts; a fresh crash each run is the default).
      const kept = process.env.APP_RECOVERY_CRASHED;
      const crashed = kept ?? `${dir}/crashed`;
      if (kept === undefined || !existsSync(kept)) {
        progress(
          `loading a ${KEYS.toLocaleString()}-key RocksDB store with a changelog, then kill -9 mid-stream`,
        );
        await runAndKill(fileURLToPath(import.meta.url), ['child', 'load', crashed], {
          lines: 1,
          delayMs: 300,
          onLine: () => undefined,
        });
      } else progress(`reusing the crashed directory ${kept}`);
      type Kind = 'local' | 'full';
      const runs: Record<Rejoin, Record<Kind, RestartResult[]>> = {
        'at-once': { local: [], full: [] },
        'empty-group': { local: [], full: [] },
      };
      for (let round = 0; round < ROUNDS; round++) {
        for (const rejoin of ['at-once', 'empty-group'] as const) {
          for (const kind of round % 2 === 0 ? (['local', 'full'] as const) : (['full', 'local'] as const)) {
            const copy = `${dir}/${kind}-${rejoin}-${round}`;
            cpSync(crashed, copy, { recursive: true });
            if (kind === 'full') rmSync(`${copy}/state`, { recursive: true, force: true });
            execFileSync('sync');
            progress(
              `restart after kill -9, ${rejoin === 'at-once' ? 'at once' : 'into the empty group'}, ${kind === 'local' ? 'local store kept' : 'state directory wiped'} (round ${round + 1})`,
            );
            const r = runChild<RestartResult>(import.meta.url, ['restart', copy, rejoin]);
            runs[rejoin][kind].push(r);
            progress(
              `  running after ${Math.round(r.runningMs)} ms [${breakdown(r.marks)}], ${r.restoredRecords.toLocaleString()} records restored`,
            );
            removeAndSettle(copy);
          }
        }
      }
      const med = (kind: Kind, f: (r: RestartResult) => number, rejoin: Rejoin = 'at-once') =>
        median(runs[rejoin][kind].map(f));
      const describe = (kind: Kind, rejoin: Rejoin) =>
        runs[rejoin][kind]
          .map(
            (r) =>
              `${kind}: running after ${Math.round(r.runningMs)} ms [${breakdown(r.marks)}${r.assignments > 1 ? `; ${r.assignments} assignments` : ''}], task open ${Math.round(r.taskOpenMs)} ms (restore ${Math.round(r.restoreMs)} ms, ${r.restoredRecords.toLocaleString()} records${r.fromScratch ? ', from scratch' : ''}${r.restoreMs > 0 && r.restoredRecords > 1000 ? `, ${Math.round((r.restoredRecords * 1000) / r.restoreMs).toLocaleString()} records/s` : ''}); broker recovery ${Math.round(r.brokerMs)} ms, member expiry ${Math.round(r.memberExpiryMs)} ms (untimed), load average ${r.loadAvg1.toFixed(1)}`,
          )
          .join('; ');
      const localRunning = med('local', (r) => r.runningMs);
      const fullRunning = med('full', (r) => r.runningMs);
      const localEmpty = med('local', (r) => r.runningMs, 'empty-group');
      const fullEmpty = med('full', (r) => r.runningMs, 'empty-group');
      const localOpen = med('local', (r) => r.taskOpenMs);
      const fullOpen = med('full', (r) => r.taskOpenMs);
      const localRestore = med('local', (r) => r.restoreMs);
      const fullRestore = med('full', (r) => r.restoreMs);
      const fullRecords = med('full', (r) => r.restoredRecords);
      const delay = runs['empty-group'].local[0]?.initialDelayMs ?? Number.NaN;
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
          note: `1 / (app.start() → app running its task) after kill -9 and a restart at once (its static member takes its old place in the group), with the local RocksDB store kept (${Math.round(localRunning)} ms) vs the state directory wiped: full restore of ${KEYS.toLocaleString()} keys (baseline, ${Math.round(fullRunning)} ms). Both include creating clients, initTransactions and the rejoin; broker log recovery happens before the clock starts. Median of ${ROUNDS} each. ${describe('local', 'at-once')}; ${describe('full', 'at-once')}`,
        },
        {
          metric: 'app-recovery-empty-group',
          unit: 'restarts/s',
          value: 1000 / localEmpty,
          baseline: 1000 / fullEmpty,
          ratio: fullEmpty / localEmpty,
          note: `the same, restarted only once the killed member's session expired (untimed): both join an empty group and wait out the broker's initial rebalance delay (${delay} ms; the local store opens meanwhile): local ${Math.round(localEmpty)} ms vs full ${Math.round(fullEmpty)} ms. ${describe('local', 'empty-group')}; ${describe('full', 'empty-group')}`,
        },
        {
          metric: 'app-recovery-task-open',
          unit: 'opens/s',
          value: 1000 / localOpen,
          baseline: 1000 / fullOpen,
          ratio: fullOpen / localOpen,
          note: `the thread's partitionsAssigned → running only (open the RocksDB engine — after kill -9 that replays its write-ahead log —, replay the changelog tail or all of it, compile the task): local ${Math.round(localOpen)} ms vs full ${Math.round(fullOpen)} ms`,
        },
        {
          metric: 'app-recovery-restore-only',
          unit: 'restores/s',
          value: 1000 / Math.max(1, localRestore),
          baseline: 1000 / Math.max(1, fullRestore),
          ratio: Math.max(1, fullRestore) / Math.max(1, localRestore),
          note: `restoreStarted → restoreEnded only (the changelog tail past the store's offset vs all of it): local ${Math.round(localRestore)} ms vs full ${Math.round(fullRestore)} ms (times under 1 ms count as 1 ms)`,
        },
        {
          metric: 'app-recovery-full-restore-rate',
          unit: 'records/s',
          value: fullRecords / (fullRestore / 1000),
          note: `the full restore's throughput: ${fullRecords.toLocaleString()} changelog records replayed into the empty RocksDB store in ${Math.round(fullRestore)} ms (median)`,
        },
      ];
    });
  },
};

export default benchmark;
