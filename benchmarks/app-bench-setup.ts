/**
 * What the streams-app benchmarks share (app-stateless, app-scaling, app-windowed): in a child
 * process, an embedded broker on the real disk whose ActorSystem uses a MessagePortTransport (so
 * stream threads can run in worker threads), an input topic pre-loaded with 100-byte records, and
 * a StreamsApp over it whose progress is sampled until the group's committed offsets reach the
 * input's end.
 *
 * Two rates come out of one run:
 * - end to end: input records / (time from `app.start()` until the committed offsets of every
 *   input partition equal its end offset). It includes starting the workers (tsx loads the app
 *   module), creating internal topics, the group's join (the coordinator's 3 s initial rebalance
 *   delay), opening tasks, and the last commit.
 * - steady state: from the threads' status reports (every 250 ms from each worker), records
 *   processed between the first report at or above 10 % of the input and the first at or above
 *   90 %, over the time between those reports (as the main thread received them).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { EmbeddedCluster } from '../src/log/broker/embedded-cluster.js';
import { Admin } from '../src/log/client/admin.js';
import { EmbeddedLogClient } from '../src/log/client/embedded-log-client.js';
import { Producer } from '../src/log/client/producer/producer.js';
import { ActorSystem, MessagePortTransport, realClock, realRandom } from '../src/runtime/actor/index.js';
import { createStreamsApp } from '../src/runtime/streams/streams-app.js';
import { DROP_MARK, INPUT_TOPIC, OUTPUT_TOPIC } from './app-bench-apps.js';
import { createTopicAndWaitForLeaders } from './cluster-setup.js';
import { nowMs, yieldToEventLoop } from './harness.js';

export const RECORD_BYTES = 100;
export const INPUT_PARTITIONS = 4;

/** What a child reports to the parent (the last line of its output, as JSON). */
export interface AppRunResult {
  records: number;
  loadMs: number;
  /** app.start() → committed offsets at the input's end. */
  endToEndMs: number;
  /** app.start() → the first status report with records processed. */
  firstRecordsMs: number;
  steadyRecords: number;
  steadyMs: number;
  /** CPU time (user + system, every thread of the process) over the steady-state span, ms. */
  steadyCpuMs: number;
  /**
   * On-CPU time of the main thread (broker) and of the busiest other thread (the stream thread's
   * worker, with one thread) over the steady-state span, ms (Linux schedstat; NaN elsewhere).
   * Unlike rates, these hold up on a machine other processes load.
   */
  steadyMainCpuMs: number;
  steadyWorkerCpuMs: number;
  recordsIn: number;
  recordsOut: number;
  commits: number;
  aborts: number;
  /** The machine's 1-minute load average when the run ended (other processes share the 2 cores). */
  loadAvg1: number;
}

export interface AppRunOptions {
  dataDir: string;
  appModule: URL;
  records: number;
  threads: number;
  guarantee: 'exactly_once_v2' | 'at_least_once';
  commitIntervalMs: number;
  /** Distinct keys; record i has key i % keys. */
  keys: number;
  /** Event time of record i (ms). */
  timestampOf: (i: number) => number;
  /** Gives up after this long (the run then throws). */
  timeoutMs?: number;
}

/** A string of exactly `bytes` characters. */
function pad(s: string, bytes: number): string {
  return s.length >= bytes ? s.slice(0, bytes) : s + '.'.repeat(bytes - s.length);
}

/**
 * Pre-loads the input: RECORD_BYTES per record, a 10-byte key (`k` and 9 digits) and a 90-byte
 * value; one value in ten starts with DROP_MARK. Keys and values come from pools of prebuilt
 * buffers.
 */
