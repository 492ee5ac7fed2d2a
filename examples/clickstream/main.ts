/**
 * `npm start`: the clickstream app end to end on the embedded broker, with two worker threads.
 * Generates the input, loads the users table, streams the page views through the app while printing
 * live progress (records in and out, lag, each thread's tasks), then reads every output back at
 * read_committed and checks it against TopologyTestDriver's run on the same input: equal per key
 * (nothing lost, nothing duplicated), the malformed events in the dead-letter topic, and no
 * transaction left open (last stable offset = high watermark).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ActorSystem,
  Admin,
  Consumer,
  createStreamsApp,
  EmbeddedCluster,
  EmbeddedLogClient,
  MessagePortTransport,
  MillraceError,
  Producer,
  realClock,
  realRandom,
  Serdes,
  type TaskStatus,
  WindowedSerdes,
} from '../../src/index.js';
import { clickstreamTopology, TOPICS } from './app.js';
import { generateUsers, generateViews } from './events.js';
import { expectedOutputs, group, type Outputs } from './expected.js';

const VIEWS = Number(process.env.VIEWS ?? 60_000);
const USERS = 2_000;
const PAGES = 40;
const PARTITIONS = 4;
const START_MS = Date.UTC(2026, 10, 21, 9, 0, 0);
const log = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'millrace-clickstream-'));
  const transport = new MessagePortTransport();
  const system = new ActorSystem({ clock: realClock, random: realRandom, transport });
  const cluster = EmbeddedCluster.start({ brokers: 1, dataDir: join(dir, 'log'), system });
  await cluster.whenReady();
  const client = new EmbeddedLogClient(system, { node: 'clickstream-main' });
  const admin = new Admin(client);
  for (const name of [
    TOPICS.views,
    TOPICS.users,
    TOPICS.perRegion,
    TOPICS.perPage,
    TOPICS.sessions,
    TOPICS.deadLetters,
  ]) {
    await admin.createTopics([{ name, partitions: PARTITIONS, replicationFactor: 1 }]);
  }
  const users = generateUsers(USERS, START_MS);
  const { records: views, closing, malformed } = generateViews(42, VIEWS, USERS, PAGES, START_MS);
  log(
    `millrace clickstream: ${views.length} page views (${malformed} malformed), ${USERS} users, ${PARTITIONS} partitions, 2 worker threads, exactly_once_v2`,
  );

  const app = createStreamsApp({
    applicationId: 'clickstream',
    stateDir: join(dir, 'state'),
    appModule: new URL('./app.ts', import.meta.url),
    cluster: { system, transport },
    clock: realClock,
    random: realRandom,
    numStreamThreads: 2,
    processingGuarantee: 'exactly_once_v2',
    deserializationExceptionHandler: { deadLetterTopic: TOPICS.deadLetters },
  });
  app.onStateChange((next, previous) => log(`app: ${previous} → ${next}`));
  // Ctrl-C commits what was processed, closes the tasks and leaves the group before exiting.
  app.closeOnSignals(['SIGINT', 'SIGTERM'], () => process.exit(130));
  await app.start();

  const producer = new Producer(client, realClock, realRandom, { lingerMs: 5, batchSize: 256 * 1024 });
  const produce = async (topic: string, records: typeof users) => {
    for (const r of records) {
      const record = { topic, key: Buffer.from(r.key), value: r.value, timestamp: r.timestamp };
      if (!producer.tryAppend(record)) await producer.append(record);
    }
    await producer.flush();
  };
  // Reference data first: the users table is loaded before any view is joined against it.
  await produce(TOPICS.users, users);
  await waitForLag(admin, [TOPICS.users], 0);
  const progress = setInterval(() => void report(app, admin, started), 1000);
  // Done means every input, and every repartition topic the app writes itself, is consumed.
  const inputs = [
    TOPICS.views,
    ...clickstreamTopology()
      .internalTopics.filter((t) => t.purpose === 'repartition')
      .map((t) => `clickstream-${t.name}`),
  ];
  await produce(TOPICS.views, views);
  await waitForLag(admin, inputs, 0);
  // Later in real time too: a closing view earlier would make the views still queued late.
  await produce(TOPICS.views, closing);
  await waitForLag(admin, inputs, 0);
  clearInterval(progress);
  await report(app, admin, started);
  await app.close();

  const { outputs: want, deadLetters } = expectedOutputs(users, [...views, ...closing]);
  const got = await readOutputs(client);
  const problems = compare(want, got.outputs);
  if (got.deadLetters !== malformed || deadLetters !== malformed) {
    problems.push(
      `dead letters: ${got.deadLetters} in the topic, ${deadLetters} by the driver, ${malformed} generated`,
    );
  }
  problems.push(...(await openTransactions(client, admin)));
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  for (const [topic, keys] of Object.entries(got.outputs)) {
    const records = [...keys.values()].reduce((n, v) => n + v.length, 0);
    log(`  ${topic}: ${records} records over ${keys.size} keys`);
  }
  log(`  ${TOPICS.deadLetters}: ${got.deadLetters} malformed events`);
  client.close();
  await cluster.shutdown();
  rmSync(dir, { recursive: true, force: true });
  if (problems.length > 0) {
    log(`NOT exactly-once (${seconds} s): ${problems.length} differences`);
    for (const p of problems.slice(0, 20)) log(`  ${p}`);
    return 1;
  }
  log(
    `exactly-once verified in ${seconds} s: every output equals the reference run key by key, nothing lost, nothing duplicated, no open transaction`,
  );
  return 0;
}

/** The group's total lag on `topics`; undefined while the group coordinator is still loading. */
async function lagOf(admin: Admin, topics: string[]): Promise<number | undefined> {
  try {
    return (await admin.groupLag('clickstream', topics)).reduce((n, p) => n + p.lag, 0);
  } catch (error) {
    if (error instanceof MillraceError && error.retriable) return undefined;
    throw error;
  }
}

