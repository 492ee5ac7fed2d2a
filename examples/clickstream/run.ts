/**
 * The clickstream app end to end on the embedded broker, with two worker threads: generates the
 * input, loads the users table, streams the page views through the app while printing live
 * progress (records in and out, lag, each thread's tasks and their states), then reads every
 * output back at read_committed and checks it against TopologyTestDriver's run on the same input:
 * equal per key (nothing lost, nothing duplicated), the malformed events in the dead-letter topic,
 * and no transaction left open (last stable offset = high watermark). `npm start` runs it
 * (main.ts); test/examples runs it small.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ActorSystem,
  Admin,
  createStreamsApp,
  EmbeddedCluster,
  EmbeddedLogClient,
  MessagePortTransport,
  MillraceError,
  Producer,
  realClock,
  realRandom,
  type TaskStatus,
} from '../../src/index.js';
import { clickstreamTopology, TOPICS } from './app.js';
import { generateUsers, generateViews } from './events.js';
import { expectedOutputs } from './expected.js';

import { compare, openTransactions, readOutputs } from './verify.js';

const USERS = 2_000;
const PAGES = 40;
const PARTITIONS = 4;
const START_MS = Date.UTC(2026, 10, 21, 9, 0, 0);

/**
 * How to run the example.
 *
 * @example
 * ```ts
 * const options: ClickstreamOptions = { views: 3000, log: console.log };
 * ```
 */
export interface ClickstreamOptions {
  /** Page views to generate (about 1 % malformed). */
  readonly views: number;
  /** Progress and summary lines. */
  readonly log: (line: string) => void;
  /** Commit, close and leave the group on Ctrl-C (the command line does; tests do not). */
  readonly handleSignals?: boolean;
}

/**
 * Runs the clickstream app end to end on a fresh embedded broker in a temporary directory and
 * checks its outputs against TopologyTestDriver's; returns the differences (none: exactly-once).
 *
 * @example
 * ```ts
 * const problems = await runClickstream({ views: 3000, log: () => {} });
 * ```
 * @throws what the broker or the app throw (a failed thread, a full disk).
 */
export async function runClickstream(options: ClickstreamOptions): Promise<string[]> {
  const { log } = options;
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
  const { records: views, closing, malformed } = generateViews(42, options.views, USERS, PAGES, START_MS);
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
  if (options.handleSignals === true) app.closeOnSignals(['SIGINT', 'SIGTERM'], () => process.exit(130));
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
  const progress = setInterval(() => void report(app, admin, started, log), 1000);
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
  await report(app, admin, started, log);
  await app.close();

  const { outputs: want, deadLetters } = expectedOutputs(users, [...views, ...closing]);
  const got = await readOutputs(client, PARTITIONS);
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
  } else {
    log(
      `exactly-once verified in ${seconds} s: every output equals the reference run key by key, nothing lost, nothing duplicated, no open transaction`,
    );
  }
  return problems;
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
  log: (line: string) => void,
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