async function load(system: ActorSystem, o: AppRunOptions): Promise<number> {
  const client = new EmbeddedLogClient(system, { node: 'bench-loader' });
  const producer = new Producer(client, system.clock, system.random, {
    acks: 1,
    lingerMs: 5,
    batchSize: 1024 * 1024,
    bufferMemory: 64 * 1024 * 1024,
    maxRequestSize: 2 * 1024 * 1024,
  });
  const keyPool = Math.min(o.keys, 1_000_000);
  const keys = Array.from({ length: keyPool }, (_, i) => Buffer.from(`k${String(i).padStart(9, '0')}`));
  const values = Array.from({ length: 10 }, (_, i) =>
    Buffer.from(pad(`${i === 0 ? DROP_MARK : 'v'}alue ${i} of the app benchmark, `, RECORD_BYTES - 10)),
  );
  let failed = 0;
  const onDone = (err: Error | null) => {
    if (err !== null) failed++;
  };
  const t0 = nowMs();
  for (let i = 0; i < o.records; i++) {
    const record = {
      topic: INPUT_TOPIC,
      key: keys[i % keyPool]!,
      value: values[i % 10]!,
      timestamp: o.timestampOf(i),
    };
    if (!producer.tryAppend(record, onDone)) await producer.append(record, onDone);
    if (i % 10_000 === 9_999) await yieldToEventLoop();
  }
  await producer.flush();
  const ms = nowMs() - t0;
  await producer.close();
  client.close();
  if (failed > 0) throw new Error(`${failed} input records failed to produce`);
  return ms;
}

/** On-CPU nanoseconds of each thread of this process (Linux), by thread id. */
function threadCpuNs(): Map<string, number> {
  const out = new Map<string, number>();
  try {
    for (const tid of fs.readdirSync('/proc/self/task')) {
      const stat = fs.readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8');
      out.set(tid, Number(stat.split(' ')[0]));
    }
  } catch {
    // Not Linux, or a thread ended while being read: no per-thread figures.
  }
  return out;
}

/** Main-thread and busiest-other-thread CPU ms between two threadCpuNs snapshots. */
function threadCpuDelta(
  a: Map<string, number> | undefined,
  b: Map<string, number> | undefined,
): { main: number; worker: number } {
  if (a === undefined || b === undefined || a.size === 0) return { main: Number.NaN, worker: Number.NaN };
  let worker = 0;
  const main = String(process.pid);
  for (const [tid, ns] of b) {
    if (tid !== main) worker = Math.max(worker, ns - (a.get(tid) ?? 0));
  }
  return { main: ((b.get(main) ?? 0) - (a.get(main) ?? 0)) / 1e6, worker: worker / 1e6 };
}