async function waitForLag(admin: Admin, topics: string[], target: number): Promise<void> {
  for (;;) {
    const lag = await lagOf(admin, topics);
    if (lag !== undefined && lag <= target) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function report(
  app: ReturnType<typeof createStreamsApp>,
  admin: Admin,
  started: number,
): Promise<void> {
  const lag = (await lagOf(admin, [TOPICS.views])) ?? '?';
  const threads = app
    .streamThreads()
    .map(
      (t) =>
        `${t.id} ${t.state} in ${t.metrics.recordsIn} out ${t.metrics.recordsOut} tasks [${describeTasks(t.taskStatuses())}]`,
    )
    .join(' | ');
  log(
    `${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s  lag ${String(lag).padStart(7)}  ${threads}`,
  );
}

/** `1_0 running`, grouped by state, standbys marked: `1_0 1_2 running, standby 1_1 restoring`. */
function describeTasks(tasks: readonly TaskStatus[]): string {
  const groups = new Map<string, string[]>();
  for (const t of tasks) {
    const label = `${t.standby ? 'standby ' : ''}${t.state}`;
    groups.set(label, [...(groups.get(label) ?? []), t.id]);
  }
  return [...groups].map(([label, ids]) => `${ids.join(' ')} ${label}`).join(', ');
}

async function readOutputs(client: EmbeddedLogClient): Promise<{ outputs: Outputs; deadLetters: number }> {
  const consumer = new Consumer(client, realClock, {
    isolationLevel: 'read_committed',
    autoOffsetReset: 'earliest',
    maxPollRecords: 10_000,
  });
  const topics = [TOPICS.perRegion, TOPICS.perPage, TOPICS.sessions, TOPICS.deadLetters];
  const ends = new Map<string, number>();
  for (const topic of topics) {
    for (let p = 0; p < PARTITIONS; p++)
      ends.set(`${topic}-${p}`, (await client.listOffset(topic, p, -1, 'read_committed')).offset);
  }
  consumer.assign(
    topics.flatMap((topic) => Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition }))),
  );
  const S = Serdes.string();
  const N = Serdes.int64();
  const sessionKey = WindowedSerdes.sessionWindowed(S);
  const records: Record<string, { key: string | null; value: number | null }[]> = {};
  let deadLetters = 0;
  const done = () =>
    [...ends].every(
      ([tp, end]) =>
        (consumer.position({
          topic: tp.slice(0, tp.lastIndexOf('-')),
          partition: Number(tp.slice(tp.lastIndexOf('-') + 1)),
        }) ?? 0) >= end,
    );
  while (!done()) {
    const { partitions } = await consumer.poll(200);
    for (const list of partitions.values()) {
      for (const r of list) {
        if (r.topic === TOPICS.deadLetters) {
          deadLetters++;
          continue;
        }
        const key =
          r.topic === TOPICS.sessions
            ? (() => {
                const w = sessionKey.deserialize(r.topic, r.key!);
                return `${w.key}@${w.window.startMs}-${w.window.endMs}`;
              })()
            : S.deserialize(r.topic, r.key!);
        records[r.topic] ??= [];
        records[r.topic]!.push({
          key,
          value: r.value === null ? null : N.deserialize(r.topic, r.value),
        });
      }
    }
  }
  await consumer.close();
  const outputs: Outputs = {};
  for (const topic of [TOPICS.perRegion, TOPICS.perPage, TOPICS.sessions])
    outputs[topic] = group(records[topic] ?? []);
  return { outputs, deadLetters };
}

function compare(want: Outputs, got: Outputs): string[] {
  const problems: string[] = [];
  for (const [topic, keys] of Object.entries(want)) {
    const actual = got[topic] ?? new Map();
    for (const [key, values] of keys) {
      const a = actual.get(key) ?? [];
      const at = values.findIndex((v, i) => a[i] !== v);
      if (at >= 0 || a.length !== values.length) {
        const from = Math.max(0, (at < 0 ? values.length : at) - 2);
        const show = (l: readonly unknown[]) =>
          `${l.length} values, from #${from}: ${JSON.stringify(l.slice(from, from + 5))}`;
        problems.push(`${topic} ${key}: got ${show(a)}; want ${show(values)}`);
      }
    }
    for (const key of actual.keys()) if (!keys.has(key)) problems.push(`${topic} ${key}: unexpected key`);
  }
  return problems;
}

async function openTransactions(client: EmbeddedLogClient, admin: Admin): Promise<string[]> {
  const out: string[] = [];
  for (const t of await admin.describeTopics(await admin.listTopics())) {
    if (t.name.startsWith('__')) continue;
    for (const p of t.partitions) {
      const hw = (await client.listOffset(t.name, p.partition, -1)).offset;
      const lso = (await client.listOffset(t.name, p.partition, -1, 'read_committed')).offset;
      if (hw !== lso) out.push(`${t.name}-${p.partition}: last stable offset ${lso} ≠ high watermark ${hw}`);
    }
  }
  return out;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `clickstream failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
