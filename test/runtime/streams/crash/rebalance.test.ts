/**
 * Rebalances while processing, exactly once. The embedded broker has no network listener yet (no
 * src/log/protocol), so a second process cannot reach a broker that outlives the apps; instead one
 * process runs the broker and two StreamsApp instances of the crash app ('a' and 'b', two worker
 * threads each, exactly_once_v2, 4 partitions so every member of four gets a task) while the input
 * is processed: a starts; b joins; b leaves (a graceful close); b joins again on the same state
 * directory. Checked:
 * - the coordinator's view: in every generation the test saw Stable, no task (sub-topology and
 *   partition) is assigned to two members; every task is assigned in the last one and in at
 *   least three (cooperative rebalancing leaves a moving task unowned for one generation);
 * - the threads' view: whenever every thread has reported `running` with the same tasks twice in a
 *   row, no task is held by two threads; b's threads held tasks in both of its lives, and a's held
 *   all of them while b was away;
 * - the read_committed output per key equals the test driver's (nothing lost or doubled), no
 *   transaction is left hanging, and the group holds no member but the four threads' static ones.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddedCluster } from '../../../../src/log/broker/embedded-cluster.js';
import { Admin } from '../../../../src/log/client/admin.js';
import { decodeAssignment } from '../../../../src/log/client/assignors/consumer-protocol.js';
import { EmbeddedLogClient } from '../../../../src/log/client/embedded-log-client.js';
import {
  ActorSystem,
  MessagePortTransport,
  realClock,
  realRandom,
} from '../../../../src/runtime/actor/index.js';
import { createStreamsApp, type StreamsApp } from '../../../../src/runtime/streams/streams-app.js';
import { differences, model, readTopics } from './crash-check.js';
import { LINE_DELAY_MS } from './crash-harness.js';
import { INPUT_TOPIC, OUTPUT_TOPICS } from './fixtures/crash-app.js';
import { APP_ID, BROKER_SETTINGS, loadInput, repartitionTopics } from './fixtures/crash-config.js';
import { fullyProcessed } from './fixtures/progress.js';

const PARTITIONS = 4;
const RECORDS = Number(process.env.RECORDS ?? 10_000);
const TASKS = ['0_0', '0_1', '0_2', '0_3', '1_0', '1_1', '1_2', '1_3'];
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const dirs: string[] = [];
const previousDelay = process.env.MILLRACE_CRASH_LINE_DELAY_MS;
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  if (previousDelay === undefined) delete process.env.MILLRACE_CRASH_LINE_DELAY_MS;
  else process.env.MILLRACE_CRASH_LINE_DELAY_MS = previousDelay;
});

interface Sample {
  ms: number;
  threads: { id: string; state: string; tasks: string[] }[];
}

describe('two StreamsApp instances joining and leaving while processing', () => {
  it('give each task one owner per generation and process the input exactly once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'millrace-streams-rebalance-'));
    dirs.push(dir);
    const transport = new MessagePortTransport();
    const system = new ActorSystem({ clock: realClock, random: realRandom, transport });
    const cluster = EmbeddedCluster.start({
      brokers: 1,
      dataDir: join(dir, 'log'),
      system,
      settings: BROKER_SETTINGS,
    });
    const client = new EmbeddedLogClient(system, { node: 'test', requestTimeoutMs: 5000 });
    const apps: StreamsApp[] = [];
    let watching = true;
    try {
      await cluster.whenReady();
      for (const name of [INPUT_TOPIC, ...OUTPUT_TOPICS])
        await client.createTopic({ name, partitions: PARTITIONS, replicationFactor: 1 });
      await loadInput(client, RECORDS);
      const want = model(RECORDS);

      // The worker threads import the app module with this in their environment: slow processing.
      process.env.MILLRACE_CRASH_LINE_DELAY_MS = String(LINE_DELAY_MS);
      const start = async (instanceId: string) => {
        const app = createStreamsApp({
          applicationId: APP_ID,
          instanceId,
          stateDir: join(dir, `state-${instanceId}`),
          appModule: new URL('./fixtures/crash-app.ts', import.meta.url),
          cluster: { system, transport },
          clock: realClock,
          random: realRandom,
          numStreamThreads: 2,
          processingGuarantee: 'exactly_once_v2',
          commitIntervalMs: 100,
          maxPollRecords: 20,
        });
        apps.push(app);
        await app.start();
        return app;
      };

      // The threads' reports and the coordinator's generations, sampled while the apps run.
      const samples: Sample[] = [];
      const generations = new Map<number, Map<string, string[]>>();
      const admin = new Admin(client);
      const topicSub = new Map<string, number>([
        [INPUT_TOPIC, 0],
        ...repartitionTopics().map((t) => [t, 1] as const),
      ]);
      const began = Date.now();
      const watcher = (async () => {
        while (watching) {
          samples.push({
            ms: Date.now() - began,
            threads: apps
              .filter((a) => a.state === 'running' || a.state === 'rebalancing')
              .flatMap((a) =>
                a.streamThreads().map((t) => ({ id: t.id, state: t.state, tasks: t.activeTaskIds() })),
              ),
          });
          const group = await admin.describeGroup(APP_ID).catch(() => undefined);
          if (group?.state === 'Stable' && !generations.has(group.generationId)) {
            const owners = new Map<string, string[]>();
            for (const m of group.members) {
              const tasks = decodeAssignment(m.assignment).partitions.map(
                (tp) => `${topicSub.get(tp.topic)}_${tp.partition}`,
              );
              owners.set(m.clientId, tasks);
            }
            generations.set(group.generationId, owners);
          }
          await sleep(50);
        }
      })();

      const threadsOf = (app: StreamsApp) => app.streamThreads();
      const sum = (app: StreamsApp, f: (m: { commits: number; recordsIn: number }) => number) =>
        threadsOf(app).reduce((n, t) => n + f(t.metrics), 0);
      const tasksOf = (app: StreamsApp) => threadsOf(app).flatMap((t) => t.activeTaskIds());
      const waitFor = async (what: string, ok: () => boolean, timeoutMs = 60_000) => {
        const deadline = Date.now() + timeoutMs;
        while (!ok()) {
          if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
          if (apps.some((a) => a.state === 'error')) throw apps.find((a) => a.state === 'error')!.error;
          await sleep(50);
        }
        console.log(`rebalance test: ${what} at ${Date.now() - began} ms`);
      };

      const a = await start('a');
      await waitFor('a commits', () => sum(a, (m) => m.commits) > 0);
      const b1 = await start('b');
      await waitFor(
        'b (first life) owns tasks and commits',
        () => tasksOf(b1).length > 0 && sum(b1, (m) => m.commits) > 0,
      );
      const bTasksFirst = [...new Set(tasksOf(b1))];
      await b1.close();
      const aCommits = sum(a, (m) => m.commits);
      await waitFor(
        'a owns every task again and commits',
        () =>
          [...new Set(tasksOf(a))].sort().join() === TASKS.join() && sum(a, (m) => m.commits) > aCommits + 2,
      );
      const b2 = await start('b');
      await waitFor(
        'b (second life) owns tasks and commits',
        () => tasksOf(b2).length > 0 && sum(b2, (m) => m.commits) > 0,
      );
      const bTasksSecond = [...new Set(tasksOf(b2))];
      // The input was still being processed when b came back.
      expect(await fullyProcessed(client)).toBe(false);
      const deadline = Date.now() + 120_000;
      while (!(await fullyProcessed(client))) {
        if (Date.now() > deadline) throw new Error('the input was not processed within 120 s');
        await sleep(250);
      }
      console.log(`rebalance test: input processed at ${Date.now() - began} ms`);
      await Promise.all([a.close(), b2.close()]);
      watching = false;
      await watcher;

      expect(bTasksFirst.length).toBeGreaterThan(0);
      expect(bTasksSecond.length).toBeGreaterThan(0);
      // The coordinator: at most one owner per task in every generation. Rebalancing is cooperative
      // (KIP-429): a task moving between members is owned by neither for the one generation in
      // which its old owner commits and revokes it; the follow-up generation assigns every task.
      expect(generations.size).toBeGreaterThanOrEqual(3);
      let complete = 0;
      for (const [generation, owners] of generations) {
        const all = [...owners.values()].flat().sort();
        expect(new Set(all).size, `generation ${generation}: ${JSON.stringify([...owners])}`).toBe(
          all.length,
        );
        if (JSON.stringify(all) === JSON.stringify(TASKS)) complete++;
      }
      expect(complete).toBeGreaterThanOrEqual(3);
      const last = [...generations.values()].at(-1)!;
      expect([...last.values()].flat().sort()).toEqual(TASKS);
      // The threads: in settled samples no task has two holders.
      let settled = 0;
      for (const [i, s] of samples.entries()) {
        const prev = samples[i - 1];
        const same = prev !== undefined && JSON.stringify(prev.threads) === JSON.stringify(s.threads);
        if (!same || s.threads.length === 0 || s.threads.some((t) => t.state !== 'running')) continue;
        settled++;
        const held = s.threads.flatMap((t) => t.tasks);
        expect(new Set(held).size, `at ${s.ms} ms: ${JSON.stringify(s.threads)}`).toBe(held.length);
      }
      expect(settled).toBeGreaterThan(10);

      const log = await readTopics(client, PARTITIONS);
      const expected = await want;
      expect(differences(log.outputs, expected.outputs)).toEqual([]);
      expect(log.outputs).toEqual(expected.outputs);
      expect(log.hanging).toEqual([]);
      // Static members (stable instanceIds) stay after a close; never more than the four threads.
      const threads = ['a-1', 'a-2', 'b-1', 'b-2'].map((t) => `${APP_ID}-${t}`);
      expect(log.groupMembers.filter((m) => !threads.includes(m))).toEqual([]);
      console.log(
        `rebalance test: ${RECORDS} lines, ${generations.size} generations seen (${[...generations.keys()].join(',')}), ${settled} settled samples; ` +
          `b held ${bTasksFirst.join(',')} then ${bTasksSecond.join(',')}; ${Math.round((Date.now() - began) / 1000)} s`,
      );
    } finally {
      watching = false;
      for (const app of apps) await app.close().catch(() => undefined);
      client.close();
      await cluster.shutdown();
    }
  }, 300_000);
});