/** Starts a broker, loads the input, runs the app until its committed offsets reach the end. */
export async function runApp(o: AppRunOptions): Promise<AppRunResult> {
  const transport = new MessagePortTransport();
  const system = new ActorSystem({ clock: realClock, random: realRandom, transport });
  const cluster = EmbeddedCluster.start({ brokers: 1, dataDir: `${o.dataDir}/log`, system });
  await cluster.whenReady();
  const admin = new EmbeddedLogClient(system, { node: 'bench-admin' });
  for (const name of [INPUT_TOPIC, OUTPUT_TOPIC]) {
    await createTopicAndWaitForLeaders(admin, system.clock, {
      name,
      partitions: INPUT_PARTITIONS,
      replicationFactor: 1,
    });
  }
  const loadMs = await load(system, o);
  const ends = new Map<number, number>();
  for (let p = 0; p < INPUT_PARTITIONS; p++) ends.set(p, (await admin.listOffset(INPUT_TOPIC, p, -1)).offset);

  const app = createStreamsApp({
    applicationId: 'app-bench',
    stateDir: `${o.dataDir}/state`,
    appModule: o.appModule,
    cluster: { system, transport },
    clock: realClock,
    random: realRandom,
    numStreamThreads: o.threads,
    processingGuarantee: o.guarantee,
    commitIntervalMs: o.commitIntervalMs,
    // Experiments only (the figures use the default, 1000): records per poll and processing round.
    ...(process.env.APP_MAX_POLL_RECORDS === undefined
      ? {}
      : { maxPollRecords: Number(process.env.APP_MAX_POLL_RECORDS) }),
    instanceId: 'bench',
  });
  const samples: { ms: number; recordsIn: number; cpuMs: number }[] = [];
  const t0 = nowMs();
  await app.start();
  // Sample the threads' reported counters often (they change every 250 ms per worker).
  let last = -1;
  let threadsAtLo: Map<string, number> | undefined;
  let threadsAtHi: Map<string, number> | undefined;
  const sampler = setInterval(() => {
    const recordsIn = app.streamThreads().reduce((n, t) => n + t.metrics.recordsIn, 0);
    if (recordsIn !== last) {
      const cpu = process.cpuUsage();
      samples.push({ ms: nowMs() - t0, recordsIn, cpuMs: (cpu.user + cpu.system) / 1000 });
      if (threadsAtLo === undefined && recordsIn >= o.records * 0.1) threadsAtLo = threadCpuNs();
      if (threadsAtHi === undefined && recordsIn >= o.records * 0.9) threadsAtHi = threadCpuNs();
      last = recordsIn;
    }
  }, 5);
  const lagAdmin = new Admin(admin);
  const deadline = t0 + (o.timeoutMs ?? 150_000);
  let endToEndMs = 0;
  for (;;) {
    if (app.state === 'error') throw new Error(`the app failed: ${String(app.error)}`);
    const lag = await lagAdmin.groupLag('app-bench', [INPUT_TOPIC]).catch((e: unknown) => {
      // The coordinator's log loads, or the group is new: ask again.
      if ((e as { retriable?: boolean }).retriable === true) return [];
      throw e;
    });
    if (lag.length === INPUT_PARTITIONS && lag.every((l) => l.committedOffset >= ends.get(l.partition)!)) {
      endToEndMs = nowMs() - t0;
      break;
    }
    if (nowMs() > deadline) {
      throw new Error(
        `timed out: committed ${lag.map((l) => `${l.partition}:${l.committedOffset}`).join(' ')}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  // The counters come with the workers' next status reports (every 250 ms, later on a loaded
  // machine): wait for them to cover the input.
  const threads = app.streamThreads();
  for (let waited = 0; waited < 5000; waited += 50) {
    if (threads.reduce((n, t) => n + t.metrics.recordsIn, 0) >= o.records) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  clearInterval(sampler);
  const sum = (f: (m: (typeof threads)[number]['metrics']) => number) =>
    threads.reduce((n, t) => n + f(t.metrics), 0);
  const lo = samples.find((s) => s.recordsIn >= o.records * 0.1);
  const hi = samples.find((s) => s.recordsIn >= o.records * 0.9);
  const first = samples.find((s) => s.recordsIn > 0);
  const threadCpu = threadCpuDelta(threadsAtLo, threadsAtHi);
  const result: AppRunResult = {
    records: o.records,
    loadMs,
    endToEndMs,
    firstRecordsMs: first?.ms ?? Number.NaN,
    steadyRecords: lo !== undefined && hi !== undefined ? hi.recordsIn - lo.recordsIn : 0,
    steadyMs: lo !== undefined && hi !== undefined ? hi.ms - lo.ms : Number.NaN,
    steadyCpuMs: lo !== undefined && hi !== undefined ? hi.cpuMs - lo.cpuMs : Number.NaN,
    steadyMainCpuMs: threadCpu.main,
    steadyWorkerCpuMs: threadCpu.worker,
    recordsIn: sum((m) => m.recordsIn),
    recordsOut: sum((m) => m.recordsOut),
    commits: sum((m) => m.commits),
    aborts: sum((m) => m.aborts),
    loadAvg1: os.loadavg()[0]!,
  };
  await app.close();
  admin.close();
  await cluster.shutdown();
  return result;
}

/** The steady-state rate of a run, records/s. */
export function steadyRate(r: AppRunResult): number {
  return r.steadyRecords / (r.steadyMs / 1000);
}

/** The end-to-end rate of a run, records/s. */
export function endToEndRate(r: AppRunResult): number {
  return r.records / (r.endToEndMs / 1000);
}

/** CPU microseconds per steady-state record, for the notes. */
function cpuPerRecord(cpuMs: number, r: AppRunResult): string {
  return ((cpuMs * 1000) / r.steadyRecords).toFixed(2);
}

/** A one-line summary of a run, for the notes. */
export function describeRun(label: string, r: AppRunResult): string {
  return (
    `${label}: steady ${Math.round(steadyRate(r)).toLocaleString()}/s, end-to-end ${Math.round(endToEndRate(r)).toLocaleString()}/s ` +
    `(${(r.endToEndMs / 1000).toFixed(1)} s, first records at ${(r.firstRecordsMs / 1000).toFixed(1)} s), ` +
    `${r.recordsOut.toLocaleString()} out, ${r.commits} commits, ${r.aborts} aborts, ` +
    `CPU µs/record ${cpuPerRecord(r.steadyCpuMs, r)} (worker ${cpuPerRecord(r.steadyWorkerCpuMs, r)}, main ${cpuPerRecord(r.steadyMainCpuMs, r)}), ` +
    `load average ${r.loadAvg1.toFixed(1)}`
  );
}
